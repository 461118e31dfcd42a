"""watch.py: serve's incremental rescan (only the paths inotify named) equals a full scan."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from briefing.watch import Inotify, changed_paths, folders, relevant_paths, rescan, scan

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux's")


def _write(path: Path, text: str = "x") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _save_by_rename(path: Path) -> None:
    temp = path.with_name(path.name + ".tmp")
    temp.write_text("saved by rename", encoding="utf-8")
    os.replace(temp, path)


def _dir_becomes_file(root: Path) -> None:
    shutil.rmtree(root / "content/notes")
    _write(root / "content/notes", "now a file")


# Each operation happens between two cycles; after it, the rescan must equal a full scan.
OPERATIONS: list[tuple[str, Callable[[Path], None]]] = [
    ("edit a brief", lambda r: _write(r / "content/briefs/a.md", "edited")),
    ("new brief", lambda r: _write(r / "content/briefs/c.md")),
    ("delete a brief", lambda r: (r / "content/briefs/b.md").unlink()),
    ("save by rename", lambda r: _save_by_rename(r / "content/briefs/a.md")),
    ("rename a brief", lambda r: (r / "content/briefs/a.md").rename(r / "content/briefs/z.md")),
    ("new folder with files", lambda r: (_write(r / "content/notes/one.md"), _write(r / "content/notes/deep/two.md"))),
    ("folder moved away", lambda r: (r / "content/notes").rename(r / "moved-out")),
    ("folder moved in", lambda r: (_write(r / "elsewhere/in/x.md"), (r / "elsewhere").rename(r / "content/came"))),
    ("folder deleted", lambda r: (_write(r / "content/gone/x.md"), shutil.rmtree(r / "content/gone"))),
    ("folder renamed inside", lambda r: (_write(r / "content/old/x.md"), (r / "content/old").rename(r / "content/new"))),
    ("file becomes folder", lambda r: ((r / "content/briefs/b.md").unlink(), _write(r / "content/briefs/b.md/x.md"))),
    ("folder becomes file", lambda r: (_write(r / "content/notes/x.md"), _dir_becomes_file(r))),
    ("site.yaml edited", lambda r: _write(r / "site.yaml", "title: changed\n")),
    ("a template and its folder", lambda r: _write(r / "templates/partials/new.html", "{{ 1 }}")),
    ("hidden and ignored files", lambda r: (_write(r / "content/briefs/.a.md.swp"), _write(r / "content/briefs/a.md~"),
                                             _write(r / "content/.hidden/x.md"), _write(r / "notes.txt"))),
    ("output written", lambda r: _write(r / "output/index.html")),
    ("seeds folder created", lambda r: _write(r / "seeds/new.txt", "raw")),
    ("content folder replaced", lambda r: (shutil.rmtree(r / "content"), _write(r / "content/briefs/only.md"))),
    ("hard link", lambda r: (_write(r / "outside.md"), os.link(r / "outside.md", r / "content/briefs/linked.md"))),
    ("symlink", lambda r: os.symlink(r / "content/briefs/a.md", r / "content/briefs/symlinked.md")),
    ("empty file touched", lambda r: (r / "content/briefs/empty.md").touch()),
]


def _site(root: Path) -> None:
    _write(root / "site.yaml", "title: t\n")
    _write(root / "content/briefs/a.md")
    _write(root / "content/briefs/b.md")
    _write(root / "templates/base.html")
    (root / "output").mkdir()


@pytest.fixture
def site(tmp_path: Path) -> tuple[Path, Path]:
    """A small watched tree: (root, its output folder)."""
    root = tmp_path / "site"
    _site(root)
    return root, root / "output"


@pytest.mark.parametrize("name,operation", OPERATIONS, ids=[name for name, _ in OPERATIONS])
def test_rescan_of_the_named_paths_equals_a_full_scan(site: tuple[Path, Path], name: str,
                                                      operation: Callable[[Path], None]) -> None:
    root, out = site
    before = scan(root, out)
    inotify = Inotify()
    try:
        inotify.watch(folders(root, out))
        if name in ("folder becomes file", "folder moved away"):
            _write(root / "content/notes/x.md")
            inotify.watch(folders(root, out))
            inotify.read()
            before = scan(root, out)
        operation(root)
        touched = relevant_paths(inotify.read(), root)
    finally:
        inotify.close()
    assert touched is not None
    after = rescan(before, touched, root, out)
    assert after == scan(root, out)
    assert changed_paths(before, after) or name in ("hidden and ignored files", "output written", "folder deleted")


def test_every_operation_in_one_cycle(site: tuple[Path, Path]) -> None:
    """All the operations above between two cycles, watches added as serve adds them."""
    root, out = site
    snapshot = scan(root, out)
    inotify = Inotify()
    try:
        inotify.watch(folders(root, out))
        for _name, operation in OPERATIONS:
            if (root / "content/notes").is_file():
                (root / "content/notes").unlink()
            if not (root / "content/notes").is_dir():
                _write(root / "content/notes/x.md")
            for brief in ("a.md", "b.md"):
                if not (root / "content/briefs" / brief).exists():
                    _write(root / "content/briefs" / brief)
            operation(root)
            touched = relevant_paths(inotify.read(), root)
            assert touched is not None
            inotify.watch(folders(root, out))  # as serve does on every batch of events
            snapshot = rescan(snapshot, touched, root, out)
            assert snapshot == scan(root, out), _name
    finally:
        inotify.close()


def test_an_output_folder_inside_a_watched_one_stays_out(tmp_path: Path) -> None:
    root, out = tmp_path / "site", tmp_path / "site" / "content" / "output"
    _site(root)
    out.mkdir()
    before = scan(root, out)
    _write(out / "x.md")
    _write(out / "deep" / "y.md")
    assert rescan(before, [out / "x.md", out / "deep", out], root, out) == scan(root, out) == before


def test_overflow_means_scan_everything(tmp_path: Path) -> None:
    assert relevant_paths([(Path("/"), "")], tmp_path) is None
    assert relevant_paths([(tmp_path, "output"), (tmp_path, ".briefing-cache")], tmp_path) == set()


def test_many_named_paths_fall_back_to_a_full_scan(site: tuple[Path, Path]) -> None:
    root, out = site
    before = scan(root, out)
    names = [root / "content/briefs" / f"n{i}.md" for i in range(300)]
    for path in names:
        _write(path)
    assert rescan(before, names[:250], root, out) == scan(root, out)  # all 300, though only 250 named


@pytest.mark.parametrize("existing", [True, False], ids=["rewritten", "new"])
def test_a_file_being_written_is_named_only_once_closed(site: tuple[Path, Path], existing: bool) -> None:
    """A writer that pauses mid-save (truncated, half written) wakes no rebuild until it closes."""
    root, out = site
    path = root / "content/briefs" / ("a.md" if existing else "new.md")
    inotify = Inotify()
    try:
        inotify.watch(folders(root, out))
        with path.open("w", encoding="utf-8") as handle:
            handle.write("---\ntitle: half")
            handle.flush()
            assert relevant_paths(inotify.read(), root) == set()
            handle.write(" and whole\n---\n")
        assert relevant_paths(inotify.read(), root) == {path}
    finally:
        inotify.close()
