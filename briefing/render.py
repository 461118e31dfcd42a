"""Site -> pages -> rendered files. Nothing here touches the output folder."""

from __future__ import annotations

import bisect
import datetime
import heapq
import traceback
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from . import urls
from .errors import Problem, ProblemsError, did_you_mean
from .load import content_files
from .markdown import MarkdownCache, make_markdown
from .model import Brief, OutputFile, Page, Person, Site, Topic

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
TEMPLATES = ("index.html", "brief.html", "person.html", "people.html", "topic.html", "topics.html",
             "archive.html", "month.html", "event.html", "events.html", "review.html", "search.html",
             "404.html", "feed.xml", "sitemap.xml", "robots.txt")
UNLISTED = frozenset({"/404.html", "/review/", "/search/"})  # kept out of the sitemap and search engines
FEED_ENTRIES = 50
PAGE_SIZE = 20  # briefs per page on person, topic and month pages (keeps pages under 30 KB); then /page/2/
SIDE_MAX = 20  # topics, companions and linked people listed beside a person's or topic's timeline
UNDATED_MAX = 50  # undated briefs listed on the archive page (they are review items, normally few)
RELATED_MAX = 5
RELATED_WINDOW = 10  # briefs on each side of this one, in each leader's and topic's list, considered


def long_date(value: datetime.date | None) -> str:
    """A date as "15 April 2025", the same on every machine and locale."""
    if value is None:
        return "Undated"
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


@jinja2.pass_context
def _url_for(ctx: Any, kind: str, ident: str | None = None, page: int = 1) -> str:
    target = urls.url_for(kind, ident, page)
    if ctx["page_url"] == urls.NOT_FOUND:  # served at any path: links must be rooted
        return urls.rooted(target, ctx["site"].base_url)
    return urls.relative(target, ctx["page_url"])


@jinja2.pass_context
def _absolute_url(ctx: Any, target: str) -> str:
    return urls.absolute(target, ctx["site"].base_url)


@jinja2.pass_context
def _feed_id(ctx: Any, target: str) -> str:
    return urls.tag_uri(target, ctx["site"].base_url, ctx["site"].title)


def by_month(briefs: Iterable[Brief]) -> list[tuple[str, list[Brief]]]:
    """Briefs grouped under "April 2025" labels, in the order given; undated ones under "Undated"."""
    groups: list[tuple[str, list[Brief]]] = []
    for brief in briefs:
        label = f"{MONTHS[brief.date.month - 1]} {brief.date.year}" if brief.date else "Undated"
        if not groups or groups[-1][0] != label:
            groups.append((label, []))
        groups[-1][1].append(brief)
    return groups


def atom_time(value: datetime.date | None) -> str:
    """A date as an Atom timestamp at midnight UTC; undated briefs get the epoch (deterministic)."""
    return f"{value.isoformat()}T00:00:00Z" if value else "1970-01-01T00:00:00Z"


def make_env(templates: Path) -> jinja2.Environment:
    """The Jinja environment: autoescape on, StrictUndefined, url_for as the only link maker."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["url_for"] = _url_for
    env.globals["url_path"] = urls.url_for
    env.globals["absolute_url"] = _absolute_url
    env.globals["feed_id"] = _feed_id
    env.filters["long_date"] = long_date
    env.filters["atom_time"] = atom_time
    env.filters["by_month"] = by_month
    return env


@dataclass(frozen=True, slots=True)
class Plan:
    """The pages to render, and what planning noticed that is not fatal."""

    pages: tuple[Page, ...]
    warnings: tuple[Problem, ...]


def plan_pages(site: Site, md: MarkdownCache | None = None) -> Plan:
    """Every page of the site with its context; raises ProblemsError on broken cross-links."""
    known: dict[str, Mapping[str, object]] = {
        "person": site.registry.people, "topic": site.registry.topics, "brief": site.briefs,
    }
    md = md or MarkdownCache(make_markdown(), _resolver(known), urls.relative)
    problems: list[Problem] = []
    warnings: list[Problem] = []
    briefs = site.briefs
    people, topics = site.registry.people, site.registry.topics
    ordered = [briefs[s] for s in site.order]
    related = Related(site)
    event_of = {slug: event for event, slugs in site.by_event.items() for slug in slugs}
    pages: list[Page] = []

    for brief in ordered:
        url = urls.url_for("brief", brief.slug)
        body = _markdown(md, brief.body, url, brief.path, brief.line_of("body") or 1, known, problems, warnings)
        pages.append(Page(url, "brief.html", {
            "brief": brief,
            "body_html": body,
            "leaders": [people[p] for p in brief.leaders],
            "topics": [topics[t] for t in brief.topics],
            "related": [briefs[s] for s in related.of(brief)],
            "quotes": [(people[q.speaker], q.text) for q in brief.quotes],
            "event": event_of.get(brief.slug),
            "coverage": [briefs[s] for s in site.by_event.get(event_of.get(brief.slug, ""), ())
                         if s != brief.slug],
        }, brief.path))

    for pid, person in people.items():
        url = urls.url_for("person", pid)
        slugs = site.by_person[pid]
        bio = site.bios.get(pid)
        bio_html = _markdown(md, bio.body, url, bio.path, 1, known, problems, warnings) if bio else Markup("")
        pages += _paged("person", pid, "person.html", [briefs[s] for s in slugs], {
            "person": person,
            "bio_html": bio_html,
            "topic_counts": _counts((t for s in slugs for t in briefs[s].topics), topics)[:SIDE_MAX],
            "appears_with": _counts(
                (p for s in slugs for p in briefs[s].leaders if p != pid), people)[:SIDE_MAX],
            "quotes": [(briefs[s], q.text) for s in slugs for q in briefs[s].quotes if q.speaker == pid],
        }, bio.path if bio else None)
        pages.append(_feed(urls.url_for("person-feed", pid), url, f"{person.name} · {site.config.title}",
                           [briefs[s] for s in slugs], people))

    for tid, topic in topics.items():
        slugs = site.by_topic[tid]
        url = urls.url_for("topic", tid)
        pages += _paged("topic", tid, "topic.html", [briefs[s] for s in slugs], {
            "topic": topic,
            "people_counts": _counts((p for s in slugs for p in briefs[s].leaders), people)[:SIDE_MAX],
        })
        pages.append(_feed(urls.url_for("topic-feed", tid), url, f"{topic.name} · {site.config.title}",
                           [briefs[s] for s in slugs], people))

    months = _archive(ordered)
    for year, in_year in months:
        for month, key, listed in in_year:
            pages += _paged("month", key, "month.html", listed, {"year": year, "month": month})

    for event, slugs in site.by_event.items():
        pages.append(Page(urls.url_for("event", event), "event.html", {
            "event": event, "anchor": briefs[slugs[0]], "briefs": [briefs[s] for s in slugs],
            "leaders": _counts((p for s in slugs for p in briefs[s].leaders), people),
        }))

    person_counts = [(people[p], len(site.by_person[p])) for p in people]
    topic_counts = [(topics[t], len(site.by_topic[t])) for t in topics]
    ranked = sorted(person_counts, key=lambda pc: (-pc[1], pc[0].name))
    pages += [
        Page(urls.HOME, "index.html", {
            "latest": ordered[:20],
            "people_counts": [pc for pc in ranked if pc[1]][:12],
            "topic_counts": [tc for tc in sorted(topic_counts, key=lambda tc: (-tc[1], tc[0].name)) if tc[1]][:12],
            "brief_count": len(ordered),
        }),
        Page(urls.PEOPLE, "people.html", {"people_counts": sorted(person_counts, key=lambda pc: pc[0].name)}),
        Page(urls.TOPICS, "topics.html", {"topic_counts": sorted(topic_counts, key=lambda tc: tc[0].name)}),
        Page(urls.ARCHIVE, "archive.html", {
            "years": months,
            "undated": [b for b in ordered if b.date is None][:UNDATED_MAX],
            "undated_count": sum(1 for b in ordered if b.date is None),
        }),
        Page(urls.EVENTS, "events.html", {
            "events": [(event, briefs[slugs[0]], len(slugs)) for event, slugs in site.by_event.items()],
        }),
        Page(urls.REVIEW, "review.html", {
            "items": [(b, item) for b in ordered for item in b.review],
            "auto_people": [p for p in people.values() if p.auto],
        }),
        Page(urls.SEARCH, "search.html", {
            "people_counts": sorted(((p, n) for p, n in person_counts if n), key=lambda pc: pc[0].name),
            "topic_counts": sorted(((t, n) for t, n in topic_counts if n), key=lambda tc: tc[0].name),
        }),
        Page(urls.NOT_FOUND, "404.html", {}),
        _feed(urls.FEED, urls.HOME, site.config.title, ordered, people),
        Page(urls.ROBOTS, "robots.txt", {}),
    ]
    pages.append(Page(urls.SITEMAP, "sitemap.xml", {"entries": [_sitemap_entry(p) for p in pages
                                                               if p.template.endswith(".html")
                                                               and p.url not in UNLISTED]}))
    if problems:
        raise ProblemsError(problems)
    return Plan(tuple(pages), tuple(warnings))


def _updated(briefs: list[Brief]) -> str:
    """Newest brief date as an Atom timestamp; a fixed epoch when none is dated (deterministic)."""
    dates = [b.date for b in briefs if b.date is not None]
    return atom_time(max(dates) if dates else None)


def _feed(url: str, feed_for: str, title: str, briefs: list[Brief], people: Mapping[str, Person]) -> Page:
    """An Atom feed page: the newest FEED_ENTRIES of `briefs`, for the page at `feed_for`."""
    return Page(url, "feed.xml", {
        "feed_title": title, "feed_for": feed_for, "briefs": briefs[:FEED_ENTRIES],
        "people": people, "updated": _updated(briefs),
    })


def _paged(kind: str, ident: str, template: str, briefs: list[Brief], context: Mapping[str, object],
           source: Path | None = None) -> list[Page]:
    """A list page and its continuation pages (/page/2/, ...), PAGE_SIZE briefs each."""
    count = max(1, -(-len(briefs) // PAGE_SIZE))
    return [Page(urls.url_for(kind, ident, n), template, {
        **context,
        "briefs": briefs[(n - 1) * PAGE_SIZE: n * PAGE_SIZE],
        "brief_total": len(briefs),
        "pager": {"kind": kind, "ident": ident, "page": n, "pages": count},
    }, source) for n in range(1, count + 1)]


def _sitemap_entry(page: Page) -> dict[str, object]:
    brief = page.context.get("brief")
    return {"url": page.url, "date": brief.date if isinstance(brief, Brief) else None}


class Related:
    """Related briefs: near in time, sharing leaders (2 points each) or topics (1 point each).

    Each leader's and topic's brief list is searched only within RELATED_WINDOW briefs of this
    one, so the cost per brief stays bounded however large a person or topic grows.
    """

    def __init__(self, site: Site) -> None:
        self.site = site
        self.rank = {slug: i for i, slug in enumerate(site.order)}
        self.lists: dict[tuple[str, str], tuple[tuple[str, ...], list[int]]] = {}
        for kind, index in (("person", site.by_person), ("topic", site.by_topic)):
            for ident, slugs in index.items():
                self.lists[kind, ident] = (slugs, [self.rank[s] for s in slugs])

    def of(self, brief: Brief) -> tuple[str, ...]:
        """Up to RELATED_MAX slugs, best first; ties go to the brief nearest in time."""
        here = self.rank[brief.slug]
        points: Counter[str] = Counter()
        for kind, ids, weight in (("person", brief.leaders, 2), ("topic", brief.topics, 1)):
            for ident in dict.fromkeys(ids):
                slugs, ranks = self.lists[kind, ident]
                at = bisect.bisect_left(ranks, here)
                for slug in slugs[max(0, at - RELATED_WINDOW): at + RELATED_WINDOW + 1]:
                    points[slug] += weight
        points.pop(brief.slug, None)
        best = heapq.nsmallest(RELATED_MAX, points, key=lambda s: (-points[s], abs(self.rank[s] - here), self.rank[s]))
        return tuple(best)


def render_pages(pages: Iterable[Page], env: jinja2.Environment, site: Site,
                 root: Path) -> list[OutputFile]:
    """Render every page; template errors name template, line and page, and nothing is written."""
    problems: list[Problem] = []
    for name in TEMPLATES:
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            where = _template_path(exc.filename, root, name)
            problems.append(Problem(where, exc.lineno, exc.message or "syntax error"))
        except jinja2.TemplateNotFound as exc:
            problems.append(Problem(root / "templates" / name, None, f"template not found: {exc.name}"))
    if problems:
        raise ProblemsError(problems)
    files: list[OutputFile] = []
    for page in pages:
        context = {"site": site.config, "page_url": page.url, **page.context}
        try:
            html = env.get_template(page.template).render(context)
        except Exception as exc:  # noqa: BLE001 - any template failure is reported, not crashed on
            problems.append(_render_problem(exc, page, root))
            continue
        files.append(OutputFile(urls.output_path(page.url), html.encode("utf-8"), page.template))
    if problems:
        raise ProblemsError(problems)
    return files


def static_files(templates: Path, root: Path) -> list[OutputFile]:
    """Files under templates/static/, copied to /static/."""
    folder = templates / "static"
    files = []
    for path in content_files(folder, ".css", root) + content_files(folder, ".js", root):
        url = urls.url_for("static", path.name)
        files.append(OutputFile(urls.output_path(url), path.read_bytes(), str(path)))
    return files


def _resolver(known: Mapping[str, Mapping[str, object]]) -> Any:
    def resolve(kind: str, ident: str) -> str | None:
        return urls.url_for(kind, ident) if ident in known[kind] else None

    return resolve


def _markdown(md: MarkdownCache, text: str, url: str, path: Path | None, first_line: int,
              known: Mapping[str, Mapping[str, object]], problems: list[Problem],
              warnings: list[Problem]) -> Markup:
    rendered = md.render(text, url)
    for line, ref in rendered.unresolved:
        kind, _, ident = ref.partition(":")
        hint = did_you_mean(ident, known.get(kind, {}))
        problems.append(Problem(path or url, first_line + line - 1,
                                f"unknown cross-reference '{ref}'{hint}"))
    for line, link in rendered.refused:
        warnings.append(Problem(path or url, first_line + line - 1,
                                f"unsafe link '{link[:60]}' shown as text (use http, https, mailto or relative links)",
                                severity="warning"))
    return Markup(rendered.html)  # noqa: S704 - markdown-it output with raw HTML disabled


def _counts(ids: Iterable[str], known: Mapping[str, Person] | Mapping[str, Topic]) -> list[tuple[Any, int]]:
    counter = Counter(ids)
    ordered = sorted(counter, key=lambda i: (-counter[i], known[i].name))
    return [(known[i], counter[i]) for i in ordered]


def _archive(briefs: list[Brief]) -> list[tuple[int, list[tuple[str, str, list[Brief]]]]]:
    years: dict[int, dict[int, list[Brief]]] = {}
    for brief in briefs:
        if brief.date is not None:
            years.setdefault(brief.date.year, {}).setdefault(brief.date.month, []).append(brief)
    return [
        (year, [(MONTHS[m - 1], f"{year}-{m:02d}", months[m]) for m in sorted(months, reverse=True)])
        for year, months in sorted(years.items(), reverse=True)
    ]


def _template_path(filename: str | None, root: Path, name: str) -> Path:
    return Path(filename) if filename else root / "templates" / name


def _render_problem(exc: Exception, page: Page, root: Path) -> Problem:
    where = f" (while rendering {page.url}" + (f" from {page.source.name}" if page.source else "") + ")"
    line = None
    template = root / "templates" / page.template
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        filename = frame.f_code.co_filename
        if filename.endswith((".html", ".xml")):
            template, line = Path(filename), lineno
    return Problem(template, line, f"{type(exc).__name__}: {exc}{where}")
