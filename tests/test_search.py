"""The Pagefind search index: built with the site, only what the search page loads, byte-stable."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from briefing.errors import ProblemsError
from briefing.model import OutputFile
from briefing.pipeline import build
from briefing.search import search_files

PAGEFIND_VERSION = "1.4.0"  # pinned in pyproject.toml: 1.5.x writes filter indexes in hash-map order


def tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_index_is_built_with_the_site_and_holds_every_brief(site_root: Path) -> None:
    build(site_root)
    bundle = site_root / "output/pagefind"
    entry = json.loads((bundle / "pagefind-entry.json").read_text())
    assert entry["version"] == PAGEFIND_VERSION
    briefs = len(list((site_root / "content/briefs").glob("*.md")))
    assert entry["languages"]["en"]["page_count"] == briefs
    names = set(tree(bundle))
    assert "pagefind.js" in names and any(n.startswith("fragment/") for n in names)
    assert any(n.startswith("filter/") for n in names)  # person and topic filters
    assert not [n for n in names if "-ui" in n or "highlight" in n], "Pagefind's own UI bundles are not shipped"


def test_three_builds_write_byte_identical_indexes(site_root: Path, tmp_path: Path) -> None:
    """Each build starts its own Pagefind process (its own hash seeds): the files must not differ."""
    trees = []
    for n in range(3):
        shutil.rmtree(site_root / ".briefing-cache", ignore_errors=True)  # no reuse: run Pagefind each time
        build(site_root, out_dir=tmp_path / f"out{n}")
        trees.append(tree(tmp_path / f"out{n}" / "pagefind"))
    assert trees[0] and trees[0] == trees[1] == trees[2]


def test_search_files_works_inside_a_running_event_loop(site_root: Path) -> None:
    page = OutputFile("briefs/x/index.html", b'<html lang="en"><body><main data-pagefind-body><h1>X</h1>'
                                             b"<p>zanzibar</p></main></body></html>", "brief.html")

    async def inside() -> list[OutputFile]:
        return search_files([page], "en")  # as serve's rebuild does, from a thread with a loop

    files = asyncio.run(inside())
    assert files and all(f.path.startswith("pagefind/") for f in files)


def test_a_missing_pagefind_binary_fails_the_build_and_writes_nothing(site_root: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(site_root / "no-such-pagefind"))
    with pytest.raises(ProblemsError) as err:
        build(site_root)
    assert "pagefind" in str(err.value).lower()
    assert not (site_root / "output").exists()


def test_unchanged_brief_pages_reuse_the_cached_index(site_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import briefing.search as search
    from briefing.pipeline import build

    build(site_root)
    first = {p.relative_to(site_root / "output").as_posix(): p.read_bytes()
             for p in (site_root / "output" / "pagefind").rglob("*") if p.is_file()}
    calls: list[int] = []
    real = search._search_files

    def counting(*args: object) -> object:
        calls.append(1)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(search, "_search_files", counting)
    build(site_root, out_dir=site_root / "again")
    again = {p.relative_to(site_root / "again").as_posix(): p.read_bytes()
             for p in (site_root / "again" / "pagefind").rglob("*") if p.is_file()}
    assert calls == [] and again == first
    brief = site_root / "content/briefs/undated-note.md"
    brief.write_text(brief.read_text().replace("Nothing dated here.", "Zanzibar is new here."), encoding="utf-8")
    build(site_root)
    assert calls == [1]


def test_search_false_builds_no_index_no_search_page_and_no_search_box(site_root: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from html.parser import HTMLParser

    from briefing.linkcheck import check_site

    site_yaml = site_root / "site.yaml"
    site_yaml.write_text("search: false\n" + site_yaml.read_text(), encoding="utf-8")
    monkeypatch.setattr("briefing.pipeline.search_files", lambda *a, **k: pytest.fail("Pagefind ran"))
    build(site_root)
    out = site_root / "output"
    assert not (out / "pagefind").exists() and not (out / "search").exists()

    class Finder(HTMLParser):
        found: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            values = dict(attrs)
            if (tag == "a" and "search" in (values.get("href") or "")) or values.get("role") == "search":
                self.found.append(f"{tag} {values}")

    for page in out.rglob("*.html"):
        Finder().feed(page.read_text(encoding="utf-8"))
    assert Finder.found == []
    from briefing.config import load_config

    assert check_site(out, load_config(site_yaml)[0].base_url).findings == ()


def test_search_must_be_true_or_false(site_root: Path) -> None:
    site_yaml = site_root / "site.yaml"
    site_yaml.write_text("search: maybe\n" + site_yaml.read_text(), encoding="utf-8")
    with pytest.raises(ProblemsError) as caught:
        build(site_root)
    assert [p.format(site_root) for p in caught.value.problems] == ["site.yaml:1:9: 'search' must be true or false, got str"]


def _stopped_children() -> list[str]:
    """Names of this process's child processes that are stopped (state T), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name, rest = stat[stat.index("(") + 1: stat.rindex(")")], stat[stat.rindex(")") + 2:].split()
        if rest[0] == "T" and int(rest[1]) == os.getpid():
            found.append(name)
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")
def test_a_held_index_stops_pagefind_and_then_finishes_the_same(site_root: Path) -> None:
    """serve holds the background indexer while it rebuilds: Pagefind is stopped, then resumes."""
    build(site_root)
    pages = [OutputFile(p.relative_to(site_root / "output").as_posix(), p.read_bytes(), "brief.html")
             for p in sorted((site_root / "output/briefs").glob("*/index.html"))]
    expected = search_files(pages, "en")
    hold = threading.Event()
    hold.set()
    result: list[list[OutputFile]] = []
    worker = threading.Thread(target=lambda: result.append(search_files(pages, "en", background=True, hold=hold)))
    worker.start()
    deadline = time.monotonic() + 30
    while not _stopped_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [name for name in _stopped_children() if "pagefind" in name], "Pagefind was not stopped"
    time.sleep(0.3)
    assert worker.is_alive() and not result  # held: nothing indexed meanwhile
    hold.clear()
    worker.join(60)
    assert not _stopped_children()
    assert [(f.path, f.data) for f in result[0]] == [(f.path, f.data) for f in expected]
