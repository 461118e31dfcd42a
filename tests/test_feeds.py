"""Atom feeds, read by a real feed parser (feedparser): site, person and topic feeds."""

from __future__ import annotations

from pathlib import Path

from browser_support import require
from crawl import parse_site, resolve

from briefing import urls
from briefing.pipeline import build

require("feedparser")
import feedparser  # noqa: E402


def feeds(out: Path) -> list[Path]:
    return sorted(out.rglob("feed.xml"))


def test_every_feed_parses_without_bozo_errors(built: Path) -> None:
    found = feeds(built)
    assert built / "feed.xml" in found and built / "people/alice-nguyen/feed.xml" in found
    assert built / "topics/trade/feed.xml" in found
    for path in found:
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, f"{path}: {parsed.get('bozo_exception')}"
        assert parsed.version == "atom10", path
        assert parsed.feed.id.startswith("tag:") and parsed.feed.updated


def test_person_feed_has_that_persons_briefs_with_stable_ids_and_dates(built: Path) -> None:
    parsed = feedparser.parse((built / "people/alice-nguyen/feed.xml").read_bytes())
    links = [e.link for e in parsed.entries]
    # the fixture site's base_url is https://briefs.example.org/desk/
    assert links[:2] == ["https://briefs.example.org/desk/briefs/2025-04-15-follow-up/",
                         "https://briefs.example.org/desk/briefs/2025-04-14-talks-in-capital/"]
    first = parsed.entries[0]
    assert first.id == "tag:briefs.example.org,2025:/briefs/2025-04-15-follow-up/"
    assert first.updated == "2025-04-15T00:00:00Z" and first.published == "2025-04-15T00:00:00Z"
    assert parsed.feed.updated == "2025-04-15T00:00:00Z"  # the newest brief, never the build time
    assert {e.id for e in parsed.entries} <= {e.id for e in feedparser.parse((built / "feed.xml").read_bytes()).entries}


def test_feed_ids_are_valid_without_a_host_and_absolute_urls_with_one(site_root: Path, tmp_path: Path) -> None:
    build(site_root, out_dir=tmp_path / "a", base_url="/")
    build(site_root, out_dir=tmp_path / "b", base_url="https://example.org/news/")
    plain = feedparser.parse((tmp_path / "a/topics/trade/feed.xml").read_bytes())
    hosted = feedparser.parse((tmp_path / "b/topics/trade/feed.xml").read_bytes())
    assert not plain.bozo and not hosted.bozo
    for entry in plain.entries:
        assert entry.id.startswith("tag:fixture-briefing.invalid,2025:/briefs/")
        assert entry.link.startswith("/briefs/")
    for entry in hosted.entries:
        assert entry.id.startswith("tag:example.org,2025:/briefs/")
        assert entry.link.startswith("https://example.org/news/briefs/")
    assert hosted.feed.links[0].href == "https://example.org/news/topics/trade/feed.xml"


def test_tag_uris_are_stable_and_well_formed() -> None:
    assert urls.tag_uri("/briefs/x/", "/", "Viet Nam – China Briefing") == \
        "tag:viet-nam-china-briefing.invalid,2025:/briefs/x/"
    assert urls.tag_uri("/feed.xml", "https://Example.org/a/", "Anything") == "tag:example.org,2025:/feed.xml"
    assert urls.tag_uri("/", "/", "") == "tag:briefing.invalid,2025:/"


def test_pages_advertise_their_feeds(built: Path) -> None:
    pages = parse_site(built)
    for url in ("/", "/people/alice-nguyen/", "/topics/trade/", "/briefs/2025-04-14-talks-in-capital/"):
        alternates = [resolve(a["href"] or "", url) for tag, a in pages[url].starttags
                      if tag == "link" and a.get("rel") == "alternate" and a.get("type") == "application/atom+xml"]
        assert "/feed.xml" in alternates, url
        if url.count("/") == 3 and not url.startswith("/briefs/"):
            assert url + "feed.xml" in alternates, url
            assert url + "feed.xml" in {resolve(a, url) for a in pages[url].anchors()}, f"{url}: no visible feed link"
