"""Summary rule: the lede's first one or two sentences; abbreviations do not end sentences."""

from __future__ import annotations

import pytest

from briefing.extract.summary import split_sentences, summarize
from briefing.model import Paragraph


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("One here. Two there.", ["One here.", "Two there."]),
        ("Mr. Wang met Dr. Retno. They talked.", ["Mr. Wang met Dr. Retno.", "They talked."]),
        ("He flew from the U.S. to Hanoi. Then home.", ["He flew from the U.S. to Hanoi.", "Then home."]),
        ("It began on Sept. 5, 2022 at No. 10 Downing St. in London. Rain fell.",
         ["It began on Sept. 5, 2022 at No. 10 Downing St. in London.", "Rain fell."]),
        ("J. K. Rowling wrote it. Fans cheered.", ["J. K. Rowling wrote it.", "Fans cheered."]),
        ('"We agree," he said. "Good!" she replied.', ['"We agree," he said.', '"Good!" she replied.']),
        ("Growth was 1.5 percent. Exports rose.", ["Growth was 1.5 percent.", "Exports rose."]),
        ("Is it over? Yes. the end", ["Is it over?", "Yes. the end"]),
    ],
)
def test_split_sentences(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


def test_two_short_sentences() -> None:
    paragraphs = (Paragraph("A caption here.", "caption"), Paragraph("First one. Second one. Third one."))
    assert summarize(paragraphs) == "First one. Second one."


def test_one_long_sentence() -> None:
    long = " ".join(["word"] * 36) + "."
    assert summarize((Paragraph(f"{long} Second sentence."),)) == long


def test_no_text_paragraph() -> None:
    assert summarize((Paragraph("Only a caption.", "caption"),)) == ""


def test_runaway_sentence_is_cut() -> None:
    summary = summarize((Paragraph(" ".join(["word"] * 500)),))
    assert summary == " ".join(["word"] * 120) + " …"


@pytest.mark.parametrize(("text", "sentences"), [
    ("习近平抵达河内。两国领导人举行会谈！", ["习近平抵达河内。", "两国领导人举行会谈！"]),
    ("首脳は「協力を深める」と述べた。会談は二時間続いた？", ["首脳は「協力を深める」と述べた。", "会談は二時間続いた？"]),
    ("Xi said「合作。」Then he left.", ["Xi said「合作。」", "Then he left."]),
])
def test_ideographic_full_stops_end_sentences(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


def test_a_short_unspaced_sentence_takes_the_next_and_a_long_one_stands_alone() -> None:
    assert summarize((Paragraph("习近平抵达河内。两国领导人举行会谈。第三句。"),)) == "习近平抵达河内。两国领导人举行会谈。"
    long = "长" * 70 + "。"
    assert summarize((Paragraph(long + "第二句。"),)) == long
