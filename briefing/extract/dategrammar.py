"""Date grammar: full dates (`April 15, 2025`, `15 April 2025`, `Tuesday, March 8, 2022`, `2021-11-30`,
`07/03/2023`) and partial ones (`March 3`, `on 5/3`) in English text. Parsing only; no guessing.

A numeric date whose day and month could swap (`07/03/2023`) is read with `order` ("dmy" or "mdy")
when given, else by a weekday written with it, else left unresolved.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_MONTH = (
    r"(?P<{n}>Jan(?:uary|\.)?|Feb(?:ruary|\.)?|Mar(?:ch|\.)?|Apr(?:il|\.)?|May|Jun(?:e|\.)?"
    r"|Jul(?:y|\.)?|Aug(?:ust|\.)?|Sep(?:tember|t\.|\.|t)?|Oct(?:ober|\.)?|Nov(?:ember|\.)?"
    r"|Dec(?:ember|\.)?)"
)
_WEEKDAY = r"(?:(?P<wd>Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+(?:the\s+)?)?"
_DAY = r"(?P<{n}>[0-3]?\d)(?:st|nd|rd|th)?"
# Where a date may begin: at a word's start, on a digit or a month's or weekday's initial. Every
# match starts so (the lookbehind below refuses a word character before it); this first test lets
# the scan skip the other positions quickly. It never changes what matches (tests/test_extract_dates).
_DATE_START = r"\b(?=[\dJFMASONDTW])"
_PARTIAL_START = r"\b(?=[\dJFMASOND])"
_DATE_RE = re.compile(
    _DATE_START + r"(?<![\w/.-])" + _WEEKDAY + r"(?:"
    + _MONTH.format(n="m1") + r"\s+" + _DAY.format(n="d1") + r",?\s+(?P<y1>\d{4})"
    + r"|" + _DAY.format(n="d2") + r"\s+(?:of\s+)?" + _MONTH.format(n="m2") + r",?\s+(?P<y2>\d{4})"
    + r"|(?P<iso>(?P<y3>\d{4})(?P<s3>[-/.])(?P<m3>\d{1,2})(?P=s3)(?P<d3>\d{1,2}))"
    + r"|(?P<num>(?P<a>\d{1,2})(?P<s4>[/.-])(?P<b>\d{1,2})(?P=s4)(?P<y4>\d{4}))"
    + r")(?!(?!T\d)[\w/-])(?!\.\d)",
    re.IGNORECASE,
)
_PARTIAL_RE = re.compile(
    _PARTIAL_START + r"(?<![\w/.-])(?:"
    + r"(?-i:" + _MONTH.format(n="m1") + r")\s+" + _DAY.format(n="d1")
    + r"|" + _DAY.format(n="d2") + r"\s+(?:of\s+)?(?-i:" + _MONTH.format(n="m2") + r")"
    + r"|(?<=\bon\s)(?P<a>\d{1,2})/(?P<b>\d{1,2})"
    + r")(?![\w/-]|,?\s+\d|\.\d)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class FoundDate:
    """A date expression in text: its span, its text, and the date when resolved."""

    start: int
    end: int
    text: str
    date: datetime.date | None  # None: ambiguous (07/03/2023) or impossible (Feb 30)
    readings: tuple[datetime.date, ...] = ()  # the possible dates of an ambiguous numeric date


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A month and day without a year ("March 3", "on 5/3"), or None when day and month could swap."""

    start: int
    end: int
    text: str
    month_day: tuple[int, int] | None


def make(year: int, month: int, day: int) -> datetime.date | None:
    """The date, or None when it does not exist."""
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _month(name: str) -> int:
    return MONTHS.index(name.lower().rstrip(".")[:3]) + 1


def _numeric(a: int, b: int, order: str | None) -> tuple[tuple[int, int] | None, tuple[tuple[int, int], ...]]:
    """(month, day) for a numeric a/b, and the readings when it is ambiguous."""
    if a > 12 >= b:
        return (b, a), ()
    if b > 12 >= a:
        return (a, b), ()
    if a == b:
        return (a, b), ()
    readings = ((b, a), (a, b))  # dmy, mdy
    if order == "dmy":
        return readings[0], ()
    if order == "mdy":
        return readings[1], ()
    return None, readings


def find_dates(text: str, order: str | None = None) -> list[FoundDate]:
    """Every explicit full date (day, month and year) in `text`, in order."""
    return [_found(match, order) for match in _scan(text)]


@functools.lru_cache(maxsize=256)
def _scan(text: str) -> tuple[re.Match[str], ...]:
    """_DATE_RE's matches in `text`: an article's first paragraphs are read for dates four times
    (the order of numeric dates, the stated date, the lede, ambiguous dates), scanned once."""
    return tuple(_DATE_RE.finditer(text))


def _found(match: re.Match[str], order: str | None) -> FoundDate:
    """One match of _DATE_RE read as a date (or, for an ambiguous numeric one, its readings)."""
    g = match.groupdict()
    readings: tuple[datetime.date, ...] = ()
    if g["iso"]:
        date = make(int(g["y3"]), int(g["m3"]), int(g["d3"]))
    elif g["num"]:
        year = int(g["y4"])
        month_day, options = _numeric(int(g["a"]), int(g["b"]), None)
        dates = tuple(d for d in (make(year, m, d) for m, d in options) if d is not None)
        if g["wd"] and dates:  # "Tuesday, 07/03/2023": a weekday settles it before any convention
            wanted = [d for d in dates if WEEKDAYS[d.weekday()].startswith(g["wd"].lower())]
            dates = tuple(wanted) if len(wanted) == 1 else dates
        if len(dates) == 1:
            month_day, dates = (dates[0].month, dates[0].day), ()
        elif dates and order in ("dmy", "mdy"):
            month_day = options[0] if order == "dmy" else options[1]
        date = make(year, *month_day) if month_day else None
        readings = dates if month_day is None else ()
    else:
        month = _month(str(g["m1"] or g["m2"]))
        date = make(int(g["y1"] or g["y2"]), month, int(g["d1"] or g["d2"]))
    return FoundDate(match.start(), match.end(), match.group(0), date, readings)


def find_partial_dates(text: str, order: str | None = None) -> list[PartialDate]:
    """Month-and-day expressions without a year, in order."""
    found: list[PartialDate] = []
    for match in _PARTIAL_RE.finditer(text):
        g = match.groupdict()
        if g["a"]:
            month_day, _ = _numeric(int(g["a"]), int(g["b"]), order)
        else:
            month_day = (_month(str(g["m1"] or g["m2"])), int(g["d1"] or g["d2"]))
        if month_day is not None and not (1 <= month_day[0] <= 12 and 1 <= month_day[1] <= 31):
            month_day = None
        found.append(PartialDate(match.start(), match.end(), match.group(0), month_day))
    return found


def settle_order(texts: Iterable[str], setting: str = "auto") -> str | None:
    """How the article writes numeric dates: "dmy"/"mdy" from its unambiguous ones, else `setting`."""
    votes: set[str] = set()
    named: set[datetime.date] = set()
    ambiguous: list[tuple[datetime.date, ...]] = []
    for text in texts:
        for match in _scan(text):  # one pass: what find_dates(text) would find, as it finds it
            g = match.groupdict()
            found = _found(match, None)
            if g["num"]:
                a, b = int(g["a"]), int(g["b"])
                if a > 12 >= b:
                    votes.add("dmy")
                elif b > 12 >= a:
                    votes.add("mdy")
            elif not g["iso"] and found.date:
                named.add(found.date)
            if found.readings:
                ambiguous.append(found.readings)
    for readings in ambiguous:  # "07/03/2023" and "March 7, 2023" in one article: day first
        hits = [i for i, reading in enumerate(readings) if reading in named]
        if len(hits) == 1 and len(readings) == 2:
            votes.add(("dmy", "mdy")[hits[0]])
    if len(votes) == 1:
        return votes.pop()
    return setting if setting in ("dmy", "mdy") else None
