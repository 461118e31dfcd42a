"""People rule: folded, capitalisation-aware registry matching; unregistered leaders flagged."""

from __future__ import annotations

import pytest

from briefing.extract.people import find_mentions, fold, leaders, unregistered
from briefing.model import Person, Registry

TITLES = ("General Secretary", "President", "Prime Minister", "Foreign Minister", "Minister", "King", "General")


def registry() -> Registry:
    people = [
        Person("xi-jinping", "Xi Jinping", aliases=("Tập Cận Bình", "Xi Jin Ping"), short=("Xi", "President Xi")),
        Person("to-lam", "Tô Lâm", aliases=("To Lam", "Tu Lam"), short=("Lam",)),
        Person("wang-yi", "Wang Yi"),
        Person("wang-xiaohong", "Wang Xiaohong"),
        Person("nguyen-phu-trong", "Nguyễn Phú Trọng", short=("Trong",)),
        Person("li-qiang", "Li Qiang", aliases=("Lý Cường",)),
        Person("luong-cuong", "Lương Cường", short=("Cuong",)),
    ]
    return Registry(people={p.id: p for p in people}, topics={})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Xi Jinping met To Lam.", ("xi-jinping", "to-lam")),
        ("To Lam met Xi Jinping.", ("to-lam", "xi-jinping")),
        ("Tô Lâm and Tập Cận Bình", ("to-lam", "xi-jinping")),
        ("TO LAM VISITS BEIJING", ("to-lam",)),
        ("to lam", ()),
        ("Officials went to Lam Dong province.", ()),
        ("General Secretary Tu Lam said", ("to-lam",)),
        ("Xi Jin Ping arrived", ("xi-jinping",)),
        ("Xi Jinping’s visit", ("xi-jinping",)),
        ("Xi Jinpingo is not him", ()),
        ("Nguyen Phu Trong and NGUYỄN PHÚ TRỌNG", ("nguyen-phu-trong",)),
        ("Wang Xiaohong, Wang Yi and others", ("wang-xiaohong", "wang-yi")),
        ("Wang Yi only", ("wang-yi",)),
        ("Wang Yimeng is someone else", ()),
        ("Xi said, and then Lam said", ()),  # short forms alone never add a leader
        ("Xi arrived. Later Xi Jinping met Lam.", ("xi-jinping",)),
        ("President Xi Jinping met Vietnamese President Luong Cuong", ("xi-jinping", "luong-cuong")),
        ("Ly Cuong, also written Lý Cường, is Li Qiang", ("li-qiang",)),
    ],
)
def test_leaders(text: str, expected: tuple[str, ...]) -> None:
    assert leaders([text], registry()) == expected


def test_leaders_across_title_and_body_in_order() -> None:
    assert leaders(["Wang Yi in Hanoi", "Xi Jinping met Wang Yi and To Lam"], registry()) == (
        "wang-yi", "xi-jinping", "to-lam"
    )


def test_short_forms_count_only_after_a_full_name() -> None:
    mentions = find_mentions("Lam spoke. To Lam arrived. Lam spoke again.", registry())
    assert [(m.person_id, m.full) for m in mentions] == [("to-lam", True), ("to-lam", False)]
    assert mentions[1].start == len("Lam spoke. To Lam arrived. ")


def test_mention_spans_point_into_the_original_text() -> None:
    text = "Ông Tô Lâm gặp Xi Jinping"
    spans = [text[m.start : m.end] for m in find_mentions(text, registry())]
    assert spans == ["Tô Lâm", "Xi Jinping"]


def test_fold_keeps_length_and_case() -> None:
    assert fold("Nguyễn Phú Trọng Đà") == "Nguyen Phu Trong Da"
    assert fold("đ") == "d"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Japanese Prime Minister Fumio Kishida met Indonesian President Joko Widodo in Jakarta on Tuesday.",
            ("Fumio Kishida", "Joko Widodo"),
        ),
        ("President Joko Widodo's plan and President Joko Widodo again", ("Joko Widodo",)),
        ("King Charles III spoke", ("Charles III",)),
        ("President Xi said", ()),
        ("President Xi Jinping said", ()),
        ("Chinese President Xi Jinping Pledges More", ()),
        ("General Secretary of the Communist Party To Lam", ()),
        ("General Secretary Tu Lam spoke", ()),
        ("the Minister of Public Security spoke", ()),
        ("General Office staff", ()),
        ("President Biden spoke", ()),  # one word: not enough to name someone
        ("Prime Minister Fumio Kishida Tuesday said", ("Fumio Kishida",)),
        ("Indonesian President Joko Widodo Meets Japanese Leader Here", ()),  # title-case headline run
    ],
)
def test_unregistered(text: str, expected: tuple[str, ...]) -> None:
    assert unregistered([text], registry(), TITLES) == expected


def test_unregistered_needs_titles() -> None:
    assert unregistered(["Prime Minister Fumio Kishida"], registry(), ()) == ()
