"""Fuzzing: arbitrary article text through ingest, arbitrary front matter through the loader."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefing.briefs import dump_brief, parse_brief
from briefing.clean import clean
from briefing.config import load_config
from briefing.errors import ProblemsError
from briefing.extract import extract

REPO = Path(__file__).resolve().parent.parent
CONFIG, REGISTRY = load_config(REPO / "site.yaml")
PIECES = st.sampled_from([
    "Xi Jinping", "To Lam", "Tô Lâm", "President", "Prime Minister Fumio Kishida", "on Monday", "April 14, 2025",
    "07/03/2023", "\n", "\n\n", " ", ".", ",", '"', "“", "”", ":", "#", "---", "[x](javascript:alert(1))",
    "<script>alert(1)</script>", "Leave a Reply", "(Photo/Xinhua)", "By Jane Doe", "🌉", "\u200b", "\x00", "\r",
])
ARTICLES = st.lists(st.one_of(PIECES, st.text(max_size=40)), max_size=40).map("".join)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(ARTICLES)
def test_any_article_ingests_to_a_brief_that_parses_back(text: str) -> None:
    article = clean(text.encode("utf-8", "surrogatepass"), "fuzz.txt", CONFIG.ingest)
    if not article.paragraphs:
        return  # skipped with a message by ingest, never an empty brief
    brief = extract(article, REGISTRY, CONFIG.ingest)
    parsed, _ = parse_brief(dump_brief(brief), Path(f"{brief.slug}.md"))
    assert parsed == brief


@SETTINGS
@given(st.binary(max_size=300))
def test_any_bytes_as_an_article_never_crash(raw: bytes) -> None:
    article = clean(raw, "fuzz.txt", CONFIG.ingest)
    if article.paragraphs:
        extract(article, REGISTRY, CONFIG.ingest)


KEYS = st.sampled_from(["title", "date", "leaders", "topics", "quotes", "people", "review", "event", "x", "- a"])
VALUES = st.sampled_from(["", "x", "NO", "12:30", "01234", "2024-02-30", "[a, b]", "{a: 1}", "&a x", "*a",
                          "!!python/object/apply:os.system ['true']", "'unclosed", "- [", "9" * 5000, "~", "|\n  text"])


@SETTINGS
@given(st.lists(st.tuples(KEYS, VALUES), max_size=8), st.text(max_size=100))
def test_any_front_matter_is_a_brief_or_a_located_problem(pairs: list[tuple[str, str]], body: str) -> None:
    text = "---\n" + "".join(f"{k}: {v}\n" for k, v in pairs) + "---\n" + body
    try:
        parse_brief(text, Path("fuzz.md"))
    except ProblemsError as exc:
        assert exc.problems and all(p.line is None or p.line >= 1 for p in exc.problems)
