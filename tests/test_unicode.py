"""Unicode text survives the build (bad-inputs row 7): preserved, NFC, and never cut inside a grapheme."""

from __future__ import annotations

import subprocess
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import write_files

from briefing.config import load_config
from briefing.extract.summary import MAX_CHARS, summarize
from briefing.extract.title import MAX_CHARS as TITLE_CHARS
from briefing.extract.title import generate_title
from briefing.model import Paragraph
from briefing.pipeline import build
from briefing.text import boundary_at_or_before, clip, is_boundary

FAMILY = "\U0001f469\u200d\U0001f469\u200d\U0001f467"  # 👩‍👩‍👧: three emoji joined by two ZWJs
RLM, NBSP = "\u200f", "\u00a0"
ROW7 = f"Zoë {FAMILY} {RLM}«quote» O’Brien{NBSP}& co"  # the doc's string, plus a no-break space
ROW7_NFD = unicodedata.normalize("NFD", ROW7)

# (text, limit, clip(text, limit, "")): every limit falls inside a cluster, so text[:limit] differs.
CLIP_CASES = {
    "inside a ZWJ family, after the first emoji": ("ab" + FAMILY, 3, "ab"),
    "inside a ZWJ family, right after a joiner": ("ab" + FAMILY, 4, "ab"),
    "before a combining diaeresis (NFD)": ("Zoe\u0308", 3, "Zo"),
    "before the second of two combining marks": ("xa\u0323\u0302", 3, "x"),
    "between the two letters of a flag": ("\U0001f1fb\U0001f1f3\U0001f1e8\U0001f1f3", 3, "\U0001f1fb\U0001f1f3"),
    "odd regional indicators pair from the start": ("\U0001f1fb\U0001f1f3\U0001f1e8", 1, ""),
    "before a skin-tone modifier": ("ok\U0001f44d\U0001f3fd", 3, "ok"),
    "before a variation selector": ("I\u2764\ufe0f", 2, "I"),
    "inside a keycap sequence": ("n=1\ufe0f\u20e3", 4, "n="),
    "inside a tag-sequence flag (England)": ("x\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f", 4, "x"),
    "inside a Hangul jamo syllable": ("\u1112\u1161\u11ab", 2, ""),
    "inside a Devanagari conjunct (virama)": ("\u0915\u094d\u0937", 2, ""),
    "between CR and LF": ("a\r\nb", 2, "a"),
    "between the halves of a surrogate pair": ("a\ud83d\ude00", 2, "a"),
    "before a halfwidth katakana voiced mark": ("\uff76\uff9e", 1, ""),
}


@pytest.mark.parametrize(("text", "limit", "expected"), CLIP_CASES.values(), ids=CLIP_CASES.keys())
def test_clip_never_splits_a_grapheme_cluster(text: str, limit: int, expected: str) -> None:
    """bad-inputs row 7: excerpts never split a grapheme (plain slicing would, in every case here)."""
    assert text[:limit] != expected  # the case is one plain slicing gets wrong
    assert clip(text, limit, "") == expected
    assert boundary_at_or_before(text, limit) == len(expected)


@pytest.mark.parametrize(("text", "limit", "expected"), [
    ("short", 10, "short"),  # text that fits is unchanged, with no marker
    ("one two three four", 12, "one two…"),  # cut at the last space in the second half of the allowance
    ("一二三四五六七八九十", 5, "一二三四…"),  # no spaces: cut between characters
    ("ab" + FAMILY + "cd", 7, "ab…"),  # the marker's room taken from before the family
    ("ab" + FAMILY + "cd", 8, "ab" + FAMILY + "…"),
])
def test_clip_prefers_word_ends_and_counts_the_marker(text: str, limit: int, expected: str) -> None:
    assert clip(text, limit) == expected
    assert len(clip(text, limit)) <= limit


TRICKY = ["Zoë " + FAMILY + " " + RLM + "«q»", ROW7_NFD, "\U0001f1fb\U0001f1f3\U0001f1e8\U0001f1f3\U0001f1ef",
          "a\U0001f44d\U0001f3fd\u200d\u2642\ufe0fb", "\u1112\u1161\u11ab\u1100\u1161", "\u0915\u094d\u0937\u093f",
          "x\u0301\u0302\u20dd y", "\r\n\r\u0301\n"]


@pytest.mark.parametrize("text", TRICKY)
def test_every_accepted_boundary_is_a_real_one(text: str) -> None:
    """Against an independent UAX #29 implementation (the `regex` module's \\X, a test dependency)."""
    import regex
    real, at = {0}, 0
    for cluster in regex.findall(r"\X", text):
        at += len(cluster)
        real.add(at)
    accepted = {i for i in range(len(text) + 1) if is_boundary(text, i)}
    assert accepted <= real, f"cuts inside a cluster at {sorted(accepted - real)}"


def test_a_runaway_summary_without_spaces_is_cut_between_graphemes() -> None:
    """bad-inputs row 7: a lede with no spaces (no word to cut at) is cut by characters, never inside 👩‍👩‍👧."""
    room = MAX_CHARS - len(" …")
    lede = "字" * (room - 1) + FAMILY + "字" * 50
    assert lede[:room].endswith("\U0001f469")  # plain slicing would end on half a family
    summary = summarize((Paragraph(lede),))
    assert summary == "字" * (room - 1) + " …"


def test_a_long_summary_keeps_its_original_characters() -> None:
    words = [f"w{n}" + (FAMILY if n % 10 == 9 else "") for n in range(130)]
    spaces = [NBSP if n % 2 else " " for n in range(130)]
    text = "".join(w + s for w, s in zip(words, spaces, strict=True)).strip()
    summary = summarize((Paragraph(text),))
    kept = "".join(w + s for w, s in zip(words[:120], spaces, strict=False))
    assert summary == kept.rstrip(NBSP) + " …"  # 120 whole words, the last with its family, NBSPs kept


def test_a_generated_title_without_spaces_is_cut_between_graphemes() -> None:
    _, registry = load_config(Path(__file__).parent / "fixtures" / "ingest_site.yaml")
    sentence = "字" * (TITLE_CHARS - 2) + FAMILY + "字" * 40
    title = generate_title(sentence, registry, ())
    assert title == "字" * (TITLE_CHARS - 2) + "…"


class _Texts(HTMLParser):
    """Text of <title>, <h1>, <p> and the description meta tags, character references resolved."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: dict[str, list[str]] = {}
        self.open: list[str] = []
        self.charset: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "meta" and attr.get("charset"):
            self.charset = attr["charset"]
        key = attr.get("name") or attr.get("property")
        if tag == "meta" and key in ("description", "og:description", "og:title"):
            self.found.setdefault(str(key), []).append(attr.get("content") or "")
        if tag in ("title", "h1", "p"):
            self.open.append(tag)
            self.found.setdefault(tag, []).append("")

    def handle_endtag(self, tag: str) -> None:
        if self.open and self.open[-1] == tag:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        if self.open:
            self.found[self.open[-1]][-1] += data


@pytest.fixture
def unicode_site(site_root: Path) -> Path:
    """The fixture site plus a brief and a person whose text is ROW7 typed in NFD; built."""
    assert ROW7 != ROW7_NFD
    write_files(site_root, {"content/briefs/2025-04-20-unicode.md": (
        f"---\ntitle: \"{ROW7_NFD}\"\ndate: 2025-04-20\nleaders: [zoe]\ntopics: []\n"
        f"summary: \"{ROW7_NFD}\"\n---\n\n{ROW7_NFD}\n")})
    config = site_root / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "people:\n", f"people:\n  zoe:\n    name: \"{unicodedata.normalize('NFD', 'Zoë O’Brien')}\"\n", 1),
        encoding="utf-8")
    build(site_root)
    return site_root / "output"


def test_unicode_text_is_preserved_and_nfc_on_every_page(unicode_site: Path) -> None:
    """bad-inputs row 7: ZWJ emoji, RLM, NBSP, combining accents (typed NFD) and curly quotes reach the HTML whole, in NFC."""
    page = _Texts()
    page.feed((unicode_site / "briefs/2025-04-20-unicode/index.html").read_text(encoding="utf-8"))
    assert page.charset is not None and page.charset.lower() == "utf-8"
    assert page.found["h1"] == [ROW7]
    assert page.found["title"][0].startswith(ROW7)
    assert page.found["description"] == page.found["og:description"] == [ROW7]
    assert ROW7 in page.found["p"]  # the summary and the body paragraph
    person = _Texts()
    person.feed((unicode_site / "people/zoe/index.html").read_text(encoding="utf-8"))
    assert "Zoë O’Brien" in person.found["h1"]
    for path in unicode_site.rglob("*"):
        if path.suffix in (".html", ".xml"):
            text = path.read_text(encoding="utf-8")
            assert text == unicodedata.normalize("NFC", text), f"{path} is not NFC"


@pytest.mark.validators
def test_unicode_pages_are_valid_html(unicode_site: Path) -> None:
    """bad-inputs row 7: the pages carrying ROW7 pass the Nu Html Checker (fails, never skips, without it)."""
    from test_validators import _vnu_command

    pages = [unicode_site / "briefs/2025-04-20-unicode/index.html", unicode_site / "people/zoe/index.html"]
    result = subprocess.run([*_vnu_command(), "--format", "text", *map(str, pages)],
                            capture_output=True, text=True, encoding="utf-8", timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
