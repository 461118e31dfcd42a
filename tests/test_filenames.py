"""Hostile source file names in seeds/ and content/briefs/ (bad-inputs row 27).

Every name gives a brief with a valid slug, or one clear error line naming the file; hidden, editor
temp and backup files are ignored; no file name reaches a subprocess's argument list.

A name over 255 bytes cannot be created at all (the file system answers ENAMETOOLONG before
briefing sees it), so the long cases here are the longest legal names (255 bytes) and a slug
derived from a very long title.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefing.briefs import SLUG_PATTERN, parse_brief
from briefing.cli import main
from briefing.extract import make_slug

ARTICLE = (Path(__file__).parent / "fixtures" / "articles" / "dateline_afp.txt").read_text(encoding="utf-8")
JUNK = "not: [valid yaml\n"  # what an editor's temp file might hold: reading it would fail the build
GOOD = "---\ntitle: A brief\ndate: null\nleaders: []\ntopics: []\n---\nBody\n"
LONGEST = 255 - len(".md")  # the longest stem a file system allows with the suffix

# content/briefs/<name>: None = builds to briefs/<stem>/; "ignored" = never read; else the error line's tail
BRIEF_NAMES: dict[str, str | None] = {
    "plain-ok.md": None,
    "a" * 100 + ".md": None,
    "with space.md": "is not a valid slug: use lowercase letters, digits and hyphens",
    "ünïcode.md": "is not a valid slug: use lowercase letters, digits and hyphens",
    "-rf.md": "is not a valid slug: start it with a lowercase letter or digit",
    "--help.md": "is not a valid slug: start it with a lowercase letter or digit",
    "new\nline.md": "is not a valid slug: use lowercase letters, digits and hyphens",
    "trailing-newline\n.md": "is not a valid slug: use lowercase letters, digits and hyphens",
    "CON.md": "is not a valid slug: use lowercase letters, digits and hyphens",
    "con.md": "is not a valid slug: 'con' is a reserved device name on Windows; add a word",
    "lpt1.md": "is not a valid slug: 'lpt1' is a reserved device name on Windows; add a word",
    "b" * 101 + ".md": "is not a valid slug: it is 101 characters long; shorten it to 100 or fewer",
    "c" * LONGEST + ".md": f"is not a valid slug: it is {LONGEST} characters long; shorten it to 100 or fewer",
    ".hidden.md": "ignored",
    ".#x.md": "ignored",
    "x.md~": "ignored",
    ".x.md.swp": "ignored",
    "4913": "ignored",
    "#x.md#": "ignored",
    "x.md.bak": "ignored",
    "x.md.tmp": "ignored",
}


@pytest.fixture
def argv_seen(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every argument of every process started (subprocess and asyncio both go through Popen)."""
    seen: list[str] = []
    real = subprocess.Popen.__init__

    def record(self: subprocess.Popen[bytes], args: object, *rest: object, **kwargs: object) -> None:
        seen.extend([str(args)] if isinstance(args, str | bytes) else [str(a) for a in args])  # type: ignore[attr-defined]
        real(self, args, *rest, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(subprocess.Popen, "__init__", record)
    yield seen


@pytest.mark.parametrize(("name", "expect"), BRIEF_NAMES.items(), ids=[repr(n)[:40] for n in BRIEF_NAMES])
def test_hostile_brief_file_names(site_root: Path, name: str, expect: str | None, argv_seen: list[str],
                                  capsys: pytest.CaptureFixture[str]) -> None:
    """bad-inputs row 27: content/briefs/ names give a valid slug, one error line naming the file, or are ignored."""
    (site_root / "content/briefs" / name).write_text(JUNK if expect == "ignored" else GOOD, encoding="utf-8")
    status = main(["build", "--root", str(site_root), "-q"])
    err = capsys.readouterr().err
    out = site_root / "output"
    if expect is None or expect == "ignored":
        assert status == 0, err
        assert name not in err
        assert argv_seen  # the search indexer did start
        stem = name.removesuffix(".md")
        assert (out / "briefs" / stem / "index.html").is_file() == (expect is None)
        assert sorted(p.name for p in (out / "briefs").iterdir()) == sorted(
            ["2025-04-14-talks-in-capital", "2025-04-15-follow-up", "undated-note"] + ([stem] if expect is None else []))
    else:
        assert status == 1
        shown = name.replace("\n", "\\n")
        assert err.splitlines()[0] == f"content/briefs/{shown}: file name '{shown}' {expect}"
        assert not out.exists()
    assert not any(name.removesuffix(".md") in arg for arg in argv_seen)  # but with no file name


# seeds/<name>: True = ingested to a brief; False = ignored. The article's headline is made unique per case.
SEED_NAMES: dict[str, bool] = {
    "plain.txt": True,
    "with space.txt": True,
    "ünïcode café.txt": True,
    "-rf.txt": True,
    "--force.txt": True,
    "new\nline.txt": True,
    "CON.txt": True,
    "d" * (255 - len(".txt")) + ".txt": True,
    ".hidden.txt": False,
    ".#x.txt": False,
    "x.txt~": False,
    ".x.txt.swp": False,
    "4913": False,
    "#x.txt#": False,
    "x.txt.bak": False,
}


@pytest.mark.parametrize(("name", "ingested"), SEED_NAMES.items(), ids=[repr(n)[:40] for n in SEED_NAMES])
def test_hostile_seed_file_names(site_root: Path, name: str, ingested: bool, argv_seen: list[str],
                                 capsys: pytest.CaptureFixture[str]) -> None:
    """bad-inputs row 27: seeds/ names are ingested to a brief with a valid slug and the name kept verbatim, or ignored."""
    (site_root / "seeds").mkdir()
    (site_root / "seeds" / name).write_text(ARTICLE.replace("Wang Yi visits", "Hostile name: Wang Yi visits"),
                                            encoding="utf-8")
    before = {p.name for p in (site_root / "content/briefs").iterdir()}
    status = main(["--root", str(site_root)])  # ingest, then build
    err = capsys.readouterr().err
    assert status == 0, err
    new = sorted((site_root / "content/briefs").glob("*.md"))
    new = [p for p in new if p.name not in before]
    if not ingested:
        assert new == []
        assert "wrote" not in err and name not in err
        return
    assert [p.name for p in new] == ["hostile-name-wang-yi-visits-jakarta-for-talks.md"]
    brief, _ = parse_brief(new[0].read_text(encoding="utf-8"), new[0])
    assert SLUG_PATTERN.match(brief.slug) and brief.seed == name
    assert (site_root / "output/briefs" / brief.slug / "index.html").is_file()
    assert all(line.startswith(("wrote ", "ingest: ", "content/", "build: ")) for line in err.splitlines()), err
    assert not any(name.removesuffix(".txt") in arg for arg in argv_seen)


@pytest.mark.parametrize(("title", "date", "slug"), [
    ("Minister " * 200, None, "minister-" * 5 + "minister"),  # a title far longer than any file name
    ("Ä" * 300, "2025-01-02", "2025-01-02-" + "a" * 60),
    ("CON", None, "con-brief"),  # Windows device names get a word
    ("LPT1", "2025-01-02", "2025-01-02-lpt1"),  # a dated slug is not one
    ("🔥🔥", None, "brief-0123abcd"),  # nothing left after slugify: the hash
    ("-rf --no-preserve-root", None, "rf-no-preserve-root"),
], ids=lambda v: repr(v)[:30])
def test_slugs_derived_from_titles_are_valid(title: str, date: str | None, slug: str) -> None:
    """bad-inputs rows 27 and 23: slugs made by ingest always pass the strict pattern, whatever the title."""
    made = make_slug(title, date, "0123abcd" * 8)
    assert made == slug
    assert SLUG_PATTERN.match(made) and len(made.encode()) + len(".md") <= 255


def test_reserved_or_forged_names_stay_invalid_slugs() -> None:
    """bad-inputs row 27: `$` would let "x\\n" through; device names never pass."""
    for stem in ("con", "nul", "com9", "x\n", "a\nb"):
        assert not SLUG_PATTERN.match(stem), stem
