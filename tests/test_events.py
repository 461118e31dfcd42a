"""Event grouping on small constructed briefs: links, guards, anchors, dates, determinism."""

from __future__ import annotations

import dataclasses
import datetime
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.events import (
    THRESHOLD,
    WINDOW_DAYS,
    bigrams,
    candidate_pairs,
    event_dates,
    group_events,
    join_event,
    similarities,
)
from briefing.model import Brief

D = datetime.date

# Two outlets rewriting the same wire story on the April 14 talks, and a third, undated one.
TALKS_WIRE = (
    "Xi and Lam agree to speed up railway link",
    "Chinese President Xi Jinping held talks with To Lam in Hanoi on Monday. The two leaders agreed to "
    "speed up the standard-gauge railway between Kunming and Haiphong and to open more border gates to "
    "farm produce.\n\nXi called on both sides to oppose unilateral bullying practices and to keep industrial "
    "and supply chains stable. Lam said Vietnam would deepen the comprehensive strategic cooperative partnership.",
)
TALKS_DAILY = (
    "China, Vietnam to build Kunming-Haiphong railway faster",
    "Meeting in Hanoi, To Lam and the visiting Chinese leader Xi Jinping pledged to speed up the standard-gauge "
    "railway from Kunming to Haiphong and to open more border gates for farm produce.\n\nXi urged the two "
    "countries to oppose unilateral bullying practices and keep industrial and supply chains stable, while Lam "
    "vowed to deepen the comprehensive strategic cooperative partnership.",
)
TALKS_BLOG = (
    "Railway and farm trade top Xi's Hanoi agenda",
    "Xi Jinping's talks with To Lam focused on the standard-gauge railway between Kunming and Haiphong, which "
    "both leaders agreed to speed up, and on border gates for farm produce.\n\nThe two also said they would "
    "oppose unilateral bullying practices and keep supply chains stable.",
)
# The same two leaders at other events.
GREETINGS = (
    "Xi, Lam exchange Lunar New Year greetings",
    "Xi Jinping and To Lam exchanged greetings by phone ahead of the Lunar New Year, reviewing a year of "
    "exchanges between the two parties.\n\nLam wished the Chinese people a prosperous Year of the Snake and "
    "thanked China for its help after Typhoon Yagi.",
)
ANNIVERSARY = (
    "Xi and Lam mark 75 years of diplomatic ties",
    "Xi Jinping and To Lam exchanged congratulatory messages on Saturday on the 75th anniversary of diplomatic "
    "relations, calling the two countries comrades and brothers.\n\nXi recalled his 2023 visit and the "
    "Year of People-to-People Exchanges, and Lam thanked China for its support in the struggle for independence.",
)


def brief(slug: str, date: datetime.date | None, text: tuple[str, str], leaders: tuple[str, ...] = ("xi-jinping", "to-lam"),
          event: str | None = None, review: tuple[str, ...] | None = None) -> Brief:
    return Brief(slug=slug, title=text[0], date=date, source=None, author=None, leaders=leaders, topics=(),
                 summary="", seed=None, seed_sha256=None,
                 review=review if review is not None else (() if date else ("date-missing",)), body=text[1],
                 event=event)


def test_bigrams_fold_case_diacritics_and_stop_words_line_by_line() -> None:
    assert bigrams("Tô Lâm met Xi in Hà Nội.\nThe talks ended") == ["lam met", "met xi", "xi ha", "ha noi", "talks ended"]


def test_threshold_separates_same_event_from_other_events_with_the_same_leaders() -> None:
    briefs = [brief("wire", D(2025, 4, 14), TALKS_WIRE), brief("daily", D(2025, 4, 15), TALKS_DAILY),
              brief("blog", None, TALKS_BLOG), brief("greetings", D(2025, 1, 27), GREETINGS),
              brief("anniversary", None, ANNIVERSARY)]
    sims = similarities(briefs)
    talks = {"wire", "daily", "blog"}
    same = [s for pair, s in sims.items() if set(pair) <= talks]
    other = [s for pair, s in sims.items() if not set(pair) <= talks]
    assert min(same) > THRESHOLD > max(other)
    assert min(same) > 0.2 and max(other) < 0.1  # paraphrases of one story share phrases, other stories few


def test_same_event_different_outlets_group_under_the_earliest() -> None:
    briefs = [brief("b-daily", D(2025, 4, 15), TALKS_DAILY), brief("a-wire", D(2025, 4, 14), TALKS_WIRE),
              brief("greetings", D(2025, 1, 27), GREETINGS)]
    assert group_events(briefs) == {"a-wire": "a-wire", "b-daily": "a-wire"}


def test_same_leaders_far_apart_in_time_do_not_group_even_with_the_same_text() -> None:
    briefs = [brief("april", D(2025, 4, 14), TALKS_WIRE), brief("september", D(2025, 9, 2), TALKS_DAILY)]
    assert group_events(briefs) == {}
    within = [brief("april", D(2025, 4, 14), TALKS_WIRE),
              brief("later", D(2025, 4, 14) + datetime.timedelta(days=WINDOW_DAYS), TALKS_DAILY)]
    assert group_events(within) == {"april": "april", "later": "april"}


def test_no_shared_leader_no_group() -> None:
    briefs = [brief("wire", D(2025, 4, 14), TALKS_WIRE, leaders=("xi-jinping",)),
              brief("daily", D(2025, 4, 14), TALKS_DAILY, leaders=("to-lam",))]
    assert group_events(briefs) == {}


def test_undated_brief_with_the_same_leaders_but_another_story_stays_alone() -> None:
    briefs = [brief("wire", D(2025, 4, 14), TALKS_WIRE), brief("anniversary", None, ANNIVERSARY)]
    assert group_events(briefs) == {}


def test_undated_brief_joins_a_dated_event_and_takes_its_earliest_date() -> None:
    briefs = [brief("daily", D(2025, 4, 15), TALKS_DAILY), brief("blog", None, TALKS_BLOG),
              brief("wire", D(2025, 4, 14), TALKS_WIRE)]
    events = group_events(briefs)
    assert events == {"blog": "wire", "daily": "wire", "wire": "wire"}
    dates = event_dates(briefs, events)
    assert dates == {"wire": D(2025, 4, 14)}
    blog = join_event(briefs[1], events["blog"], dates["wire"])
    assert (blog.event, blog.date, blog.date_basis, blog.review, blog.slug) == (
        "wire", D(2025, 4, 14), "event", ("date-from-event",), "blog")
    dated = join_event(briefs[0], "wire", dates["wire"])
    assert (dated.date, dated.date_basis) == (D(2025, 4, 15), None)


def test_undated_only_group_gets_no_date() -> None:
    briefs = [brief("wire", None, TALKS_WIRE), brief("daily", None, TALKS_DAILY)]
    events = group_events(briefs)
    assert events == {"daily": "daily", "wire": "daily"}  # anchor: undated, so by slug
    assert event_dates(briefs, events) == {}
    assert join_event(briefs[1], "daily", None).review == ("date-missing",)


def test_a_date_taken_from_an_event_is_not_evidence() -> None:
    borrowed = dataclasses.replace(brief("blog", D(2025, 4, 14), TALKS_BLOG), date_basis="event")
    briefs = [borrowed, brief("daily", D(2025, 4, 16), TALKS_DAILY)]
    events = group_events(briefs)
    assert events == {"blog": "daily", "daily": "daily"}  # the dated one anchors
    assert event_dates(briefs, events) == {"daily": D(2025, 4, 16)}


def test_chaining_guard_keeps_a_group_within_the_window_of_its_earliest_date() -> None:
    # each neighbour is within the window of the next, the ends are not: no chain over 6 days
    days = [D(2025, 4, 14) + datetime.timedelta(days=d) for d in (0, WINDOW_DAYS, 2 * WINDOW_DAYS)]
    briefs = [brief("a", days[0], TALKS_WIRE), brief("b", days[1], TALKS_DAILY), brief("c", days[2], TALKS_BLOG)]
    events = group_events(briefs)
    assert len(set(events.values())) == 1 and len(events) == 2
    members = sorted(events)
    assert (max(b.date for b in briefs if b.slug in members and b.date)
            - min(b.date for b in briefs if b.slug in members and b.date)).days <= WINDOW_DAYS


def test_undated_brief_cannot_bridge_two_dated_events() -> None:
    briefs = [brief("april", D(2025, 4, 14), TALKS_WIRE), brief("undated", None, TALKS_BLOG),
              brief("october", D(2025, 10, 14), TALKS_DAILY)]
    events = group_events(briefs)
    assert set(events.values()) in ({"april"}, {"october"}) and len(events) == 2


def test_existing_event_id_is_kept_and_reused() -> None:
    existing = brief("wire", D(2025, 4, 14), TALKS_WIRE, event="hanoi-talks")
    new = [brief("a-daily", D(2025, 4, 13), TALKS_DAILY), brief("blog", None, TALKS_BLOG)]
    events = group_events([existing, *new], existing={"wire"})
    assert events == {"wire": "hanoi-talks", "a-daily": "hanoi-talks", "blog": "hanoi-talks"}


def test_existing_brief_without_event_key_anchors_even_when_a_new_one_is_earlier() -> None:
    existing = brief("b-wire", D(2025, 4, 15), TALKS_WIRE)
    new = brief("a-daily", D(2025, 4, 14), TALKS_DAILY)
    assert group_events([existing, new], existing={"b-wire"}) == {"a-daily": "b-wire", "b-wire": "b-wire"}
    assert group_events([existing, new]) == {"a-daily": "a-daily", "b-wire": "a-daily"}


def test_two_existing_events_never_merge() -> None:
    one = brief("wire", D(2025, 4, 14), TALKS_WIRE, event="one")
    two = brief("daily", D(2025, 4, 14), TALKS_DAILY, event="two")
    lone = brief("plain", D(2025, 4, 14), TALKS_DAILY)  # an existing brief without event: its own anchor
    new = brief("blog", None, TALKS_BLOG)
    events = group_events([one, two, lone, new], existing={"wire", "daily", "plain"})
    assert {k: v for k, v in events.items() if k != "blog"} == {"wire": "one", "daily": "two"}
    assert events["blog"] in ("one", "two", "plain")


def test_members_of_an_event_stay_together_and_its_anchor_belongs_without_a_key() -> None:
    anchor = brief("wire", D(2025, 4, 14), TALKS_WIRE)  # written before the others joined it
    far = brief("recap", D(2025, 5, 30), GREETINGS, event="wire")  # an author's choice, out of window
    events = group_events([anchor, far], existing={"wire", "recap"})
    assert events == {"recap": "wire", "wire": "wire"}


def test_singletons_get_no_event_but_a_carried_one_is_kept() -> None:
    assert group_events([brief("wire", D(2025, 4, 14), TALKS_WIRE)]) == {}
    assert group_events([brief("wire", D(2025, 4, 14), TALKS_WIRE, event="mine")]) == {"wire": "mine"}


STORY = [brief("wire", D(2025, 4, 14), TALKS_WIRE), brief("daily", D(2025, 4, 15), TALKS_DAILY),
         brief("blog", None, TALKS_BLOG), brief("greetings", D(2025, 1, 27), GREETINGS),
         brief("anniversary", None, ANNIVERSARY),
         brief("wire-2", D(2025, 10, 14), TALKS_WIRE), brief("daily-2", D(2025, 10, 14), TALKS_DAILY)]


@pytest.mark.parametrize("order", list(itertools.islice(itertools.permutations(range(len(STORY))), 0, 5040, 397)))
def test_grouping_is_deterministic_whatever_the_order(order: tuple[int, ...]) -> None:
    assert group_events([STORY[i] for i in order]) == group_events(STORY) == {
        "wire": "wire", "daily": "wire", "blog": "wire", "wire-2": "daily-2", "daily-2": "daily-2"}


def test_second_run_over_the_written_briefs_gives_the_same_events() -> None:
    events = group_events(STORY)
    dates = event_dates(STORY, events)
    written = [join_event(b, events.get(b.slug), dates.get(events.get(b.slug, ""))) for b in STORY]
    assert group_events(written, existing={b.slug for b in written}) == events
    assert group_events(written) == events
    # and again with nothing new: written briefs stay what they are
    again = group_events(written, existing={b.slug for b in written})
    assert [join_event(b, again.get(b.slug), None) for b in written] == written


def test_leader_guard_every_member_shares_a_leader() -> None:
    # a-b share to-lam and b-c share pham-minh-chinh, but a and c name nobody in common
    briefs = [brief("a", D(2025, 4, 14), TALKS_WIRE, leaders=("xi-jinping", "to-lam")),
              brief("b", D(2025, 4, 14), TALKS_DAILY, leaders=("to-lam", "pham-minh-chinh")),
              brief("c", D(2025, 4, 14), TALKS_BLOG, leaders=("pham-minh-chinh", "li-qiang"))]
    events = group_events(briefs)
    assert len(events) == 2 and len(set(events.values())) == 1


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), st.integers(0, 12)),
                          st.lists(st.sampled_from(["a", "b", "c"]), max_size=3)), max_size=14))
def test_candidate_pairs_are_exactly_the_close_pairs_sharing_a_leader(
        rows: list[tuple[int | None, list[str]]]) -> None:
    """The sliding window finds the same pairs as comparing every two briefs."""
    start = datetime.date(2025, 1, 1)
    briefs = [brief(f"b{i:02d}", None if d is None else start + datetime.timedelta(days=d), ("t", "x"), tuple(ls))
              for i, (d, ls) in enumerate(rows)]
    expected = {(x.slug, y.slug) for x, y in itertools.combinations(briefs, 2)
                if set(x.leaders) & set(y.leaders)
                and (x.date is None or y.date is None or abs((x.date - y.date).days) <= WINDOW_DAYS)}
    assert candidate_pairs(briefs) == expected
