"""The brief file format: round trips, and every invalid case's exact message and line."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from briefing.briefs import dump_brief, parse_brief, without_body
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


def manifest(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


def _fails_and_keeps_the_last_site(root: Path, name: str, data: bytes, expect: str | None) -> None:
    """Build the good site, add the bad brief, rebuild: the exact problem, and output/ byte-identical."""
    build(root)
    before = manifest(root / "output")
    (root / "content/briefs" / name).write_bytes(data)
    if expect is None:  # valid: a later '---' is body text, not a second document
        build(root)
        return
    assert expect in _problems(root)
    assert manifest(root / "output") == before


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_invalid_brief_is_reported_with_file_and_line(site_root: Path, case: dict[str, Any]) -> None:
    """Each case in fixtures/invalid/briefs.yaml: E (exact path:line:col: message) and K (output/ kept).

    bad-inputs row 4 (NUL in front matter), bad-inputs row 5 (empty and blank files),
    bad-inputs row 8 (missing front matter), bad-inputs row 9 (never closed),
    bad-inputs row 10 (unquoted colon, tab, '@', '*', with the +1 line of the '---'),
    bad-inputs row 14 (a list, plain text; a second '---' ends the front matter),
    bad-inputs row 15 (duplicate key), bad-inputs row 16 (2024, NO, 01234, 12:30, 1.10),
    bad-inputs row 17 (missing date, missing list), bad-inputs row 18 (2024-02-30, 05/03/2024, offset datetime),
    bad-inputs row 20 (unknown leader and topic, with did-you-mean)
    """
    _fails_and_keeps_the_last_site(site_root, case["file"], case["text"].encode("utf-8"), case["expect"])


HEAD = "title: x\ndate: null\nleaders: []\ntopics: []\n"
GENERATED = {  # cases too big to write out in the YAML file
    "600 levels of nesting under a known key": (
        f"---\n{HEAD}summary: {'[' * 600}{']' * 600}\n---\n",
        "content/briefs/x.md:6:10: 'summary' must be a string, got list (quote it)"),
    "600 levels of nesting under an unknown key is only a warning": (
        f"---\n{HEAD}deep: {'[' * 600}{']' * 600}\n---\n", None),
    "front matter over 64 KB": (f"---\n{HEAD}summary: {'x' * 70_000}\n---\n",
                                "content/briefs/x.md:2: front matter is larger than 64 KB"),
    "a 5000-digit number": (f"---\n{HEAD}summary: {'9' * 5000}\n---\n",
                            "content/briefs/x.md:6: invalid value: a number with more than 4300 digits (quote it if it is text)"),
}


@pytest.mark.timeout(30)
@pytest.mark.parametrize(("text", "expect"), GENERATED.values(), ids=GENERATED.keys())
def test_oversized_front_matter_is_a_located_problem(site_root: Path, text: str, expect: str | None) -> None:
    """bad-inputs row 13 (deep nesting, the 64 KB cap) and bad-inputs row 19 (int max-str-digits): E and K, no traceback."""
    _fails_and_keeps_the_last_site(site_root, "x.md", text.encode("utf-8"), expect)


@pytest.mark.parametrize("case", BYTE_CASES, ids=[c["name"] for c in BYTE_CASES])
def test_undecodable_brief_names_line_and_column(site_root: Path, case: dict[str, Any]) -> None:
    """bad-inputs row 1: cp1252 bytes in an authored brief: E at the byte's line and column, never mojibake; K."""
    _fails_and_keeps_the_last_site(site_root, "x.md", bytes.fromhex(case["hex"]), case["expect"])


def test_python_tag_runs_nothing(site_root: Path, tmp_path: Path) -> None:
    """bad-inputs row 11: !!python/object/apply is refused at its line and column, and runs nothing."""
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


@pytest.mark.timeout(10)
def test_alias_bomb_is_refused_quickly(site_root: Path) -> None:
    """bad-inputs row 12: the 9-level billion-laughs document is refused at its first alias, in well under 1 s."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        lines.append(f"{name}: &{name} [{','.join(['*' + prev] * 9)}]")
    text = "---\n" + "\n".join(lines) + "\ntitle: x\ndate: null\nleaders: []\ntopics: []\n---\n"
    assert len(text.encode()) < 400  # the doc's 342-byte document, give or take the required keys
    started = time.perf_counter()
    with pytest.raises(ProblemsError) as err:
        parse_brief(text, Path("x.md"))
    assert time.perf_counter() - started < 1.0
    assert [p.format() for p in err.value.problems] == ["x.md:2: YAML anchors/aliases are not allowed (anchor defined here)"]
    (site_root / "content/briefs/x.md").write_text(text, encoding="utf-8")
    assert "content/briefs/x.md:2: YAML anchors/aliases are not allowed (anchor defined here)" in _problems(site_root)


LF = "---\ntitle: x\ndate: null\nleaders: []\ntopics: []\n---\n# H\n\nbody\n"
ENDINGS = {
    "BOM": "\ufeff" + LF,
    "CRLF": LF.replace("\n", "\r\n"),
    "BOM and CRLF": "\ufeff" + LF.replace("\n", "\r\n"),
    "lone CR": LF.replace("\n", "\r"),
    "'---' with trailing spaces": LF.replace("---\n", "---  \n"),
}


@pytest.mark.parametrize("text", ENDINGS.values(), ids=ENDINGS.keys())
def test_bom_and_line_endings_are_normalised(site_root: Path, tmp_path: Path, text: str) -> None:
    """bad-inputs row 2 (BOM) and bad-inputs row 3 (CRLF, lone CR): the same site, byte for byte, as the plain LF file."""
    (site_root / "content/briefs/x.md").write_bytes(LF.encode("utf-8"))
    build(site_root, out_dir=tmp_path / "lf")
    (site_root / "content/briefs/x.md").write_bytes(text.encode("utf-8"))
    build(site_root, out_dir=tmp_path / "other")
    page = (tmp_path / "other/briefs/x/index.html").read_text(encoding="utf-8")
    assert "<h1>H</h1>" in page and "\ufeff" not in page and "\r" not in page
    assert manifest(tmp_path / "other") == manifest(tmp_path / "lf")


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
    """bad-inputs row 17: a misspelt key is a warning (an error under check and --strict) with did-you-mean."""
    text = "---\ntitle: x\ndate: null\nleader: [a]\nleaders: []\ntopics: []\n---\n"
    _, warnings = parse_brief(text, Path("x.md"))
    assert [w.format() for w in warnings] == ["x.md:4:1: warning: unknown key 'leader' (did you mean 'leaders'?)"]


def test_control_characters_in_the_body_are_removed_with_a_warning(site_root: Path) -> None:
    """bad-inputs row 4: C0/C1 controls in the body are removed with a located warning; none reach the HTML."""
    text = "---\ntitle: x\ndate: null\nleaders: []\ntopics: []\n---\n\nline one\nbell \x07 nul \x00 nel \x85 end\n"
    (site_root / "content/briefs/x.md").write_text(text, encoding="utf-8")
    report = build(site_root)
    assert "content/briefs/x.md:9: warning: control character U+0007 removed from the body" in [
        w.format(site_root) for w in report.warnings]
    html = (site_root / "output/briefs/x/index.html").read_text(encoding="utf-8")
    assert "bell  nul  nel  end" in html and not any(ch in html for ch in "\x00\x07\x85")


SPOTTED = """---
title: Where things are
date: 2025-04-14
leaders:
  - to-lam
  - xi-jinping
topics: [trade]
summary: S.
---

Body text.
"""


@pytest.mark.parametrize(("key", "line", "column"), [
    ("title", 2, 1), ("date", 3, 1), ("date=", 3, 7), ("leaders.0", 5, 5), ("leaders.1", 6, 5),
    ("topics.0", 7, 10), ("body", 11, 1), ("nowhere", None, None),
])
def test_a_parsed_brief_knows_the_file_line_and_column_of_each_key(key: str, line: int | None,
                                                                    column: int | None) -> None:
    brief, _ = parse_brief(SPOTTED, Path("content/briefs/x.md"))
    assert (brief.line_of(key), brief.column_of(key)) == (line, column)


def test_briefs_with_the_same_keys_share_one_key_string_and_survive_a_pickle() -> None:
    import pickle

    one, _ = parse_brief(SPOTTED, Path("content/briefs/a.md"))
    two, _ = parse_brief(SPOTTED.replace("Where", "When"), Path("content/briefs/b.md"))
    assert one.spots.keys is two.spots.keys
    back = pickle.loads(pickle.dumps([one, two]))
    assert back[0].spots.keys is back[1].spots.keys
    assert back[1].line_of("leaders.1") == 6 and back[1].column_of("topics.0") == 10
    apart = pickle.loads(pickle.dumps(two))  # from another process's pickle: still one string
    assert apart.spots.keys is one.spots.keys
    for brief in (one, without_body(two), dataclasses.replace(one, path=None)):
        again = pickle.loads(pickle.dumps(brief))
        for field in dataclasses.fields(brief):  # path and spots too, which == leaves out
            assert getattr(again, field.name) == getattr(brief, field.name), field.name
            assert type(getattr(again, field.name)) is type(getattr(brief, field.name)), field.name


def test_a_brief_without_its_body_reads_it_back_from_its_file_and_refuses_a_changed_file(tmp_path: Path) -> None:
    from briefing.briefs import without_body
    from briefing.load import parse_file, read_body

    path = tmp_path / "x.md"
    path.write_text(SPOTTED + "\nMore with a control \x07 character.\n", encoding="utf-8")
    full, _ = parse_file(path)
    lean = without_body(full)
    assert lean.body == "" and lean.body_sha256 and without_body(lean) is lean
    assert read_body(lean) == full.body and "\x07" not in full.body
    assert read_body(full) == full.body  # a brief with its body: no file read
    path.write_text(SPOTTED.replace("Body text.", "Body text, edited."), encoding="utf-8")
    with pytest.raises(ProblemsError) as caught:
        read_body(lean)
    assert [p.format() for p in caught.value.problems] == [f"{path}: changed while the build ran; run the build again"]
    path.unlink()
    with pytest.raises(ProblemsError):
        read_body(lean)


@pytest.mark.parametrize("body", ["Body text.\n", "", "\n\nA control \x07 here\n\nand \x85 there.\n\n", "\x00"])
def test_a_brief_parsed_without_its_body_is_the_full_brief_without_it(body: str) -> None:
    text = SPOTTED.replace("Body text.\n", body).replace("date: 2025-04-14", "date: 2025-13-01")
    path = Path("content/briefs/x.md")
    with pytest.raises(ProblemsError) as bad:  # an error (the date) is raised alike
        parse_brief(text, path, keep_body=False)
    with pytest.raises(ProblemsError) as also:
        parse_brief(text, path)
    assert bad.value.problems == also.value.problems
    text = text.replace("2025-13-01", "2025-04-14").replace("summary: S.", "summary: S.\nunknown: 1")
    full, said = parse_brief(text, path)
    lean, told = parse_brief(text, path, keep_body=False)
    assert lean == without_body(full) and lean.body == "" and lean.body_sha256
    assert told == said and len(said) == 1 + ("\x07" in body or "\x00" in body)  # unknown key, controls


def test_the_quick_control_character_check_finds_what_the_pattern_finds() -> None:
    import random

    from briefing.briefs import CONTROL, first_control, without_controls

    rng = random.Random(5)
    chars = [chr(c) for c in range(0x250)] + ["\u2028", "\ufeff", "\ud800", "\U0001f600", "é", "\u00a0"]
    for _ in range(20000):
        text = "".join(rng.choice(chars) if rng.random() < 0.1 else "a" for _ in range(rng.randint(0, 40)))
        quick, slow = first_control(text), CONTROL.search(text)
        assert (quick.start() if quick else None) == (slow.start() if slow else None), repr(text)
        assert without_controls(text) == CONTROL.sub("", text)
