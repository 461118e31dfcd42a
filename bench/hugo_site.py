"""The benchmark corpus as a minimal Hugo project with the same page set.

A page per brief, per person and per topic (Hugo taxonomies `leaders` and `topics`), the home
page and taxonomy indexes, and an RSS feed per term (Hugo's default outputs). Run Hugo on it to
compare like with like.
"""

from __future__ import annotations

import shutil
from pathlib import Path

CONFIG = """baseURL = "https://bench.example.org/"
title = "Benchmark briefing"
disableKinds = ["robotsTXT"]
[taxonomies]
  leader = "leaders"
  topic = "topics"
[markup.goldmark.renderer]
  unsafe = false
"""

BASEOF = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title>
<link rel="stylesheet" href="/style.css">{{ range .AlternativeOutputFormats }}<link rel="alternate" type="{{ .MediaType.Type }}" href="{{ .Permalink }}">{{ end }}</head>
<body><header><nav><a href="/">Home</a> <a href="/leaders/">People</a> <a href="/topics/">Topics</a></nav></header>
<main>{{ block "main" . }}{{ end }}</main></body></html>
"""

SINGLE = """{{ define "main" }}<article><h1>{{ .Title }}</h1><p><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time> · {{ .Params.source }}</p>
<ul>{{ range .GetTerms "leaders" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
<ul>{{ range .GetTerms "topics" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
<p>{{ .Params.summary }}</p>{{ .Content }}
<h2>Related</h2><ul>{{ range first 5 (.Site.RegularPages.Related .) }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></article>{{ end }}
"""

LIST = """{{ define "main" }}<h1>{{ .Title }}</h1><ol>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2006-01-02" }} <p>{{ .Params.summary }}</p></li>{{ end }}</ol>{{ end }}
"""

HOME = """{{ define "main" }}<h1>Latest</h1><ol>{{ range first 20 .Site.RegularPages.ByDate.Reverse }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ol>{{ end }}
"""


def write_hugo_site(corpus: Path, target: Path) -> Path:
    """Copy corpus/content/briefs into a Hugo project at target; return target."""
    if target.exists():
        shutil.rmtree(target)
    (target / "layouts" / "_default").mkdir(parents=True)
    (target / "content").mkdir()
    shutil.copytree(corpus / "content" / "briefs", target / "content" / "briefs")
    (target / "content" / "briefs" / "_index.md").write_text("---\ntitle: Briefs\n---\n", encoding="utf-8")
    (target / "hugo.toml").write_text(CONFIG, encoding="utf-8")
    layouts = target / "layouts" / "_default"
    for name, text in (("baseof.html", BASEOF), ("single.html", SINGLE), ("list.html", LIST),
                       ("taxonomy.html", LIST), ("term.html", LIST)):
        (layouts / name).write_text(text, encoding="utf-8")
    (target / "layouts" / "index.html").write_text(HOME, encoding="utf-8")
    (target / "static").mkdir()
    shutil.copy(corpus / "templates" / "static" / "style.css", target / "static" / "style.css")
    return target
