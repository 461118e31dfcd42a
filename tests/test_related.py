"""related: each brief's related briefs, checked against a plain reading of the rule on generated sites."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from briefing.config import load_config
from briefing.load import load_site
from briefing.model import Site
from briefing.related import RELATED_MAX, RELATED_WINDOW, Related

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
from corpus import write_corpus  # noqa: E402 - the benchmark's corpus generator


def reference(site: Site, slug: str) -> tuple[str, ...]:
    """The rule as the module's docstring states it, brief by brief: 2 points per shared leader and
    1 per shared topic, counted where the other brief is within RELATED_WINDOW places of this one in
    that leader's or topic's list; more points first, then nearer in the site's order, then newer."""
    rank = {s: i for i, s in enumerate(site.order)}
    brief = site.briefs[slug]
    points: dict[str, int] = {}
    for index, ids, weight in ((site.by_person, brief.leaders, 2), (site.by_topic, brief.topics, 1)):
        for ident in set(ids):
            listed = list(index[ident])
            at = listed.index(slug)
            for other in listed[max(0, at - RELATED_WINDOW): at + RELATED_WINDOW + 1]:
                if other != slug:
                    points[other] = points.get(other, 0) + weight
    best = sorted(points, key=lambda s: (-points[s], abs(rank[s] - rank[slug]), rank[s]))
    return tuple(best[:RELATED_MAX])


@pytest.mark.parametrize(("briefs", "people", "topics", "seed"), [
    (300, 6, 3, 1),  # long lists: windows cut them, many ties
    (300, 40, 10, 2),
    (60, 200, 30, 3),  # short lists: fewer candidates than RELATED_MAX for some briefs
])
def test_related_briefs_follow_the_rule(tmp_path: Path, briefs: int, people: int, topics: int, seed: int) -> None:
    root = write_corpus(tmp_path / "site", briefs, people=people, topics=topics, seed=seed, search=False)
    config, registry = load_config(root / "site.yaml")
    site = load_site(root, config, registry, bodies=False)
    related = Related(site)
    related.fill()
    assert related.computed == len(site.briefs)
    for slug, brief in site.briefs.items():
        assert related.of(brief) == reference(site, slug), slug
    assert any(len(found) < RELATED_MAX for found in related.found.values()) == (briefs == 60)
