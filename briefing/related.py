"""Related briefs: near in time, sharing leaders (2 points each) or topics (1 point each)."""

from __future__ import annotations

import bisect
import hashlib
import itertools
import os
import pickle
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from .model import Brief, Site
from .parallel import fork_map

RELATED_MAX = 5
RELATED_WINDOW = 10  # briefs on each side of this one, in each leader's and topic's list, considered


class Related:
    """Each leader's and topic's brief list is searched only within RELATED_WINDOW briefs of a
    brief, so the cost per brief stays bounded however large a person or topic grows.
    Briefs are handled by their rank in the site's order (newest first) and named only at the end.
    """

    def __init__(self, site: Site, found: dict[str, tuple[str, ...]] | None = None) -> None:
        self.shape = shape(site)
        self.found: dict[str, tuple[str, ...]] = found or {}  # slug -> its related slugs, as computed
        self.computed = 0  # answers computed here (not given)
        self.order = site.order
        self.briefs = site.briefs
        self.rank = {slug: i for i, slug in enumerate(site.order)}
        self.lists: dict[tuple[str, str], list[int]] = {}
        for kind, index in (("person", site.by_person), ("topic", site.by_topic)):
            for ident, slugs in index.items():
                self.lists[kind, ident] = [self.rank[s] for s in slugs]  # ascending: lists follow site.order

    def fill(self) -> None:
        """Work out the related briefs of every brief not known yet, on every core."""
        todo = [self.briefs[slug] for slug in self.order if slug not in self.found]
        for brief, found in zip(todo, fork_map(lambda part: [self._of(b) for b in part], todo), strict=True):
            self.found[brief.slug] = found
        self.computed += len(todo)

    def of(self, brief: Brief) -> tuple[str, ...]:
        """Up to RELATED_MAX slugs, best first; ties go to the brief nearest in time, then the newer."""
        known = self.found.get(brief.slug)
        if known is not None:
            return known
        found = self.found[brief.slug] = self._of(brief)
        self.computed += 1
        return found

    def _of(self, brief: Brief) -> tuple[str, ...]:
        here = self.rank[brief.slug]
        windows = []  # each leader's window twice (2 points), each topic's once
        for kind, ids, weight in (("person", brief.leaders, 2), ("topic", brief.topics, 1)):
            for ident in dict.fromkeys(ids):
                ranks = self.lists[kind, ident]
                at = bisect.bisect_left(ranks, here)
                window = ranks[max(0, at - RELATED_WINDOW): at + RELATED_WINDOW + 1]
                windows.extend([window] * weight)
        points = Counter(itertools.chain.from_iterable(windows))  # counted in C, in one pass
        points.pop(here, None)
        candidates: Iterable[tuple[int, int]] = points.items()
        if len(points) > RELATED_MAX:  # only those scoring at least the RELATED_MAX-th best can be chosen
            floor = sorted(points.values(), reverse=True)[RELATED_MAX - 1]
            candidates = [(rank, score) for rank, score in candidates if score >= floor]
        size = len(self.order)
        # One integer per candidate orders by (more points, nearer in time, lower rank).
        keys = sorted((-score * size + abs(rank - here)) * size + rank for rank, score in candidates)
        return tuple(self.order[key % size] for key in keys[:RELATED_MAX])


def shape(site: Site) -> tuple[object, ...]:
    """All that related briefs depend on: the order of briefs and each one's leaders and topics."""
    briefs = site.briefs
    return (site.order, tuple((briefs[s].leaders, briefs[s].topics) for s in site.order))


def shape_key(site: Site, version: str) -> bytes:
    """A digest of the site's shape and the code's version: equal keys, equal related briefs."""
    data = pickle.dumps((version, shape(site)), pickle.HIGHEST_PROTOCOL)
    return hashlib.blake2b(data, digest_size=16).digest()


def remembered(site: Site, path: Path, key: bytes) -> Related:
    """Related(site), with the answers `remember` saved at `path` under the same shape_key."""
    try:
        with path.open("rb") as file:
            saved_key, found = pickle.load(file)
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError):
        return Related(site)
    if saved_key != key or not isinstance(found, dict):
        return Related(site)
    return Related(site, found)


def remember(related: Related, path: Path, key: bytes) -> None:
    """Save the answers `related` has computed, under `key`, for the next build (atomically)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temp.write_bytes(pickle.dumps((key, related.found), pickle.HIGHEST_PROTOCOL))
    os.replace(temp, path)
