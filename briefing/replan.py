"""Serve's shortcut past plan_pages: when an edit changed only what templates read from a brief
(its title, summary, body, source...), the new plan is the previous one with the edited briefs
swapped in, and only the pages that show them are new.

Anything else (a date, leader, topic, quote, event or review item; a brief added or removed;
site.yaml, a bio; a body with a problem to report) returns None, and the caller plans afresh.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from markupsafe import Markup

from . import urls
from .markdown import MarkdownCache
from .model import Brief, Site
from .plan import Plan

# What plan_pages itself reads from a brief (grouping, ordering, links, checks). An edit to any
# other field changes only pages whose context holds the brief.
PLANNED = ("slug", "date", "leaders", "topics", "review", "event", "quotes", "people", "path")


@dataclass(frozen=True, slots=True)
class Planned:
    """A site, its plan, and which pages' contexts hold each brief (slug -> page positions)."""

    site: Site
    plan: Plan
    holders: Mapping[str, tuple[int, ...]]


@dataclass(frozen=True, slots=True)
class Replanned:
    """The new plan, and the URLs of the pages it changed."""

    planned: Planned
    changed: frozenset[str]


def planned(site: Site, plan: Plan) -> Planned:
    """Index a fresh plan: for every brief, the pages whose context holds it."""
    holders: dict[str, list[int]] = {}
    for index, page in enumerate(plan.pages):
        for slug in _slugs(page.context):
            holders.setdefault(slug, []).append(index)
    return Planned(site, plan, {slug: tuple(dict.fromkeys(found)) for slug, found in holders.items()})


def replan(previous: Planned, site: Site, md: MarkdownCache) -> Replanned | None:
    """The plan for `site` by patching `previous`, or None when plan_pages must run."""
    old = previous.site
    if (site.order != old.order or site.config != old.config or site.registry != old.registry
            or site.bios != old.bios or site.by_event != old.by_event):
        return None  # order equal: the same slugs, so by_person and by_topic follow from PLANNED fields
    edited = {slug: brief for slug, brief in site.briefs.items() if brief is not old.briefs[slug]}
    flagged = {str(w.path) for w in previous.plan.warnings}
    bodies: dict[str, Markup] = {}
    for slug, brief in edited.items():
        before = old.briefs[slug]
        if any(getattr(brief, name) != getattr(before, name) for name in PLANNED) or str(brief.path) in flagged:
            return None
        rendered = md.render(brief.body, urls.url_for("brief", slug))
        if rendered.unresolved or rendered.refused:
            return None  # plan_pages reports these at their file line
        bodies[slug] = Markup(rendered.html)  # noqa: S704 - markdown-it output with raw HTML disabled
    pages = list(previous.plan.pages)
    touched = sorted({index for slug in edited for index in previous.holders.get(slug, ())})
    own = {urls.url_for("brief", slug): html for slug, html in bodies.items()}
    for index in touched:
        page = pages[index]
        context = {key: _swap(item, edited) for key, item in page.context.items()}
        if page.url in own:
            context["body_html"] = own[page.url]
        pages[index] = dataclasses.replace(page, context=context)
    plan = Plan(tuple(pages), previous.plan.warnings)
    return Replanned(Planned(site, plan, previous.holders), frozenset(pages[i].url for i in touched))


def _slugs(value: object) -> set[str]:
    """The slugs of every brief inside a context value (lists, tuples, dicts)."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Brief):
            found.add(item.slug)
        elif type(item) is dict:
            stack.extend(item.values())
        elif type(item) is list or type(item) is tuple:
            stack.extend(item)
    return found


def _swap(value: object, edited: Mapping[str, Brief]) -> object:
    """A copy of a context value with each edited brief replaced by its new version."""
    if isinstance(value, Brief):
        return edited.get(value.slug, value)
    if type(value) is dict:
        return {key: _swap(item, edited) for key, item in value.items()}
    if type(value) is list:
        return [_swap(item, edited) for item in value]
    if type(value) is tuple:
        return tuple(_swap(item, edited) for item in value)
    return value
