"""Site -> the list of pages to render, each with its template and context. No rendering here."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any

from markupsafe import Markup

from . import urls
from .errors import Problem, ProblemsError, did_you_mean
from .markdown import MarkdownCache
from .model import Brief, Page, Person, Site, Topic
from .related import Related
from .text import clip

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
UNLISTED = frozenset({"/404.html", "/review/", "/search/"})  # kept out of the sitemap and search engines
FEED_ENTRIES = 50
PAGE_SIZE = 20  # briefs per page on person, topic and month pages (keeps pages under 30 KB); then /page/2/
SIDE_MAX = 20  # topics, companions and linked people listed beside a person's or topic's timeline
UNDATED_MAX = 50  # undated briefs listed on the archive page (they are review items, normally few)
BODY = slice("body", None)  # a brief page's body_html left to the process that renders the page (render_body)


def atom_time(value: datetime.date | None) -> str:
    """A date as an Atom timestamp at midnight UTC; undated briefs get the epoch (deterministic)."""
    return f"{value.isoformat()}T00:00:00Z" if value else "1970-01-01T00:00:00Z"


@dataclass(frozen=True, slots=True)
class Plan:
    """The pages to render, and what planning noticed that is not fatal."""

    pages: tuple[Page, ...]
    warnings: tuple[Problem, ...]


def plan_pages(site: Site, md: MarkdownCache | None = None, related: Related | None = None,
               defer_bodies: bool = False) -> Plan:
    """Every page of the site with its context; raises ProblemsError on broken cross-links.

    With `defer_bodies`, a brief page's body_html is BODY: `render_body` renders it, and reports its
    cross-links, where the page is rendered (a build's workers: the HTML never gathers in one process).
    """
    known = known_ids(site)
    md = md or markdown_cache(known)
    problems: list[Problem] = []
    warnings: list[Problem] = []
    briefs = site.briefs
    people, topics = site.registry.people, site.registry.topics
    ordered = [briefs[s] for s in site.order]
    related = related or Related(site)
    event_of = {slug: event for event, slugs in site.by_event.items() for slug in slugs}
    pages: list[Page] = []

    for brief in ordered:
        url = urls.url_for("brief", brief.slug)
        body = BODY if defer_bodies else _markdown(md, brief.body, url, brief.path, brief, known, problems, warnings)
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
        bio_html = _markdown(md, bio.body, url, bio.path, None, known, problems, warnings) if bio else Markup("")
        listed = [briefs[s] for s in slugs]
        pages += _paged("person", pid, "person.html", listed, {
            "person": person,
            "bio_html": bio_html,
            "topic_counts": _counts(chain.from_iterable(b.topics for b in listed), topics)[:SIDE_MAX],
            "appears_with": _counts(chain.from_iterable(b.leaders for b in listed), people, leave=pid)[:SIDE_MAX],
            "quotes": [(b, q.text) for b in listed for q in b.quotes if q.speaker == pid],
        }, bio.path if bio else None)
        pages.append(_feed(urls.url_for("person-feed", pid), url, f"{person.name} · {site.config.title}",
                           listed, people))

    for tid, topic in topics.items():
        slugs = site.by_topic[tid]
        url = urls.url_for("topic", tid)
        listed = [briefs[s] for s in slugs]
        pages += _paged("topic", tid, "topic.html", listed, {
            "topic": topic,
            "people_counts": _counts(chain.from_iterable(b.leaders for b in listed), people)[:SIDE_MAX],
        })
        pages.append(_feed(urls.url_for("topic-feed", tid), url, f"{topic.name} · {site.config.title}",
                           listed, people))

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
        Page(urls.ARCHIVE, "archive.html", {  # counts, not the briefs: an edit to one need not render it
            "years": [(year, [(month, key, len(listed)) for month, key, listed in in_year])
                      for year, in_year in months],
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
        *([Page(urls.SEARCH, "search.html", {
            "people_counts": sorted(((p, n) for p, n in person_counts if n), key=lambda pc: pc[0].name),
            "topic_counts": sorted(((t, n) for t, n in topic_counts if n), key=lambda tc: tc[0].name),
        })] if site.config.search else []),
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


def known_ids(site: Site) -> dict[str, Mapping[str, object]]:
    """The ids cross-references may name, by kind ({"person": people, "topic": topics, "brief": briefs})."""
    return {"person": site.registry.people, "topic": site.registry.topics, "brief": site.briefs}


def render_body(page: Page, body: str, md: MarkdownCache, known: Mapping[str, Mapping[str, object]],
                problems: list[Problem], warnings: list[Problem]) -> Page:
    """A brief page planned with defer_bodies, with its brief's `body` rendered as plan_pages would
    have: unknown cross-references are added to `problems`, unsafe links to `warnings`."""
    brief = page.context["brief"]
    if not isinstance(brief, Brief):
        raise TypeError(f"{page.url}: not a brief page")
    html = _markdown(md, body, page.url, brief.path, brief, known, problems, warnings)
    return Page(page.url, page.template, {**page.context, "body_html": html}, page.source)


def _updated(briefs: list[Brief]) -> str:
    """Newest brief date as an Atom timestamp; a fixed epoch when none is dated (deterministic)."""
    dates = [b.date for b in briefs if b.date is not None]
    return atom_time(max(dates) if dates else None)


def _feed(url: str, feed_for: str, title: str, briefs: list[Brief], people: Mapping[str, Person]) -> Page:
    """An Atom feed page: the newest FEED_ENTRIES of `briefs`, for the page at `feed_for`, with the
    people they name (`people`: id -> person; not the whole registry, which every feed would then hold)."""
    shown = briefs[:FEED_ENTRIES]
    named = {pid: people[pid] for brief in shown for pid in brief.leaders}
    return Page(url, "feed.xml", {
        "feed_title": title, "feed_for": feed_for, "briefs": shown,
        "people": dict(sorted(named.items())), "updated": _updated(briefs),
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


def markdown_cache(known: Mapping[str, Collection[str]]) -> MarkdownCache:
    """The renderer plan_pages uses by default: cross-references resolve to the ids in `known`
    ({"person": ids, "topic": ids, "brief": slugs})."""
    def resolve(kind: str, ident: str) -> str | None:
        return urls.url_for(kind, ident) if ident in known[kind] else None

    return MarkdownCache(resolve, urls.relative)

def _markdown(md: MarkdownCache, text: str, url: str, path: Path | None, brief: Brief | None,
              known: Mapping[str, Mapping[str, object]], problems: list[Problem],
              warnings: list[Problem]) -> Markup:
    """A body (a brief's, or a bio's when `brief` is None) as HTML; its problems named at their file line."""
    rendered = md.render(text, url)
    if not (rendered.unresolved or rendered.refused):
        return rendered.html  # the cache's own object: a copy per page would double the HTML held
    first_line = (brief.line_of("body") if brief else None) or 1
    for line, ref in rendered.unresolved:
        kind, _, ident = ref.partition(":")
        hint = did_you_mean(ident, known.get(kind, {}))
        problems.append(Problem(path or url, first_line + line - 1,
                                f"unknown cross-reference '{ref}'{hint}"))
    for line, link in rendered.refused:
        warnings.append(Problem(path or url, first_line + line - 1,
                                f"unsafe link '{clip(link, 60, '')}' shown as text"
                                " (use http, https, mailto or relative links)",
                                severity="warning"))
    return rendered.html

def _counts(ids: Iterable[str], known: Mapping[str, Person] | Mapping[str, Topic],
            leave: str | None = None) -> list[tuple[Any, int]]:
    """(person or topic, how often its id occurs), most frequent first, then by name; `leave` out."""
    counter = Counter(ids)
    counter.pop(leave, None)  # type: ignore[arg-type]
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
