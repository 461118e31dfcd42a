"""Topic rule: weighted whole-word keyword counts against the registry's topics."""

from __future__ import annotations

import re

from ..model import IngestRules, Registry


def count_phrase(phrase: str, text: str) -> int:
    """Whole-word, case-insensitive occurrences of `phrase` (any whitespace between words)."""
    words = phrase.split()
    if not words:
        return 0
    body = r"\s+".join(re.escape(w) for w in words)
    return len(re.findall(rf"(?<!\w){body}(?!\w)", text, re.IGNORECASE))


def topic_scores(text: str, registry: Registry) -> dict[str, float]:
    """Score per topic id: sum of weight x occurrences of each keyword phrase."""
    return {
        tid: sum(weight * count_phrase(phrase, text) for phrase, weight in topic.keywords)
        for tid, topic in registry.topics.items()
    }


def pick_topics(
    text: str, registry: Registry, rules: IngestRules
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Topics at or above the threshold, strongest first (ties by id); else the best; review."""
    scores = topic_scores(text, registry)
    ranked = sorted((item for item in scores.items() if item[1] > 0), key=lambda i: (-i[1], i[0]))
    if not ranked:
        return (), ("topics-missing",)
    passing = [tid for tid, score in ranked if score >= rules.topic_threshold]
    chosen = passing[: max(rules.max_topics, 1)] if passing else [ranked[0][0]]
    return tuple(chosen), ()
