"""output: collisions before writing, only our own folders cleaned, unchanged files untouched."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest
from conftest import tree

from briefing.errors import ProblemsError
from briefing.model import OutputFile
from briefing.output import MARKER, open_spare, publish, put, put_files, ready_spare, write_output


def files(*pairs: tuple[str, str]) -> list[OutputFile]:
    return [OutputFile(path, text.encode(), f"src-{i}") for i, (path, text) in enumerate(pairs)]


def test_case_insensitive_collision_names_both_sources(tmp_path: Path) -> None:
    # bad-inputs row 22: case-insensitive output collision names both sources
    with pytest.raises(ProblemsError) as err:
        write_output(files(("people/energy/index.html", "a"), ("people/Energy/index.html", "b")),
                     tmp_path / "out", tmp_path)
    assert "output people/Energy/index.html produced by src-0 and src-1" in str(err.value)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("path", ["../escape.html", "/etc/passwd", "a/../../x.html"])
def test_paths_outside_the_output_folder_are_refused(tmp_path: Path, path: str) -> None:
    # bad-inputs row 26: nothing appears outside the sandbox
    with pytest.raises(ProblemsError):
        write_output(files((path, "x")), tmp_path / "sandbox" / "out", tmp_path)
    assert sorted(p.name for p in tmp_path.rglob("*")) == []


@pytest.mark.parametrize("out", [".", "content", "templates", ".."])
def test_refuses_to_write_over_sources(tmp_path: Path, out: str) -> None:
    # bad-inputs row 38: --out ., content/, templates/, .. refused before deleting
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    (root / "templates").mkdir()
    (root / "content" / "keep.md").write_text("keep")
    with pytest.raises(ProblemsError) as err:
        write_output(files(("index.html", "x")), root / out, root)
    assert "refusing" in str(err.value)
    assert (root / "content" / "keep.md").read_text() == "keep"


def test_refuses_a_non_empty_folder_without_marker(tmp_path: Path) -> None:
    # bad-inputs row 38: only a folder holding our marker is ever replaced
    out = tmp_path / "out"
    out.mkdir()
    (out / "precious.txt").write_text("mine")
    with pytest.raises(ProblemsError) as err:
        write_output(files(("index.html", "x")), out, tmp_path)
    assert MARKER in str(err.value)
    assert (out / "precious.txt").read_text() == "mine"


def test_output_path_that_is_a_file(tmp_path: Path) -> None:
    """bad-inputs row 37: an output path that is a regular file is an error, and the file is untouched."""
    (tmp_path / "out").write_text("a file")
    with pytest.raises(ProblemsError) as err:
        write_output(files(("index.html", "x")), tmp_path / "out", tmp_path)
    assert "exists and is not a directory" in str(err.value)
    assert (tmp_path / "out").read_text() == "a file"


def test_unchanged_files_are_not_rewritten_and_stale_ones_go(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_output(files(("index.html", "home"), ("old/index.html", "old")), out, tmp_path)
    before = (out / "index.html").stat().st_mtime_ns
    report = write_output(files(("index.html", "home"), ("new/index.html", "new")), out, tmp_path)
    assert report.written == ("new/index.html",)
    assert report.unchanged == 1
    assert report.removed == ("old/index.html",)
    assert (out / "index.html").stat().st_mtime_ns == before
    assert not (out / "old").exists()


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES, errno.EROFS], ids=["disk full", "permission denied", "read-only"])
def test_disk_full_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    """bad-inputs row 37: disk full, a read-only or unwritable output (chmod does not stop root, so monkeypatched):
    a clear error, and the previous site byte-identical."""
    out = tmp_path / "out"
    write_output(files(("index.html", "old")), out, tmp_path)

    def fail(*args: object, **kwargs: object) -> None:
        raise (PermissionError if code == errno.EACCES else OSError)(code, os.strerror(code))

    monkeypatch.setattr("briefing.output._update", fail)
    with pytest.raises(ProblemsError) as err:
        write_output(files(("index.html", "new")), out, tmp_path)
    assert f"cannot write output: {os.strerror(code)}" in str(err.value)
    assert (out / "index.html").read_text() == "old"


def test_streamed_pages_publish_the_same_tree_as_write_output(tmp_path: Path) -> None:
    first = files(("index.html", "home"), ("a/index.html", "a"), ("gone/index.html", "old"))
    second = files(("index.html", "home 2"), ("a/index.html", "a"), ("b/index.html", "b"))
    for round_files in (first, second, second):
        write_output(round_files, tmp_path / "whole", tmp_path)
        before = tree(tmp_path / "streamed") if (tmp_path / "streamed").exists() else {}
        spare = open_spare([(f.path, f.source) for f in round_files[:2]], tmp_path / "streamed", tmp_path)
        wanted = {f.path: put(spare, f.path, f.data) for f in round_files[:2]}
        wanted.update(put_files(spare, round_files[2:], wanted))
        after = tree(tmp_path / "streamed") if (tmp_path / "streamed").exists() else {}
        assert after == before  # nothing live changes while pages stream into the spare
        report = publish(spare, wanted)
        assert tree(tmp_path / "streamed") == tree(tmp_path / "whole")
    assert report.written == () and report.removed == ()  # the third round changed nothing
    assert "gone/index.html" not in tree(tmp_path / "streamed")


def test_files_added_to_a_spare_are_checked_against_the_pages_already_in_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_output(files(("index.html", "old")), out, tmp_path)
    spare = open_spare([("people/energy/index.html", "person.html")], out, tmp_path)
    wanted = {"people/energy/index.html": put(spare, "people/energy/index.html", b"new")}
    for clash in (files(("people/Energy/index.html", "x")), files(("../x.html", "x"))):
        with pytest.raises(ProblemsError) as err:
            put_files(spare, clash, wanted)
        assert "people/Energy/index.html produced by" in str(err.value) or "leaves the output folder" in str(err.value)
    assert tree(out)["index.html"] == b"old" and not (tmp_path / "x.html").exists()


def test_a_spare_is_opened_only_for_safe_distinct_paths(tmp_path: Path) -> None:
    for entries in ([("a/index.html", "x"), ("A/index.html", "y")], [("../up.html", "x")]):
        with pytest.raises(ProblemsError):
            open_spare(entries, tmp_path / "out", tmp_path)
    assert not (tmp_path / ".out.spare").exists() and not (tmp_path / "up.html").exists()


def test_remembered_manifests_are_used_only_while_the_file_is_the_one_written(tmp_path: Path) -> None:
    """serve's manifest memo: the same reports as reading the files, and a marker changed by hand
    (another process, an editor) is read again."""
    out, memo = tmp_path / "out", {}
    site = files(("index.html", "home"), ("a/index.html", "a"))
    write_output(site, out, tmp_path, manifests=memo)
    write_output(files(("index.html", "home2"), ("a/index.html", "a")), out, tmp_path, manifests=memo)
    assert len(memo) == 2  # the live folder's and the spare's
    report = write_output(files(("index.html", "home2"), ("a/index.html", "a")), out, tmp_path, manifests=memo)
    assert report.written == () and report.unchanged == 2
    marker = out / MARKER
    marker.write_text(marker.read_text(encoding="utf-8").replace('"a/index.html":"', '"a/index.html":"0'),
                      encoding="utf-8")  # the live manifest now disagrees with a/index.html
    report = write_output(files(("index.html", "home2"), ("a/index.html", "a")), out, tmp_path, manifests=memo)
    assert report.written == ("a/index.html",)
    assert (out / "a/index.html").read_text() == "a" and (out / "index.html").read_text() == "home2"


def test_a_spare_made_ahead_is_used_and_one_cut_short_is_not_trusted(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    site = files(("index.html", "home"), ("a/index.html", "a"), ("b/index.html", "b"))
    write_output(site, out, tmp_path)
    spare = tmp_path / ".out.spare"
    shutil.rmtree(spare, ignore_errors=True)
    ready_spare(out)
    assert (spare / MARKER).is_file() and (spare / "a/index.html").read_text() == "a"
    report = write_output(files(("index.html", "home2"), ("a/index.html", "a"), ("b/index.html", "b")), out, tmp_path)
    assert report.written == ("index.html",)
    assert {p: (out / p).read_text() for p in ("index.html", "a/index.html", "b/index.html")} == {
        "index.html": "home2", "a/index.html": "a", "b/index.html": "b"}

    shutil.rmtree(spare)
    real, calls = os.link, []

    def failing(source: object, target: object) -> None:
        calls.append(target)
        if str(target).endswith("b/index.html"):  # after the top folder (and its marker) was walked
            raise OSError(errno.ENOSPC, "No space left on device")
        real(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "link", failing)
    ready_spare(out)  # cut short: logged, not raised
    monkeypatch.setattr(os, "link", real)
    assert spare.is_dir() and not (spare / MARKER).exists()
    write_output(files(("index.html", "home3"), ("a/index.html", "a"), ("b/index.html", "b")), out, tmp_path)
    assert {p: (out / p).read_text() for p in ("index.html", "a/index.html", "b/index.html")} == {
        "index.html": "home3", "a/index.html": "a", "b/index.html": "b"}
