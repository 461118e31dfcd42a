"""People rule: registry names in text (diacritics folded, capitals kept) and unknown leaders."""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..model import Registry

_NAME_WORD = re.compile(r" ([^\W\d_][\w-]*(?:['’][^\W\d_][\w-]*)?)")
NOT_NAMES = frozenset(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday the on in at and of".split()
)


@dataclass(frozen=True, slots=True)
class Mention:
    """A registry name found in text: span, person id, and whether it was a full name."""

    start: int
    end: int
    person_id: str
    full: bool


def _fold_char(char: str) -> str:
    if char < "\x80":
        return char
    if char in "đĐ":
        return "d" if char == "đ" else "D"
    bare = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
    return bare if len(bare) == 1 else char


def fold(text: str) -> str:
    """Diacritics removed character by character (đ -> d); case and length are kept."""
    return "".join(_fold_char(c) for c in unicodedata.normalize("NFC", text))


def _forms(registry: Registry) -> list[tuple[str, str, bool]]:
    """(folded form, person id, is full name) for every name, alias and short form."""
    forms: list[tuple[str, str, bool]] = []
    for person in registry.people.values():
        for name in (person.name, *person.aliases):
            forms.append((" ".join(fold(name).split()), person.id, True))
        for short in person.short:
            forms.append((" ".join(fold(short).split()), person.id, False))
    return [f for f in forms if f[0]]


def _capitalised_like(form: str, matched: str) -> bool:
    """Each word capitalised in the registry form must be capitalised in the text."""
    for want, got in zip(form.split(), matched.split(), strict=False):
        if want[:1].isupper() and not got[:1].isupper():
            return False
    return True


def find_mentions(text: str, registry: Registry) -> list[Mention]:
    """Non-overlapping registry mentions in order; full names win overlaps, longest first."""
    folded = fold(text)
    candidates: list[Mention] = []
    for form, pid, full in _forms(registry):
        words = r"[^\S\n]+".join(re.escape(w) for w in form.split())
        pattern = re.compile(rf"(?<!\w)(?=({words})(?!\w))", re.IGNORECASE)
        for match in pattern.finditer(folded):
            if _capitalised_like(form, match.group(1)):
                candidates.append(Mention(match.start(1), match.end(1), pid, full))
    fulls = _greedy([m for m in candidates if m.full])
    starts = [m.start for m in fulls]

    def free(m: Mention) -> bool:
        i = bisect.bisect_right(starts, m.start)
        return (i == 0 or fulls[i - 1].end <= m.start) and (i == len(fulls) or m.end <= fulls[i].start)

    shorts = _greedy([m for m in candidates if not m.full and free(m)])
    chosen = sorted(fulls + shorts, key=lambda m: m.start)
    seen: set[str] = set()
    counted: list[Mention] = []
    for mention in chosen:
        if mention.full:
            seen.add(mention.person_id)
        if mention.full or mention.person_id in seen:
            counted.append(mention)
    return counted


def _greedy(mentions: list[Mention]) -> list[Mention]:
    """Leftmost, then longest, non-overlapping mentions."""
    kept: list[Mention] = []
    for mention in sorted(mentions, key=lambda m: (m.start, -(m.end - m.start), m.person_id)):
        if not kept or mention.start >= kept[-1].end:
            kept.append(mention)
    return kept


def leaders(texts: Sequence[str], registry: Registry) -> tuple[str, ...]:
    """Person ids named in `texts`, ordered by first appearance."""
    ordered: dict[str, None] = {}
    for mention in find_mentions("\n\n".join(texts), registry):
        ordered.setdefault(mention.person_id, None)
    return tuple(ordered)


def _title_pattern(titles: Iterable[str]) -> re.Pattern[str] | None:
    words = sorted({t.strip() for t in titles if t.strip()}, key=lambda t: (-len(t), t))
    if not words:
        return None
    alternatives = "|".join(r"\s+".join(re.escape(w) for w in t.split()) for t in words)
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")


def unregistered(
    texts: Sequence[str], registry: Registry, titles: Sequence[str]
) -> tuple[str, ...]:
    """Names of 2-4 capitalised words right after a political title that the registry lacks."""
    pattern = _title_pattern(titles)
    if pattern is None:
        return ()
    known = [re.compile(rf"(?<!\w){re.escape(form.casefold())}(?!\w)")
             for form, _, _ in _forms(registry)]
    names: dict[str, None] = {}
    for text in texts:
        for match in pattern.finditer(text):
            words = _name_run(text, match.end())
            if not 2 <= len(words) <= 4:
                continue
            name = " ".join(words)
            folded = fold(name).casefold()
            if not any(k.search(folded) for k in known):
                names.setdefault(name, None)
    return tuple(names)


def _name_run(text: str, pos: int) -> list[str]:
    """The capitalised words directly after `pos` (stopping at punctuation or a lowercase word)."""
    words: list[str] = []
    while len(words) < 5:
        match = _NAME_WORD.match(text, pos)
        if match is None:
            break
        word = match.group(1)
        if not word[:1].isupper() or word.casefold() in NOT_NAMES:
            break
        bare = re.sub(r"['’]s$", "", word)
        words.append(bare)
        pos = match.end()
        if bare != word:
            break
    return words
