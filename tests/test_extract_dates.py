"""Date rule: explicit formats only, a publication anchor, weekday resolution, no guessing."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from briefing.extract.dates import event_date, find_dates, is_date_line, resolve_weekday
from briefing.model import Paragraph

CASES = yaml.safe_load((Path(__file__).parent / "fixtures" / "dates.yaml").read_text(encoding="utf-8"))


def _iso(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


@pytest.mark.parametrize("case", CASES["parse"], ids=[c["text"] for c in CASES["parse"]])
def test_parse(case: dict[str, Any]) -> None:
    found = [f.date for f in find_dates(case["text"])]
    assert (found[0] if found else None) == _iso(case["date"])


def _paragraph(item: str | dict[str, str]) -> Paragraph:
    if isinstance(item, dict):
        return Paragraph(item["caption"], "caption")
    return Paragraph(item)


@pytest.mark.parametrize("case", CASES["event"], ids=[c["name"] for c in CASES["event"]])
def test_event_date(case: dict[str, Any]) -> None:
    date, review = event_date(tuple(case["head"]), tuple(_paragraph(p) for p in case["body"]))
    assert date == _iso(case["date"])
    assert ("date-missing" in review) == (case["date"] is None)


def test_ambiguous_date_is_named_for_review() -> None:
    date, review = event_date(("07/03/2023",), (Paragraph("Leaders met on Monday."),))
    assert date is None
    assert review == ("date-missing", "date-ambiguous: 07/03/2023")


@pytest.mark.parametrize(
    ("weekday", "anchor", "expected"),
    [
        ("Monday", "2025-04-14", "2025-04-14"),  # same day
        ("Sunday", "2025-04-14", "2025-04-13"),
        ("Tuesday", "2025-04-14", "2025-04-08"),  # never after the anchor
    ],
)
def test_resolve_weekday(weekday: str, anchor: str, expected: str) -> None:
    assert resolve_weekday(weekday, datetime.date.fromisoformat(anchor)) == datetime.date.fromisoformat(expected)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("April 14, 2025", True),
        ("Updated: 2025-04-14 10:30 GMT", True),
        ("China, Vietnam to foster cooperation", False),
        ("Leaders met on April 14, 2025 in Hanoi", False),
    ],
)
def test_is_date_line(line: str, expected: bool) -> None:
    assert is_date_line(line) is expected
