"""What serve watches: snapshots of the source files, and inotify to wake up when they change."""

from __future__ import annotations

import ctypes
import os
import stat
import struct
from collections.abc import Collection, Iterable
from pathlib import Path

from .load import is_ignored

WATCHED = ("seeds", "content", "templates")  # folders under the root; plus site.yaml
POLL = 0.4  # seconds between scans where inotify is not available
RESCAN_MAX = 200  # more paths named by inotify than this: scan everything instead
Snapshot = dict[Path, tuple[int, int, int, int]]  # watched file -> (mtime_ns, size, inode, ctime_ns)


def scan(root: Path, out: Path) -> Snapshot:
    """Every watched file (site.yaml, seeds/, content/, templates/) by identity; never the output."""
    found: Snapshot = {}
    note(found, root / "site.yaml")
    skip = out.resolve()
    for name in WATCHED:
        _walk(root / name, skip, found)
    return found


def note(found: Snapshot, path: Path) -> None:
    """Record one file's identity in a snapshot (nothing if it is gone)."""
    try:
        st = path.stat()
    except OSError:
        return
    found[path] = (st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns)


def _walk(folder: Path, skip: Path, found: Snapshot) -> None:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith(".") or is_ignored(Path(entry.name)):
            continue
        path = folder / entry.name
        try:
            if entry.is_dir(follow_symlinks=False):
                if path.resolve() != skip:
                    _walk(path, skip, found)
            elif entry.is_file():
                st = entry.stat()
                found[path] = (st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns)
        except OSError:
            continue


def relevant_paths(events: Iterable[tuple[Path, str]], root: Path) -> set[Path] | None:
    """The watched paths that inotify events (Inotify.read) name; None when events were dropped."""
    touched: set[Path] = set()
    for folder, name in events:
        if not name and folder == Path("/"):
            return None  # overflow
        if folder == root and name not in (*WATCHED, "site.yaml"):
            continue  # output/, its spare, caches: never a reason to rebuild
        if name and (name.startswith(".") or is_ignored(Path(name))):
            continue  # editor temp files, backups, hidden files
        touched.add(folder / name if name else folder)
    return touched


def rescan(old: Snapshot, touched: Collection[Path], root: Path, out: Path) -> Snapshot:
    """`old` brought up to date for the paths inotify named (files or folders, present or gone):
    equal to a fresh scan(root, out) when every change since `old` named its path, at the cost
    of a stat per named path instead of one per watched file. Many paths: a fresh scan."""
    if len(touched) > RESCAN_MAX:
        return scan(root, out)
    new = dict(old)
    skip = out.resolve()
    for path in touched:
        if path in new:
            del new[path]
        else:  # perhaps a folder that went, was renamed or arrived: drop whatever it held
            prefix = f"{path}{os.sep}"
            for known in [k for k in new if str(k).startswith(prefix)]:
                del new[known]
        if not _watched(path, root) or path.resolve() == skip or skip in path.resolve().parents:
            continue
        if path.is_dir() and (path.parent == root or not path.is_symlink()):
            if path.resolve() != skip:
                _walk(path, skip, new)
        elif path.is_file():
            note(new, path)
    return new


def _watched(path: Path, root: Path) -> bool:
    """Whether scan(root, ...) would look at this path (its folders and name included)."""
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return False
    if parts == ("site.yaml",):
        return True
    if not parts or parts[0] not in WATCHED:
        return False
    return not any(part.startswith(".") or is_ignored(Path(part)) for part in parts[1:])


def changed_paths(old: Snapshot, new: Snapshot) -> set[Path]:
    """Files added, removed or modified between two snapshots."""
    return {path for path in old.keys() | new.keys() if old.get(path) != new.get(path)}


class Inotify:
    """Linux inotify through libc: wakes the watcher as soon as a watched folder changes."""

    # attrib, close_write, moved_from/to, create, delete, delete_self, move_self. Not modify:
    # a save is named when the writer closes the file, so a rebuild never reads it half-written.
    MASK = 0x4 | 0x8 | 0x40 | 0x80 | 0x100 | 0x200 | 0x400 | 0x800
    CREATE = 0x100
    ISDIR = 0x40000000
    IGNORED = 0x8000
    OVERFLOW = 0x4000  # the kernel dropped events: rescan everything

    def __init__(self) -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        self._add = libc.inotify_add_watch
        self._add.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
        self.fd = int(libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC))
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1 failed")
        self.folders: dict[int, Path] = {}

    def watch(self, folders: Iterable[Path]) -> None:
        """Add a watch on every folder not watched yet (cheap to repeat)."""
        known = set(self.folders.values())
        for folder in folders:
            if folder not in known:
                wd = self._add(self.fd, os.fsencode(folder), self.MASK)
                if wd >= 0:
                    self.folders[wd] = folder

    def read(self) -> list[tuple[Path, str]]:
        """(folder, name) of every pending event."""
        events: list[tuple[Path, str]] = []
        while True:
            try:
                data = os.read(self.fd, 65536)
            except BlockingIOError:
                return events
            offset = 0
            while offset + 16 <= len(data):
                wd, mask, _cookie, size = struct.unpack_from("iIII", data, offset)
                name = data[offset + 16: offset + 16 + size].rstrip(b"\0").decode("utf-8", "replace")
                offset += 16 + size
                folder = self.folders.get(wd)
                if mask & self.OVERFLOW:
                    events.append((Path("/"), ""))
                elif mask & self.IGNORED:
                    self.folders.pop(wd, None)
                elif folder is not None and not (mask & self.CREATE and _opened_new(folder / name, mask)):
                    events.append((folder, name))

    def close(self) -> None:
        """Release the inotify descriptor."""
        os.close(self.fd)


def _opened_new(path: Path, mask: int) -> bool:
    """Whether a created entry is a plain new file, whose close (IN_CLOSE_WRITE) will name it
    once written; links, symlinks and folders are complete when created, and are named now."""
    if mask & Inotify.ISDIR:
        return False
    try:
        st = path.lstat()
    except OSError:
        return True  # gone already: its removal is an event of its own
    return stat.S_ISREG(st.st_mode) and st.st_nlink == 1


def folders(root: Path, out: Path) -> list[Path]:
    """The root (for site.yaml and the watched folders appearing) and every folder under them."""
    found = [root]
    skip = out.resolve()
    for name in WATCHED:
        for dirpath, dirs, _files in os.walk(root / name):
            dirs[:] = [d for d in dirs if not d.startswith(".") and (Path(dirpath) / d).resolve() != skip]
            found.append(Path(dirpath))
    return found
