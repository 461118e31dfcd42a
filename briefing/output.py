"""Rendered files -> the output folder: collisions found first, unchanged files left alone."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import Problem, ProblemsError
from .model import OutputFile

MARKER = ".briefing-output"


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
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_bytes(b"Built by briefing. This folder is cleaned on every build.\n")

    written, unchanged = [], 0
    try:
        for file in files:
            target = out / file.path
            if _same_bytes(target, file.data):
                unchanged += 1
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            _atomic_write(target, file.data)
            written.append(file.path)
    except OSError as exc:
        raise ProblemsError([Problem(out_dir, None, f"cannot write output: {exc.strerror or exc}")]) from None
    removed = _remove_stale(out, {f.path for f in files} | {MARKER})
    return WriteReport(tuple(written), unchanged, tuple(removed))


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data and not path.is_symlink()
    except OSError:
        return False


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _remove_stale(out: Path, keep: set[str]) -> list[str]:
    removed = []
    for dirpath, dirnames, filenames in os.walk(out, topdown=False):
        for name in filenames:
            path = Path(dirpath) / name
            rel = path.relative_to(out).as_posix()
            if rel not in keep:
                path.unlink()
                removed.append(rel)
        for name in dirnames:
            sub = Path(dirpath) / name
            if sub.is_symlink():
                sub.unlink()
            elif not any(sub.iterdir()):
                sub.rmdir()
    return sorted(removed)
