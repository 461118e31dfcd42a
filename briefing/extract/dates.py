"""Date rule: the publication date and the event date an article states. Never guesses.

`published` is a date line in the head ("April 14, 2025", "Published: ...", "Updated ..."; a
"Published" line wins over a bare date, which wins over "Updated"), else a dateline
("JAKARTA, March 3 (AFP) -") whose year is written or taken from a full date the article states.
The anchor for relative references is `published`, else the first full date of the first two
paragraphs (a dated caption, say). The event date (`date`) is the first of these in the lede that
resolves: a full date; "on Monday", "Monday's", "last Monday" (the latest such day on or before the
anchor); "yesterday", "today"; "on March 3" or "on 5/3" (the year from the anchor). Future
("will meet on Monday", "next Monday") and historical ("established on January 18, 1950") references
are skipped. Otherwise `date` stays None and the brief is flagged `date-missing`. Numeric dates whose
day and month could swap are read by the article's other dates, a weekday written with them, or
`ingest.date_order`; if none settles them they stay unresolved (`date-ambiguous: 07/03/2023`).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..model import Paragraph
from .dategrammar import MONTHS, WEEKDAYS, FoundDate, find_dates, find_partial_dates, make, settle_order

__all__ = ["MONTHS", "WEEKDAYS", "DateFacts", "FoundDate", "date_facts", "event_date", "find_dates",
           "is_date_line", "resolve_weekday"]

_DATE_LINE_EXTRA = re.compile(
    r"(?:first published|published|updated|posted|last updated|modified|date|on|at|"
    r"\d{1,2}:\d{2}(?::\d{2})?|[ap]\.?m\.?|(?-i:[A-Z]{2,4})|[+-]\d{2}:?\d{2}|[|,:/()-])",  # IST, JST, ICT
    re.IGNORECASE,
)
_PUBLISHED = re.compile(r"^\W*(?:first\s+)?(?:published|posted|date)\b", re.IGNORECASE)
_STAMP = re.compile(r"^\W*(?:first\s+|last\s+)?(?:published|posted|date|updated|modified)\b", re.IGNORECASE)
_UPDATED = re.compile(r"\b(?:updated|modified)\b", re.IGNORECASE)
_DATELINE = re.compile(r"^[A-Z][A-Z .'’-]{1,40},\s")
_RELATIVE = re.compile(
    r"\b(?:(?P<pre>on|last|this|next|coming|every|each|until|till|by|from|since)\s+)?"
    r"(?P<wd>(?-i:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day)\b(?!,?\s+(?:the\s+)?(?:\d|[A-Za-z]+\.?\s+\d))"
    r"|(?P<yesterday>\byesterday\b)"
    r"|(?<!\bof\s)(?<!\buntil\s)(?P<today>\b(?:today|tonight|this\s+(?:morning|afternoon|evening))\b)(?!['’]s)",
    re.IGNORECASE,
)
_ON = re.compile(r"\bon\s+(?:the\s+)?(?:(?P<wd>(?-i:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day),?\s+)?$", re.IGNORECASE)
_FUTURE = re.compile(r"\b(?:will|shall|next|upcoming|scheduled|due\s+to|plans?\s+to|set\s+to|to\s+be\s+held)\b",
                     re.IGNORECASE)
_HISTORY = re.compile(r"\b(?:since|established|establishment|founded|founding|anniversary|born|died|dating\s+back|"
                      r"as\s+early\s+as)\b", re.IGNORECASE)
NEAR_DAYS = 60  # a month and day take the year that puts them this close to the date they hang on
MAX_AGE_DAYS = 366  # a lede date this much older than the anchor is history, not the event


@dataclass(frozen=True, slots=True)
class DateFacts:
    """What the article states about time: the event date, the publication date, review items."""

    date: datetime.date | None
    published: datetime.date | None
    review: tuple[str, ...]


def is_date_line(line: str) -> bool:
    """True when a short line is a date (optionally with a time or 'Updated:'), nothing more."""
    found = find_dates(line)
    if len(found) != 1 or len(line.split()) > 12:
        return False
    rest = line[: found[0].start] + " " + line[found[0].end :]
    return not _DATE_LINE_EXTRA.sub(" ", rest).strip()


def resolve_weekday(weekday: str, anchor: datetime.date, strictly_before: bool = False) -> datetime.date:
    """The latest `weekday` on or before `anchor` (before it, when `strictly_before`)."""
    wanted = WEEKDAYS.index(weekday.lower())
    back = (anchor.weekday() - wanted) % 7
    return anchor - datetime.timedelta(days=back or (7 if strictly_before else 0))


def _near(month_day: tuple[int, int], reference: datetime.date) -> datetime.date | None:
    """The month and day in the year that puts them closest to `reference`, if within NEAR_DAYS."""
    options = [d for y in (reference.year - 1, reference.year, reference.year + 1) if (d := make(y, *month_day))]
    best = min(options, key=lambda d: abs((d - reference).days), default=None)
    return best if best is not None and abs((best - reference).days) <= NEAR_DAYS else None


def _clause_before(text: str, start: int, stops: str = ".;:!?,") -> str:
    before = text[max(0, start - 60) : start]
    cut = max(before.rfind(c) for c in stops)
    return before[cut + 1 :]


def _publication(head: Sequence[str], order: str | None) -> tuple[datetime.date | None, list[str]]:
    """The publication date from the head's date lines, and any ambiguous date seen there."""
    ranked: list[tuple[int, datetime.date]] = []
    ambiguous: list[str] = []
    for line in head:
        if _DATELINE.match(line) or not (is_date_line(line) or _STAMP.match(line)):
            continue
        found = find_dates(line, order)[:1]
        for item in found:
            if item.date is None:
                ambiguous.append(item.text)
                continue
            rank = 0 if _PUBLISHED.match(line) else 2 if _UPDATED.search(line) else 1
            ranked.append((rank, item.date))
    ranked.sort(key=lambda item: item[0])  # stable: the first line of the best kind
    return (ranked[0][1] if ranked else None), ambiguous


def _dateline(head: Sequence[str], order: str | None, reference: datetime.date | None) -> datetime.date | None:
    """The date of a `CITY, Month D (Outlet)` dateline; a missing year comes from `reference`."""
    for line in head:
        if not _DATELINE.match(line):
            continue
        full = [f.date for f in find_dates(line, order) if f.date]
        if full:
            return full[0]
        for partial in find_partial_dates(line, order):
            if partial.month_day and reference is not None:
                return _near(partial.month_day, reference)
    return None


def _stated(paragraphs: Sequence[Paragraph], order: str | None) -> datetime.date | None:
    """The first full date of the first two paragraphs that is not history."""
    for paragraph in paragraphs[:2]:
        for found in find_dates(paragraph.text, order):
            if found.date and not _HISTORY.search(_clause_before(paragraph.text, found.start, ".;:!?")):
                return found.date
    return None


def _lede_date(lede: str, order: str | None, anchor: datetime.date | None) -> datetime.date | None:
    """The first date reference in the lede that resolves to a past or present event."""
    refs: list[tuple[int, datetime.date | None]] = []
    for found in find_dates(lede, order):
        ok = found.date and not _HISTORY.search(_clause_before(lede, found.start, ".;:!?"))
        if ok and anchor is not None and found.date and not -MAX_AGE_DAYS <= (found.date - anchor).days <= 0:
            ok = False
        refs.append((found.start, found.date if ok else None))
    for match in _RELATIVE.finditer(lede):
        pre = (match.group("pre") or "").lower()
        if anchor is None or pre in ("this", "next", "coming", "every", "each", "until", "till", "by", "from", "since"):
            continue
        if match.group("wd"):
            refs.append((match.start(), resolve_weekday(match.group("wd"), anchor, strictly_before=pre == "last")))
        else:
            refs.append((match.start(), anchor - datetime.timedelta(days=1 if match.group("yesterday") else 0)))
    for partial in find_partial_dates(lede, order):
        on = _ON.search(lede, 0, partial.start)
        if anchor is not None and partial.month_day and on is not None:
            near = _near(partial.month_day, anchor)
            if near and on.group("wd") and WEEKDAYS[near.weekday()] != on.group("wd").lower():
                near = None  # "on Saturday, Dec. 16" must be a Saturday
            refs.append((on.start(), near if near and near <= anchor else None))
    for start, date in sorted(refs, key=lambda r: r[0]):
        if date is not None and not _FUTURE.search(_clause_before(lede, start)):
            return date
    return None


def date_facts(head: Sequence[str], paragraphs: Sequence[Paragraph], date_order: str = "auto") -> DateFacts:
    """The event date, the publication date and review items (`date-missing`, `date-ambiguous: ...`)."""
    texts = [*head, *(p.text for p in paragraphs)]
    order = settle_order(texts, date_order)
    published, ambiguous = _publication(head, order)
    stated = _stated(paragraphs, order)
    published = published or _dateline(head, order, stated)
    anchor = published or stated
    lede = next((p.text for p in paragraphs if p.kind == "text"), "")
    date = _lede_date(lede, order, anchor)
    ambiguous += [f.text for p in paragraphs[:2] for f in find_dates(p.text, order) if f.readings]
    review: list[str] = []
    if date is None:
        review.append("date-missing")
    if ambiguous and (date is None or published is None):
        review.append(f"date-ambiguous: {ambiguous[0]}")
    return DateFacts(date, published, tuple(review))


def event_date(
    head: Sequence[str], paragraphs: Sequence[Paragraph], date_order: str = "auto"
) -> tuple[datetime.date | None, tuple[str, ...]]:
    """The event date and review items (see `date_facts`)."""
    facts = date_facts(head, paragraphs, date_order)
    return facts.date, facts.review
