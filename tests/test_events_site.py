"""Events, quotes, auto profiles and the review page, on the fixture site."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_files
from crawl import broken_links, parse_site, resolve

from briefing.errors import ProblemsError
from briefing.pipeline import build

EXTRA = {
    # joins the event anchored by the existing 2025-04-14 brief, which has no event: key itself
    "content/briefs/2025-04-14-second-outlet.md": (
        "---\ntitle: Second outlet on the talks\ndate: 2025-04-14\npublished: 2025-04-15\nsource: Other Daily\n"
        "author: null\nleaders:\n- alice-nguyen\n- zed-new\ntopics: [trade]\nevent: 2025-04-14-talks-in-capital\n"
        "summary: Same talks.\nquotes:\n- speaker: alice-nguyen\n  text: Trade comes first.\n"
        "people:\n- id: zed-new\n  name: Zed New\n  role: Prime Minister\n  country: Newland\n"
        "seed: 009.txt\nseed_sha256: ab\nreview:\n- 'unregistered-person: Zed New'\n---\n\n"
        '"Trade comes first," Alice Nguyen said.\n'
    ),
}


@pytest.fixture
def built(site_root: Path) -> dict[str, object]:
    write_files(site_root, EXTRA)
    build(site_root)
    return parse_site(site_root / "output")  # type: ignore[return-value]


def test_event_page_lists_every_source_with_outlet_and_date(built: dict, site_root: Path) -> None:
    page = built["/events/2025-04-14-talks-in-capital/"]
    links = {resolve(a, page.url) for a in page.anchors()}
    assert {"/briefs/2025-04-14-talks-in-capital/", "/briefs/2025-04-14-second-outlet/"} <= links
    assert "Example Wire" in page.text and "Other Daily" in page.text and "14 April 2025" in page.text
    assert broken_links(site_root / "output", base_path="/desk/") == []


def test_brief_links_other_coverage_of_its_event(built: dict) -> None:
    page = built["/briefs/2025-04-14-talks-in-capital/"]
    links = {resolve(a, page.url) for a in page.anchors()}
    assert "/briefs/2025-04-14-second-outlet/" in links and "/events/2025-04-14-talks-in-capital/" in links
    assert "coverage" in page.ids


def test_quotes_show_on_brief_and_speaker_pages(built: dict) -> None:
    assert "Trade comes first." in built["/briefs/2025-04-14-second-outlet/"].text
    person = built["/people/alice-nguyen/"]
    assert "Trade comes first." in person.text
    assert "/briefs/2025-04-14-second-outlet/" in {resolve(a, person.url) for a in person.anchors()}


def test_auto_profile_gets_a_flagged_person_page(built: dict) -> None:
    page = built["/people/zed-new/"]
    assert "Zed New" in page.text and "Newland" in page.text and "not been confirmed" in page.text


def test_review_page_lists_items_and_is_unlisted(built: dict, site_root: Path) -> None:
    page = built["/review/"]
    assert "unregistered-person: Zed New" in page.text and "date-missing" in page.text
    assert "content/briefs/undated-note.md" in page.text
    assert ("meta", {"name": "robots", "content": "noindex"}) in page.starttags
    assert "/review/" not in (site_root / "output" / "sitemap.xml").read_text()
    home = built["/"]
    assert "/review/" not in {resolve(a, home.url) for a in home.anchors()}


def test_unknown_quote_speaker_is_an_error(site_root: Path) -> None:
    write_files(site_root, {"content/briefs/x.md":
                            "---\ntitle: X\ndate: null\nleaders: []\ntopics: []\nquotes:\n- speaker: nobody\n  text: Hi.\n---\n"})
    with pytest.raises(ProblemsError) as err:
        build(site_root)
    assert "x.md:7:3: unknown quote speaker 'nobody'" in str(err.value)


def test_leader_without_registry_entry_or_profile_is_an_error(site_root: Path) -> None:
    write_files(site_root, {"content/briefs/x.md": "---\ntitle: X\ndate: null\nleaders: [zed-new]\ntopics: []\n---\n"})
    with pytest.raises(ProblemsError) as err:
        build(site_root)
    assert "unknown leader 'zed-new'" in str(err.value)
