"""Topic rule: weighted whole-word keyword counts against the registry's topics."""

from __future__ import annotations

import functools
import re
from collections import Counter

from ..model import IngestRules, Registry
from .phrases import phrase_pattern


@functools.lru_cache(maxsize=16)
def _phrases(keywords: tuple[tuple[str, tuple[tuple[str, float], ...]], ...]) -> re.Pattern[str] | None:
    """Every keyword phrase of every topic in one pattern: a lookahead, so overlaps all count."""
    return phrase_pattern((p.casefold() for _, pairs in keywords for p, _ in pairs), r"\s+")


def topic_scores(text: str, registry: Registry) -> dict[str, float]:
    """Score per topic id: sum of weight x occurrences of each keyword phrase."""
    keywords = tuple((tid, topic.keywords) for tid, topic in registry.topics.items())
    pattern = _phrases(keywords)
    seen: Counter[str] = Counter()
    if pattern:
        for raw, count in Counter(pattern.findall(text)).items():  # matches counted in C, each form folded once
            seen[" ".join(raw.split()).casefold()] += count
    return {tid: sum(weight * seen[" ".join(phrase.split()).casefold()] for phrase, weight in pairs)
            for tid, pairs in keywords}


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
