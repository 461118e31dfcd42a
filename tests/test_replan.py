"""replan: serve's patched plan equals a fresh plan_pages, and is used only for edits it can patch."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import edit

from briefing.config import load_config
from briefing.load import load_site
from briefing.memo import BuildCache
from briefing.model import Page, Site
from briefing.pipeline import build
from briefing.plan import plan_pages

BRIEF = "content/briefs/2025-04-14-talks-in-capital.md"


def cached_site(root: Path, cache: BuildCache) -> Site:
    """The site as serve's cache loads it: unchanged briefs are the very objects of the last build."""
    config, registry = load_config(root / "site.yaml")
    return load_site(root, config, registry, cache.parse)


def as_data(pages: tuple[Page, ...]) -> list[tuple[str, str, object, object]]:
    return [(p.url, p.template, dict(p.context), p.source) for p in pages]


# (edit, whether replan may patch the previous plan)
EDITS: dict[str, tuple[Callable[[Path], None], bool]] = {
    "body": (lambda r: edit(r / BRIEF, "to discuss", "to talk about"), True),
    "title": (lambda r: edit(r / BRIEF, "title: 'Talks", "title: 'New talks"), True),
    "summary": (lambda r: edit(r / BRIEF, "summary: Alice", "summary: Now Alice"), True),
    "source": (lambda r: edit(r / BRIEF, "source: Example Wire", "source: Other Wire"), True),
    "body with a new cross-reference": (lambda r: edit(r / BRIEF, "to discuss", "to see [Carol](person:carol-li)"),
                                        True),
    "body with an unsafe link": (lambda r: edit(r / BRIEF, "to discuss", "to [x](javascript:alert(1))"), False),
    "date": (lambda r: edit(r / BRIEF, "date: 2025-04-14", "date: 2025-03-01"), False),
    "leaders": (lambda r: edit(r / BRIEF, "leaders:\n", "leaders:\n- carol-li\n"), False),
    "topic order": (lambda r: edit(r / BRIEF, "- trade\n- maritime\n", "- maritime\n- trade\n"), False),
    "review item": (lambda r: edit(r / BRIEF, "review: []", "review: [check the date]"), False),
    "brief added": (lambda r: (r / "content/briefs/2025-04-16-copy.md").write_text(
        (r / BRIEF).read_text(encoding="utf-8"), encoding="utf-8"), False),
    "site.yaml": (lambda r: edit(r / "site.yaml", "title: ", "title: The "), False),
}


@pytest.mark.parametrize("name", EDITS)
def test_a_patched_plan_equals_a_fresh_one(site_root: Path, name: str) -> None:
    change, patchable = EDITS[name]
    cache = BuildCache()
    build(site_root, cache=cache)
    build(site_root, cache=cache)
    change(site_root)
    build(site_root, cache=cache)
    assert cache.stats.get("replanned", 0) == int(patchable)
    assert cache.planned is not None
    site = cached_site(site_root, cache)
    fresh = plan_pages(site)
    assert as_data(cache.planned.plan.pages) == as_data(fresh.pages)
    assert cache.planned.plan.warnings == fresh.warnings


def test_a_patch_renders_only_the_pages_that_hold_the_brief(site_root: Path) -> None:
    cache = BuildCache()
    build(site_root, cache=cache)
    edit(site_root / BRIEF, "to discuss", "to talk about")
    report = build(site_root, cache=cache)
    assert cache.stats["replanned"] == 1
    slug = Path(BRIEF).stem
    mentioning = [p for p in cache.planned.plan.pages if slug in repr(p.context)] if cache.planned else []
    # every page whose bytes changed was rendered; nothing that does not mention the brief was
    assert 0 < report.written <= cache.stats["pages_rendered"] <= len(mentioning) < report.pages


def test_a_failed_build_is_not_patched_over(site_root: Path) -> None:
    """A build that fails after planning leaves the last rendered plan as the base of the next patch."""
    cache = BuildCache()
    build(site_root, cache=cache)
    edit(site_root / BRIEF, "to discuss", "to talk about")
    with pytest.raises(Exception):  # noqa: B017 - whichever error: the pages were never rendered
        build(site_root, cache=cache, fail_on=frozenset({"warning", "review", "info"}))
    other = site_root / "content/briefs/2025-04-15-follow-up.md"
    other.write_text(other.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    build(site_root, cache=cache)
    page = (site_root / "output/briefs/2025-04-14-talks-in-capital/index.html").read_text(encoding="utf-8")
    assert "to talk about" in page


def test_serve_cycles_relist_content_only_when_a_file_came_or_went(site_root: Path) -> None:
    """serve's cycle reuses the last listing of content/ for edits, and lists again for new files."""
    from briefing.serve import Preview

    out = site_root / "output"
    preview = Preview(root=site_root, out=out)
    try:
        preview.first_build()
        edit(site_root / BRIEF, "to discuss", "to talk about")
        assert preview.cycle() is not None
        assert "to talk about" in (out / "briefs/2025-04-14-talks-in-capital/index.html").read_text(encoding="utf-8")
        new = site_root / "content/briefs/2025-04-16-copy.md"
        new.write_text((site_root / BRIEF).read_text(encoding="utf-8"), encoding="utf-8")
        edit(site_root / BRIEF, "to talk about", "to speak about")  # an edit and a new file in one cycle
        assert preview.cycle({site_root / BRIEF, new}) is not None
        assert (out / "briefs/2025-04-16-copy/index.html").is_file()
        assert "2025-04-16-copy" in (out / "people/alice-nguyen/index.html").read_text(encoding="utf-8")
        edit(new, "to talk about", "to chat about")
        assert preview.cycle({new}) is not None
        assert "to chat about" in (out / "briefs/2025-04-16-copy/index.html").read_text(encoding="utf-8")
    finally:
        preview.close()
