"""A new `build` process after a few brief edits: only the pages that show the edited briefs are
rendered again, from contexts stored by the builds before, and the rest of the output is kept.

Every full build stores in .briefing-cache/pages.sqlite (safe to delete) each page's context, with
briefs, people and topics in it named by id, and each brief as the build held it (without its body,
which is read again from its file when its own page is rendered) with its file's identity.
`touch_up` may stand in for the next build when the stamp shows that only brief files changed
since, each edit changed only what templates read (not a PLANNED field such as the date, leaders
or topics: then no page comes or goes and no list changes), neither version of an edited brief
has anything to report, and search is off. Otherwise it returns None and the caller builds in
full. The store must carry the token the stamp recorded, so a store another build left behind
is never used, and every stored brief a page shows is checked against its file's identity now.

Rows are pickles written by this program into the project's own cache folder (as the other caches).
"""

from __future__ import annotations

import contextlib
import datetime
import io
import logging
import os
import pickle
import sqlite3
import types
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup

from . import urls
from .briefs import without_body
from .errors import ProblemsError
from .load import is_ignored, parse_file, read_body
from .model import Brief, Page, Person, Registry, Site, SiteConfig, Topic
from .output import carry, open_spare, publish, put
from .plan import BODY, markdown_cache
from .render import JINJA_CACHE, make_env, render_into
from .replan import PLANNED
from .stamp import code_version

log = logging.getLogger(__name__)

STORE = Path(".briefing-cache") / "pages.sqlite"  # under the project root
_CHUNK = 500  # ids per SQL "IN (...)" query

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB)",
    "CREATE TABLE IF NOT EXISTS pages (url TEXT PRIMARY KEY, template TEXT, source TEXT, fp BLOB,"
    " slugs TEXT, data BLOB)",
    "CREATE TABLE IF NOT EXISTS briefs (slug TEXT PRIMARY KEY, rel TEXT, key TEXT, flagged INTEGER, data BLOB)",
)


@dataclass(frozen=True, slots=True)
class Row:
    """A page's stored context: pickled with briefs, people and topics as references, and the
    slugs of the briefs it holds, one per line between newlines."""

    data: bytes
    slugs: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a touch-up build did: like a build report, plus the token the stamp must record."""

    pages: int
    files: int
    written: int
    rendered: int
    token: str


def new_token() -> str:
    """A token naming one build's page store (random: only equality matters)."""
    return os.urandom(12).hex()


def freeze(page: Page, registry: Registry, refs: list[object] | None = None) -> Row | None:
    """A page's context as a stored row; None when it holds something a row cannot (Freezer)."""
    return Freezer(registry).freeze(page, [] if refs is None else refs)


# Kept as pickle keeps them: markup, dates, and the classes and functions their pickles name.
_PICKLED = frozenset({Markup, datetime.date, datetime.datetime, type, types.FunctionType, types.BuiltinFunctionType})


class Freezer(pickle.Pickler):
    """Pickles pages' contexts into rows, each brief and registered person and topic as
    slice(kind, id); one serves a whole build (its pickler is reused page after page).

    Pickle walks the context in C and asks `reducer_override` only about objects other than
    str, int, float, bool, None and the built-in containers: as the walk before it (a copy with
    the references swapped in, then pickled) cost twice as much. An object of any other type
    leaves the page without a row, so no reference can hide inside one that _thaw does not open."""

    def __init__(self, registry: Registry) -> None:
        self._buffer = io.BytesIO()
        super().__init__(self._buffer, protocol=pickle.HIGHEST_PROTOCOL)
        self._people, self._topics = registry.people, registry.topics
        self._slugs: dict[str, None] = {}
        self._refs: list[object] = []

    def freeze(self, page: Page, refs: list[object]) -> Row | None:
        """`page`'s row; each brief, person and topic it names by id is added to `refs` in the
        order it first occurs, and a brief page's own body is left out (`BODY`): with the row's
        bytes they make the page's fingerprint (pagememo.Fingerprints.of)."""
        context = page.context
        brief = context.get("brief")
        if type(brief) is Brief and "body_html" in context and page.url == urls.url_for("brief", brief.slug):
            context = {**context, "body_html": BODY}  # a brief's own page: its body is rendered again when needed
        self._slugs, self._refs = {}, refs
        buffer = self._buffer
        buffer.seek(0)
        buffer.truncate()
        self.clear_memo()  # each row stands alone
        try:
            self.dump((page.template, context))
        except Exception:  # noqa: BLE001 - unusual values: the page has no row, and a touch-up needing it builds in full
            return None
        slugs = self._slugs
        if any("\n" in slug for slug in slugs):
            return None
        return Row(buffer.getvalue(), "\n" + "".join(f"{slug}\n" for slug in slugs))

    def reducer_override(self, obj: Any) -> Any:
        """A brief, person or topic as a reference; other objects pickled as they are, or refused."""
        kind = type(obj)
        if kind is Brief:
            self._slugs[obj.slug] = None
            self._refs.append(obj)
            return slice, ("b", obj.slug, None)
        if kind is Person or kind is Topic:
            ident: str = obj.id
            if obj is (self._people if kind is Person else self._topics).get(ident):
                self._refs.append(obj)
                return slice, ("p" if kind is Person else "t", ident, None)
            return NotImplemented  # not the registry's: kept whole
        if kind in _PICKLED or obj is BODY:
            return NotImplemented
        raise TypeError(f"a context value a row cannot hold: {kind.__name__}")


def _thaw(value: Any, briefs: Mapping[str, Brief], registry: Registry) -> Any:
    kind = type(value)
    if kind is slice:
        ref, ident = value.start, value.stop
        if ref == "body":
            return value  # the caller renders the body
        return briefs[ident] if ref == "b" else registry.people[ident] if ref == "p" else registry.topics[ident]
    if kind is list:
        return [_thaw(item, briefs, registry) for item in value]
    if kind is tuple:
        return tuple([_thaw(item, briefs, registry) for item in value])
    if kind is dict:
        return {key: _thaw(item, briefs, registry) for key, item in value.items()}
    return value


def fingerprints(root: Path) -> dict[str, bytes]:
    """The stored pages' fingerprints (URL -> fingerprint of the context its row holds)."""
    try:
        with contextlib.closing(_connect(root / STORE, create=False)) as db:
            if _meta(db, "version") != code_version().encode():
                return {}
            return {url: fp for url, fp in db.execute("SELECT url, fp FROM pages") if fp is not None}
    except (sqlite3.Error, OSError):
        return {}


def save(root: Path, token: str, site: Site, pages: Sequence[Page], prints: Sequence[bytes | None],
         rows: Mapping[str, Row], keys: Mapping[Path, tuple[int, int, int, int]],
         flagged: Iterable[str]) -> None:
    """Store a full build's pages and briefs: `rows` for the pages whose stored row is not current,
    briefs whose file identity (`keys`) differs from the stored one; failures cost only speed."""
    path = root / STORE
    for attempt in (1, 2):
        try:
            _save(path, token, site, pages, prints, rows, keys, set(flagged))
            return
        except sqlite3.DatabaseError as exc:  # not a database, or a damaged one: start afresh, once
            # (the new store lists only `rows`: without a row for every page it allows no touch-up)
            log.debug("page store %s: %s", "replaced" if attempt == 1 else "not written", exc)
        except (sqlite3.Error, OSError) as exc:
            log.warning("page store not written: %s", exc)
        try:
            for stale in (path, path.with_name(path.name + "-journal")):
                stale.unlink(missing_ok=True)
        except OSError:
            return


def _save(path: Path, token: str, site: Site, pages: Sequence[Page], prints: Sequence[bytes | None],
          rows: Mapping[str, Row], keys: Mapping[Path, tuple[int, int, int, int]], flagged: set[str]) -> None:
    version = code_version().encode()
    with contextlib.closing(_connect(path, create=True)) as db, db:
        if _meta(db, "version") != version:
            db.execute("DELETE FROM pages")
            db.execute("DELETE FROM briefs")
        db.execute("DELETE FROM meta WHERE key = 'token'")  # until this transaction commits: no touch-up
        stored = {slug: key for slug, key in db.execute("SELECT slug, key FROM briefs")}
        wanted: dict[str, tuple[str, str, int, Brief]] = {}
        for slug, brief in site.briefs.items():
            if brief.path is None or brief.path not in keys:
                continue
            rel = f"content/briefs/{brief.path.name}"  # where load_site lists briefs
            wanted[slug] = (rel, ",".join(map(str, keys[brief.path])), int(str(brief.path) in flagged), brief)
        db.executemany("DELETE FROM briefs WHERE slug = ?", [(s,) for s in stored if s not in wanted])
        db.executemany("INSERT OR REPLACE INTO briefs VALUES (?, ?, ?, ?, ?)", (  # pickled one at a time
            (slug, rel, key, flag, pickle.dumps(brief, protocol=pickle.HIGHEST_PROTOCOL))
            for slug, (rel, key, flag, brief) in wanted.items()
            if stored.get(slug) != key or flag))
        db.executemany("UPDATE briefs SET flagged = 0 WHERE slug = ? AND flagged = 1",
                       [(slug,) for slug, entry in wanted.items() if not entry[2]])
        urls_now = {page.url for page in pages}
        current = dict(db.execute("SELECT url, fp FROM pages").fetchall())
        db.executemany("DELETE FROM pages WHERE url = ?", [(url,) for url in current if url not in urls_now])
        db.executemany("INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?, ?, ?)", [
            (page.url, page.template, str(page.source) if page.source else None, fp, row.slugs, row.data)
            for page, fp in zip(pages, prints, strict=True) if (row := rows.get(page.url)) is not None])
        missing = [page.url for page, fp in zip(pages, prints, strict=True)  # a row that is not this context's
                   if page.url not in rows and (fp is None or current.get(page.url) != fp)]
        db.executemany("DELETE FROM pages WHERE url = ?", [(url,) for url in missing])
        state = {"config": site.config, "registry": site.registry, "pages": len(pages),
                 "known": {"person": frozenset(site.registry.people), "topic": frozenset(site.registry.topics),
                           "brief": frozenset(site.briefs)}}
        _put_meta(db, "version", version)
        _put_meta(db, "state", pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))
        if not missing and db.execute("SELECT count(*) FROM pages").fetchone()[0] == len(urls_now):
            _put_meta(db, "token", token.encode())  # every page has its row: a touch-up may follow


def touch_up(root: Path, out_dir: Path, changed: Sequence[str], found: Mapping[str, list[int]],
             token: str, new_token: str) -> Outcome | None:
    """Rebuild after edits to the brief files `changed` (paths under root) by rendering only the
    pages that show them; None when this build must run in full instead (see the module's doc).
    Raises ProblemsError as a build would (a template error, an output folder we cannot write)."""
    edits = [rel for rel in changed if not is_ignored(Path(rel))]  # editor swap files and the like: not content
    if not all(_is_brief_file(root, rel) for rel in edits):
        return None
    try:
        with contextlib.closing(_connect(root / STORE, create=False)) as db:
            return _touch_up(db, root, out_dir, edits, found, token, new_token)
    except (sqlite3.Error, OSError, pickle.UnpicklingError, EOFError, KeyError, AttributeError,
            TypeError, ValueError) as exc:
        log.debug("touch-up not possible (%r): building in full", exc)
        return None


def _is_brief_file(root: Path, rel: str) -> bool:
    parts = rel.split("/")
    return (len(parts) == 3 and parts[:2] == ["content", "briefs"] and rel.endswith(".md")
            and not os.path.islink(root / rel))


def _touch_up(db: sqlite3.Connection, root: Path, out_dir: Path, edits: Sequence[str],
              found: Mapping[str, list[int]], token: str, new_token: str) -> Outcome | None:
    if _meta(db, "token") != token.encode() or not token or _meta(db, "version") != code_version().encode():
        return None
    state: dict[str, Any] = pickle.loads(_meta(db, "state") or b"")
    config: SiteConfig = state["config"]
    registry: Registry = state["registry"]
    if config.search:
        return None  # the search index would have to be made again: a full build does that
    edited: dict[str, Brief] = {}
    for rel in edits:
        slug = Path(rel).stem
        old = _briefs(db, [slug]).get(slug)
        if old is None or old[2]:
            return None  # a new brief, or one whose last build reported something
        try:
            brief, problems = parse_file(root / rel)
        except (ProblemsError, OSError):
            return None  # the full build reports it
        if problems or any(getattr(brief, name) != getattr(old[1], name) for name in PLANNED):
            return None
        edited[slug] = brief
    md = markdown_cache(state["known"])  # the ids of the last full build: no brief came or went
    for slug, brief in edited.items():
        rendered = md.render(brief.body, urls.url_for("brief", slug))
        if rendered.unresolved or rendered.refused:
            return None  # reported at their file line by a full build

    holders = _holders(db, edited)
    shown = {slug for _url, _template, _source, slugs, _data in holders for slug in slugs.split("\n") if slug}
    stored = _briefs(db, sorted(shown - edited.keys()))
    briefs: dict[str, Brief] = {slug: without_body(brief) for slug, brief in edited.items()}  # as builds hold them
    for slug in shown - edited.keys():
        entry = stored.get(slug)
        if entry is None or found.get(entry[0]) != [int(n) for n in entry[3].split(",")]:
            return None  # a stored brief that is not the file's version now: never shown stale
        briefs[slug] = entry[1]
    pages = []
    for url, _template, source, _slugs, data in holders:
        template, frozen = pickle.loads(data)
        context: dict[str, object] = _thaw(frozen, briefs, registry)
        shown_body, own = context.get("body_html"), context.get("brief")
        if type(shown_body) is slice and shown_body == BODY and isinstance(own, Brief):
            try:
                body = edited[own.slug].body if own.slug in edited else read_body(own)
            except ProblemsError:
                return None  # its file changed since: the full build reads it
            html = md.render(body, url).html  # as plan_pages renders it: the same ids are known
            context["body_html"] = Markup(html)  # noqa: S704 - markdown-it output with raw HTML disabled
        pages.append(Page(url, template, context, Path(source) if source else None))

    env = make_env(root / "templates", root / JINJA_CACHE)
    files = render_into(pages, env, config, root, lambda file: file)
    spare = open_spare([(f.path, f.source) for f in files], out_dir, root)
    wanted = dict(spare.live)
    new = {f.path: put(spare, f.path, f.data) for f in files}
    for path, digest in spare.live.items():
        if path not in new and not carry(spare, path, digest):
            return None  # an output file deleted by hand: the full build renders it again
    wanted.update(new)
    report = publish(spare, wanted)
    freezer = Freezer(registry)
    with db:
        db.execute("DELETE FROM meta WHERE key = 'token'")
        db.executemany("UPDATE briefs SET key = ?, data = ? WHERE slug = ?", [
            (",".join(map(str, found[rel])), pickle.dumps(briefs[Path(rel).stem], protocol=pickle.HIGHEST_PROTOCOL),
             Path(rel).stem) for rel in edits])
        db.executemany("UPDATE pages SET fp = NULL, data = ? WHERE url = ?", [
            (row.data, page.url) for page in pages if (row := freezer.freeze(page, [])) is not None])
        _put_meta(db, "token", new_token.encode())
    return Outcome(pages=int(state["pages"]), files=len(wanted), written=len(report.written),
                   rendered=len(pages), token=new_token)


def _holders(db: sqlite3.Connection, edited: Mapping[str, Brief]) -> list[tuple[str, str, str | None, str, bytes]]:
    """The stored pages holding any of the edited briefs, in URL order."""
    found: dict[str, tuple[str, str, str | None, str, bytes]] = {}
    for slug in edited:
        for row in db.execute("SELECT url, template, source, slugs, data FROM pages WHERE instr(slugs, ?) > 0",
                              (f"\n{slug}\n",)):
            found[row[0]] = row
    return [found[url] for url in sorted(found)]


def _briefs(db: sqlite3.Connection, slugs: Sequence[str]) -> dict[str, tuple[str, Brief, int, str]]:
    """Stored briefs by slug: (path under root, brief, flagged, file identity)."""
    found = {}
    for start in range(0, len(slugs), _CHUNK):
        part = slugs[start:start + _CHUNK]
        query = f"SELECT slug, rel, data, flagged, key FROM briefs WHERE slug IN ({','.join('?' * len(part))})"  # noqa: S608
        for slug, rel, data, flagged, key in db.execute(query, part):
            found[slug] = (rel, pickle.loads(data), flagged, key)
    return found


def _connect(path: Path, create: bool) -> sqlite3.Connection:
    if not create and not path.is_file():
        raise FileNotFoundError(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = TRUNCATE")
    db.execute("PRAGMA synchronous = OFF")
    for statement in _SCHEMA:
        db.execute(statement)
    return db


def _meta(db: sqlite3.Connection, key: str) -> bytes | None:
    row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return bytes(row[0]) if row else None


def _put_meta(db: sqlite3.Connection, key: str, value: bytes) -> None:
    db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

