"""The brief file format: round trips, and every invalid case's exact message and line."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from briefing.briefs import dump_brief, parse_brief
from briefing.errors import ProblemsError
from briefing.model import Brief, Person, Quote
from briefing.pipeline import build

FIXTURES = Path(__file__).parent / "fixtures" / "invalid"
CASES: list[dict[str, Any]] = yaml.safe_load((FIXTURES / "briefs.yaml").read_text(encoding="utf-8"))
BYTE_CASES: list[dict[str, Any]] = yaml.safe_load((FIXTURES / "bytes.yaml").read_text(encoding="utf-8"))


def _problems(root: Path) -> list[str]:
    with pytest.raises(ProblemsError) as err:
        build(root)
    return [p.format(root) for p in err.value.problems]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_invalid_brief_is_reported_with_file_and_line(site_root: Path, case: dict[str, Any]) -> None:
    (site_root / "content/briefs" / case["file"]).write_text(case["text"], encoding="utf-8")
    if case["expect"] is None:  # valid: a later '---' is body text, not a second document
        build(site_root)
        return
    assert case["expect"] in _problems(site_root)
    assert not (site_root / "output").exists()


@pytest.mark.parametrize("case", BYTE_CASES, ids=[c["name"] for c in BYTE_CASES])
def test_undecodable_brief_names_line_and_column(site_root: Path, case: dict[str, Any]) -> None:
    (site_root / "content/briefs/x.md").write_bytes(bytes.fromhex(case["hex"]))
    assert case["expect"] in _problems(site_root)


def test_python_tag_runs_nothing(site_root: Path, tmp_path: Path) -> None:
    marker = tmp_path / "PWNED"
    text = (f"---\ntitle: x\nx: !!python/object/apply:os.system ['touch {marker}']\n"
            "date: null\nleaders: []\ntopics: []\n---\n")
    (site_root / "content/briefs/x.md").write_text(text, encoding="utf-8")
    _problems(site_root)
    assert not marker.exists()


def test_all_problems_are_collected_before_failing(site_root: Path) -> None:
    for case in CASES[:3]:
        (site_root / "content/briefs" / f"c{CASES.index(case)}.md").write_text(case["text"], encoding="utf-8")
    assert len(_problems(site_root)) == 3


def test_alias_bomb_is_refused_quickly(site_root: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        lines.append(f"{name}: &{name} [{','.join(['*' + prev] * 9)}]")
    text = "---\n" + "\n".join(lines) + "\ntitle: x\ndate: null\nleaders: []\ntopics: []\n---\n"
    (site_root / "content/briefs/x.md").write_text(text, encoding="utf-8")
    assert any("anchors/aliases are not allowed" in p for p in _problems(site_root))


@pytest.mark.parametrize("text", [
    "---\ntitle: x\ndate: null\nleaders: []\ntopics: []\n---\n",
    "\ufeff---\r\ntitle: x\r\ndate: null\r\nleaders: []\r\ntopics: []\r\n---\r\n",
    "---\rtitle: x\rdate: null\rleaders: []\rtopics: []\r---\r",
])
def test_bom_and_line_endings_are_normalised(site_root: Path, text: str) -> None:
    (site_root / "content/briefs/x.md").write_bytes(text.encode("utf-8"))
    build(site_root)
    assert (site_root / "output/briefs/x/index.html").is_file()


HOSTILE = ['Breaking: "quoted" # not a comment --- [x] {y} | !z \' & *a', "2024", "NO", "~", "- item", "12:30"]


@pytest.mark.parametrize("title", HOSTILE)
def test_dump_then_parse_round_trips(title: str) -> None:
    brief = Brief(slug="2025-01-02-x", title=title, date=datetime.date(2025, 1, 2), source="NO",
                  author=None, leaders=("a-b",), topics=(), summary=title, seed="001.txt",
                  seed_sha256="ff", review=("date-missing", "unregistered-person: Jo: Doe"),
                  body="Para *one*.\n\nPara two.")
    parsed, warnings = parse_brief(dump_brief(brief), Path("2025-01-02-x.md"))
    assert parsed == brief
    assert warnings == ()


def test_optional_keys_round_trip() -> None:
    brief = Brief(slug="x", title="T", date=datetime.date(2025, 4, 14), source=None, author=None,
                  leaders=("fumio-kishida",), topics=(), summary="", seed=None, seed_sha256=None,
                  review=("unregistered-person: Fumio Kishida",), body="B",
                  published=datetime.date(2025, 4, 15), date_basis="event", event="2025-04-14-a",
                  quotes=(Quote("fumio-kishida", 'We agree: "trade" first'),),
                  people=(Person("fumio-kishida", "Fumio Kishida", role="Prime Minister", country="Japan"),))
    text = dump_brief(brief)
    assert text.index("published:") < text.index("date_basis:") < text.index("event:") < text.index("quotes:")
    parsed, warnings = parse_brief(text, Path("x.md"))
    assert parsed == brief and warnings == ()


def test_optional_keys_are_omitted_when_empty() -> None:
    brief = Brief(slug="x", title="T", date=None, source=None, author=None, leaders=(), topics=(),
                  summary="", seed=None, seed_sha256=None, review=(), body="")
    text = dump_brief(brief)
    assert "date_basis" not in text and "people:" not in text and "quotes: []" in text


def test_unknown_key_is_a_warning_with_suggestion() -> None:
    text = "---\ntitle: x\ndate: null\nleader: [a]\nleaders: []\ntopics: []\n---\n"
    _, warnings = parse_brief(text, Path("x.md"))
    assert [w.format() for w in warnings] == ["x.md:4:1: warning: unknown key 'leader' (did you mean 'leaders'?)"]


def test_control_characters_in_the_body_are_removed_with_a_warning(site_root: Path) -> None:
    text = "---\ntitle: x\ndate: null\nleaders: []\ntopics: []\n---\n\nline one\nbell \x07 nul \x00 nel \x85 end\n"
    (site_root / "content/briefs/x.md").write_text(text, encoding="utf-8")
    report = build(site_root)
    assert "content/briefs/x.md:9: warning: control character U+0007 removed from the body" in [
        w.format(site_root) for w in report.warnings]
    html = (site_root / "output/briefs/x/index.html").read_text(encoding="utf-8")
    assert "bell  nul  nel  end" in html and not any(ch in html for ch in "\x00\x07\x85")
