"""Check a built site offline: internal links, #fragments, ids, feeds, sitemap, unsafe markup."""

from __future__ import annotations

import bisect
import html
import posixpath
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import urls
from .parallel import fork_map
from .text import clip

TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)(\s[^<>]*?)?\s*/?>")
ID_ATTR = re.compile(r"""<[a-zA-Z][^<>]*?\sid\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""")
HANDLER = re.compile(r"""<[a-zA-Z][^<>]*?\s(on[a-zA-Z]+)\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+)""")
ATTR = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")
COMMENT = re.compile(r"<!--.*?-->", re.S)
SCRIPT_BODY = re.compile(r"<script\b[^>]*>(.*?)</script\s*>", re.S | re.I)
XML_LOC = re.compile(r"<loc>\s*([^<\s]+)\s*</loc>")
LINK_ATTRS = {"a": ("href",), "area": ("href",), "link": ("href",), "img": ("src", "srcset"),
              "script": ("src",), "source": ("src", "srcset"), "iframe": ("src",), "form": ("action",),
              "video": ("src", "poster"), "audio": ("src",), "track": ("src",), "embed": ("src",),
              "object": ("data",)}
LINK_TAG = re.compile(r"<(" + "|".join(LINK_ATTRS) + r")(\s[^<>]*?)?\s*/?>", re.I)
UNSAFE_SCHEMES = ("javascript:", "data:", "vbscript:")
SCRIPT_ROOTS = ("static/", "pagefind/")  # the only folders scripts may come from


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in the output: where (output file and line), what, and of which kind."""

    path: str  # relative to the output folder
    line: int
    message: str
    kind: str  # broken-link, missing-fragment, duplicate-id, unsafe-url, unexpected-script, ...


@dataclass(frozen=True, slots=True)
class Link:
    """An external link found in the output, for listing or fetching."""

    url: str
    path: str
    line: int


@dataclass(frozen=True, slots=True)
class CheckReport:
    """Everything check_site found."""

    findings: tuple[Finding, ...]
    external: tuple[Link, ...]
    files: int


@dataclass
class _Page:
    path: str
    text: str
    ids: dict[str, int]  # id -> offset of its first use
    duplicates: list[tuple[str, int]]  # (id, offset) of each later use
    _newlines: list[int] | None = None

    def line(self, offset: int) -> int:
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self.text)]
        return bisect.bisect_right(self._newlines, offset) + 1


@dataclass(frozen=True, slots=True)
class _Elsewhere:
    """A link to an #id of another page, judged once every page's ids are known."""

    file: str
    fragment: str
    value: str
    line: int


@dataclass(frozen=True, slots=True)
class _Scan:
    """One file's ids, and what checking it found, in the order found (links to another page's
    ids still to be judged)."""

    path: str
    ids: frozenset[str]
    found: tuple[Finding | Link | _Elsewhere, ...]


def check_site(out_dir: Path, base_url: str = "/", templates: Path | None = None,
               processes: int | None = None) -> CheckReport:
    """Check every HTML, XML and text file the build wrote under out_dir.

    Each file is read and checked on its own, on every core (`processes`: how many), except for
    links to an #id of another file, judged once all files' ids are known.
    """
    files = sorted(p for p in out_dir.rglob("*") if p.is_file() and not p.name.startswith("."))
    rel = {p.relative_to(out_dir).as_posix() for p in files}
    paths = sorted(path for path in rel if path.endswith((".html", ".xml")))
    allowed = _template_snippets(templates)
    base = urls.base_path(base_url)
    origin = _origin(base_url)

    def share(part: Sequence[str]) -> list[_Scan]:
        resolved: dict[tuple[str, str], tuple[str, str] | None] = {}  # per process: it only saves work
        return [_scan(out_dir, path, base, origin, allowed, rel, resolved) for path in part]

    scans = fork_map(share, paths, processes)
    ids = {scan.path: scan.ids for scan in scans}
    findings: list[Finding] = []
    external: list[Link] = []
    for scan in scans:
        for item in scan.found:
            if isinstance(item, Finding):
                findings.append(item)
            elif isinstance(item, Link):
                external.append(item)
            elif item.fragment not in ids.get(item.file, ()):
                message = f"broken fragment '{item.value}': no id '{item.fragment}' in {item.file}"
                findings.append(Finding(scan.path, item.line, message, "missing-fragment"))
    findings.sort(key=lambda f: (f.path, f.line, f.message))
    external.sort(key=lambda e: (e.url, e.path, e.line))
    return CheckReport(tuple(findings), tuple(external), len(files))


def _scan(out_dir: Path, path: str, base: str, origin: str | None, allowed: frozenset[str], files: set[str],
          resolved: dict[tuple[str, str], tuple[str, str] | None]) -> _Scan:
    page = _read(out_dir, path)
    found: list[Finding | Link | _Elsewhere] = list(_duplicate_ids(page))
    links = _xml_links(page) if path.endswith(".xml") else _html_links(page, base, allowed, found)
    for link, offset in links:
        item = _check_link(link, page, offset, base, origin, files, resolved)
        if item is not None:
            found.append(item)
    return _Scan(path, frozenset(page.ids), tuple(found))


def _read(out_dir: Path, path: str) -> _Page:
    text = (out_dir / path).read_text(encoding="utf-8", errors="replace")
    if "<!--" in text:
        text = COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
    page = _Page(path, text, {}, [])
    if path.endswith(".html"):
        for match in ID_ATTR.finditer(text):
            ident = html.unescape(match.group(1) or match.group(2) or match.group(3) or "")
            if ident in page.ids:
                page.duplicates.append((ident, match.start()))
            else:
                page.ids[ident] = match.start()
    return page


def _attrs(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for match in ATTR.finditer(text):
        value = match.group(2) or ""
        if value[:1] in "\"'":
            value = value[1:-1]
        found.setdefault(match.group(1).lower(), html.unescape(value))
    return found


def _duplicate_ids(page: _Page) -> Iterator[Finding]:
    for ident, offset in page.duplicates:
        first = page.line(page.ids[ident])
        yield Finding(page.path, page.line(offset), f"duplicate id '{ident}' (first on line {first})", "duplicate-id")


def _html_links(page: _Page, base: str, allowed: frozenset[str],
                findings: list[Finding | Link | _Elsewhere]) -> Iterator[tuple[str, int]]:
    for handler in HANDLER.finditer(page.text):
        attr = page.text[handler.start(1):handler.end(2)]
        if attr not in allowed:
            message = f"inline event handler {handler.group(1)}= not from a template"
            findings.append(Finding(page.path, page.line(handler.start()), message, "unexpected-script"))
    scripts = {m.start(): m.group(1) for m in SCRIPT_BODY.finditer(page.text)} if "<script" in page.text else {}
    for tag in LINK_TAG.finditer(page.text):
        name = tag.group(1).lower()
        attrs = _attrs(tag.group(2) or "")
        if name == "script":
            body = (scripts.get(tag.start()) or "").strip()
            if attrs.get("src") is None and body and body not in allowed:
                line = page.line(tag.start())
                findings.append(Finding(page.path, line, "inline <script> not from a template", "unexpected-script"))
        for attr in LINK_ATTRS[name]:
            value = attrs.get(attr)
            if value is None:
                continue
            for candidate in _srcset(value) if attr == "srcset" else (value,):
                if name == "script" and not _is_own_script(candidate, page.path, base):
                    message = f"<script src='{candidate}'> is not one of the site's own scripts"
                    findings.append(Finding(page.path, page.line(tag.start()), message, "unexpected-script"))
                yield candidate, tag.start()


def _xml_links(page: _Page) -> Iterator[tuple[str, int]]:
    for match in XML_LOC.finditer(page.text):
        yield html.unescape(match.group(1)), match.start()
    for tag in TAG.finditer(page.text):
        if tag.group(1) == "link":
            href = _attrs(tag.group(2) or "").get("href")
            if href is not None:
                yield href, tag.start()


def _srcset(value: str) -> list[str]:
    return [part.strip().split()[0] for part in value.split(",") if part.strip()]


def _is_own_script(src: str, page_path: str, base: str) -> bool:
    parts = urlsplit(src)
    target = None if parts.scheme or parts.netloc else _site_path(parts.path, page_path, base)
    return target is not None and target.startswith(SCRIPT_ROOTS)


def _origin(base_url: str) -> str | None:
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else None


def _check_link(link: str, page: _Page, offset: int, base: str, origin: str | None, files: set[str],
                resolved: dict[tuple[str, str], tuple[str, str] | None]) -> Finding | Link | _Elsewhere | None:
    """What one link of `page` comes to: a finding, an external link, one to judge later, or None (fine)."""
    value = link.strip()
    key = (_anchor_folder(page.path, value), value)
    if key in resolved:  # the same href from the same folder (navigation) resolves the same way
        hit = resolved[key]
        if hit is None or not hit[1] or not hit[0].endswith(".html") or (hit[0] == page.path and hit[1] in page.ids):
            return None
    message, kind = _judge(value, page, base, origin, files, resolved, key)
    if kind == "external":
        return Link(value, page.path, page.line(offset))
    if kind == "elsewhere":
        file, fragment = resolved[key] or ("", "")
        return _Elsewhere(file, fragment, value, page.line(offset))
    return Finding(page.path, page.line(offset), message, kind) if message else None


def _anchor_folder(page_path: str, href: str) -> str:
    """The part of the page's folder an href depends on: `../../x` from a/b/c/ depends on `a` only."""
    if href.startswith("/") or ":" in href.split("/", 1)[0]:
        return ""
    folder = page_path.rpartition("/")[0]
    climbs = 0
    while href.startswith("../", climbs * 3):
        climbs += 1
    if climbs == 0:
        return folder
    if climbs > (folder.count("/") + 1 if folder else 0):
        return "!" + page_path  # climbs out of the site: judge it on its own
    for _ in range(climbs):
        folder = folder.rpartition("/")[0]
    return f"{folder}|{climbs}"


def _judge(value: str, page: _Page, base: str, origin: str | None, files: set[str],
           resolved: dict[tuple[str, str], tuple[str, str] | None], key: tuple[str, str]) -> tuple[str, str]:
    """(message, kind) for one href of `page`; ("", "") when it is fine, ("", "elsewhere") for an
    #id of another HTML file (resolved[key] names it)."""
    path = page.path
    squashed = re.sub(r"[\x00-\x20]", "", value).lower()
    if squashed.startswith(UNSAFE_SCHEMES):
        return f"unsafe URL '{clip(value, 60, '')}'", "unsafe-url"
    if value == "" or value == "#":
        return f"empty link target '{value}'", "broken-link"
    parts = urlsplit(value)
    if parts.scheme in ("mailto", "tel"):
        resolved[key] = None
        return "", ""
    if parts.scheme or parts.netloc:
        own = origin and f"{parts.scheme}://{parts.netloc}".lower() == origin and parts.path.startswith(base)
        if not own:
            return "", "external"
    target = _site_path(parts.path, path, base)
    if target is None:
        return f"link '{value}' leaves the site's base path '{base}'", "broken-link"
    file = _file_for(target, files)
    if file is None:
        return f"broken link '{value}': no file for {target}", "broken-link"
    fragment = unquote(parts.fragment)
    resolved[key] = (file, fragment)
    if fragment and file.endswith(".html"):
        if file != path:
            return "", "elsewhere"
        if fragment not in page.ids:
            return f"broken fragment '{value}': no id '{fragment}' in {file}", "missing-fragment"
    return "", ""


def _site_path(link_path: str, page_path: str, base: str) -> str | None:
    """The output-relative path a link points at, or None when it leaves the base path."""
    path = unquote(link_path)
    if not path:
        return page_path
    if path.startswith("/"):
        if not path.startswith(base) and path + "/" != base:
            return None
        resolved = path[len(base):] if path.startswith(base) else ""
    else:
        resolved = posixpath.join(posixpath.dirname(page_path), path)
    trailing = path.endswith("/") or resolved == ""
    normal = posixpath.normpath(resolved) if resolved else ""
    if normal.startswith("..") or normal.startswith("/"):
        return None
    normal = "" if normal == "." else normal
    return normal + ("/" if trailing and normal else "")


def _file_for(target: str, files: set[str]) -> str | None:
    if target == "" or target.endswith("/"):
        candidate = target + "index.html"
        return candidate if candidate in files else None
    if target in files:
        return target
    if f"{target}/index.html" in files:
        return f"{target}/index.html"
    return None


def _template_snippets(templates: Path | None) -> frozenset[str]:
    """Inline scripts and on*= attributes written literally in templates: those are allowed."""
    if templates is None or not templates.is_dir():
        return frozenset()
    snippets: set[str] = set()
    for path in sorted(templates.rglob("*")):
        if path.suffix not in (".html", ".xml") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        snippets.update(m.group(1).strip() for m in SCRIPT_BODY.finditer(text))
        snippets.update(m.group(0).strip() for m in re.finditer(r"""\bon[a-z]+\s*=\s*("[^"]*"|'[^']*')""", text))
    return frozenset(snippets)

