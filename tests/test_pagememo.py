"""pagememo and briefstore: a `build` after a change re-parses only changed files and renders only
the pages whose inputs changed, and its output equals a build from scratch, whatever changed."""

from __future__ import annotations

import logging
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import edit, tree

from briefing import briefstore, mdcache, parallel
from briefing.config import load_config
from briefing.load import load_site
from briefing.pipeline import JINJA_CACHE, MARKDOWN_CACHE, RELATED_CACHE, build
from briefing.related import Related, remembered, shape_key
from briefing.stamp import code_version

BRIEF = "content/briefs/2025-04-14-talks-in-capital.md"


def from_scratch(root: Path, tmp_path: Path) -> dict[str, bytes]:
    """The site built in a fresh copy of root: no caches, no previous output."""
    fresh = tmp_path / "fresh"
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns(".briefing-cache", "output", ".output.spare"))
    build(fresh)
    return tree(fresh / "output")


def rendered(caplog: pytest.LogCaptureFixture) -> tuple[int, int]:
    """(pages rendered, pages carried over) of the last build, from its debug log."""
    found = re.findall(r"pages rendered: (\d+); carried over unchanged: (\d+)", caplog.text)
    assert found, "the build did not report what it rendered"
    return int(found[-1][0]), int(found[-1][1])


def damage_compiled(root: Path) -> None:
    compiled = list((root / JINJA_CACHE).glob("*.cache"))
    assert compiled, "no compiled templates were kept"
    for path in compiled:
        path.write_bytes(path.read_bytes()[:40])  # cut short
    edit(root / "templates/base.html", "<footer", "<footer data-y=2")


EDITS: dict[str, Callable[[Path], None]] = {
    "brief body": lambda root: edit(root / BRIEF, "to discuss", "to talk about"),
    "brief title": lambda root: edit(root / BRIEF, "title: 'Talks", "title: 'New talks"),
    "brief date": lambda root: edit(root / BRIEF, "date: 2025-04-14", "date: 2025-03-01"),
    "brief leaders": lambda root: edit(root / BRIEF, "leaders:\n", "leaders:\n- carol-li\n"),
    "brief added": lambda root: shutil.copy(root / BRIEF, root / "content/briefs/2025-04-16-copy.md"),
    "brief deleted": lambda root: (root / "content/briefs/undated-note.md").unlink(),
    "bio": lambda root: edit(root / "content/people/alice-nguyen.md", "\n", "\nA new line.\n"),
    "site.yaml person": lambda root: edit(root / "site.yaml", "name: Carol Li", "name: Carol Lee"),
    "site.yaml title": lambda root: edit(root / "site.yaml", "title: ", "title: The "),
    "base template": lambda root: edit(root / "templates/base.html", "<footer", "<footer data-x=1"),
    "macro": lambda root: edit(root / "templates/_macros.html", '<ol class="briefs">', '<ol class="briefs x">'),
    "stylesheet": lambda root: (root / "templates/static/style.css").write_text("body{color:red}\n"),
    "page memo damaged": lambda root: (root / ".briefing-cache/pages.pickle").write_bytes(b"\x80\x04junk"),
    "brief store damaged": lambda root: [p.write_bytes(b"junk") for p in (root / briefstore.STORE).glob("*")],
    "output deleted": lambda root: shutil.rmtree(root / "output"),
    "related cache damaged": lambda root: (root / RELATED_CACHE).write_bytes(b"\x80\x04junk"),
    "related cache of another site": lambda root: (
        edit(root / BRIEF, "leaders:\n", "leaders:\n- carol-li\n"),
        shutil.copy(root / RELATED_CACHE, root / "related.keep"), edit(root / BRIEF, "- carol-li\n", ""),
        build(root), shutil.copy(root / "related.keep", root / RELATED_CACHE),
        edit(root / BRIEF, "leaders:\n", "leaders:\n- carol-li\n- carol-li\n")),
    "compiled templates damaged": lambda root: damage_compiled(root),
    "markdown shard damaged": lambda root: [p.write_text("{") for p in (root / MARKDOWN_CACHE).glob("*.pickle")],
}


@pytest.mark.parametrize("change", EDITS.values(), ids=EDITS.keys())
def test_a_build_after_any_change_equals_a_build_from_scratch(site_root: Path, tmp_path: Path,
                                                              change: Callable[[Path], None]) -> None:
    build(site_root)
    build(site_root)  # the memo now holds every page
    change(site_root)
    build(site_root)
    assert tree(site_root / "output") == from_scratch(site_root, tmp_path)


def test_a_body_edit_renders_only_the_page_that_shows_the_body(site_root: Path, tmp_path: Path,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="briefing.pipeline")
    build(site_root)
    total = sum(rendered(caplog))
    assert rendered(caplog) == (total, 0)  # the first build renders everything
    build(site_root)
    assert rendered(caplog) == (0, total)  # nothing changed: nothing rendered
    edit(site_root / BRIEF, "to discuss", "to talk about")
    build(site_root)
    count, carried = rendered(caplog)
    showing = [path for path, data in tree(site_root / "output").items()
               if not path.startswith("pagefind/") and b"2025-04-14-talks-in-capital" in data]
    # rendered: the brief's page and pages that show it (a page holding a brief re-renders on any
    # change to it); every other page is carried over
    assert 1 <= count <= len(showing) < total and count + carried == total
    assert tree(site_root / "output") == from_scratch(site_root, tmp_path)


def test_a_template_edit_renders_every_page(site_root: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="briefing.pipeline")
    build(site_root)
    edit(site_root / "templates/brief.html", "<h1>", "<h1 class=x>")
    build(site_root)
    assert rendered(caplog)[1] == 0


def test_a_carried_page_is_the_live_file_itself(site_root: Path) -> None:
    build(site_root)
    build(site_root)
    page = site_root / "output/people/index.html"
    inode = page.stat().st_ino
    edit(site_root / BRIEF, "to discuss", "to talk about")
    build(site_root)
    assert page.stat().st_ino == inode  # carried by a hard link: not rewritten, not copied


def test_only_the_store_shard_holding_an_edited_brief_is_rewritten(site_root: Path) -> None:
    build(site_root)
    shards = {p.name: p.stat().st_mtime_ns for p in (site_root / briefstore.STORE).glob("*.pickle")}
    assert len(shards) > 1
    edit(site_root / BRIEF, "to discuss", "to talk about")
    build(site_root)
    after = {p.name: p.stat().st_mtime_ns for p in (site_root / briefstore.STORE).glob("*.pickle")}
    assert after.keys() == shards.keys()
    assert sum(after[name] != shards[name] for name in shards) == 1


def test_a_store_of_another_code_version_is_not_used(site_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build(site_root)
    edit(site_root / BRIEF, "to discuss", "to talk about")
    store = briefstore.BriefStore.load(site_root / briefstore.STORE, "another version")
    assert store.memo == {}


def test_after_a_template_edit_no_body_is_rendered_again(site_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every page renders again, but each brief's body comes from the Markdown cache the first
    build saved, found by the hash of its text: the hashes it saved (the briefs' own, known from
    reading them) are those a lookup computes (the second build is not told them)."""
    build(site_root)
    edit(site_root / "templates/base.html", "<footer", "<footer data-x=1")
    anew: list[str] = []
    original = mdcache.TrackingMarkdown.render_anew
    monkeypatch.setattr(mdcache.TrackingMarkdown, "render_anew",
                        lambda self, text, url: anew.append(url) or original(self, text, url))
    monkeypatch.setattr(mdcache.TrackingMarkdown, "hashed", lambda self, text, url, digest: None)
    monkeypatch.setattr(parallel, "workers", lambda: 1)  # every page renders in this process
    build(site_root)
    assert anew == []
    assert 'data-x=1' in (site_root / "output/briefs/2025-04-14-talks-in-capital/index.html").read_text()


def test_a_body_edit_reuses_the_saved_related_briefs_and_one_markdown_shard(site_root: Path) -> None:
    build(site_root)
    shards = {p.name: p.stat().st_mtime_ns for p in (site_root / MARKDOWN_CACHE).glob("*.pickle")}
    assert len(shards) > 1
    edit(site_root / BRIEF, "to discuss", "to talk about")
    build(site_root)
    after = {p.name: p.stat().st_mtime_ns for p in (site_root / MARKDOWN_CACHE).glob("*.pickle")}
    assert sum(after[name] != shards[name] for name in shards) == 1
    config, registry = load_config(site_root / "site.yaml")
    site = load_site(site_root, config, registry)
    saved = remembered(site, site_root / RELATED_CACHE, shape_key(site, code_version()))
    fresh = Related(site)
    assert saved.found and len(saved.found) == len(site.briefs)  # every answer came from the file
    assert {slug: fresh.of(brief) for slug, brief in site.briefs.items()} == saved.found
    assert remembered(site, site_root / RELATED_CACHE, shape_key(site, "another version")).found == {}


def test_an_output_file_deleted_by_hand_comes_back_with_the_next_build_that_changes_anything(
        site_root: Path, tmp_path: Path) -> None:
    build(site_root)  # a first build: no spare yet, so the next one makes it from the live folder
    (site_root / "output/people/index.html").unlink()
    edit(site_root / BRIEF, "to discuss", "to talk about")
    build(site_root)
    assert tree(site_root / "output") == from_scratch(site_root, tmp_path)



def test_an_output_file_found_deleted_by_hand_stays_published_after_the_next_builds(site_root: Path,
                                                                                    tmp_path: Path) -> None:
    page = site_root / "output/briefs/2025-04-14-talks-in-capital/index.html"
    build(site_root)
    edit(site_root / BRIEF, "to discuss", "to talk about")
    build(site_root)  # the page changed: the spare now holds its old version
    page.unlink()
    edit(site_root / "content/people/alice-nguyen.md", "\n", "\nA new line.\n")
    build(site_root)  # found missing when carried: published again
    assert page.is_file()
    edit(site_root / "content/people/alice-nguyen.md", "A new line.", "Another line.")
    build(site_root)  # the old live folder, now the spare, must not be trusted to hold it
    assert page.is_file()
    assert tree(site_root / "output") == from_scratch(site_root, tmp_path)
