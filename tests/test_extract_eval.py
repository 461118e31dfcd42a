"""Measured extraction: the labelled corpus plus the seeds against hand-written expectations.

Every `tests/fixtures/articles/labelled/<name>.txt` has a `<name>.expected.yaml` written by hand from
the article text: `date` and `published` (null when the text does not establish one), `leaders`
(ids, order-insensitive), optional `quotes` (speaker ids, in order), `title`, `source`, `author`.
The seeds' expectations are below. Run `python -m pytest tests/test_extract_eval.py -s` to see the report.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from briefing.clean import clean
from briefing.config import load_config
from briefing.extract import extract
from briefing.model import Brief, IngestRules, Registry

REPO = Path(__file__).resolve().parent.parent
LABELLED = Path(__file__).parent / "fixtures" / "articles" / "labelled"
D = datetime.date

SEEDS: dict[str, dict[str, Any]] = {
    # The farewell of April 15, 2025; Cai Qi, Wang Yi and Wang Xiaohong "were present".
    "000_20764faf21d962b5.txt": {
        "date": D(2025, 4, 15), "published": None, "source": "AseanAll",
        "leaders": ["xi-jinping", "to-lam", "cai-qi", "wang-yi", "wang-xiaohong"], "quotes": [],
    },
    # "On Saturday" with no stated date: unknown.
    "001_74c523f694d52965.txt": {
        "date": None, "published": None,
        "leaders": ["xi-jinping", "to-lam", "luong-cuong"], "quotes": ["xi-jinping"],
    },
    # "On Monday" with no stated date: unknown. "The meeting was also attended by Cai Qi, Wang Yi,
    # Wang Xiaohong": present, so they take part, as in 000.
    "002_9599138e937dd0ec.txt": {
        "date": None, "published": None,
        "leaders": ["xi-jinping", "nguyen-phu-trong", "cai-qi", "wang-yi", "wang-xiaohong"], "quotes": [],
    },
    # The standalone "April 14, 2025" head line is the publication date; "on Monday" is that day.
    "003_c8c95379da27dd65.txt": {
        "title": "China, Vietnam to foster cooperation",
        "date": D(2025, 4, 14), "published": D(2025, 4, 14),
        "leaders": ["xi-jinping", "to-lam"], "quotes": ["xi-jinping"],
    },
    # "called on Monday" with no stated date: unknown.
    "004_6af3b4b321139607.txt": {
        "date": None, "published": None, "source": "ECONOMYSLIDE", "author": "Ashraf AboArafe",
        "leaders": ["to-lam", "xi-jinping"], "quotes": [],
    },
}


@dataclass
class Tally:
    """Counts across the corpus."""

    articles: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    dated: int = 0  # articles whose text states an event date
    dated_right: int = 0
    invented: list[str] = field(default_factory=list)  # a date where none is stated, or a wrong one
    published_right: int = 0
    published_stated: int = 0
    quote_tp: int = 0
    quote_fp: int = 0
    quote_fn: int = 0
    mismatches: list[str] = field(default_factory=list)

    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def report(self) -> str:
        quote_p = self.quote_tp / (self.quote_tp + self.quote_fp) if self.quote_tp + self.quote_fp else 1.0
        quote_r = self.quote_tp / (self.quote_tp + self.quote_fn) if self.quote_tp + self.quote_fn else 1.0
        lines = [
            f"articles: {self.articles}",
            f"leaders: precision {self.precision():.3f} recall {self.recall():.3f} "
            f"(tp {self.tp}, fp {self.fp}, fn {self.fn})",
            f"event date: {self.dated_right}/{self.dated} right where the text states one",
            f"published: {self.published_right}/{self.published_stated} right where the text states one",
            f"invented dates: {len(self.invented)}",
            f"quote speakers: precision {quote_p:.3f} recall {quote_r:.3f}",
            *(f"  invented: {item}" for item in self.invented),
            *(f"  mismatch: {item}" for item in self.mismatches),
        ]
        return "\n".join(lines)


def cases() -> list[tuple[Path, dict[str, Any]]]:
    out = [(REPO / "seeds" / name, expected) for name, expected in SEEDS.items()]
    for path in sorted(LABELLED.glob("*.txt")):
        expected = yaml.safe_load(path.with_suffix(".expected.yaml").read_text(encoding="utf-8"))
        out.append((path, expected))
    return out


def run(path: Path, rules: IngestRules, registry: Registry) -> Brief:
    return extract(clean(path.read_bytes(), path.name, rules), registry, rules)


def score(tally: Tally, name: str, brief: Brief, expected: dict[str, Any]) -> None:
    tally.articles += 1
    want, got = set(expected["leaders"]), set(brief.leaders)
    tally.tp += len(want & got)
    tally.fp += len(got - want)
    tally.fn += len(want - got)
    if want != got:
        tally.mismatches.append(f"{name}: leaders missing {sorted(want - got)} extra {sorted(got - want)}")
    for key in ("date", "published"):
        if key not in expected:
            continue
        stated, found = expected[key], getattr(brief, key)
        if stated is not None:
            if key == "date":
                tally.dated += 1
                tally.dated_right += found == stated
            else:
                tally.published_stated += 1
                tally.published_right += found == stated
        if found is not None and found != stated:
            tally.invented.append(f"{name}: {key} {found} (expected {stated})")
        elif found != stated:
            tally.mismatches.append(f"{name}: {key} missing (expected {stated})")
    if "quotes" in expected:
        want_q, got_q = list(expected["quotes"]), [q.speaker for q in brief.quotes]
        matched = sum(min(want_q.count(s), got_q.count(s)) for s in set(want_q))
        tally.quote_tp += matched
        tally.quote_fp += len(got_q) - matched
        tally.quote_fn += len(want_q) - matched
        if want_q != got_q:
            tally.mismatches.append(f"{name}: quote speakers {got_q} (expected {want_q})")
    for key in ("title", "source", "author"):
        if key in expected and getattr(brief, key) != expected[key]:
            tally.mismatches.append(f"{name}: {key} {getattr(brief, key)!r} (expected {expected[key]!r})")


@pytest.fixture(scope="module")
def tally() -> Tally:
    config, registry = load_config(REPO / "site.yaml")
    result = Tally()
    for path, expected in cases():
        score(result, path.name, run(path, config.ingest, registry), expected)
    print("\n" + result.report())
    return result


def test_corpus_is_large_enough() -> None:
    assert len(list(LABELLED.glob("*.expected.yaml"))) >= 15
    assert {p.stem for p in LABELLED.glob("*.txt")} == {p.name.removesuffix(".expected.yaml")
                                                       for p in LABELLED.glob("*.expected.yaml")}


def test_leader_precision_and_recall(tally: Tally) -> None:
    assert tally.precision() >= 0.95 and tally.recall() >= 0.95, tally.report()


def test_dates_are_right_where_stated_and_never_invented(tally: Tally) -> None:
    assert tally.dated_right == tally.dated, tally.report()
    assert tally.published_right == tally.published_stated, tally.report()
    assert tally.invented == [], tally.report()


def test_quote_speakers_are_never_wrong(tally: Tally) -> None:
    assert tally.quote_fp == 0, tally.report()


def test_fields_match(tally: Tally) -> None:
    assert tally.mismatches == [], tally.report()


@pytest.mark.parametrize(("path", "expected"), cases(), ids=[p.name for p, _ in cases()])
def test_quotes_are_verbatim_and_dates_flagged(path: Path, expected: dict[str, Any]) -> None:
    config, registry = load_config(REPO / "site.yaml")
    article = clean(path.read_bytes(), path.name, config.ingest)
    brief = extract(article, registry, config.ingest)
    text = "\n".join(p.text for p in article.paragraphs)
    for quote in brief.quotes:
        assert quote.text in text and quote.speaker in brief.leaders
    assert ("date-missing" in brief.review) == (brief.date is None)
    registered = set(registry.people)
    assert {p.id for p in brief.people} == set(brief.leaders) - registered
    for profile in brief.people:
        assert f"unregistered-person: {profile.name}" in brief.review
