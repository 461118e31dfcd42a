"""Topic rule: weighted whole-word counts, threshold, strongest first, fallback to the best."""

from __future__ import annotations

import pytest

from briefing.extract.topics import pick_topics, topic_scores
from briefing.model import IngestRules, Registry, Topic

RULES = IngestRules(topic_threshold=3, max_topics=2)


def registry() -> Registry:
    topics = [
        Topic("trade", "Trade", keywords=(("trade", 1), ("investment", 2), ("supply chain", 2))),
        Topic("maritime", "Maritime", keywords=(("south china sea", 3), ("sea", 1))),
        Topic("culture", "Culture", keywords=(("culture", 1), ("people-to-people", 3))),
        Topic("rail", "Rail", keywords=(("railway", 2),)),
    ]
    return Registry(people={}, topics={t.id: t for t in topics})


@pytest.mark.parametrize(
    ("phrase", "text", "count"),
    [
        ("sea", "The sea, the SEA and the Sea.", 3),
        ("sea", "seaside seas overseas", 0),
        ("supply chain", "supply chains and a supply\nchain", 1),
        ("south china sea", "the South China Sea", 1),
        ("people-to-people", "People-to-People exchanges", 1),
        ("trade", "free-trade trade-off trader", 2),
    ],
)
def test_phrases_count_as_whole_words(phrase: str, text: str, count: int) -> None:
    one = Registry(people={}, topics={"t": Topic("t", "T", keywords=((phrase, 1),))})
    assert topic_scores(text, one) == {"t": float(count)}


def test_scores() -> None:
    scores = topic_scores("Investment and trade in the South China Sea.", registry())
    assert scores == {"trade": 3.0, "maritime": 4.0, "culture": 0.0, "rail": 0.0}


@pytest.mark.parametrize(
    ("text", "topics", "review"),
    [
        ("Investment and trade in the South China Sea.", ("maritime", "trade"), ()),
        # three pass the threshold; max_topics keeps the two strongest
        ("South China Sea; investment, trade; railway railway railway.", ("rail", "maritime"), ()),
        # ties are broken by id
        ("investment trade, railway, sea sea sea", ("maritime", "trade"), ()),
        # nothing reaches the threshold: the single best still counts
        ("A note on culture and the sea and the sea.", ("maritime",), ()),
        ("Nothing relevant here.", (), ("topics-missing",)),
    ],
)
def test_pick_topics(text: str, topics: tuple[str, ...], review: tuple[str, ...]) -> None:
    assert pick_topics(text, registry(), RULES) == (topics, review)
