"""Rendered files -> the output folder, all or nothing, touching only what changed.

The output folder has a hidden spare sibling holding the previous build. Publishing brings the
spare up to date (only files whose hash differs from the spare's manifest are written), then
swaps the two folders atomically (Linux renameat2 RENAME_EXCHANGE; two renames elsewhere, with
recovery on the next run). A crash or kill -9 before the swap leaves the live folder untouched.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import json
import logging
import os
import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Problem, ProblemsError
from .model import OutputFile

log = logging.getLogger(__name__)

MARKER = ".briefing-output"  # JSON manifest {path: hash}; its presence marks a folder as ours


@dataclass(frozen=True, slots=True)
class WriteReport:
    """What writing the output changed."""

    written: tuple[str, ...]
    unchanged: int
    removed: tuple[str, ...]


def find_collisions(files: Sequence[OutputFile]) -> list[Problem]:
    """Two files bound for one path (compared case-insensitively, as macOS and Windows do)."""
    return _collisions([(f.path, f.source) for f in files])


def _collisions(entries: Sequence[tuple[str, str]]) -> list[Problem]:
    seen: dict[str, str] = {}
    problems = []
    for path, source in entries:
        key = path.casefold()
        if key in seen:
            problems.append(Problem(source or path, None, f"output {path} produced by {seen[key]} and {source}"))
        else:
            seen[key] = source
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


def _check(entries: Sequence[tuple[str, str]], out_dir: Path, root: Path) -> Path:
    """Raise ProblemsError, before anything is written, on clashing or escaping paths or a bad folder."""
    problems = _collisions(entries)
    for path, source in entries:
        if not _safe_relative(path):
            problems.append(Problem(source or path, None, f"output path {path!r} leaves the output folder"))
    if problems:
        raise ProblemsError(problems)
    check_out_dir(out_dir, root)
    return out_dir.resolve()


Manifests = dict[tuple[int, int, int, int], dict[str, str]]  # a marker file's identity -> its files


@dataclass(frozen=True, slots=True)
class Spare:
    """The hidden sibling a build writes into before it is swapped in; `known` is its manifest as opened."""

    out: Path
    folder: Path
    known: Mapping[str, str]
    live: dict[str, str]  # the live folder's manifest as opened, less files found missing since
    gone: set[str] = field(default_factory=set)  # files its manifest lists that were found missing


def open_spare(entries: Sequence[tuple[str, str]], out_dir: Path, root: Path) -> Spare:
    """Check every (path, source) the build will write, then ready the spare for `put` and `publish`.

    For a build that streams its pages: each is `put` as soon as it is rendered (by any process),
    so no process holds the site's bytes. The live folder is not touched until `publish`.
    """
    out = _check(entries, out_dir, root)
    try:
        return _prepare(out)
    except OSError as exc:
        raise ProblemsError([Problem(out_dir, None, f"cannot write output: {exc.strerror or exc}")]) from None


def put(spare: Spare, path: str, data: bytes) -> str:
    """Write one checked file into the spare unless it already holds these bytes; return their hash."""
    digest = _digest(data)
    if spare.known.get(path) != digest:
        try:
            _write_new(os.path.join(spare.folder, path), data)
        except OSError as exc:
            raise ProblemsError([Problem(spare.out, None, f"cannot write output: {exc.strerror or exc}")]) from None
    return digest


def carry(spare: Spare, path: str, digest: str) -> bool:
    """Bring a file the live folder holds (per its manifest) into the spare without rendering it:
    a hard link to the live file (a copy where links fail). False when the live file is gone."""
    if spare.known.get(path) == digest:
        return True  # the spare holds it already
    source, target = os.path.join(spare.out, path), os.path.join(spare.folder, path)
    try:
        _remove(Path(target))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        try:
            os.link(source, target)
        except FileNotFoundError:
            lost(spare, path)  # removed from the live folder by hand: render it, and publish
            return False
        except OSError:
            shutil.copyfile(source, target)
    except OSError as exc:
        raise ProblemsError([Problem(spare.out, None, f"cannot write output: {exc.strerror or exc}")]) from None
    return True


def lost(spare: Spare, path: str) -> None:
    """Note a file the live manifest lists but the live folder lacks (deleted by hand): it is
    published again, and the manifest the live folder keeps as the next spare no longer lists it."""
    spare.live.pop(path, None)
    spare.gone.add(path)


def put_files(spare: Spare, files: Sequence[OutputFile], taken: Mapping[str, str]) -> dict[str, str]:
    """`put` files not known when the spare was opened (static files, the search index), after
    checking them against each other and against the `taken` paths; return {path: hash}."""
    entries = [(f.path, f.source) for f in files]
    problems = _collisions([(path, "") for path in taken] + entries)
    problems += [Problem(source or path, None, f"output path {path!r} leaves the output folder")
                 for path, source in entries if not _safe_relative(path)]
    if problems:
        raise ProblemsError(problems)
    return {f.path: put(spare, f.path, f.data) for f in files}


def publish(spare: Spare, wanted: Mapping[str, str]) -> WriteReport:
    """Make the spare hold exactly the `wanted` {path: hash} that were `put`, and swap it in."""
    try:
        return _finish(spare, wanted, spare.live)
    except OSError as exc:
        raise ProblemsError([Problem(spare.out, None, f"cannot write output: {exc.strerror or exc}")]) from None


def write_output(files: Sequence[OutputFile], out_dir: Path, root: Path,
                 digests: dict[bytes, str] | None = None, manifests: Manifests | None = None) -> WriteReport:
    """Publish `files` as the whole content of out_dir; raise ProblemsError before writing on any clash.

    `digests` (serve's) remembers each file's hash across builds: bytes objects cache their own
    hash, so an unchanged page costs a dictionary lookup instead of a SHA-256. `manifests`
    (serve's) remembers the manifests written, by the identity of their file: one still in place
    unchanged is not read again.
    """
    out = _check([(f.path, f.source) for f in files], out_dir, root)
    try:
        _recover(out, _spare_of(out))
        wanted = {f.path: _digest(f.data) for f in files} if digests is None else _digests(files, digests)
        live = _manifest(out, manifests)
        if live == wanted and (out / MARKER).is_file():
            return WriteReport((), len(files), ())  # nothing to publish: read and write nothing
        spare = _prepare(out, recovered=True, manifests=manifests)
        _update(spare, files, wanted)
        return _finish(spare, wanted, live, manifests)
    except OSError as exc:
        raise ProblemsError([Problem(out_dir, None, f"cannot write output: {exc.strerror or exc}")]) from None


def _spare_of(out: Path) -> Path:
    return out.parent / f".{out.name}.spare"


def _prepare(out: Path, recovered: bool = False, manifests: Manifests | None = None) -> Spare:
    """Recover from a cut-short swap, and make the spare ready to be written: its marker goes
    (until rewritten the spare is suspect), and a spare we cannot vouch for is started afresh."""
    folder = _spare_of(out)
    if not recovered:
        _recover(out, folder)
    if not folder.exists() and _manifest(out, manifests):
        _link_copy(out, folder)  # once: the spare starts as the live tree, sharing its files
    known = _manifest(folder, manifests)
    if folder.exists() and not known:
        shutil.rmtree(folder)  # a spare we cannot vouch for (killed mid-update) is rebuilt whole
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).unlink(missing_ok=True)
    return Spare(out, folder, known, _manifest(out, manifests))


def _finish(spare: Spare, wanted: Mapping[str, str], live: Mapping[str, str],
            manifests: Manifests | None = None) -> WriteReport:
    """Remove what the spare holds beyond `wanted`, record its manifest, and swap it in if it differs."""
    gone = [path for path in spare.known if path not in wanted]
    for path in gone:
        _remove(spare.folder / path)
    _prune_empty_dirs(spare.folder, gone)
    files = _write_marker(spare.folder, wanted)
    if manifests is not None:
        while len(manifests) > 1:  # keep this one and the last (the spare's after the swap)
            del manifests[next(iter(manifests))]
        with contextlib.suppress(OSError):
            manifests[_identity(spare.folder / MARKER)] = files
    written = tuple(path for path, digest in wanted.items() if live.get(path) != digest)
    removed = tuple(sorted(path for path in live if path not in wanted))
    if written or removed or not (spare.out / MARKER).is_file():
        _swap(spare.folder, spare.out)
        if spare.gone:  # the old live folder, now the spare, lacks these: its manifest must not list them
            _write_marker(spare.folder, {path: digest for path, digest in live.items() if path not in spare.gone})
    return WriteReport(written, len(wanted) - len(written), removed)


# A plain relative POSIX path: segments that are not empty, '.' or '..', no backslash, no ':' in
# the first (a drive). One match per output file, in C.
_SAFE_PATH = re.compile(r"(?!\.\.?(?:/|\Z))[^/\\:]+(?:/(?!\.\.?(?:/|\Z))[^/\\]+)*\Z")


def _safe_relative(path: str) -> bool:
    """A plain relative POSIX path: no root, drive, backslash, '.' or '..' segment, not the marker."""
    return path != MARKER and _SAFE_PATH.match(path) is not None


def _digests(files: Sequence[OutputFile], known: dict[bytes, str]) -> dict[str, str]:
    wanted = {}
    for file in files:
        digest = known.get(file.data)
        if digest is None:
            digest = known[file.data] = _digest(file.data)
        wanted[file.path] = digest
    if len(known) > 2 * len(files):  # forget the bytes of pages that are gone
        live = {f.data for f in files}
        for data in [d for d in known if d not in live]:
            del known[data]
    return wanted


def _write_marker(folder: Path, wanted: Mapping[str, str]) -> dict[str, str]:
    """Write a folder's manifest ({path: hash}, sorted); return the files it lists."""
    files = dict(sorted(wanted.items()))
    manifest = {"generator": "briefing", "files": files}
    # one file per line, for people reading it; json's C encoder (indent would use the Python one)
    text = json.dumps(manifest, separators=(",", ":")).replace('","', '",\n"')
    (folder / MARKER).write_text(text, encoding="utf-8")
    return files


def _identity(path: Path) -> tuple[int, int, int, int]:
    st = path.stat()
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)  # a rename of its folder keeps all four


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()  # hardware-accelerated here; collisions are not a concern


def _manifest(folder: Path, manifests: Manifests | None = None) -> dict[str, str]:
    """The {path: hash} a folder's marker records, or {} when it has none we can trust."""
    if manifests:
        try:
            known = manifests.get(_identity(folder / MARKER))
        except OSError:
            return {}
        if known is not None:
            return dict(known)  # the file we wrote, untouched since (same inode, size, times)
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
        return {}
    return {str(k): v for k, v in files.items()}


def _update(spare: Spare, files: Sequence[OutputFile], wanted: Mapping[str, str]) -> None:
    """Write into the spare each file whose hash differs from the spare's manifest."""
    base = os.fspath(spare.folder)
    for file in files:
        if spare.known.get(file.path) != wanted[file.path]:
            _write_new(os.path.join(base, file.path), file.data)


def _write_new(target: str, data: bytes) -> None:
    """Write `data` as a new file: never in place, since an old file may be a hard link into the
    live tree (O_EXCL refuses to open one; it is removed first). Plain os calls: 10,000s of them."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(target, flags, 0o666)
    except FileExistsError:
        _remove(Path(target))
        fd = os.open(target, flags, 0o666)
    except FileNotFoundError:  # its folder is new: most often only the last level (a brief's)
        folder = os.path.dirname(target)
        try:
            os.mkdir(folder)
        except OSError:
            os.makedirs(folder, exist_ok=True)
        fd = os.open(target, flags, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def _link_copy(source: Path, target: Path) -> None:
    """A copy of a tree whose files are hard links to the originals (no file data is copied).
    Its marker, written last (a copy cut short has none and is not trusted), lists only the
    files of the source's manifest that were there to link: one deleted by hand is not vouched for."""
    linked: set[str] = set()
    for dirpath, _dirs, names in os.walk(source):
        relative = Path(dirpath).relative_to(source)
        folder = target / relative
        folder.mkdir(parents=True, exist_ok=True)
        for name in names:
            if not (name == MARKER and folder == target):
                os.link(Path(dirpath) / name, folder / name)
                linked.add((relative / name).as_posix())
    manifest = _manifest(source)
    if manifest:
        _write_marker(target, {path: digest for path, digest in manifest.items() if path in linked})


def ready_spare(out_dir: Path) -> None:
    """Make the spare of a published output now, so that the next build need not: serve calls
    this while the author has not saved yet. A failure is left for that build to meet."""
    out = out_dir.resolve()
    folder = _spare_of(out)
    try:
        if not folder.exists() and _manifest(out):
            _link_copy(out, folder)
    except OSError as exc:
        log.debug("spare not made ahead: %s", exc)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _prune_empty_dirs(folder: Path, removed: Sequence[str]) -> None:
    """Remove the folders that removing these files left empty, deepest first."""
    parents = {Path(path).parent for path in removed}
    candidates = sorted({p for parent in parents for p in (parent, *parent.parents) if p != Path(".")},
                        key=lambda p: len(p.parts), reverse=True)
    for relative in candidates:
        directory = folder / relative
        if directory.is_dir() and not any(directory.iterdir()):
            directory.rmdir()


def _recover(out: Path, spare: Path) -> None:
    """Undo a swap a killed build cut short: the live folder moved away must come back."""
    moved = sorted(out.parent.glob(f".{out.name}.old-*"))
    if not out.exists() and moved:
        moved[-1].rename(out)
        moved = moved[:-1]
    elif not out.exists() and spare.is_dir() and _manifest(spare):
        spare.rename(out)
    for path in moved:
        shutil.rmtree(path, ignore_errors=True)


def _swap(spare: Path, out: Path) -> None:
    """Put the spare in place of out, and out's tree in the spare's place."""
    if not out.exists():
        spare.rename(out)
        return
    if _exchange(spare, out):
        return
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    out.rename(old)
    spare.rename(out)
    old.rename(spare)


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
