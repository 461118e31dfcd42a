"""Bad-inputs rows that no narrower test file owns: orphans and empties, untrusted front matter in markup."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from conftest import write_files
from crawl import broken_links

from briefing.pipeline import build

REPO = Path(__file__).resolve().parent.parent


class _Page(HTMLParser):
    """Start tags with their attributes, and the text of <title> and <h1>, references resolved."""

    def __init__(self, path: Path) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: dict[str, str] = {}
        self._open: str | None = None
        self.feed(path.read_text(encoding="utf-8"))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("title", "h1") and tag not in self.text:
            self._open, self.text[tag] = tag, ""

    def handle_endtag(self, tag: str) -> None:
        if tag == self._open:
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open:
            self.text[self._open] += data

    def meta(self, key: str) -> str | None:
        return next((a.get("content") for t, a in self.tags if t == "meta" and key in (a.get("name"), a.get("property"))),
                    None)


def test_orphans_and_empties_have_defined_pages_and_no_dangling_links(site_root: Path) -> None:
    """bad-inputs row 24: a person with no briefs, an empty topic and a brief with no leaders or topics all build;
    the empty pages say so, and the link check over the whole site passes."""
    write_files(site_root, {"content/briefs/2025-04-18-nobody.md":
                            "---\ntitle: Nobody in particular\ndate: 2025-04-18\nleaders: []\ntopics: []\n---\n\nText.\n"})
    build(site_root)
    out = site_root / "output"
    assert (out / "briefs/2025-04-18-nobody/index.html").is_file()
    orphan = (out / "people/dana-orphan/index.html").read_text(encoding="utf-8")
    assert "No briefs mention Dana Orphan yet." in orphan
    assert "No briefs on this topic yet." in (out / "topics/culture/index.html").read_text(encoding="utf-8")
    assert broken_links(out, base_path="/desk/") == []


TITLE = '"><script>x</script> & \'quoted\''
NAME = 'O\'Brien & "Co" <b>'
SUMMARY = "A summary with \"quotes\", 'apostrophes', <tags> & ampersands"


def test_front_matter_values_are_escaped_in_text_attributes_and_feeds(site_root: Path) -> None:
    """bad-inputs row 31: hostile title, summary and person name come back exactly from <title>, <h1>, meta and
    Open Graph attributes and the feed, with no markup of their own; templates never leave an attribute unquoted."""
    write_files(site_root, {"content/briefs/2025-04-19-hostile.md": (
        f"---\ntitle: '{TITLE.replace(chr(39), chr(39) * 2)}'\ndate: 2025-04-19\nleaders: [obrien]\ntopics: []\n"
        f"summary: '{SUMMARY.replace(chr(39), chr(39) * 2)}'\n---\n\nBody.\n")})
    config = site_root / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "people:\n", f"people:\n  obrien:\n    name: '{NAME.replace(chr(39), chr(39) * 2)}'\n", 1), encoding="utf-8")
    build(site_root)
    out = site_root / "output"
    brief = _Page(out / "briefs/2025-04-19-hostile/index.html")
    assert brief.text["h1"] == TITLE
    assert brief.text["title"].startswith(TITLE)
    assert (brief.meta("og:title") or "").startswith(TITLE)
    assert brief.meta("description") == brief.meta("og:description") == SUMMARY
    assert not any(tag == "b" for tag, _ in brief.tags)
    assert [a.get("src") for t, a in brief.tags if t == "script"] == [
        a.get("src") for t, a in _Page(out / "briefs/2025-04-15-follow-up/index.html").tags if t == "script"]
    person = _Page(out / "people/obrien/index.html")
    assert person.text["h1"] == NAME
    for path in out.rglob("*"):
        if path.suffix in (".html", ".xml"):
            text = path.read_text(encoding="utf-8")
            assert "<script>x" not in text and "<b>" not in text and "&amp;amp;" not in text, path
    feed = (out / "feed.xml").read_text(encoding="utf-8")
    assert "&#34;&gt;&lt;script&gt;x&lt;/script&gt;" in feed or "&quot;&gt;&lt;script&gt;x&lt;/script&gt;" in feed
    for template in (REPO / "templates").rglob("*"):
        if template.suffix in (".html", ".xml"):
            source = re.sub(r"\{%.*?%\}|\{#.*?#\}", " ", template.read_text(encoding="utf-8"), flags=re.S)
            source = re.sub(r"\{\{.*?\}\}", "X", source, flags=re.S)  # an expression as a value: `a=X` if unquoted
            for tag in re.findall(r"<[a-zA-Z][^<>]*>", source):
                bare = re.sub(r'"[^"]*"|\'[^\']*\'', "", tag)  # quoted values removed: '=' must be followed by one
                assert not re.search(r"=[^\s/>]", bare), f"unquoted attribute in {template.name}: {tag}"
