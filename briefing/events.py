"""Event grouping: briefs that report the same event share an event id. Pure functions, no I/O.

Two briefs are linked when they share a leader, their dates are within WINDOW_DAYS of each other
(or either is undated) and the TF-IDF cosine of the word bigrams of their title and body (stop
words removed) is at least THRESHOLD. Links are merged strongest first (Kruskal-style union-find)
under three guards against chaining: the dated members of a group stay within WINDOW_DAYS of its
earliest date, all members name at least one leader in common, and a group holds at most one
owner (an event id that an existing brief already carries, or an existing brief without `event:`,
which can only be its group's anchor). The id of a group without an owner is the slug of its
anchor: the earliest-dated member, undated last, ties by slug. A date taken from an event
(`date_basis: event`) is no evidence: such a brief counts as undated here."""

from __future__ import annotations

import dataclasses
import datetime
import math
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence

from .model import Brief

WINDOW_DAYS = 3
THRESHOLD = 0.13  # measured on the seeds: same talks 0.15-0.18, different events 0.11 or less

STOP_WORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have having
he her here hers herself him himself his how i if in into is it its itself just me more most my myself no
nor not now of off on once only or other our ours ourselves out over own same she should so some such than
that the their theirs them themselves then there these they this those through to too under until up very
was we were what when where which while who whom why will with would you your yours yourself yourselves
said says say told according mr ms mrs per via while whose upon
""".split())
_WORD = re.compile(r"[a-z0-9]+")


def tokens(text: str) -> list[str]:
    """Lowercase word tokens with diacritics folded, stop words, single characters and Markdown dropped."""
    plain = text.casefold()
    if not plain.isascii():
        folded = unicodedata.normalize("NFKD", plain)
        plain = "".join(c for c in folded if not unicodedata.combining(c)).replace("đ", "d")
    return [w for w in _WORD.findall(plain) if len(w) > 1 and w not in STOP_WORDS]


def bigrams(text: str) -> list[str]:
    """Word bigrams of `tokens`, taken line by line so none spans a title and a paragraph."""
    out: list[str] = []
    for line in text.split("\n"):
        words = tokens(line)
        out.extend(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))
    return out


def vectors(texts: Sequence[str], grams: Sequence[str | None] = (),
            wanted: Sequence[bool] = ()) -> list[dict[str, float]]:
    """Unit TF-IDF vectors of word bigrams: sublinear term frequency, smoothed idf over `texts`.

    `grams` may hold each text's `bigrams` already, joined by newlines (ingest's workers compute
    them; one string per text is far smaller than a list); None: not yet. With `wanted`, only
    those texts get a vector (the others {}), though every text counts towards the idf.
    Bigrams are interned, and each text's counts are dropped as soon as they are a vector:
    10,000 texts held a gigabyte of copies of the same strings.
    """
    known = list(grams) or [None] * len(texts)
    df: Counter[str] = Counter()
    counts: list[Counter[str] | None] = []
    for i, (text, found) in enumerate(zip(texts, known, strict=True)):
        words = bigrams(text) if found is None else found.split("\n") if found else []
        count = Counter(map(sys.intern, words))
        df.update(count.keys())
        counts.append(count if not wanted or wanted[i] else None)
    n = len(texts)
    idf = {w: math.log((1 + n) / (1 + d)) + 1.0 for w, d in df.items()}  # once per word, not per use
    del df
    out: list[dict[str, float]] = []
    for i, held in enumerate(counts):
        if held is None:
            out.append({})
            continue
        counts[i] = None
        # Most bigrams occur once (weight exactly 1.0); cosine and the norm use fsum, so order is moot.
        vector = {w: (1.0 if c == 1 else 1.0 + math.log(c)) * idf[w] for w, c in held.items()}
        norm = math.sqrt(math.fsum(v * v for v in vector.values()))
        out.append({w: v / norm for w, v in vector.items()} if norm else {})
    return out


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Dot product of two unit vectors; fsum rounds once, so the order of terms cannot change it."""
    if len(a) > len(b):
        a, b = b, a
    return math.fsum(v * b[w] for w, v in a.items() if w in b)


def similarities(briefs: Sequence[Brief]) -> dict[tuple[str, str], float]:
    """TF-IDF cosine of title + body for every pair of slugs (a < b), over these briefs only."""
    ordered = sorted(briefs, key=lambda b: b.slug)
    vecs = vectors([_text(b) for b in ordered])
    return {(ordered[i].slug, ordered[j].slug): cosine(vecs[i], vecs[j])
            for i in range(len(ordered)) for j in range(i + 1, len(ordered))}


def brief_bigrams(brief: Brief) -> list[str]:
    """The bigrams event grouping compares a brief by (its title and body)."""
    return bigrams(_text(brief))


def _text(brief: Brief) -> str:
    return f"{brief.title}\n{brief.body}"


def evidence_date(brief: Brief) -> datetime.date | None:
    """The brief's own date, or None when it is undated or took its date from an event."""
    return None if brief.date_basis == "event" else brief.date


def candidate_pairs(briefs: Sequence[Brief]) -> set[tuple[str, str]]:
    """(a, b) with a < b for every two briefs that share a leader and whose dates are at most
    WINDOW_DAYS apart (an undated brief is near every date)."""
    by_slug = {b.slug: b for b in briefs}
    pairs: set[tuple[str, str]] = set()
    by_leader: dict[str, list[str]] = defaultdict(list)
    for brief in sorted(briefs, key=lambda b: b.slug):
        for leader in dict.fromkeys(brief.leaders):
            by_leader[leader].append(brief.slug)
    dates = {slug: evidence_date(b) for slug, b in by_slug.items()}
    day = {slug: d.toordinal() if d else None for slug, d in dates.items()}
    for slugs in by_leader.values():  # pairs within WINDOW_DAYS by a sliding window; undated pair with all
        dated = sorted((ordinal, s) for s in slugs if (ordinal := day[s]) is not None)
        for i, (first, a) in enumerate(dated):
            for second, b in dated[i + 1:]:
                if second - first > WINDOW_DAYS:
                    break
                pairs.add((a, b) if a < b else (b, a))
        for a in (s for s in slugs if day[s] is None):
            pairs.update((a, b) if a < b else (b, a) for b in slugs if b != a)
    return pairs


def links(briefs: Sequence[Brief], grams: Mapping[str, str] | None = None) -> list[tuple[float, str, str]]:
    """(similarity, slug, slug) for every linked pair, strongest first, ties by slugs."""
    by_slug = {b.slug: b for b in briefs}
    pairs = candidate_pairs(briefs)
    if not pairs:
        return []
    ordered = sorted(by_slug)
    known = [grams.get(s) for s in ordered] if grams else []
    paired = {slug for pair in pairs for slug in pair}  # only these are compared; all count for the idf
    vec = dict(zip(ordered, vectors([_text(by_slug[s]) for s in ordered], known, [s in paired for s in ordered]),
                   strict=True))
    scored = [(cosine(vec[a], vec[b]), a, b) for a, b in pairs]
    return sorted(((s, a, b) for s, a, b in scored if s >= THRESHOLD), key=lambda t: (-t[0], t[1], t[2]))


@dataclasses.dataclass(slots=True)
class _Group:
    members: set[str]
    owner: str | None  # event id fixed by an existing brief
    leaders: frozenset[str]  # the leaders every member names
    first: datetime.date | None
    last: datetime.date | None


def _merged(a: _Group, b: _Group, force: bool = False) -> _Group | None:
    """The union of two groups, or None when it would break a guard (unless `force`)."""
    if a.owner is not None and b.owner is not None and a.owner != b.owner:
        return None
    dates = [d for d in (a.first, a.last, b.first, b.last) if d is not None]
    first, last = (min(dates), max(dates)) if dates else (None, None)
    leaders = a.leaders & b.leaders
    if not force and (not leaders or (first is not None and last is not None and (last - first).days > WINDOW_DAYS)):
        return None
    return _Group(a.members | b.members, a.owner or b.owner, leaders, first, last)


def anchor_key(brief: Brief, existing: Collection[str] = frozenset()) -> tuple[bool, bool, datetime.date, str]:
    """Sort key for choosing an anchor: existing briefs first, then earliest date, undated last, then slug."""
    date = evidence_date(brief)
    return (brief.slug not in existing, date is None, date or datetime.date.min, brief.slug)


def group_events(briefs: Sequence[Brief], existing: Collection[str] = frozenset(),
                 grams: Mapping[str, str] | None = None) -> dict[str, str]:
    """Slug -> event id for every brief that carries an event or belongs to a group of two or more.

    `existing` names the briefs this run will not write: a brief among them keeps its `event:`, and
    one without an `event:` is an event only as its anchor (its slug is the id). `grams`: slug ->
    the bigrams of its text, where already known.
    """
    by_slug = {b.slug: b for b in briefs}
    parent = {slug: slug for slug in by_slug}
    groups: dict[str, _Group] = {}

    def find(slug: str) -> str:
        while parent[slug] != slug:
            parent[slug] = parent[parent[slug]]
            slug = parent[slug]
        return slug

    def union(a: str, b: str, force: bool = False) -> None:
        ra, rb = sorted((find(a), find(b)))
        if ra == rb:
            return
        merged = _merged(groups[ra], groups[rb], force)  # an owner's members stay together regardless
        if merged is None:
            return
        parent[rb] = ra
        groups[ra] = merged
        del groups[rb]

    for slug, brief in sorted(by_slug.items()):
        date = evidence_date(brief)
        owner = brief.event if brief.event else (slug if slug in existing else None)
        groups[slug] = _Group({slug}, owner, frozenset(brief.leaders), date, date)
    owners: dict[str, list[str]] = defaultdict(list)
    for slug in sorted(by_slug):
        if groups[slug].owner is not None:
            owners[str(groups[slug].owner)].append(slug)
    for owner, slugs in sorted(owners.items()):
        if owner in by_slug and by_slug[owner].event is None and owner not in slugs:
            slugs.append(owner)  # the anchor of an event others name, written without `event:`
        for slug in slugs[1:]:
            union(slugs[0], slug, force=True)
    for _, a, b in links(list(by_slug.values()), grams):
        union(a, b)

    out: dict[str, str] = {}
    for group in (groups[root] for root in sorted(groups)):
        if group.owner is not None:
            event = group.owner
        else:
            event = min((by_slug[s] for s in group.members), key=lambda b: anchor_key(b, existing)).slug
        for slug in sorted(group.members):
            if by_slug[slug].event:
                out[slug] = str(by_slug[slug].event)
            elif len(group.members) > 1:
                out[slug] = event
    return out


def event_dates(briefs: Iterable[Brief], events: Mapping[str, str]) -> dict[str, datetime.date]:
    """Event id -> the earliest own date among its members (briefs with no own date do not count)."""
    out: dict[str, datetime.date] = {}
    for brief in briefs:
        event, date = events.get(brief.slug), evidence_date(brief)
        if event is not None and date is not None and (event not in out or date < out[event]):
            out[event] = date
    return out


def join_event(brief: Brief, event: str | None, date: datetime.date | None) -> Brief:
    """The brief in `event`; an undated one takes `date` with date_basis "event" and a date-from-event review."""
    brief = dataclasses.replace(brief, event=event)
    if event is None or brief.date is not None or date is None:
        return brief
    review = tuple("date-from-event" if item == "date-missing" else item for item in brief.review)
    if "date-from-event" not in review:
        review += ("date-from-event",)
    return dataclasses.replace(brief, date=date, date_basis="event", review=review)
