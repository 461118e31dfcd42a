"""The Markdown cache that outlives a build: in serve's process, and on disk between `build` runs.

A body is rendered again unless its (text, page URL) is unchanged *and* every cross-reference it
looked up resolves the same way now (a new brief can fix a dangling link). On disk
(.briefing-cache/markdown/, safe to delete: pickles this program writes, as the other caches)
bodies are known by a hash of their text, and a file is ignored when markdown-it or our Markdown
rules have changed since it was written.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import pickle
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path

from markupsafe import Markup

from . import urls
from .markdown import MarkdownCache, Rendered
from .model import Site

log = logging.getLogger(__name__)

SHARDS = 32
SUFFIX = ".pickle"  # a shard's file: <NN>.pickle (pickle: a shard of 300 bodies is written in 2 ms; JSON took 8)
Lookup = tuple[str, str, str | None]  # (kind, id, the URL it resolved to or None)


class TrackingMarkdown(MarkdownCache):
    """A MarkdownCache that outlives one build: each entry remembers the ids it looked up."""

    def __init__(self) -> None:
        super().__init__(self._lookup, urls.relative)
        self.known: Mapping[str, Mapping[str, object]] = {}
        self.entries: dict[tuple[str, str], tuple[Rendered, tuple[Lookup, ...]]] = {}  # (url, text)
        self.stored: dict[tuple[str, str], tuple[Rendered, tuple[Lookup, ...]]] = {}  # (url, text's hash)
        self.used: set[tuple[str, str]] = set()
        self.hits = 0
        self._seen: list[Lookup] = []
        self.fresh: set[tuple[str, str]] = set()  # (url, text) rendered by this process
        self.loaded: dict[int, set[tuple[str, str]]] = {}  # shard -> the (url, text hash) read from it
        self.digests: dict[tuple[str, str], str] = {}  # (url, text) -> the text's hash, once computed

    def start(self, site: Site) -> TrackingMarkdown:
        """Point lookups at this build's ids and forget bodies the previous build did not use."""
        self.known = {"person": site.registry.people, "topic": site.registry.topics, "brief": site.briefs}
        if self.used:
            self.entries = {k: v for k, v in self.entries.items() if k in self.used}
        self.used = set()
        self.hits = 0
        return self

    def _resolve(self, kind: str, ident: str) -> str | None:
        return urls.url_for(kind, ident) if ident in self.known.get(kind, {}) else None

    def _lookup(self, kind: str, ident: str) -> str | None:
        found = self._resolve(kind, ident)
        self._seen.append((kind, ident, found))
        return found

    def hashed(self, text: str, from_url: str, digest: str) -> None:
        """Note the hash of `text` (as _text_digest makes it: SHA-256 of its UTF-8), known already
        (a brief's body_sha256, checked when it was read), so looking it up and saving it hash
        nothing."""
        self.digests[(from_url, text)] = digest

    def render(self, text: str, from_url: str) -> Rendered:
        """HTML for `text` on the page at `from_url`, reused while its cross-references hold."""
        key = (from_url, text)  # a str caches its hash: an unchanged body costs one lookup
        self.used.add(key)
        entry = self.entries.get(key)
        if entry is None and self.stored:  # read from disk, where bodies are known by their hash
            digest = self.digests.get(key) or _text_digest(text)
            self.digests[key] = digest
            entry = self.stored.pop((from_url, digest), None)
            if entry is not None:
                self.entries[key] = entry
        if entry is not None and all((ident in self.known.get(kind, {})) == (found is not None)
                                     for kind, ident, found in entry[1]):  # url_for is a pure function
            self.hits += 1
            return entry[0]
        self._seen = []
        rendered = self.render_anew(text, from_url)  # not the per-build cache: this one outlives builds
        self.entries[key] = (rendered, tuple(self._seen))
        self.fresh.add(key)
        return rendered

    def save(self, folder: Path) -> None:
        """Write the entries this build used, for the next process; failures cost only speed.

        The entries are split into SHARDS files by page URL, and a file is rewritten only when its
        entries changed: after an edit, about 1/SHARDS of the cache.
        """
        shards: dict[int, dict[tuple[str, str], tuple[str, str]]] = {}  # (url, text hash) -> (url, text)
        dirty: set[int] = set()
        digests = {}
        for key in self.used:
            if key not in self.entries:
                continue
            url, text = key
            digest = digests[key] = self.digests.get(key) or _text_digest(text)
            index = shard_of(url)
            shards.setdefault(index, {})[(url, digest)] = key
            if key in self.fresh:
                dirty.add(index)
        self.digests = digests
        dirty |= {index for index in shards.keys() | self.loaded.keys()
                  if set(shards.get(index, {})) != self.loaded.get(index, set())}
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for index in sorted(dirty):
                entries = [_stored_form(url, digest, *self.entries[key])
                           for (url, digest), key in sorted(shards.get(index, {}).items())]
                target = folder / f"{index:02d}{SUFFIX}"
                tmp = target.with_suffix(".tmp")
                tmp.write_bytes(pickle.dumps((_renderer_version(), entries), protocol=pickle.HIGHEST_PROTOCOL))
                tmp.replace(target)
                target.with_suffix(".json").unlink(missing_ok=True)  # the same shard as earlier code wrote it (JSON)
        except OSError as exc:
            log.warning("markdown cache not written: %s", exc)

    @classmethod
    def load(cls, folder: Path, shards: Iterable[int] = range(SHARDS)) -> TrackingMarkdown:
        """A cache filled from these shards under `folder` (default: all), those that hold a readable
        cache of this version. Its `save` rewrites only shards it loaded or rendered for."""
        return cls().read(folder, shards)

    def read(self, folder: Path, shards: Iterable[int]) -> TrackingMarkdown:
        """Forget every entry, then fill from these shards as `load` does: a build's worker moves on
        to its next shard this way (a new cache per shard would wait for the cycle collector to go:
        its renderer refers back to it)."""
        self.entries, self.stored, self.used, self.fresh, self.loaded, self.digests = {}, {}, set(), set(), {}, {}
        self.hits = 0
        version = _renderer_version()
        for index in shards:
            try:
                stored_version, entries = pickle.loads((folder / f"{index:02d}{SUFFIX}").read_bytes())
                if stored_version != version:
                    continue
                found = {}
                for url, text, html, unresolved, refused, lookups in entries:
                    rendered = Rendered(Markup(str(html)), tuple((int(a), str(b)) for a, b in unresolved),
                                        tuple((int(a), str(b)) for a, b in refused))
                    seen = tuple((str(k), str(i), None if f is None else str(f)) for k, i, f in lookups)
                    found[(str(url), str(text))] = (rendered, seen)
            except FileNotFoundError:
                continue
            except Exception:  # noqa: BLE001 - unreadable (cut short, another program's): rewritten by the next save
                self.loaded[index] = {("", "")}
                continue
            self.stored.update(found)
            self.loaded[index] = set(found)
        return self


def _stored_form(url: str, digest: str, r: Rendered, lookups: tuple[Lookup, ...]) -> tuple[object, ...]:
    """One entry as a shard file holds it: plain values only (str, not Markup), read back with checks."""
    return (url, digest, str(r.html), r.unresolved, r.refused, lookups)


def shard_of(url: str) -> int:
    """Which of the SHARDS files holds the bodies shown on the page at `url`."""
    return zlib.crc32(url.encode("utf-8", "surrogatepass")) % SHARDS


def _text_digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@functools.cache
def _renderer_version() -> str:
    """Changes whenever the Markdown renderer could: markdown-it's version (its `__init__.py`,
    found without importing it) and our markdown.py and mdfast.py."""
    import importlib.util

    from . import markdown, mdfast

    spec = importlib.util.find_spec("markdown_it")
    files = [spec.origin if spec and spec.origin else "", markdown.__file__, mdfast.__file__]
    return hashlib.sha256(b"\0".join(Path(name).read_bytes() for name in files)).hexdigest()[:16]
