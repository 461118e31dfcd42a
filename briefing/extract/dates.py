"""Date rule: explicit English dates, a publication anchor and the event date. Never guesses."""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..model import Paragraph

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_MONTH = (
    r"(?P<{n}>Jan(?:uary|\.)?|Feb(?:ruary|\.)?|Mar(?:ch|\.)?|Apr(?:il|\.)?|May|Jun(?:e|\.)?"
    r"|Jul(?:y|\.)?|Aug(?:ust|\.)?|Sep(?:tember|t\.|\.|t)?|Oct(?:ober|\.)?|Nov(?:ember|\.)?"
    r"|Dec(?:ember|\.)?)"
)
_WEEKDAY = r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?"
_DAY = r"(?P<{n}>[0-3]?\d)(?:st|nd|rd|th)?"
_DATE_RE = re.compile(
    r"(?<![\w/.-])(?:"
    + _WEEKDAY + _MONTH.format(n="m1") + r"\s+" + _DAY.format(n="d1") + r",?\s+(?P<y1>\d{4})"
    + r"|" + _WEEKDAY + _DAY.format(n="d2") + r"\s+" + _MONTH.format(n="m2") + r",?\s+(?P<y2>\d{4})"
    + r"|(?P<iso>(?P<y3>\d{4})-(?P<m3>\d{2})-(?P<d3>\d{2}))"
    + r"|(?P<num>(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y4>\d{4}))"
    + r")(?!(?!T\d)[\w/-])",
    re.IGNORECASE,
)
_WEEKDAY_REF = re.compile(
    r"\bon\s+(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
    r"(?!,?\s+(?:\d|[A-Za-z]+\.?\s+\d))",
    re.IGNORECASE,
)
_DATE_LINE_EXTRA = re.compile(
    r"(?:published|updated|posted|last updated|date|on|at|\d{1,2}:\d{2}(?::\d{2})?|"
    r"[ap]\.?m\.?|gmt|utc|ict|cst|bst|edt|est|[+-]\d{2}:?\d{2}|[|,:/()-])",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class FoundDate:
    """A date expression in text: its span, its text, and the date when resolved."""

    start: int
    end: int
    text: str
    date: datetime.date | None  # None: ambiguous (07/03/2023) or impossible (Feb 30)


def find_dates(text: str) -> list[FoundDate]:
    """Every explicit full date (day, month and year) in `text`, in order."""
    found: list[FoundDate] = []
    for match in _DATE_RE.finditer(text):
        found.append(FoundDate(match.start(), match.end(), match.group(0), _resolve(match)))
    return found


def _resolve(match: re.Match[str]) -> datetime.date | None:
    groups = match.groupdict()
    if groups["iso"]:
        return _make(int(groups["y3"]), int(groups["m3"]), int(groups["d3"]))
    if groups["num"]:
        a, b, year = int(groups["a"]), int(groups["b"]), int(groups["y4"])
        if a > 12 >= b:
            return _make(year, b, a)
        if b > 12 >= a:
            return _make(year, a, b)
        if a == b:
            return _make(year, a, b)
        return None
    key = str(groups["m1"] or groups["m2"]).lower().rstrip(".")
    month = MONTHS.index(key[:3]) + 1
    return _make(int(groups["y1"] or groups["y2"]), month, int(groups["d1"] or groups["d2"]))


def _make(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def is_date_line(line: str) -> bool:
    """True when a short line is a date (optionally with a time or 'Updated:'), nothing more."""
    found = find_dates(line)
    if len(found) != 1 or len(line.split()) > 12:
        return False
    rest = line[: found[0].start] + " " + line[found[0].end :]
    return not _DATE_LINE_EXTRA.sub(" ", rest).strip()


def _first(texts: Sequence[str]) -> tuple[datetime.date | None, str | None]:
    """The first resolved date in texts, and the first ambiguous one seen before it."""
    ambiguous = None
    for text in texts:
        for found in find_dates(text):
            if found.date is not None:
                return found.date, ambiguous
            ambiguous = ambiguous or found.text
    return None, ambiguous


def resolve_weekday(weekday: str, anchor: datetime.date) -> datetime.date:
    """The latest `weekday` on or before `anchor`."""
    wanted = WEEKDAYS.index(weekday.lower())
    return anchor - datetime.timedelta(days=(anchor.weekday() - wanted) % 7)


def event_date(
    head: Sequence[str], paragraphs: Sequence[Paragraph]
) -> tuple[datetime.date | None, tuple[str, ...]]:
    """The event date and review items: lede date, else lede weekday vs anchor, else anchor."""
    head_dates = [line for line in head if is_date_line(line)]
    anchor, ambiguous = _first(head_dates)
    if anchor is None:
        anchor, more = _first([p.text for p in paragraphs[:2]])
        ambiguous = ambiguous or more
    lede = next((p.text for p in paragraphs if p.kind == "text"), "")
    lede_date, _ = _first([lede])
    if lede_date is not None and (anchor is None or lede_date <= anchor):
        return lede_date, ()
    weekday = _WEEKDAY_REF.search(lede)
    if anchor is not None and weekday is not None:
        return resolve_weekday(weekday.group(1), anchor), ()
    if anchor is not None:
        return anchor, ()
    review = ["date-missing"]
    if ambiguous:
        review.append(f"date-ambiguous: {ambiguous}")
    return None, tuple(review)
