"""urls: the one module that makes URLs and output paths."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin

import pytest
import yaml

from briefing import urls

CASES = yaml.safe_load((Path(__file__).parent / "fixtures" / "urls.yaml").read_text())


@pytest.mark.parametrize(("kind", "ident", "url", "path"), CASES)
def test_url_and_output_path(kind: str, ident: str | None, url: str, path: str) -> None:
    assert urls.url_for(kind, ident) == url
    assert urls.output_path(url) == path


@pytest.mark.parametrize("ident", ["../../etc/cron.d/x", "/etc/passwd", "a/../../x", "..\\x",
                                   "%2e%2e%2f", "", "UPPER", "-rf", "a b", None])
def test_ids_that_could_leave_their_folder_are_refused(ident: str | None) -> None:
    # bad-inputs row 26: traversal ids are refused by the one URL module
    with pytest.raises(ValueError):
        urls.url_for("brief", ident)


@pytest.mark.parametrize(("target", "source", "href"), [
    ("/people/to-lam/", "/briefs/x/", "../../people/to-lam/"),
    ("/", "/", "./"),
    ("/", "/briefs/x/", "../../"),
    ("/static/style.css", "/people/", "../static/style.css"),
    ("/briefs/x/#related", "/briefs/x/", "#related"),
    ("/briefs/y/#related", "/briefs/x/", "../y/#related"),
    ("/people/", "/404.html", "people/"),
])
def test_relative_links(target: str, source: str, href: str) -> None:
    assert urls.relative(target, source) == href


SITE_URLS = ["/", "/404.html", "/feed.xml", "/people/", "/people/a/", "/people/a/page/2/", "/people/a/feed.xml",
             "/people/ab/", "/briefs/", "/briefs/x/", "/briefs/y/", "/briefsx/", "/archive/2025/04/",
             "/archive/2025/05/page/3/", "/archive/2026/", "/static/style.css", "/a/b/c/d.html", "/a/b/"]


@pytest.mark.parametrize("source", SITE_URLS)
def test_every_relative_href_resolves_to_its_target(source: str) -> None:
    # a browser on `source` following the href lands on the target (urljoin is the oracle)
    for target in SITE_URLS:
        for fragment in ("", "#related"):
            href = urls.relative(target + fragment, source)
            assert urljoin("https://h.test" + source, href) == "https://h.test" + target + fragment, (target, href)
            assert not href.startswith("/") and "//" not in href


@pytest.mark.parametrize(("base", "rooted", "absolute"), [
    ("/", "/people/", "/people/"),
    ("/desk/", "/desk/people/", "/desk/people/"),
    ("https://example.org/", "/people/", "https://example.org/people/"),
    ("https://example.org/a/b/", "/a/b/people/", "https://example.org/a/b/people/"),
    ("https://example.org", "/people/", "https://example.org/people/"),
    ("http://example.org:8080/desk", "/desk/people/", "http://example.org:8080/desk/people/"),
    ("/desk", "/desk/people/", "/desk/people/"),
])
def test_sub_path_and_absolute_urls(base: str, rooted: str, absolute: str) -> None:
    assert urls.rooted("/people/", base) == rooted
    assert urls.absolute("/people/", base) == absolute


@pytest.mark.parametrize("url", ["people/", "/a//b/", "/../x/", "/a/./b/", "/a\\b/"])
def test_unsafe_site_urls_have_no_output_path(url: str) -> None:
    # bad-inputs row 26: unsafe site URLs have no output path
    with pytest.raises(ValueError):
        urls.output_path(url)


LINKS = [("home", None, 1), ("people", None, 1), ("feed", None, 1), ("404", None, 1), ("search", None, 1),
         ("brief", "x", 1), ("brief", "y", 1), ("person", "a", 1), ("person", "a", 2), ("person", "ab", 1),
         ("person-feed", "a", 1), ("person-feed", "ab", 1), ("topic", "a", 1), ("topic-feed", "a", 1),
         ("month", "2025-04", 1), ("month", "2025-04", 3), ("month", "2025-05", 1), ("month", "2026-04", 1),
         ("static", "style.css", 1), ("static", "img/a.png", 1), ("event", "x", 1)]


@pytest.mark.parametrize("order", [1, -1])
def test_linker_gives_each_page_the_relative_href(order: int) -> None:
    # one memo shared by every page, as a build shares it: siblings reuse hrefs, never a wrong one
    shared: dict[str, dict[str, str]] = {}
    for source in [urls.url_for(*link) for link in LINKS][::order]:
        link = urls.linker(source, "https://example.org/desk/", shared)
        for kind, ident, page in LINKS[::order]:
            target = urls.url_for(kind, ident, page)
            want = urls.rooted(target, "/desk/") if source == "/404.html" else urls.relative(target, source)
            assert link(kind, ident, page) == want, (source, target)
    assert any(len(memo) > 1 for memo in shared.values())  # the sharing was exercised
