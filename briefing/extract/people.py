"""People rule: registry names in text (diacritics folded, capitals kept), short references, leaders.

A full name (or alias) is a mention anywhere. A short reference counts only after a full name of the
same person earlier in the article, and only when exactly one person so named could be meant:
a registry `short` form ("Xi", "Lam"), an honorific or title plus the first or last word of a full
name ("Mr. Kishida", "Premier Wang", "President Widodo"), or, for people discovered in the article,
that word alone ("Kishida said"). "Mr. Wang" after both Wang Yi and Wang Xiaohong is nobody.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..model import Person, Registry
from .discover import discover, unregistered
from .names import clean_name, fold, fold_map, name_keys
from .participation import is_place, participates
from .phrases import phrase_pattern

__all__ = ["Mention", "discover", "find_mentions", "fold", "leaders", "participants", "unregistered"]

HONORIFICS = ("Mr", "Mrs", "Ms", "Dr", "Madam", "Mme", "Mdm")


@dataclass(frozen=True, slots=True)
class Mention:
    """A person found in text: span, person id, and whether it was a full name."""

    start: int
    end: int
    person_id: str
    full: bool


def _forms(people: Iterable[Person]) -> list[tuple[str, str, bool]]:
    """(folded form, person id, is full name) for every name, alias and short form."""
    forms: list[tuple[str, str, bool]] = []
    for person in people:
        for name in (person.name, *person.aliases):
            forms.append((clean_name(name), person.id, True))
        for short in person.short:
            forms.append((clean_name(short), person.id, False))
    return [f for f in forms if f[0]]


@dataclass(frozen=True, slots=True)
class _Matcher:
    """Everything find_mentions needs about a set of people, built once per set."""

    pattern: re.Pattern[str] | None  # any form, longest first, as a lookahead (overlaps allowed)
    by_text: dict[str, tuple[tuple[str, str, bool], ...]]  # casefolded form -> (form, id, full)
    keys: dict[str, frozenset[str]]  # a short word -> who it may name


@functools.lru_cache(maxsize=16)
def _matcher(people: tuple[Person, ...]) -> _Matcher:
    forms = _forms(people)
    by_text: dict[str, list[tuple[str, str, bool]]] = {}
    for form in forms:
        by_text.setdefault(" ".join(form[0].split()).casefold(), []).append(form)
    pattern = phrase_pattern(by_text, r"[^\S\n]+")  # names of people, never across a line break
    keys: dict[str, set[str]] = {}
    for person in people:
        for name in (person.name, *person.aliases):
            for key in name_keys(name):
                keys.setdefault(key, set()).add(person.id)
    return _Matcher(pattern, {k: tuple(v) for k, v in by_text.items()},
                    {k: frozenset(v) for k, v in keys.items()})


def _found(folded: str, matcher: _Matcher) -> list[tuple[int, int, str]]:
    """(start, end, text) of the longest form at each word where one starts, in order."""
    return [(m.start(1), m.end(1), m.group(1)) for m in matcher.pattern.finditer(folded)] if matcher.pattern else []


def _longest(one: list[tuple[int, int, str]], other: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Both patterns' finds, the longer where both start at one word: what one pattern of all their
    forms finds (at a word, every form that fits spans a longer or shorter stretch of the same text)."""
    best = {start: (start, end, text) for start, end, text in one}
    for start, end, text in other:
        if start not in best or end > best[start][1]:
            best[start] = (start, end, text)
    return [best[start] for start in sorted(best)]


def _joined(first: _Matcher, then: _Matcher) -> _Matcher:
    """The lookups of a matcher of `first`'s people followed by `then`'s (its pattern: none; see _longest)."""
    by_text = dict(first.by_text)
    for text, forms in then.by_text.items():
        by_text[text] = by_text.get(text, ()) + forms
    keys = dict(first.keys)
    for key, ids in then.keys.items():
        keys[key] = keys.get(key, frozenset()) | ids
    return _Matcher(None, by_text, keys)


def _capitalised_like(form: str, matched: str) -> bool:
    """Each word capitalised in the registry form must be capitalised in the text."""
    for want, got in zip(form.split(), matched.split(), strict=False):
        if want[:1].isupper() and not got[:1].isupper():
            return False
    return True


def _reference_pattern(titles: Sequence[str]) -> re.Pattern[str]:
    """An honorific or title, then one capitalised word: the word is group 1."""
    words = sorted({*HONORIFICS, *(t.strip() for t in titles if t.strip())}, key=lambda t: (-len(t), t))
    alternatives = "|".join(r"\s+".join(re.escape(w) for w in t.split()) for t in words)
    return re.compile(rf"(?<![\w-])(?:{alternatives})\.?\s+([A-Z][\w-]*)(?![\w-])")


def find_mentions(
    text: str, registry: Registry, extra: Sequence[Person] = (), titles: Sequence[str] = ()
) -> list[Mention]:
    """Mentions in order: full names win overlaps (longest first); short references only when unambiguous.

    `extra` are people discovered in the article (not in the registry); `titles` are the political
    titles that may stand before a surname ("Premier Wang").
    """
    folded, starts = fold_map(text)
    matcher = _matcher(tuple(registry.people.values()))  # compiled once per registry, not once per article
    found = _found(folded, matcher)
    if extra:  # the people this article introduces: a small pattern of their own, its finds merged in
        own = _matcher(tuple(extra))
        found = _longest(found, _found(folded, own))
        matcher = _joined(matcher, own)
    candidates: list[Mention] = []
    places: list[Mention] = []  # "Ho Chi Minh City": no person, and no short reference inside either
    for start, end, matched in found:
        for form, pid, full in matcher.by_text[" ".join(matched.split()).casefold()]:
            if _capitalised_like(form, matched):
                mention = Mention(start, end, pid, full)
                (places if full and is_place(folded, end) else candidates).append(mention)
    fulls = _greedy([m for m in candidates if m.full])
    first_full: dict[str, int] = {}
    for mention in fulls:
        first_full.setdefault(mention.person_id, mention.start)

    keys = matcher.keys  # a short word -> who it may name
    discovered = {p.id for p in extra}
    shorts = [m for m in candidates if not m.full]
    for match in _reference_pattern(titles).finditer(folded):
        for pid in keys.get(match.group(1), ()):
            shorts.append(Mention(match.start(), match.end(), pid, False))
    for key, pids in keys.items() if discovered else ():  # bare surnames only for people found in this article
        bare = [pid for pid in pids if pid in discovered]
        if bare and key[:1].isupper():
            for match in re.finditer(rf"(?<![\w-]){re.escape(key)}(?![\w-])", folded):
                shorts.extend(Mention(match.start(), match.end(), pid, False) for pid in bare)

    chosen = fulls + _resolve_shorts(shorts, fulls + places, first_full)
    return [Mention(starts[m.start], starts[m.end], m.person_id, m.full) for m in sorted(chosen, key=lambda m: m.start)]


def _resolve_shorts(shorts: list[Mention], taken: list[Mention], first_full: dict[str, int]) -> list[Mention]:
    """Short references outside full names and places that name exactly one person already named in full."""
    blocked = _merged((m.start, m.end) for m in taken)
    block_starts = [start for start, _ in blocked]
    known: dict[tuple[int, int], set[str]] = {}
    for mention in shorts:
        at = bisect.bisect_left(block_starts, mention.end) - 1  # the last blocked span starting before its end
        if at >= 0 and blocked[at][1] > mention.start:
            continue
        if first_full.get(mention.person_id, mention.end) < mention.start:
            known.setdefault((mention.start, mention.end), set()).add(mention.person_id)
    spans = sorted(known)
    starts = [start for start, _ in spans]
    longest = max((end - start for start, end in spans), default=0)
    resolved: list[Mention] = []
    for start, end in spans:
        near = spans[bisect.bisect_left(starts, start - longest): bisect.bisect_left(starts, end)]
        overlapping = set().union(*(known[(a, b)] for a, b in near if a < end and start < b))
        if len(overlapping) == 1:  # "Premier Wang" and "Wang" must agree on one person
            resolved.append(Mention(start, end, next(iter(known[(start, end)])), False))
    return _greedy(resolved)


def _merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping (start, end) spans merged into disjoint ones, in order."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _greedy(mentions: list[Mention]) -> list[Mention]:
    """Leftmost, then longest, non-overlapping mentions."""
    kept: list[Mention] = []
    for mention in sorted(mentions, key=lambda m: (m.start, -(m.end - m.start), m.person_id)):
        if not kept or mention.start >= kept[-1].end:
            kept.append(mention)
    return kept


def participants(text: str, mentions: Sequence[Mention]) -> tuple[str, ...]:
    """Ids of the people who take part, in order: named in full at least once not historically."""
    ordered = [m.person_id for m in mentions if m.full and participates(text, m.start, m.end)]
    return tuple(dict.fromkeys(ordered))


def leaders(
    texts: Sequence[str], registry: Registry, extra: Sequence[Person] = (), titles: Sequence[str] = ()
) -> tuple[str, ...]:
    """Ids of the people who take part in `texts` (see `participants`)."""
    text = "\n\n".join(texts)
    return participants(text, find_mentions(text, registry, extra, titles))
