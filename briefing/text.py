"""Cutting text for excerpts and messages without splitting a user-perceived character.

A small approximation of Unicode's extended grapheme clusters (UAX #29), enough that a cut never
lands inside an emoji ZWJ sequence, before a combining mark, variation selector, emoji skin-tone
modifier or tag character, between the two flags of a regional-indicator pair, between CR and
LF, inside a Hangul jamo syllable, after a virama in an Indic conjunct, or between the two halves
of a (lone, surrogate-escaped) surrogate pair. No dependency beyond `unicodedata`.
"""

from __future__ import annotations

import unicodedata

ZWJ = "\u200d"
_EXTEND_RANGES = (
    (0x200C, 0x200D),  # ZWNJ, ZWJ
    (0xFE00, 0xFE0F),  # variation selectors (also category Mn; listed for clarity)
    (0xFF9E, 0xFF9F),  # halfwidth katakana voiced sound marks (Grapheme_Extend, category Lm)
    (0x1F3FB, 0x1F3FF),  # emoji skin-tone modifiers
    (0xE0020, 0xE007F),  # tag characters (subdivision flags)
    (0xE0100, 0xE01EF),  # variation selectors supplement
)
_REGIONAL = (0x1F1E6, 0x1F1FF)
_JAMO_LEADING = ((0x1100, 0x115F), (0xA960, 0xA97F))
_JAMO_FOLLOWING = ((0x1160, 0x11FF), (0xD7B0, 0xD7FF))  # medial vowels and final consonants
_VIRAMA = 9  # canonical combining class of viramas


def _within(char: str, ranges: tuple[tuple[int, int], ...]) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in ranges)


def _extends(char: str) -> bool:
    """Does `char` attach to the character before it (combining mark, selector, modifier, joiner)?"""
    return unicodedata.category(char).startswith("M") or _within(char, _EXTEND_RANGES)


def _regional(char: str) -> bool:
    return _REGIONAL[0] <= ord(char) <= _REGIONAL[1]


def is_boundary(text: str, index: int) -> bool:
    """May `text` be cut before `text[index]` without splitting a grapheme cluster?"""
    if index <= 0 or index >= len(text):
        return True
    before, after = text[index - 1], text[index]
    if before == "\r" and after == "\n":
        return False
    if unicodedata.category(before) in ("Cc", "Zl", "Zp"):
        return True  # nothing extends a control or a line break
    if _extends(after) or before == ZWJ:
        return False
    if "\ud800" <= before <= "\udbff" and "\udc00" <= after <= "\udfff":
        return False
    if unicodedata.combining(before) == _VIRAMA and after.isalpha():
        return False  # an Indic conjunct: consonant + virama + consonant
    if _within(after, _JAMO_FOLLOWING) and (_within(before, _JAMO_LEADING + _JAMO_FOLLOWING)
                                            or 0xAC00 <= ord(before) <= 0xD7A3):
        return False
    if _within(before, _JAMO_LEADING) and _within(after, _JAMO_LEADING + _JAMO_FOLLOWING):
        return False
    if _regional(before) and _regional(after):
        run = 0
        while index - 1 - run >= 0 and _regional(text[index - 1 - run]):
            run += 1
        return run % 2 == 0  # flags pair up from the start of the run
    return True


def boundary_at_or_before(text: str, index: int) -> int:
    """The last cluster boundary at or before `index` (0 when the first cluster is longer)."""
    index = max(0, min(index, len(text)))
    while not is_boundary(text, index):
        index -= 1
    return index


def clip(text: str, limit: int, marker: str = "…") -> str:
    """`text` cut to at most `limit` code points (marker included) at a cluster boundary.

    A cut prefers the last space in the second half of the allowance, so words stay whole where
    the text has spaces; languages written without them are cut between clusters. Text that
    fits is returned unchanged.
    """
    if len(text) <= limit:
        return text
    room = max(0, limit - len(marker))
    cut = boundary_at_or_before(text, room)
    space = max(text.rfind(" ", 0, cut + 1), text.rfind("\u00a0", 0, cut + 1))
    if space > room // 2:
        cut = boundary_at_or_before(text, space)
    return text[:cut].rstrip() + marker
