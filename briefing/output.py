"""Rendered files -> the output folder: collisions found first, unchanged files left alone."""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import Problem, ProblemsError
from .model import OutputFile

MARKER = ".briefing-output"
MARKER_TEXT = b"Built by briefing. This folder is replaced on every build.\n"


@dataclass(frozen=True, slots=True)
class WriteReport:
    """What writing the output changed."""

    written: tuple[str, ...]
    unchanged: int
    removed: tuple[str, ...]


def find_collisions(files: Sequence[OutputFile]) -> list[Problem]:
    """Two files bound for one path (compared case-insensitively, as macOS and Windows do)."""
    seen: dict[str, OutputFile] = {}
    problems = []
    for file in files:
        key = file.path.casefold()
        if key in seen:
            problems.append(Problem(file.source or file.path, None,
                                    f"output {file.path} produced by {seen[key].source} and {file.source}"))
        else:
            seen[key] = file
    return problems


def check_out_dir(out_dir: Path, root: Path) -> None:
    """Refuse an output folder that is the project, holds its sources, or is not ours."""
    out, project = out_dir.resolve(), root.resolve()
    protected = [project, *(project / name for name in ("content", "templates", "seeds", "tests", "briefing"))]
    if any(out == p or p.is_relative_to(out) for p in protected) or out == Path(out.anchor) or out == Path.home():
        message = "refusing to use this folder for output: it holds sources; choose e.g. output/"
        raise ProblemsError([Problem(out_dir, None, message)])
    if out.exists() and not out.is_dir():
        raise ProblemsError([Problem(out_dir, None, "output path exists and is not a directory")])
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        message = (f"refusing to write into a non-empty folder that briefing did not create (no {MARKER} file);"
                   " empty it or choose another --out")
        raise ProblemsError([Problem(out_dir, None, message)])


def write_output(files: Sequence[OutputFile], out_dir: Path, root: Path) -> WriteReport:
    """Write changed files, delete stale ones; raise ProblemsError before writing on any clash."""
    problems = find_collisions(files)
    out = out_dir.resolve()
    for file in files:
        target = (out / file.path).resolve()
        if not target.is_relative_to(out) or target == out:
            message = f"output path {file.path!r} leaves the output folder"
            problems.append(Problem(file.source or file.path, None, message))
    if problems:
        raise ProblemsError(problems)
    check_out_dir(out_dir, root)
    _recover(out)
    files = [*files, OutputFile(MARKER, MARKER_TEXT, "briefing")]
    changed = [f for f in files if not _same_bytes(out / f.path, f.data)]
    keep = {f.path for f in files}
    stale = sorted(p for p in _existing(out) if p not in keep)
    if not changed and not stale:  # nothing to publish: leave the tree alone
        return WriteReport((), len(files) - 1, ())
    stage = out.parent / f".{out.name}.new-{os.getpid()}"
    try:
        _stage(out, stage, changed, keep)
        _swap(stage, out)
    except OSError as exc:
        shutil.rmtree(stage, ignore_errors=True)
        raise ProblemsError([Problem(out_dir, None, f"cannot write output: {exc.strerror or exc}")]) from None
    written = tuple(f.path for f in changed if f.path != MARKER)
    return WriteReport(written, len(files) - 1 - len(written), tuple(stale))


def _recover(out: Path) -> None:
    """Finish or undo what a killed build left: restore a moved-away tree, drop stale stages."""
    leftovers = sorted(out.parent.glob(f".{out.name}.new-*")) + sorted(out.parent.glob(f".{out.name}.old-*"))
    if not out.exists():
        previous = [p for p in leftovers if ".old-" in p.name]
        if previous:
            previous[-1].rename(out)
            leftovers.remove(previous[-1])
    for path in leftovers:
        shutil.rmtree(path, ignore_errors=True)


def _existing(out: Path) -> list[str]:
    if not out.is_dir():
        return []
    found: list[str] = []
    for dirpath, _dirs, names in os.walk(out):
        base = Path(dirpath).relative_to(out)
        found.extend((base / name).as_posix() for name in names)
    return found


def _stage(out: Path, stage: Path, changed: Sequence[OutputFile], keep: set[str]) -> None:
    """The next tree beside the current one: unchanged files hard-linked, changed ones written."""
    rewrite = {f.path for f in changed}
    stage.mkdir(parents=True)
    for rel in _existing(out):
        if rel in keep and rel not in rewrite and not (out / rel).is_symlink():
            (stage / rel).parent.mkdir(parents=True, exist_ok=True)
            os.link(out / rel, stage / rel)
    for file in changed:
        target = stage / file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(file.data)
        os.chmod(target, 0o644)


def _swap(stage: Path, out: Path) -> None:
    """Put the staged tree in place of out: an atomic exchange where the OS offers one."""
    if not out.exists():
        stage.rename(out)
        return
    if _exchange(stage, out):
        shutil.rmtree(stage)  # now the previous tree
        return
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    out.rename(old)
    stage.rename(out)
    shutil.rmtree(old)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories atomically with Linux renameat2(RENAME_EXCHANGE); False if unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.EINVAL, errno.ENOSYS, errno.EPERM):
        return False
    raise OSError(error, os.strerror(error), str(b))


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data and not path.is_symlink()
    except OSError:
        return False
