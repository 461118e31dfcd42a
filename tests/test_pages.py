"""Reader-facing pages: pagination of long lists, page weight, head metadata and semantic structure."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import REPO, write_files
from crawl import broken_links, parse_site, resolve

from briefing.cli import main
from briefing.pipeline import build
from briefing.plan import PAGE_SIZE

WEIGHT_LIMIT = 30 * 1024  # bytes of HTML + CSS per page, before compression; search assets aside
EXTRA = 2 * PAGE_SIZE + 5  # briefs added for one person, one topic and one month: three pages each
WORDS = ("talks cooperation minister agreed delegation economic border security trade investment visit summit "
         "partnership maritime dialogue regional stability infrastructure railway port energy").split()


def long_brief(n: int) -> str:
    """A brief as long as real ones: a 400-character summary and a 600-word body."""
    summary = " ".join(WORDS[(n + i) % len(WORDS)] for i in range(60))[:400].capitalize()
    body = "\n\n".join(" ".join(WORDS[(n * 7 + p * 3 + i) % len(WORDS)] for i in range(100)) for p in range(6))
    return (f"---\ntitle: Long brief number {n} on trade talks and regional partnership\ndate: 2025-04-{1 + n % 28:02d}\n"
            f"source: Example Wire\nauthor: null\nleaders: [alice-nguyen]\ntopics: [trade]\nsummary: {summary}.\n---\n\n"
            f"{body}\n")


@pytest.fixture
def big(site_root: Path) -> Path:
    write_files(site_root, {f"content/briefs/2025-04-long-{n:03d}.md": long_brief(n) for n in range(EXTRA)})
    build(site_root)
    return site_root / "output"


def page_weights(out: Path) -> list[tuple[int, str]]:
    css = sum(p.stat().st_size for p in (out / "static").glob("*.css"))
    return sorted(((p.stat().st_size + css, p.relative_to(out).as_posix()) for p in out.rglob("*.html")
                   if not p.relative_to(out).as_posix().startswith("pagefind/")), reverse=True)


@pytest.mark.parametrize("kind", ["people/alice-nguyen", "topics/trade", "archive/2025/04"])
def test_long_lists_are_paginated_with_links_both_ways(big: Path, kind: str) -> None:
    pages = parse_site(big)
    first, second, third = f"/{kind}/", f"/{kind}/page/2/", f"/{kind}/page/3/"
    assert {first, second, third} <= set(pages) and f"/{kind}/page/4/" not in pages
    seen: list[str] = []
    for url in (first, second, third):
        links = [resolve(a, url) for a in pages[url].anchors()]
        briefs = [t for t in links if t and t.startswith("/briefs/") and "#" not in t]
        listed = list(dict.fromkeys(briefs))
        assert len(listed) <= PAGE_SIZE, f"{url} lists {len(listed)} briefs"
        seen += listed
    assert len(seen) == len(set(seen)) and len(seen) >= EXTRA  # every brief once, none twice
    assert second in {resolve(a, first) for a in pages[first].anchors()}
    rel = {a.get("rel"): resolve(a["href"] or "", second) for t, a in pages[second].starttags if t == "link"}
    assert rel["prev"] == first and rel["next"] == third
    assert broken_links(big, base_path="/desk/") == []


def test_every_page_stays_under_the_weight_limit_with_long_lists(big: Path) -> None:
    weights = page_weights(big)
    heavy = [(size, path) for size, path in weights if size > WEIGHT_LIMIT]
    assert heavy == [], f"pages over {WEIGHT_LIMIT} bytes (HTML + CSS): {heavy}"


def test_seed_site_pages_are_light(tmp_path: Path) -> None:
    root = tmp_path / "site"
    root.mkdir()
    shutil.copytree(REPO / "seeds", root / "seeds")
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copy(REPO / "site.yaml", root / "site.yaml")
    assert main(["--root", str(root), "-q"]) == 0
    weights = page_weights(root / "output")
    largest = weights[0]
    print(f"largest seed page: {largest[1]}, {largest[0] / 1024:.1f} KB with CSS")  # shown with pytest -s
    assert largest[0] <= WEIGHT_LIMIT, largest


def test_head_has_description_canonical_and_open_graph(site_root: Path) -> None:
    build(site_root)
    pages = parse_site(site_root / "output")
    for url, page in pages.items():
        if url.startswith("/pagefind/"):
            continue
        metas = {a.get("property") or a.get("name"): a.get("content") for t, a in page.starttags if t == "meta"}
        assert metas.get("description"), url
        for prop in ("og:title", "og:description", "og:type", "og:url", "og:site_name"):
            assert metas.get(prop), f"{url}: no {prop}"
        assert metas["og:url"].startswith("https://briefs.example.org/desk/"), url
        tags = [t for t, _ in page.starttags]
        for tag in ("header", "nav", "main", "footer"):
            assert tag in tags, f"{url}: no <{tag}>"
    brief = pages["/briefs/2025-04-14-talks-in-capital/"]
    metas = {a.get("property"): a.get("content") for t, a in brief.starttags if t == "meta"}
    assert metas["og:type"] == "article" and metas["article:published_time"] == "2025-04-14"
    assert "article" in [t for t, _ in brief.starttags]
