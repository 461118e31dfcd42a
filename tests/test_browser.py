"""The seed site in a real browser (Debian's Chromium under Playwright), as a reader uses it.

The built seed site is served on 127.0.0.1; every request to any other host is refused and
recorded, so "no request leaves the site" is checked, not assumed. Screenshots of the main page
types (375 px and 1280 px, light and dark) go to the test's tmp folder and are attached to failures.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import CHROMIUM_ARGS, axe_script, ensure_chromium, require, serve
from conftest import REPO

from briefing.briefs import parse_brief
from briefing.cli import main

require("playwright")
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect, sync_playwright  # noqa: E402

BRIEF = "briefs/2025-04-14-china-vietnam-to-foster-cooperation/"
PAGE_TYPES = {  # one page of every template a reader reaches
    "home": "", "brief": BRIEF, "person": "people/xi-jinping/", "topic": "topics/trade-investment/",
    "people": "people/", "topics": "topics/", "archive": "archive/", "month": "archive/2025/04/",
    "events": "events/", "event": "events/2025-04-14-china-vietnam-to-foster-cooperation/",
    "search": "search/?q=cooperation", "404": "no-such-page/",
}
SHOTS = ("home", "brief", "person", "topic")
pytestmark = pytest.mark.browser
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed site (real seeds, site.yaml, templates), ingested and built."""
    root = tmp_path_factory.mktemp("browser") / "site"
    root.mkdir()
    shutil.copytree(REPO / "seeds", root / "seeds")
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copy(REPO / "site.yaml", root / "site.yaml")
    assert main(["--root", str(root), "-q"]) == 0
    return root


@pytest.fixture(scope="module")
def site(root: Path) -> Iterator[str]:
    """The built seed site served on 127.0.0.1."""
    with serve(root / "output") as url:
        yield url


def body_only_word(root: Path) -> tuple[str, str]:
    """(word, brief slug): a long word in exactly one brief, in its body only (not title or summary)."""
    briefs = [parse_brief(p.read_text(encoding="utf-8"), p)[0] for p in sorted((root / "content/briefs").glob("*.md"))]
    words = {b.slug: set(re.findall(r"[a-z]{8,}", b.body.lower())) for b in briefs}
    for brief in briefs:
        head = (brief.title + " " + brief.summary).lower()
        others = set().union(*(w for slug, w in words.items() if slug != brief.slug))
        unique = sorted(w for w in words[brief.slug] - others if w not in head)
        if unique:
            return unique[0], brief.slug
    raise AssertionError("no brief has a word of its own")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium (installed with apt-get if missing)."""
    executable = ensure_chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Reader:
    """A browser context that refuses and records every request that is not to the test server."""

    def __init__(self, browser: Browser, site: str, **options: Any) -> None:
        self.site = site
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.context: BrowserContext = browser.new_context(**options)
        self.context.route("**/*", self._route)
        self.page: Page = self.context.new_page()
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def _route(self, route: Route) -> None:
        if route.request.url.startswith(self.site):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def reader(browser: Browser, site: str) -> Iterator[Reader]:
    opened = Reader(browser, site, viewport={"width": 1280, "height": 900})
    yield opened
    opened.close()
    assert opened.outside == [], f"requests left the site: {opened.outside}"
    assert opened.errors == [], f"JavaScript errors: {opened.errors}"


def test_a_reader_goes_from_home_to_brief_person_topic_search_and_feed(reader: Reader, site: str,
                                                                      root: Path) -> None:
    page = reader.page
    page.goto(site)
    expect(page.locator("h1")).to_have_text("Latest briefs")
    page.get_by_role("link", name="China, Vietnam to foster cooperation").first.click()
    expect(page).to_have_url(site + BRIEF)
    expect(page.locator("article h1")).to_have_text("China, Vietnam to foster cooperation")
    expect(page.locator("article time[datetime='2025-04-14']").first).to_be_visible()

    page.locator(".chips").get_by_role("link", name="Xi Jinping").click()  # a leader chip
    expect(page).to_have_url(site + "people/xi-jinping/")
    expect(page.locator("h1")).to_have_text("Xi Jinping")
    expect(page.get_by_role("heading", name="Appears with")).to_be_visible()

    page.locator("#person-topics + ul").get_by_role("link", name="Trade and investment").click()
    expect(page).to_have_url(site + "topics/trade-investment/")
    expect(page.locator("h1")).to_have_text("Trade and investment")

    # search from the box in the header, by a word that is only in one brief's body
    word, slug = body_only_word(root)
    page.get_by_role("searchbox", name="Search briefs").fill(word)
    page.get_by_role("searchbox", name="Search briefs").press("Enter")
    expect(page).to_have_url(site + f"search/?q={word}")
    results = page.locator("#search-results li")
    expect(results).to_have_count(1)
    expect(page.locator("#search-status")).to_have_text("1 brief found.")
    expect(results.locator("mark").first).to_have_text(re.compile(word, re.I))
    results.get_by_role("link").first.click()
    expect(page).to_have_url(site + f"briefs/{slug}/")

    # the person's feed, from a visible link
    page.goto(site + "people/xi-jinping/")
    with page.expect_response(lambda r: r.url.endswith("/feed.xml")) as response:
        page.get_by_role("link", name="Atom feed").first.click()
    assert response.value.status == 200
    assert response.value.url == site + "people/xi-jinping/feed.xml"
    assert "<feed xmlns=\"http://www.w3.org/2005/Atom\"" in response.value.text()


def test_search_filters_by_person_and_topic(reader: Reader, site: str, root: Path) -> None:
    briefs = [parse_brief(p.read_text(encoding="utf-8"), p)[0] for p in sorted((root / "content/briefs").glob("*.md"))]
    with_lam = [b for b in briefs if "to-lam" in b.leaders]
    with_both = [b for b in with_lam if "trade-investment" in b.topics]
    assert with_both, "the seed site should have a brief with To Lam on trade"
    page = reader.page
    page.goto(site + "search/")
    page.get_by_label("Person").select_option("to-lam")
    expect(page.locator("#search-status")).to_have_text(f"{len(with_lam)} briefs found.")
    page.get_by_label("Topic").select_option("trade-investment")
    count = f"{len(with_both)} brief{'s' if len(with_both) != 1 else ''} found."
    expect(page.locator("#search-status")).to_have_text(count)
    expect(page).to_have_url(site + "search/?person=to-lam&topic=trade-investment")
    links = page.locator("#search-results li h3 a")
    expect(links).to_have_count(len(with_both))
    found = sorted(str(a.get_attribute("href")) for a in links.all())
    assert found == sorted(site + f"briefs/{b.slug}/" for b in with_both)


def test_without_javascript_search_points_to_people_and_topics(browser: Browser, site: str) -> None:
    reader = Reader(browser, site, java_script_enabled=False)
    try:
        reader.page.goto(site + "search/?q=trade")
        notice = reader.page.locator("main .notice")
        expect(notice).to_contain_text("needs JavaScript")
        expect(notice.get_by_role("link", name="people")).to_have_attribute("href", "../people/")
        expect(notice.get_by_role("link", name="topics")).to_have_attribute("href", "../topics/")
        reader.page.goto(site + BRIEF)  # everything else reads the same without scripts
        expect(reader.page.locator(".chips a")).to_have_count(2)
    finally:
        reader.close()


def test_skip_link_is_first_and_visible_on_focus(reader: Reader, site: str) -> None:
    page = reader.page
    page.goto(site + BRIEF)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, "the focused skip link is off-screen"
    outline = skip.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline != "none", "no visible focus outline"


@pytest.mark.parametrize("name", list(PAGE_TYPES))
def test_axe_finds_no_serious_or_critical_violations(browser: Browser, site: str, name: str) -> None:
    script = axe_script()
    for scheme in ("light", "dark"):
        reader = Reader(browser, site, viewport={"width": 1280, "height": 900}, color_scheme=scheme)
        try:
            reader.page.goto(site + PAGE_TYPES[name])
            if name == "search":
                expect(reader.page.locator("#search-results li").first).to_be_visible()
            reader.page.evaluate(script)
            result = reader.page.evaluate("opts => axe.run(document, opts)",
                                          {"runOnly": {"type": "tag", "values": WCAG}, "resultTypes": ["violations"]})
        finally:
            reader.close()
        bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
        report = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}" for v in bad]
        assert bad == [], f"axe on /{PAGE_TYPES[name]} ({scheme}):\n" + "\n".join(report)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [375, 1280])
def test_screenshots_and_no_horizontal_scroll_on_a_phone(browser: Browser, site: str, width: int, scheme: str,
                                                         tmp_path: Path, request: pytest.FixtureRequest) -> None:
    reader = Reader(browser, site, viewport={"width": width, "height": 800}, color_scheme=scheme)
    overflow = {}
    try:
        for name in SHOTS:
            reader.page.goto(site + PAGE_TYPES[name])
            shot = tmp_path / f"{name}-{width}-{scheme}.png"
            reader.page.screenshot(path=str(shot), full_page=True)
            request.node.user_properties.append(("screenshot", str(shot)))
            extra = reader.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            if extra > 0:
                overflow[name] = extra
    finally:
        reader.close()
    assert reader.outside == [], f"requests left the site: {reader.outside}"
    if width == 375:
        assert overflow == {}, f"horizontal scroll at 375 px (extra px per page): {overflow}; screenshots in {tmp_path}"


def test_dark_mode_changes_colours_and_print_hides_navigation(browser: Browser, site: str) -> None:
    colours = {}
    for scheme in ("light", "dark"):
        reader = Reader(browser, site, color_scheme=scheme)
        reader.page.goto(site + BRIEF)
        colours[scheme] = reader.page.evaluate("getComputedStyle(document.body).backgroundColor")
        if scheme == "light":
            reader.page.emulate_media(media="print")
            assert reader.page.locator(".masthead nav").is_hidden()
            assert reader.page.locator(".site-search").is_hidden()
            assert reader.page.locator("article h1").is_visible()
        reader.close()
    assert colours["light"] != colours["dark"]
