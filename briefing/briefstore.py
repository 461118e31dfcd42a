"""Parsed briefs kept on disk between `build` runs, so a build after an edit re-parses one file.

The store (.briefing-cache/briefs/, safe to delete) maps each brief file's identity (mtime_ns,
size, inode, ctime_ns) to its parse. It is split into shards by path, and a build rewrites only
the shards whose entries changed: an edit rewrites about 1/32 of it. Every shard records the
version of this code and Python; a shard of another version, or one that cannot be read, is
ignored (its briefs are parsed again). The shards are pickles written by this program into the
project's own cache folder: whoever can write there can edit build.py too.
"""

from __future__ import annotations

import logging
import os
import pickle
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from .load import FileKey, Memo

log = logging.getLogger(__name__)

SHARDS = 32
STORE = Path(".briefing-cache") / "briefs"  # under the project root


def _shard(path: Path) -> int:
    return zlib.crc32(os.fsencode(path)) % SHARDS


@dataclass
class BriefStore:
    """The memo `load_site` reads and updates, and what it held when read from disk."""

    folder: Path
    version: str
    memo: Memo = field(default_factory=dict)
    loaded: dict[Path, FileKey] = field(default_factory=dict)  # path -> file identity, as read

    @classmethod
    def load(cls, folder: Path, version: str) -> BriefStore:
        """The store under `folder` for this code version; empty where shards are missing or stale."""
        store = cls(folder, version)
        for index in range(SHARDS):
            try:
                with open(folder / f"{index:02d}.pickle", "rb") as handle:
                    data = pickle.load(handle)
                if data["version"] == version:
                    store.memo.update(data["memo"])
            except FileNotFoundError:
                continue
            except Exception as exc:  # noqa: BLE001 - a damaged shard costs only speed
                log.debug("brief store shard %d ignored: %r", index, exc)
        store.loaded = {path: entry[0] for path, entry in store.memo.items()}
        return store

    def save(self) -> None:
        """Rewrite the shards whose entries changed since `load`; failures cost only speed."""
        now = {path: entry[0] for path, entry in self.memo.items()}
        dirty = {_shard(p) for p in now.keys() | self.loaded.keys() if now.get(p) != self.loaded.get(p)}
        if not dirty:
            return
        shards: dict[int, Memo] = {index: {} for index in dirty}
        for path, entry in self.memo.items():
            index = _shard(path)
            if index in shards:
                shards[index][path] = entry
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for index, memo in sorted(shards.items()):
                target = self.folder / f"{index:02d}.pickle"
                tmp = target.with_suffix(f".tmp{os.getpid()}")
                with open(tmp, "wb") as handle:
                    pickle.dump({"version": self.version, "memo": memo}, handle, protocol=pickle.HIGHEST_PROTOCOL)
                tmp.replace(target)
        except OSError as exc:
            log.warning("brief store not written: %s", exc)
        self.loaded = now
