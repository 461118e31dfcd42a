"""Title rule and slugs: the headline when there is one, else a title generated from the lede."""

from __future__ import annotations

import re

import pytest

from briefing.briefs import SLUG_PATTERN
from briefing.extract import make_slug
from briefing.extract.title import generate_title, make_title
from briefing.model import Article, Paragraph, Person, Registry

TITLES = ("General Secretary", "President", "Prime Minister", "Premier", "Minister", "Chairman")
SEED_000_LEDE = (
    "On the morning of April 15, 2025 local time, as his state visit to Viet Nam was drawing to a close, "
    "General Secretary of the Communist Party of China Central Committee and Chinese President Xi Jinping "
    "bid farewell to General Secretary of the Communist Party of Viet Nam Central Committee To Lam."
)


def registry() -> Registry:
    people = [
        Person("xi-jinping", "Xi Jinping", short=("Xi",)),
        Person("to-lam", "Tô Lâm", aliases=("To Lam",)),
        Person("luong-cuong", "Lương Cường", aliases=("Luong Cuong",)),
        Person("pham-minh-chinh", "Phạm Minh Chính"),
        Person("li-qiang", "Li Qiang"),
    ]
    return Registry(people={p.id: p for p in people}, topics={})


def article(title: str | None, lede: str) -> Article:
    return Article("x.txt", "0" * 64, title, None, None, (), (Paragraph(lede),))


def test_headline_is_used() -> None:
    assert make_title(article("China, Vietnam to foster cooperation", "Text."), registry(), TITLES) == (
        "China, Vietnam to foster cooperation", ()
    )


def test_generated_title_is_flagged() -> None:
    title, review = make_title(article(None, SEED_000_LEDE), registry(), TITLES)
    assert title == "Xi Jinping bid farewell to To Lam"
    assert review == ("title-generated",)


def test_caption_is_not_the_lede() -> None:
    a = Article("x.txt", "0" * 64, None, None, None, (),
                (Paragraph("Flags wave in Hanoi.", "caption"), Paragraph("Xi Jinping arrived in Hanoi.")))
    assert make_title(a, registry(), TITLES)[0] == "Xi Jinping arrived in Hanoi"


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("On Monday, Chinese President Xi Jinping met Vietnamese President Luong Cuong in Hanoi.",
         "Xi Jinping met Luong Cuong in Hanoi"),
        ("On Monday, as the talks ended in Beijing, Vietnamese Prime Minister Phạm Minh Chính and Chinese "
         "Premier Li Qiang agreed to expand railway links between the two countries.",
         "Phạm Minh Chính and Li Qiang agreed to expand railway links between the two countries"),
        ("Xi, who is also the party chief, exchanged congratulations with To Lam.",
         "Xi exchanged congratulations with To Lam"),
        ("During the meeting, the two leaders agreed to boost trade.", "The two leaders agreed to boost trade"),
        ("Trade between the two countries rose to 1,500 tonnes in a year.",
         "Trade between the two countries rose to 1,500 tonnes in a year"),
        ("The president of the chamber of commerce said one two three four five six seven eight nine ten "
         "eleven twelve thirteen.",
         "The president of the chamber of commerce said one two three four five six seven eight"),
        ("Chairman of the Board Nguyen Van A spoke.", "Chairman of the Board Nguyen Van A spoke"),  # unregistered
    ],
)
def test_generate_title(sentence: str, expected: str) -> None:
    assert generate_title(sentence, registry(), TITLES) == expected


def test_generated_title_is_capped_at_16_words() -> None:
    title = generate_title(" ".join(["word"] * 40) + ".", registry(), TITLES)
    assert len(title.split()) == 16


@pytest.mark.parametrize(
    ("title", "date", "expected"),
    [
        ("China, Vietnam to foster cooperation", "2025-04-14", "2025-04-14-china-vietnam-to-foster-cooperation"),
        ("Tô Lâm meets Xi Jinping", None, "to-lam-meets-xi-jinping"),
        ("Breaking: #1 --- \"quoted\" 'single' ! [brackets] {braces} | pipe", None,
         "breaking-1-quoted-single-brackets-braces-pipe"),
        ("🔥🔥", None, "brief-abcdef12"),
        ("!!!", "2021-11-30", "2021-11-30-brief-abcdef12"),
    ],
)
def test_make_slug(title: str, date: str | None, expected: str) -> None:
    assert make_slug(title, date, "abcdef12" + "0" * 56) == expected


def test_long_slug_is_cut_at_a_hyphen() -> None:
    title = "Xi Jinping Pledges to Deepen China-Vietnam Ties for a Shared Future of Strategic Significance"
    slug = make_slug(title, "2025-04-15", "0" * 64)
    stem = slug.removeprefix("2025-04-15-")
    assert len(stem) <= 60
    assert "xi-jinping-pledges-to-deepen-china-vietnam-ties-for-a-shared".startswith(stem)
    assert re.fullmatch(SLUG_PATTERN, slug) and not stem.endswith("-")
