"""Frozen dataclasses that cross stage boundaries. No I/O here."""

from __future__ import annotations

import datetime
import struct
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from itertools import chain
from pathlib import Path
from typing import cast

from .errors import Problem


@dataclass(frozen=True, slots=True)
class Person:
    """A registered person: leaders in briefs refer to people by id."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()  # full-name spellings: diacritics, transliterations
    short: tuple[str, ...] = ()  # short forms ("Xi"), counted only after a full name
    role: str = ""
    country: str = ""
    auto: bool = False  # profiled by ingest from an article, not yet confirmed in site.yaml


@dataclass(frozen=True, slots=True)
class Topic:
    """A registered topic with weighted keyword phrases."""

    id: str
    name: str
    description: str = ""
    keywords: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True)
class Registry:
    """The people and topics a site knows, keyed by id."""

    people: Mapping[str, Person]
    topics: Mapping[str, Topic]


@dataclass(frozen=True, slots=True)
class IngestRules:
    """Data-driven cleaning and extraction rules from site.yaml's `ingest:` block."""

    boilerplate: tuple[str, ...] = ()  # regexes; a whole line matching one is dropped
    tail_markers: tuple[str, ...] = ()  # regexes; a line matching one ends the article
    titles: tuple[str, ...] = ()  # political titles that introduce a person ("Prime Minister")
    topic_threshold: float = 3.0
    max_topics: int = 3
    date_order: str = "auto"  # "auto", "dmy" or "mdy": how to read 07/03/2023 when the article does not settle it
    nationalities: tuple[tuple[str, str], ...] = ()  # (adjective, country): ("Japanese", "Japan")
    borrow_event_dates: bool = False  # an undated brief takes its event's date (date_basis: event)


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """Site settings parsed once from site.yaml."""

    title: str
    description: str
    base_url: str  # "/" or "https://example.org/briefs/"; always ends with "/"
    language: str
    search: bool  # a search page with a Pagefind index of the briefs; false: neither, and no search box
    ingest: IngestRules
    path: Path
    warnings: tuple[Problem, ...] = ()  # unknown keys and other non-fatal problems in site.yaml


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A block of article text; `kind` is "text", "caption" or "heading"."""

    text: str
    kind: str = "text"


@dataclass(frozen=True, slots=True)
class Article:
    """A raw article after cleaning: headline, byline, outlet and body paragraphs."""

    seed: str  # seed file name
    sha256: str  # of the seed file's bytes
    title: str | None  # headline line, when the article has one
    source: str | None  # outlet named by the text (banner, dateline), else None
    author: str | None  # byline, else None
    head: tuple[str, ...]  # short lines before the body (dates, banners) kept for extraction
    paragraphs: tuple[Paragraph, ...]
    notes: tuple[str, ...] = ()  # what cleaning noticed, e.g. "decoded as cp1252"


@dataclass(frozen=True, slots=True)
class Quote:
    """A direct quotation and the id of the person who said it."""

    speaker: str
    text: str


@dataclass(frozen=True, slots=True)
class Spots:
    """Where each front-matter path ("date", "leaders.1", "body") sits in a brief's file, packed:
    10,000 briefs would otherwise hold a quarter of a million small tuples.

    `keys` is the paths joined by newlines (interned by `of`: briefs with the same keys share one
    string); `places` holds each path's line and column as two unsigned 32-bit numbers, in order.
    """

    keys: str = ""
    places: bytes = b""

    @classmethod
    def of(cls, found: Iterable[tuple[str, tuple[int, int]]]) -> Spots:
        """Spots from (path, (line, column)) pairs, in their order."""
        rows = list(found)
        places = list(chain.from_iterable([place for _, place in rows]))
        return cls(sys.intern("\n".join([key for key, _ in rows])), struct.pack(f"<{len(places)}I", *places))

    def _at(self, key: str) -> tuple[int, int] | None:
        if not self.keys:
            return None
        try:
            index = self.keys.split("\n").index(key)
        except ValueError:
            return None
        line, column = struct.unpack_from("<2I", self.places, 8 * index)
        return line, column

    def line(self, key: str) -> int | None:
        """The file line of a front-matter path, if known."""
        found = self._at(key)
        return found[0] if found else None

    def column(self, key: str) -> int | None:
        """The column of a front-matter path, if known."""
        found = self._at(key)
        return found[1] if found else None


@dataclass(frozen=True, slots=True)
class Brief:
    """A brief: the front matter plus the Markdown body. `slug` is the file stem."""

    slug: str
    title: str
    date: datetime.date | None  # None: the article does not say; flagged for review
    source: str | None
    author: str | None
    leaders: tuple[str, ...]  # person ids, never names
    topics: tuple[str, ...]  # topic ids, strongest first
    summary: str
    seed: str | None
    seed_sha256: str | None
    review: tuple[str, ...]
    body: str  # Markdown; "" in a brief made by briefs.without_body, whose body_sha256 then names it
    published: datetime.date | None = None  # publication date, when the article states one
    date_basis: str | None = None  # "event": `date` was taken from the event this brief joined
    event: str | None = None  # event id: the slug of the event's anchor brief
    quotes: tuple[Quote, ...] = ()  # verified verbatim in the seed at ingest
    people: tuple[Person, ...] = ()  # auto profiles of leaders missing from the registry
    path: Path | None = field(default=None, compare=False)
    spots: Spots = field(default=Spots(), compare=False)
    body_sha256: str | None = None  # see `body`: the SHA-256 of the body left in the file

    def line_of(self, key: str) -> int | None:
        """The file line of a front-matter path ("date", "leaders.1", "body"), if known."""
        return self.spots.line(key)

    def column_of(self, key: str) -> int | None:
        """The column of a front-matter path, if known."""
        return self.spots.column(key)

    def __reduce__(self) -> tuple[Callable[[tuple[object, ...]], Brief], tuple[tuple[object, ...]]]:
        """Pickled as one flat tuple, the path as text and the spots as their two parts: briefs
        cross processes and caches by the ten thousand, and the default way costs twice as long."""
        values: list[object] = [getattr(self, name) for name in _BRIEF_FIELDS]
        values[_PATH] = None if self.path is None else str(self.path)
        values[_SPOTS] = (self.spots.keys, self.spots.places)
        return _brief, (tuple(values),)


_BRIEF_FIELDS = tuple(f.name for f in fields(Brief))
_PATH, _SPOTS = _BRIEF_FIELDS.index("path"), _BRIEF_FIELDS.index("spots")


def _brief(values: tuple[object, ...]) -> Brief:
    """A brief from what Brief.__reduce__ gives (its spots' keys interned again: shared by briefs alike)."""
    found = list(values)
    if found[_PATH] is not None:
        found[_PATH] = Path(found[_PATH])  # type: ignore[arg-type]
    keys, places = cast(tuple[str, bytes], found[_SPOTS])
    found[_SPOTS] = Spots(sys.intern(keys), places)
    return Brief(*found)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Bio:
    """Optional Markdown biography from content/people/<id>.md."""

    person_id: str
    body: str
    path: Path


@dataclass(frozen=True, slots=True)
class Site:
    """Everything a build renders: config, registry, briefs and the id indexes."""

    config: SiteConfig
    registry: Registry
    briefs: Mapping[str, Brief]  # slug -> brief
    order: tuple[str, ...]  # slugs, newest first, undated last
    by_person: Mapping[str, tuple[str, ...]]  # person id -> slugs, newest first
    by_topic: Mapping[str, tuple[str, ...]]  # topic id -> slugs, newest first
    by_event: Mapping[str, tuple[str, ...]]  # event id -> slugs, oldest first
    bios: Mapping[str, Bio]
    warnings: tuple[Problem, ...] = ()


@dataclass(frozen=True, slots=True)
class Page:
    """One page to render: its URL, its template and the context it needs."""

    url: str
    template: str
    context: Mapping[str, object]
    source: Path | None = None  # the file the page comes from, for error messages


@dataclass(frozen=True, slots=True)
class OutputFile:
    """Bytes bound for one path under the output folder."""

    path: str  # POSIX, relative to the output folder
    data: bytes
    source: str = ""  # what produced it, for collision messages
