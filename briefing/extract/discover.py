"""Discovery rule: people introduced by a political title whom the registry lacks get an auto profile.

"Japanese Prime Minister Fumio Kishida" -> Person("fumio-kishida", "Fumio Kishida", role="Prime Minister",
country="Japan"). The name is 2-4 capitalised words right after a title from `ingest.titles`; the country
comes from a nationality adjective ("Japanese"), a possessive ("Japan's") or "of Japan" found next to the
title, looked up in `ingest.nationalities`, else it is left empty. Whether a discovered person is a leader
(takes part) is the participation rule's decision, not this one's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from slugify import slugify

from ..model import Person, Registry
from .names import clean_name

_NAME_WORD = re.compile(r"[^\S\n]+([^\W\d_][\w-]*(?:['’][^\W\d_][\w-]*)?\.?)")
PARTICLES = frozenset("bin binti bint van der den de da dos del von al el la le".split())
NOT_NAMES = frozenset(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday the on in at and of".split()
)
STOP_WORDS = frozenset(w.casefold() for w in (
    "Administration", "Government", "Office", "Cabinet", "Ministry", "Committee", "Council", "Party", "Palace",
    "House", "Summit", "Group", "Initiative", "Declaration", "Agreement", "City", "Province", "Mausoleum",
    "Museum", "Memorial", "University", "Airport", "Thought", "Doctrine", "Foundation", "Institute", "Academy",
))  # words that end a name run ("President Biden Administration"); never surnames such as Park or Hall
MAX_WORDS = 4
_TITLE_CHAIN = r"(?:(?:[A-Z][\w-]*|and|of|the)\s+){0,6}"  # "Lao Deputy Prime Minister and [Foreign Minister]"
_QUALIFIER = re.compile(r"(?i:\b(former|ex-|outgoing|acting|interim|then-?))\s*$")


def _title_pattern(titles: Iterable[str]) -> re.Pattern[str] | None:
    words = sorted({t.strip() for t in titles if t.strip()}, key=lambda t: (-len(t), t))
    if not words:
        return None
    alternatives = "|".join(r"\s+".join(re.escape(w) for w in t.split()) for t in words)
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")


def name_run(text: str, pos: int, title_words: frozenset[str] = frozenset()) -> list[str]:
    """The capitalised words directly after `pos`, with name particles ("bin") and "Jr." kept."""
    words: list[str] = []
    while len(words) < MAX_WORDS + 3:
        match = _NAME_WORD.match(text, pos)
        if match is None:
            break
        word = match.group(1)
        bare_word = word.rstrip(".")
        if bare_word.casefold() in ("jr", "sr") and words:
            words.append(bare_word + ".")
            break
        if word.endswith(".") and len(bare_word) > 1:
            word = bare_word  # a full stop ends the sentence, not the name
        if word.casefold() in PARTICLES and words:
            nxt = _NAME_WORD.match(text, match.end())
            if nxt is None or not nxt.group(1)[:1].isupper():
                break
        elif not word[:1].isupper() or word.casefold() in NOT_NAMES | title_words | STOP_WORDS:
            break
        bare = re.sub(r"['’]s$", "", word)
        words.append(bare)
        pos = match.start(1) + len(word)
        if bare != word or word != match.group(1):
            break
    while words and words[-1].casefold() in PARTICLES:
        words.pop()
    return words


def _country(text: str, start: int, end: int, nationalities: Sequence[tuple[str, str]]) -> tuple[str, int]:
    """The country named next to the title at text[start:end], and where the name may begin."""
    before = text[max(0, start - 80) : start]
    for adjective, country in sorted(nationalities, key=lambda item: -len(item[0])):
        if re.search(rf"(?<![\w.]){re.escape(adjective)}\s+{_TITLE_CHAIN}$", before):
            return country, end
    countries = sorted({c for _, c in nationalities}, key=len, reverse=True)
    for country in countries:
        if re.search(rf"(?<![\w.]){re.escape(country)}['’]s\s+{_TITLE_CHAIN}$", before):
            return country, end
    for country in countries:
        match = re.compile(rf"\s+of\s+(?:the\s+)?{re.escape(country)}(?=\s)").match(text, end)
        if match:
            return country, match.end()
    return "", end


def discover(
    texts: Sequence[str], registry: Registry, titles: Sequence[str],
    nationalities: Sequence[tuple[str, str]] = (),
) -> tuple[Person, ...]:
    """Profiles of people a title introduces who are not in the registry, in order of appearance."""
    pattern = _title_pattern(titles)
    if pattern is None:
        return ()
    title_words = frozenset(w.casefold() for t in titles for w in t.split())
    known = [re.compile(rf"(?<!\w){re.escape(clean_name(n).casefold())}(?!\w)")
             for p in registry.people.values() for n in (p.name, *p.aliases) if clean_name(n)]
    found: dict[str, Person] = {}
    for text in texts:
        for match in pattern.finditer(text):
            country, pos = _country(text, match.start(), match.end(), nationalities)
            words = name_run(text, pos, title_words)
            if not 2 <= len([w for w in words if w.casefold() not in PARTICLES]) <= MAX_WORDS:
                continue
            name = " ".join(words)
            pid = slugify(name, separator="-", lowercase=True)
            if not pid or pid in registry.people or any(k.search(clean_name(name).casefold()) for k in known):
                continue
            role = " ".join(match.group(0).split())
            qualifier = _QUALIFIER.search(text[max(0, match.start() - 12) : match.start()])
            if qualifier:  # "former Prime Minister Hun Sen" is no prime minister
                role = f"{qualifier.group(1).capitalize()} {role}".replace("- ", "-")
            old = found.get(pid)
            if old is None:
                found[pid] = Person(id=pid, name=name, role=role, country=country)
            elif not old.country and country:
                found[pid] = Person(id=pid, name=old.name, role=old.role, country=country)
    return tuple(found.values())


def unregistered(texts: Sequence[str], registry: Registry, titles: Sequence[str]) -> tuple[str, ...]:
    """Names of 2-4 capitalised words right after a political title that the registry lacks."""
    return tuple(person.name for person in discover(texts, registry, titles))
