"""extract.phrases: the trie-guarded pattern finds exactly what the plain alternation of the phrases finds."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.extract.phrases import phrase_pattern

GAPS = (r"\s+", r"[^\S\n]+")


def plain(phrases: list[str], gap: str) -> re.Pattern[str] | None:
    """The rule as first written: every phrase in one alternation, longest first, at every word start."""
    ordered = sorted({" ".join(p.split()) for p in phrases if p.split()}, key=lambda p: (-len(p), p))
    body = "|".join(gap.join(re.escape(w) for w in p.split()) for p in ordered)
    return re.compile(rf"(?<!\w)(?=({body})(?!\w))", re.IGNORECASE) if body else None


def found(pattern: re.Pattern[str] | None, text: str) -> list[tuple[int, int, str]]:
    return [(m.start(1), m.end(1), m.group(1)) for m in pattern.finditer(text)] if pattern else []


# Letters that share prefixes, case pairs re folds one to one (K and the Kelvin sign, ı, ſ, ß), word
# joiners (hyphen, apostrophe, digits), regex metacharacters, and every kind of space.
LETTERS = "abAB" + "kK\u212a" + "iIı" + "sSſß" + "éÉ" + "-'.+*?()[]|\\$^1_"
SPACES = " \t\n\u00a0"
word = st.text(LETTERS, min_size=1, max_size=4)
phrase = st.lists(word, min_size=1, max_size=3).map(" ".join)
text = st.lists(st.one_of(word, st.text(SPACES + ",;", min_size=1, max_size=2)), max_size=30).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.lists(phrase, max_size=8), text, st.sampled_from(GAPS))
def test_the_same_matches_as_the_plain_alternation(phrases: list[str], text: str, gap: str) -> None:
    assert found(phrase_pattern(phrases, gap), text) == found(plain(phrases, gap), text)


@settings(max_examples=200, deadline=None)
@given(st.lists(phrase, min_size=1, max_size=6), st.sampled_from(GAPS), st.data())
def test_texts_made_of_the_phrases_themselves(phrases: list[str], gap: str, data: st.DataObject) -> None:
    """Texts where the phrases do occur (random text rarely holds a phrase of several words)."""
    parts = data.draw(st.lists(st.one_of(st.sampled_from(phrases), st.sampled_from(phrases).map(str.upper),
                                         st.text(SPACES + ",", min_size=1, max_size=2), word), max_size=12))
    joined = "".join(parts)
    assert found(phrase_pattern(phrases, gap), joined) == found(plain(phrases, gap), joined)


@pytest.mark.parametrize(("phrases", "text", "expected"), [
    (["trade", "trade war"], "A trade war, then trade.", ["trade war", "trade"]),  # longest first at a word
    (["war", "trade war"], "trade war", ["trade war", "war"]),  # a phrase inside another counts too
    (["Tô Lâm"], "tô  lâm met TÔ LÂM", ["tô  lâm", "TÔ LÂM"]),  # any case, any run of spaces
    (["xi"], "Xiamen, xi-jinping, Xi.", ["xi", "Xi"]),  # whole words: not inside Xiamen; a hyphen ends a word
    (["a+b (c)"], "a+b (c) and a+b  (c)", ["a+b (c)", "a+b  (c)"]),  # metacharacters are literal
    ([], "anything", []),
    (["  "], "  ", []),  # a phrase of spaces is no phrase
])
def test_examples(phrases: list[str], text: str, expected: list[str]) -> None:
    assert [m[2] for m in found(phrase_pattern(phrases, r"\s+"), text)] == expected


def test_a_phrase_longer_than_re_can_nest_still_matches() -> None:
    """Thousands of phrases branching at every letter: the pattern still finds them."""
    phrases = ["".join("ab"[(n >> k) & 1] for k in range(12)) for n in range(4096)]
    text = " ".join(phrases[::97])
    assert found(phrase_pattern(phrases, r"\s+"), text) == found(plain(phrases, r"\s+"), text)
