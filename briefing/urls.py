"""The single source of truth for URLs and output paths.

Site URLs are paths from the site root ("/briefs/x/"). Pages link to each other with
relative hrefs, so one build works at "/" and under any sub-path; absolute URLs (canonical,
feeds) and the 404 page (served at arbitrary paths) use `base_url`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from urllib.parse import urlsplit

SEGMENT = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}\Z")  # \Z: `$` would also accept a final newline
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])\Z")

HOME = "/"
PEOPLE = "/people/"
TOPICS = "/topics/"
ARCHIVE = "/archive/"
EVENTS = "/events/"
REVIEW = "/review/"
NOT_FOUND = "/404.html"
FEED = "/feed.xml"
SITEMAP = "/sitemap.xml"
ROBOTS = "/robots.txt"
SEARCH = "/search/"
PAGEFIND = "/pagefind/"  # the search index Pagefind writes; its files are named by Pagefind
PAGED = frozenset({"person", "topic", "month"})  # kinds whose lists run over several pages

_ROUTES: dict[str, Callable[[str | None], str]] = {
    "home": lambda _: HOME,
    "people": lambda _: PEOPLE,
    "topics": lambda _: TOPICS,
    "archive": lambda _: ARCHIVE,
    "events": lambda _: EVENTS,
    "review": lambda _: REVIEW,
    "event": lambda ident: f"/events/{_segment(ident)}/",
    "404": lambda _: NOT_FOUND,
    "feed": lambda _: FEED,
    "sitemap": lambda _: SITEMAP,
    "robots": lambda _: ROBOTS,
    "search": lambda _: SEARCH,
    "brief": lambda ident: f"/briefs/{_segment(ident)}/",
    "person": lambda ident: f"/people/{_segment(ident)}/",
    "topic": lambda ident: f"/topics/{_segment(ident)}/",
    "person-feed": lambda ident: f"/people/{_segment(ident)}/feed.xml",
    "topic-feed": lambda ident: f"/topics/{_segment(ident)}/feed.xml",
    "month": lambda ident: "/archive/{}/{}/".format(*_month(ident)),
    "static": lambda ident: f"/static/{_static_path(ident)}",
}
KINDS = tuple(_ROUTES)


def _segment(ident: str | None) -> str:
    if ident is None or not SEGMENT.match(ident) or ".." in ident:
        raise ValueError(f"not a valid id for a URL: {ident!r}")
    return ident


def _month(ident: str | None) -> tuple[str, str]:
    match = MONTH.match(ident or "")
    if match is None:
        raise ValueError(f"not a month (YYYY-MM): {ident!r}")
    return match[1], match[2]


def _static_path(ident: str | None) -> str:
    parts = (ident or "").split("/")
    return "/".join(_segment(p) for p in parts)


@functools.lru_cache(maxsize=1 << 16)  # a pure function, called tens of times per page
def url_for(kind: str, ident: str | None = None, page: int = 1) -> str:
    """The site URL (path from the site root) of a page: url_for("person", "to-lam", page=2)."""
    try:
        route = _ROUTES[kind]
    except KeyError:
        raise ValueError(f"unknown URL kind {kind!r}; expected one of {', '.join(KINDS)}") from None
    url = route(ident)
    if page == 1:
        return url
    if kind not in PAGED or isinstance(page, bool) or not isinstance(page, int) or page < 1:
        raise ValueError(f"no page {page!r} for URL kind {kind!r}")
    return f"{url}page/{page}/"


@functools.lru_cache(maxsize=1 << 16)  # a pure function, called for every page of every build serve runs
def output_path(url: str) -> str:
    """The output file (relative POSIX path) for a site URL; pretty URLs end in index.html."""
    if not url.startswith("/") or "\\" in url or "//" in url:
        raise ValueError(f"not a site URL: {url!r}")
    path = url.lstrip("/")
    if path == "" or path.endswith("/"):
        path += "index.html"
    parts = path.split("/")
    if any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"unsafe output path for {url!r}")
    return path


def relative(target: str, from_url: str) -> str:
    """An href from the page at `from_url` to `target`, both site URLs; keeps a `#fragment`."""
    path, mark, fragment = target.partition("#")
    if path == from_url and fragment:
        return mark + fragment
    folder, depth, top = _folder(from_url)
    if path.startswith(folder):  # at or below the page's folder
        rel = path[len(folder):]
    elif not path.startswith(top):  # another section: up to the root, then down (most links)
        rel = "../" * depth + path[1:]
    else:  # the same section: drop the page's folders until the target is inside
        shared = folder
        while not path.startswith(shared):
            shared = shared[: shared.rfind("/", 0, len(shared) - 1) + 1]
        rel = "../" * folder[len(shared):].count("/") + path[len(shared):]
    return (rel or "./") + mark + fragment


def linker(from_url: str, base_url: str, shared: dict[str, dict[str, str]]) -> Callable[..., str]:
    """`url_for` for the page at `from_url`: (kind, ident, page) -> its relative href, as `relative`.

    Sibling pages (folders with one parent) link alike to anything outside their own folders, so
    those hrefs are kept in `shared[parent]` for the next sibling; the 404 page links rooted."""
    if from_url == NOT_FOUND:  # served at any path: links must be rooted
        return lambda kind, ident=None, page=1: rooted(url_for(kind, ident, page), base_url)
    folder, depth, top = _folder(from_url)
    up = "../" * depth
    memo = shared.setdefault(folder[: folder.rfind("/", 0, len(folder) - 1) + 1], {})

    def link(kind: str, ident: str | None = None, page: int = 1) -> str:
        target = url_for(kind, ident, page)
        if target.startswith(folder):  # at or below the page's folder
            return target[len(folder):] or "./"
        try:  # as every sibling links it
            return memo[target]
        except KeyError:
            if target.startswith(top):  # the same section
                href = memo[target] = relative(target, from_url)
            else:  # another section: up to the root, then down (most links)
                href = memo[target] = up + target[1:]
            return href

    return link


@functools.lru_cache(maxsize=64)  # a page's links all start from its one folder
def _folder(from_url: str) -> tuple[str, int, str]:
    """A page URL's folder ("/briefs/x/" for "/briefs/x/" and "/briefs/x/a.html"), how many
    levels it is below the root, and its first level ("/briefs/"; "/" at the root)."""
    folder = from_url[: from_url.rfind("/") + 1]
    return folder, folder.count("/") - 1, folder[: folder.find("/", 1) + 1] or "/"


def base_path(base_url: str) -> str:
    """The path part of base_url: "/" or "/sub/path/"."""
    return _base(base_url)[1]


@functools.lru_cache(maxsize=64)  # one base_url a build, split once (pages ask for absolute URLs by the dozen)
def _base(base_url: str) -> tuple[str, str, str | None]:
    """base_url's prefix for absolute URLs ("https://host/sub/", or the path alone without a host),
    its path ("/sub/") and its host name."""
    parts = urlsplit(base_url)
    path = parts.path or "/"
    path = path if path.endswith("/") else path + "/"
    prefix = f"{parts.scheme}://{parts.netloc}{path}" if parts.scheme and parts.netloc else path
    return prefix, path, parts.hostname


def rooted(target: str, base_url: str) -> str:
    """A root-relative href that honours a sub-path deploy: "/sub/people/x/"."""
    return _base(base_url)[1] + target.lstrip("/")


def absolute(target: str, base_url: str) -> str:
    """An absolute URL when base_url names a host, else the rooted path."""
    return _base(base_url)[0] + target.lstrip("/")


def tag_uri(target: str, base_url: str, site_name: str) -> str:
    """A stable Atom id for a site URL: tag:<authority>,2025:<path>, valid with or without a host.

    The authority is base_url's host when it has one, else "<site-name>.invalid" (a name no one
    can own, RFC 2606); the path is taken from the site root, so a move to a sub-path keeps ids.
    """
    authority = _base(base_url)[2] or f"{_label(site_name)}.invalid"
    return f"tag:{authority},{TAG_DATE}:{target}"


TAG_DATE = "2025"  # the tag URI's date: fixed, so ids never depend on when a site was built


@functools.lru_cache(maxsize=16)
def _label(name: str) -> str:
    from slugify import slugify  # here: only feeds of a site without a host need it (12 ms to import)

    return slugify(name, max_length=63, word_boundary=True) or "briefing"
