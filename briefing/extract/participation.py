"""Participation rule: whether a mention of a person is someone taking part in the story.

A person takes part when named in full at least once other than historically. Historical mentions:
"the late President Ho Chi Minh", "founding father", "founder", "the friendship forged by Chairman Mao
Zedong", "Ho Chi Minh (1890–1969)", "Ho Chi Minh's mausoleum", "tribute to President Ho Chi Minh",
"since his meeting with President Joe Biden", or only as the author of an idea ("the initiative
proposed by President Xi Jinping"). Short references ("Xi") never make anyone a leader on their own.
A name followed by a place word ("Ho Chi Minh City") is no person at all. Bylines and photo credits
never reach the text this rule sees (cleaning removes them).
"""

from __future__ import annotations

import re

PLACE_WORDS = (
    "City", "Province", "Mausoleum", "Museum", "Memorial", "Trail", "Square", "Street", "Road", "Avenue",
    "Boulevard", "Airport", "University", "Thought", "Prize", "Award", "Bridge", "Park", "Hall", "Station",
    "Foundation", "Institute", "Academy", "Campaign", "Era", "Doctrine", "Administration",
)
_PLACE = re.compile(r"[^\S\n]+(?:" + "|".join(PLACE_WORDS) + r")\b")
_TITLE_RUN = r"(?:(?:[A-Z][\w.'’-]*|of|the|and)\s+){0,6}"  # title words between a marker and the name
_HISTORICAL_BEFORE = re.compile(
    r"(?:\b(?i:the\s+)?(?i:late)\s+" + _TITLE_RUN
    + r"|\b(?i:founding)\s+" + _TITLE_RUN
    + r"|\b(?i:founders?|founding\s+fathers?)"
    + r"(?:\s+of\s+(?:the\s+)?[A-Z][\w'’-]*(?:\s+(?:of|the|and|[A-Z][\w'’-]*))*)?,?\s+"
    + _TITLE_RUN
    + r"|\b(?i:forged|nurtured|cultivated|laid|pioneered|founded|built\s+up)\s+by\b[^.;:!?\n]{0,60}"
    + r"|\b(?i:proposed|put\s+forward|initiated|championed)\s+by\s+" + _TITLE_RUN
    + r"|\b(?i:legacy|teachings?|memory|tomb|mausoleum|portrait|statue|testament)\s+of\s+" + _TITLE_RUN
    + r"|\b(?i:tributes?\s+to)\s+" + _TITLE_RUN
    + r"|\b(?i:since\s+(?:his|her|their|the))\b[^.;:!?\n]{0,60}"
    + r")$"
)
_HISTORICAL_AFTER = re.compile(
    r"^(?:\s*\(\s*\d{4}\s*[–-]\s*\d{4}\s*\)"
    r"|['’]s\s+(?i:mausoleum|legacy|teachings?|thought|ideology|testament|portrait|statue|memorial|tomb|birthday|birth)"
    r"|,?\s+who\s+(?i:died|founded|passed\s+away|led\s+the\s+(?:revolution|country\s+to\s+independence)))"
)
WINDOW = 90


def is_place(text: str, end: int) -> bool:
    """True when the name ending at `end` is part of a place or institution name ("Ho Chi Minh City")."""
    return _PLACE.match(text, end) is not None


def _sentence_before(text: str, start: int) -> str:
    before = text[max(0, start - WINDOW) : start]
    cut = max(before.rfind(". "), before.rfind("\n"), before.rfind("! "), before.rfind("? "))
    return before[cut + 1 :] if cut >= 0 else before


def is_historical(text: str, start: int, end: int) -> bool:
    """True when the mention at text[start:end] speaks of someone in the past, not a participant."""
    return (_HISTORICAL_BEFORE.search(_sentence_before(text, start)) is not None
            or _HISTORICAL_AFTER.match(text[end : end + WINDOW]) is not None)


def participates(text: str, start: int, end: int) -> bool:
    """True when the mention at text[start:end] is a person taking part (not historical, not a place)."""
    return not is_historical(text, start, end) and not is_place(text, end)
