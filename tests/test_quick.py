"""quick: a `build` after edits that change only what templates show renders just the pages showing
the edited briefs, and its output equals a build from scratch; any other change builds in full."""

from __future__ import annotations

import dataclasses
import logging
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import edit, tree

from briefing import cli, pipeline, quick
from briefing.config import load_config
from briefing.load import load_site
from briefing.model import Brief, Page, Person, Site, Topic
from briefing.plan import BODY, plan_pages

BRIEF = "content/briefs/2025-04-14-talks-in-capital.md"
OTHER = "content/briefs/2025-04-15-follow-up.md"
UNDATED = "content/briefs/undated-note.md"  # its last build warned: it has no date
BUILD = pipeline.build  # for builds from scratch, which FullBuilds does not count


def from_scratch(root: Path, tmp_path: Path) -> dict[str, bytes]:
    """The site built in a fresh copy of root: no caches, no previous output."""
    fresh = tmp_path / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns(".briefing-cache", "output", ".output.spare"))
    BUILD(fresh)
    return tree(fresh / "output")


@pytest.fixture
def quiet_site(site_root: Path) -> Path:
    """The fixture site with search off (a touch-up never remakes the search index)."""
    edit(site_root / "site.yaml", "language: en\n", "language: en\nsearch: false\n")
    return site_root


class FullBuilds:
    """Counts the full builds the command line runs."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = pipeline.build

        def counted(*args: object, **kwargs: object) -> pipeline.BuildReport:
            self.count += 1
            return real(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(pipeline, "build", counted)


def run_build(root: Path) -> int:
    return cli.main(["build", "--root", str(root), "--quiet"])


QUICK: dict[str, Callable[[Path], object]] = {
    "body": lambda root: edit(root / BRIEF, "to discuss", "to talk about"),
    "title": lambda root: edit(root / BRIEF, "title: 'Talks", "title: 'New talks"),
    "summary": lambda root: edit(root / BRIEF, "held talks", "met for talks"),
    "source": lambda root: edit(root / BRIEF, "source: Example Wire", "source: Other Wire"),
    "two briefs": lambda root: (edit(root / BRIEF, "to discuss", "to weigh"),
                                edit(root / OTHER, "title: ", "title: Now ")),
    "same bytes saved again": lambda root: (root / BRIEF).write_bytes((root / BRIEF).read_bytes()),
    "body and an editor's swap file": lambda root: (edit(root / BRIEF, "to discuss", "to review"),
                                                    (root / "content/briefs/.x.md.swp").write_bytes(b"vim")),
    "only editor swap files": lambda root: ((root / "content/briefs/.y.md.swp").write_bytes(b"vim"),
                                            (root / "templates/.base.html.swp").write_bytes(b"vim")),
}


@pytest.mark.parametrize("change", QUICK.values(), ids=QUICK.keys())
def test_an_edit_to_what_templates_show_renders_only_its_pages(quiet_site: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch,
                                                               change: Callable[[Path], object]) -> None:
    assert run_build(quiet_site) == 0
    full = FullBuilds(monkeypatch)
    change(quiet_site)
    assert run_build(quiet_site) == 0
    assert full.count == 0
    assert tree(quiet_site / "output") == from_scratch(quiet_site, tmp_path)
    edit(quiet_site / BRIEF, "stay text.", "stay text!")  # another, on the store the touch-up updated
    assert run_build(quiet_site) == 0
    assert full.count == 0
    assert tree(quiet_site / "output") == from_scratch(quiet_site, tmp_path)


def test_a_touch_up_writes_only_the_changed_pages(quiet_site: Path, caplog: pytest.LogCaptureFixture) -> None:
    assert run_build(quiet_site) == 0
    before = {path: (quiet_site / "output" / path).stat().st_ino for path in tree(quiet_site / "output")}
    caplog.set_level(logging.INFO, logger="briefing")
    edit(quiet_site / BRIEF, "title: 'Talks", "title: 'New talks")
    assert run_build(quiet_site) == 0
    assert "pages showing the edited briefs rendered" in caplog.text
    after = tree(quiet_site / "output")
    changed = {path for path in after if (quiet_site / "output" / path).stat().st_ino != before[path]}
    showing = {path for path, data in after.items() if b"New talks" in data}
    assert showing and showing <= changed
    assert changed - showing <= {".briefing-output"}  # the manifest; every other file is the same inode


def stale_store(root: Path) -> None:
    """An older page store put back: its token no longer matches the stamp's."""
    shutil.copy(root / quick.STORE, root / "older.sqlite")
    edit(root / BRIEF, "to discuss", "to weigh")
    assert run_build(root) == 0
    shutil.copy(root / "older.sqlite", root / quick.STORE)
    edit(root / OTHER, "title: ", "title: Now ")


def hand_deleted_output(root: Path) -> None:
    page = next((root / "output/people").rglob("index.html"))
    page.unlink()
    edit(root / BRIEF, "to discuss", "to weigh")


FULL: dict[str, Callable[[Path], object]] = {
    "date": lambda root: edit(root / BRIEF, "date: 2025-04-14", "date: 2025-03-01"),
    "leaders": lambda root: edit(root / BRIEF, "- bob-tran\n", ""),
    "topics": lambda root: edit(root / BRIEF, "- maritime\n", ""),
    "brief added": lambda root: shutil.copy(root / BRIEF, root / "content/briefs/2025-04-16-copy.md"),
    "brief deleted": lambda root: (root / UNDATED).unlink(),
    "brief warned about last time": lambda root: edit(root / UNDATED, "\n---\n", "\n---\nA new line.\n"),
    "bio": lambda root: edit(root / "content/people/alice-nguyen.md", "\n", "\nA new line.\n"),
    "site.yaml": lambda root: edit(root / "site.yaml", "name: Carol Li", "name: Carol Lee"),
    "template": lambda root: edit(root / "templates/base.html", "<footer", "<footer data-x=1"),
    "search on": lambda root: edit(root / "site.yaml", "search: false", "search: true"),
    "unsafe link in a body": lambda root: edit(root / BRIEF, "to discuss", "to [discuss](javascript:x)"),
    "store damaged": lambda root: ((root / quick.STORE).write_bytes(b"junk" * 100),
                                   edit(root / BRIEF, "to discuss", "to weigh")),
    "store deleted": lambda root: ((root / quick.STORE).unlink(), edit(root / BRIEF, "to discuss", "to weigh")),
    "store older than the stamp": stale_store,
    "output file deleted by hand": hand_deleted_output,
}


@pytest.mark.parametrize("change", FULL.values(), ids=FULL.keys())
def test_any_other_change_builds_in_full(quiet_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         change: Callable[[Path], object]) -> None:
    assert run_build(quiet_site) == 0
    change(quiet_site)
    full = FullBuilds(monkeypatch)
    assert run_build(quiet_site) == 0
    assert full.count == 1
    assert tree(quiet_site / "output") == from_scratch(quiet_site, tmp_path)
    edit(quiet_site / BRIEF, "Alice", "Ms Alice")  # and the store it left serves the next touch-up
    assert run_build(quiet_site) == 0
    again = change in (FULL["search on"], FULL["unsafe link in a body"])  # search on; a brief warned about
    assert full.count == (2 if again else 1)
    assert tree(quiet_site / "output") == from_scratch(quiet_site, tmp_path)


def test_an_unknown_cross_reference_is_reported_at_its_line(quiet_site: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert run_build(quiet_site) == 0
    before = tree(quiet_site / "output")
    edit(quiet_site / BRIEF, "(topic:trade)", "(topic:trad)")
    assert run_build(quiet_site) == 1
    assert f"{BRIEF}:18" in capsys.readouterr().err.replace("\\", "/")
    assert tree(quiet_site / "output") == before


def test_a_page_whose_context_cannot_be_stored_is_not_stored(quiet_site: Path) -> None:
    page = pipeline.Page("/x/", "brief.html", {"odd": slice(1, 2)})
    assert quick.freeze(page, pipeline.load_config(quiet_site / "site.yaml")[1]) is None


def _site_and_pages(root: Path) -> tuple[Site, list[Page]]:
    config, registry = load_config(root / "site.yaml")
    site = load_site(root, config, registry)
    return site, list(plan_pages(site).pages)


def test_every_row_thaws_to_its_pages_context(site_root: Path) -> None:
    """A row holds the page's context (a brief page's own body left to be rendered again), with
    each brief, person and topic named by id; `refs` lists those objects once each, in order."""
    site, pages = _site_and_pages(site_root)
    freezer = quick.Freezer(site.registry)  # one for every page, as a build uses it
    kinds = set()
    for page in pages:
        refs: list[object] = []
        row = freezer.freeze(page, refs)
        assert row is not None, page.url
        template, frozen = pickle.loads(row.data)
        context = dict(page.context)
        if page.template == "brief.html":
            context["body_html"] = BODY
        assert template == page.template
        assert quick._thaw(frozen, site.briefs, site.registry) == context, page.url
        named = _named(context)
        assert [id(obj) for obj in refs] == list(dict.fromkeys(id(obj) for obj in named)), page.url
        assert row.slugs == "\n" + "".join(f"{slug}\n" for slug in dict.fromkeys(
            obj.slug for obj in named if isinstance(obj, Brief)))
        kinds.update(type(obj).__name__ for obj in refs)
    assert kinds == {"Brief", "Person", "Topic"}


def _named(value: object) -> list[object]:
    """The briefs, people and topics in a context, in the order a walk meets them."""
    if isinstance(value, (Brief, Person, Topic)):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return [obj for item in value for obj in _named(item)]
    return []


@dataclasses.dataclass(frozen=True)
class Holder:
    brief: Brief


def test_a_brief_inside_an_object_a_row_does_not_open_leaves_the_page_unstored(site_root: Path) -> None:
    site, _pages = _site_and_pages(site_root)
    brief = next(iter(site.briefs.values()))
    page = Page("/x/", "index.html", {"held": Holder(brief)})
    assert quick.freeze(page, site.registry) is None
    assert quick.freeze(Page("/x/", "index.html", {"held": [brief]}), site.registry) is not None
