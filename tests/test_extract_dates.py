"""Date rule: explicit formats only, a publication anchor, weekday resolution, no guessing."""

from __future__ import annotations

import datetime
import random
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from briefing.extract import dategrammar
from briefing.extract.dates import date_facts, event_date, find_dates, is_date_line, resolve_weekday
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
    paragraphs = tuple(_paragraph(p) for p in case["body"])
    facts = date_facts(tuple(case["head"]), paragraphs, case.get("order", "auto"))
    assert facts.date == _iso(case["date"])
    assert ("date-missing" in facts.review) == (case["date"] is None)
    if "published" in case:
        assert facts.published == _iso(case["published"])
    assert event_date(tuple(case["head"]), paragraphs, case.get("order", "auto")) == (facts.date, facts.review)


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
        ("Posted on September 15th, 2023 by admin", False),
        ("Tuesday, 07/03/2023 | 10:45 AM ICT", True),
    ],
)
def test_is_date_line(line: str, expected: bool) -> None:
    assert is_date_line(line) is expected


def test_numeric_order_settled_by_a_written_out_date() -> None:
    facts = date_facts(("07/03/2023",), (Paragraph("Leaders met in Tokyo on March 7, 2023, for talks."),))
    assert (facts.published, facts.date, facts.review) == (datetime.date(2023, 3, 7), datetime.date(2023, 3, 7), ())


def test_conflicting_numeric_conventions_settle_nothing() -> None:
    facts = date_facts(("Published 13/03/2023", "Updated 03/14/2023"), (Paragraph("Leaders met on 5/3."),))
    assert facts.date is None and "date-missing" in facts.review


@pytest.mark.parametrize(("pattern", "start"), [(dategrammar._DATE_RE, dategrammar._DATE_START),
                                                (dategrammar._PARTIAL_RE, dategrammar._PARTIAL_START)])
def test_the_quick_first_test_never_changes_what_matches(pattern: re.Pattern[str], start: str) -> None:
    # the grammar without its leading position test is the oracle, on text made of date pieces
    assert pattern.pattern.startswith(start)
    plain = re.compile(pattern.pattern.removeprefix(start), pattern.flags)
    pieces = ["Tuesday", "sunday", "the", "of", "on", "March", "mar.", "SEPT.", "ſep", "Dec", "15th", "3", "07",
              "2025", "٢٠٢٥", "١٥", "2021-11-30", "07/03/2023", "5/3", "T10", "x", "-", "/", ".", ",", " ", "\n",
              "é", "_", "ﬁ", "K"]
    rng = random.Random(8)
    found = 0
    for _ in range(4000):
        text = "".join(rng.choice(pieces) + rng.choice(("", " ", " ", ", ")) for _ in range(rng.randrange(1, 12)))
        want = [(m.span(), m.groupdict()) for m in plain.finditer(text)]
        assert [(m.span(), m.groupdict()) for m in pattern.finditer(text)] == want, text
        found += len(want)
    assert found > 50  # the text made dates to find
