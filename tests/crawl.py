"""An independent reader of built sites for the tests: parse pages, follow links, find ids."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

LINK_ATTRS = {"a": "href", "link": "href", "img": "src", "script": "src", "source": "src"}


@dataclass
class ParsedPage:
    """What a test needs to know about one HTML file."""

    path: Path
    url: str
    ids: list[str] = field(default_factory=list)
    links: list[tuple[str, str, int]] = field(default_factory=list)  # (tag, url, line)
    texts: list[str] = field(default_factory=list)
    starttags: list[tuple[str, dict[str, str | None]]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.texts).split())

    def anchors(self) -> list[str]:
        return [u for tag, u, _ in self.links if tag == "a"]


class _Parser(HTMLParser):
    def __init__(self, page: ParsedPage) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        self.page.starttags.append((tag, attr))
        if attr.get("id"):
            self.page.ids.append(str(attr["id"]))
        name = LINK_ATTRS.get(tag)
        if name and attr.get(name) is not None:
            self.page.links.append((tag, str(attr[name]), self.getpos()[0]))
        if tag in ("script", "style"):
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.page.texts.append(data)


def page_url(out: Path, path: Path) -> str:
    rel = path.relative_to(out).as_posix()
    if rel.endswith("index.html"):
        rel = rel[: -len("index.html")]
    return "/" + rel


def parse_site(out: Path) -> dict[str, ParsedPage]:
    """Every .html file under out, parsed, keyed by site URL ("/briefs/x/")."""
    pages = {}
    for path in sorted(out.rglob("*.html")):
        page = ParsedPage(path, page_url(out, path))
        parser = _Parser(page)
        parser.feed(path.read_text(encoding="utf-8"))
        parser.close()
        pages[page.url] = page
    return pages


def resolve(link: str, from_url: str, base_path: str = "/") -> str | None:
    """The site URL a link points at (with #fragment), or None for external links."""
    parts = urlsplit(link)
    if parts.scheme or parts.netloc:
        return None
    path = unquote(parts.path)
    if not path:
        target = from_url
    elif path.startswith("/"):
        if not path.startswith(base_path):
            return "!outside-base:" + path
        target = "/" + path[len(base_path):]
    else:
        base = from_url if from_url.endswith("/") else posixpath.dirname(from_url) + "/"
        target = posixpath.normpath(posixpath.join(base, path))
        if path.endswith("/") and not target.endswith("/"):
            target += "/"
    return target + (f"#{parts.fragment}" if parts.fragment else "")


def broken_links(out: Path, base_path: str = "/") -> list[str]:
    """Every internal link or #fragment on every page that does not resolve."""
    pages = parse_site(out)
    broken = []
    for page in pages.values():
        for tag, link, line in page.links:
            target = resolve(link, page.url, base_path)
            if target is None:
                continue
            path, _, fragment = target.partition("#")
            file = out / (path.lstrip("/") + ("index.html" if path.endswith("/") else ""))
            if path.startswith("!") or not file.is_file():
                broken.append(f"{page.url}:{line}: <{tag}> {link} -> missing {path}")
                continue
            if fragment and file.suffix == ".html":
                target_page = pages[page_url(out, file)]
                if fragment not in target_page.ids:
                    broken.append(f"{page.url}:{line}: <{tag}> {link} -> no id '{fragment}'")
    return broken
