"""All-or-nothing publishing and reproducible output, under failures and hostile environments."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from briefing.errors import ProblemsError
from briefing.model import OutputFile
from briefing.output import write_output
from briefing.pipeline import build

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))


def manifest(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


def files(n: int, text: str) -> list[OutputFile]:
    return [OutputFile(f"p{i}/index.html", f"{text} {i}".encode(), f"src{i}") for i in range(n)]


def test_failure_midway_leaves_previous_output_byte_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # bad-inputs row 36: a failure on the 50th write leaves the old tree
    out = tmp_path / "out"
    write_output(files(80, "old"), out, tmp_path)
    before = manifest(out)
    calls = {"n": 0}
    import briefing.output

    real_write = briefing.output._write_new

    def fail_on_50th(target: str, data: bytes) -> None:
        calls["n"] += 1
        if calls["n"] == 50:
            raise OSError(28, "No space left on device")
        real_write(target, data)

    monkeypatch.setattr(briefing.output, "_write_new", fail_on_50th)
    with pytest.raises(ProblemsError) as err:
        write_output(files(80, "new"), out, tmp_path)
    assert "No space left on device" in str(err.value) and calls["n"] == 50
    assert manifest(out) == before
    monkeypatch.undo()
    report = write_output(files(80, "new"), out, tmp_path)  # the next build recovers
    assert len(report.written) == 80 and (out / "p7/index.html").read_text() == "new 7"


def test_exception_on_the_50th_page_leaves_site_untouched(site_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # bad-inputs row 36: the renderer crashing leaves the old tree
    build(site_root)
    before = manifest(site_root / "output")
    brief = site_root / "content/briefs/undated-note.md"
    brief.write_text(brief.read_text().replace("Nothing dated here.", "Changed."), encoding="utf-8")
    import briefing.render as render

    real = render.render_into
    written = {"n": 0}

    def explode(pages: object, env: object, site: object, root: object, sink: Any) -> object:
        def counting(file: object) -> object:
            written["n"] += 1
            if written["n"] == 5:
                raise RuntimeError("renderer crashed after writing pages into the spare")
            return sink(file)
        return real(pages, env, site, root, counting)  # type: ignore[arg-type]

    monkeypatch.setattr("briefing.pipeline.render_into", explode)
    with pytest.raises(RuntimeError):
        build(site_root)
    assert written["n"] == 5  # four pages went into the spare before the crash
    assert manifest(site_root / "output") == before
    monkeypatch.undo()
    build(site_root)  # the next build does not trust the half-written spare
    cold = site_root.parent / "cold-out"
    build(site_root, cold)
    assert manifest(site_root / "output") == manifest(cold)


def test_without_atomic_exchange_the_fallback_publishes_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    write_output(files(3, "old"), out, tmp_path)
    monkeypatch.setattr("briefing.output._exchange", lambda a, b: False)
    write_output(files(2, "new"), out, tmp_path)
    assert (out / "p0/index.html").read_text() == "new 0"
    assert not (out / "p2").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.spare", "out"]


def test_a_swap_cut_short_is_recovered(tmp_path: Path) -> None:
    # bad-inputs row 36: a stale sibling from a killed swap is cleaned on the next run
    out = tmp_path / "out"
    write_output(files(3, "old"), out, tmp_path)
    out.rename(tmp_path / ".out.old-999")  # killed between the renames of the fallback swap
    report = write_output(files(3, "old"), out, tmp_path)
    assert report.written == () and (out / "p1/index.html").read_text() == "old 1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_unchanged_files_keep_their_inode(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_output(files(3, "same"), out, tmp_path)
    inode = (out / "p0/index.html").stat().st_ino
    write_output(files(3, "same")[:2] + [OutputFile("p2/index.html", b"changed", "x")], out, tmp_path)
    assert (out / "p0/index.html").stat().st_ino == inode
    assert (out / "p2/index.html").read_bytes() == b"changed"


@pytest.mark.parametrize("delay", [0.15, 0.4, 0.8])
def test_kill_9_mid_build_leaves_the_old_or_the_new_site(tmp_path: Path, delay: float) -> None:
    # bad-inputs row 36: kill -9 mid-build leaves the old or the new site
    from corpus import write_corpus

    root = write_corpus(tmp_path / "site", briefs=300)
    subprocess.run([sys.executable, str(REPO / "build.py"), "build", "-q", "--root", str(root)], check=True)
    old = manifest(root / "output")
    for path in (root / "content/briefs").glob("*.md"):
        path.write_text(path.read_text().replace("Bench Wire", "Other Wire"), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(REPO / "build.py"), "build", "-q", "--root", str(root)])
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    now = manifest(root / "output")
    subprocess.run([sys.executable, str(REPO / "build.py"), "build", "-q", "--root", str(root)], check=True)
    new = manifest(root / "output")
    assert now in (old, new)
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".output")) == [".output.spare"]


def test_builds_are_identical_across_hash_seeds_time_zones_and_locales(site_root: Path, tmp_path: Path) -> None:
    # bad-inputs row 40: byte-identical across PYTHONHASHSEED, TZ, locale
    results = []
    for seed, tz, locale in (("0", "UTC", "C"), ("4242", "Asia/Ho_Chi_Minh", "C.UTF-8"), ("random", "America/Los_Angeles", "POSIX")):
        out = tmp_path / f"out-{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed, "TZ": tz, "LC_ALL": locale, "LANG": locale}
        subprocess.run([sys.executable, str(REPO / "build.py"), "build", "-q", "--root", str(site_root), "--out", str(out)],
                       env=env, check=True)
        results.append(manifest(out))
    assert results[0] == results[1] == results[2]
    assert len(results[0]) > 10


def test_symlinks_out_of_the_project_are_not_followed(site_root: Path, tmp_path: Path) -> None:
    # bad-inputs row 28: symlinks out of the project are skipped, loops do not hang
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-CONTENT", encoding="utf-8")
    (site_root / "templates" / "static" / "stolen.css").symlink_to(secret)
    (site_root / "content" / "briefs" / "stolen.md").symlink_to(secret)
    (site_root / "content" / "loop").symlink_to(site_root)  # a loop must not hang anything
    build(site_root)
    out = site_root / "output"
    assert not (out / "static" / "stolen.css").exists() and not (out / "briefs" / "stolen").exists()
    assert not any("SECRET-CONTENT" in p.read_text(errors="replace") for p in out.rglob("*") if p.is_file())
    assert [p for p in out.rglob("*") if p.is_symlink()] == []


def test_a_changed_file_is_never_written_through_a_hard_link_into_the_other_tree(tmp_path: Path) -> None:
    """The spare starts as hard links to the live files; a change must make a new file, not edit a shared one."""
    out = tmp_path / "out"
    spare = tmp_path / ".out.spare"
    write_output(files(3, "one"), out, tmp_path)
    write_output(files(3, "two"), out, tmp_path)  # spare = hard-linked copy of "one", then rewritten and swapped
    assert (out / "p0/index.html").read_text() == "two 0"
    assert (spare / "p0/index.html").read_text() == "one 0"
    stray = spare / "p9/index.html"  # a file the spare's manifest does not know, linked to a live file
    stray.parent.mkdir()
    os.link(out / "p0/index.html", stray)
    write_output([*files(3, "three"), OutputFile("p9/index.html", b"nine", "src9")], out, tmp_path)
    assert (out / "p9/index.html").read_text() == "nine"
    assert (spare / "p0/index.html").read_text() == "two 0"  # the linked live file was not written through
