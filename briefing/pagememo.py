"""Which pages a `build` must render: a page whose template, context, site settings, template
files and code all hash as they did in the last build, and whose bytes the live output still
holds, is carried over without rendering.

A page's fingerprint is a hash of everything its template can see: its stored row (quick.freeze:
the context pickled, with each brief, person or topic named by id) and the digest of each object it
names (pickled once, whole: any change to what a page shows changes it), its body, plus the site's
config, the template files' bytes and this code's version. A page without a row gets no
fingerprint and is always rendered; a value whose pickle is not canonical (a set of strings) only
costs a render.
The memo (.briefing-cache/pages.pickle, safe to delete) maps page URL -> (fingerprint, hash of
the bytes it rendered to).
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import pickle
from collections.abc import Mapping, Sequence
from pathlib import Path

from .model import Page
from .parallel import fork_map

log = logging.getLogger(__name__)

MEMO = Path(".briefing-cache") / "pages.pickle"  # under the project root

Entry = tuple[bytes, str]  # (fingerprint, hash of the page's bytes)


def _digest(value: object) -> bytes:
    """A hash of a value's pickle in fast mode (no memo): the bytes then depend on values only,
    not on which equal strings happen to be one object."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=4)
    pickler.fast = True
    pickler.dump(value)
    return hashlib.sha256(buffer.getbuffer()).digest()  # as `Fingerprints.of`: SHA-256 runs in hardware here


class Fingerprints:
    """Fingerprints of pages' contexts; shared objects (briefs, people, topics) are hashed once."""

    def __init__(self, base: bytes) -> None:
        self.base = base
        self._shared: dict[int, tuple[object, bytes]] = {}  # id -> (the object, kept alive; its digest)

    def share(self, objects: Sequence[object]) -> None:
        """Hash these shared objects (the site's briefs) up front, on every core."""
        digests = fork_map(lambda part: [_digest(obj) for obj in part], objects)
        for obj, digest in zip(objects, digests, strict=True):
            self._shared[id(obj)] = (obj, digest)

    def of(self, page: Page, row: bytes, refs: Sequence[object]) -> bytes:
        """The page's fingerprint from its stored row (quick.freeze: the context, with briefs, people
        and topics named by id) and the objects the row names, in order (`refs`)."""
        digest = hashlib.sha256(self.base)  # not blake2b: SHA-256 runs in hardware here, twice as fast over a body
        digest.update(f"\0{page.url}\0{page.template}\0".encode())
        digest.update(len(row).to_bytes(8, "little"))
        digest.update(row)
        body = page.context.get("body_html")
        if isinstance(body, str) and page.context.get("brief") is not None:  # a brief page: its body is not in the row
            digest.update(body.encode("utf-8", "surrogatepass"))
        shared = self._shared
        digests = []  # hashed as one run: the same bytes as an update each, for a tenth of the calls
        for obj in refs:
            hit = shared.get(id(obj))
            if hit is None or hit[0] is not obj:
                hit = shared[id(obj)] = (obj, _digest(obj))
            digests.append(hit[1])
        digest.update(b"".join(digests))
        return digest.digest()


def base_key(config: object, templates: Path, version: str) -> bytes:
    """What every page depends on: the site config, every template file's bytes, the code's version."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(version.encode() + b"\0")
    digest.update(_digest(config))
    for dirpath, dirs, names in os.walk(templates):
        dirs.sort()
        for name in sorted(names):
            path = Path(dirpath) / name
            if path.relative_to(templates).parts[0] == "static" and path.suffix in (".css", ".js"):
                continue  # copied as they are; no page shows their bytes
            try:
                data = path.read_bytes()
            except OSError:
                continue
            digest.update(os.fsencode(path.relative_to(templates)) + b"\0" + hashlib.sha256(data).digest())
    return digest.digest()


def load(path: Path) -> dict[str, Entry]:
    """The last build's {page URL: (fingerprint, hash)}; empty when missing or unreadable."""
    try:
        with open(path, "rb") as handle:
            memo = pickle.load(handle)
    except FileNotFoundError:
        return {}
    except Exception as exc:  # noqa: BLE001 - a damaged memo costs only speed
        log.debug("page memo ignored: %r", exc)
        return {}
    return memo if isinstance(memo, dict) else {}


def save(path: Path, pages: Sequence[Page], prints: Sequence[bytes | None], hashes: Mapping[str, str],
         paths: Sequence[str]) -> None:
    """Record this build's pages (those with a fingerprint); failures cost only speed."""
    memo = {page.url: (fp, hashes[out]) for page, fp, out in zip(pages, prints, paths, strict=True) if fp}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        with open(tmp, "wb") as handle:
            pickle.dump(memo, handle, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    except OSError as exc:
        log.warning("page memo not written: %s", exc)
