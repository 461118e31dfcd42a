"""Ingest stage end to end: seeds -> briefs on disk; idempotent, respects hand edits, atomic."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import os
import re
import shutil
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from briefing.briefs import SLUG_PATTERN, parse_brief
from briefing.clean import clean
from briefing.config import load_config
from briefing.extract import extract
from briefing.ingest import IngestReport, ingest
from briefing.model import Brief, Registry, SiteConfig

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
ARTICLES = FIXTURES / "articles"


@pytest.fixture(scope="module")
def site() -> tuple[SiteConfig, Registry]:
    return load_config(FIXTURES / "ingest_site.yaml")


def setup_seeds(tmp_path: Path, names: list[str] | None = None) -> tuple[Path, Path]:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for path in sorted(ARTICLES.glob("*.txt")):
        if names is None or path.name in names:
            shutil.copy(path, seeds / path.name)
    return seeds, tmp_path / "content" / "briefs"


def run(tmp_path: Path, site: tuple[SiteConfig, Registry], force: bool = False) -> IngestReport:
    return ingest(tmp_path / "seeds", tmp_path / "content" / "briefs", site[0], site[1], force=force)


def briefs_by_seed(briefs_dir: Path) -> dict[str, Brief]:
    out: dict[str, Brief] = {}
    for path in sorted(briefs_dir.glob("*.md")):
        brief, _ = parse_brief(path.read_text(encoding="utf-8"), path)
        assert brief.seed is not None
        out[brief.seed] = brief
    return out


def test_fixture_articles(tmp_path: Path, site: tuple[SiteConfig, Registry]) -> None:
    # bad-inputs row 5: a boilerplate-only seed is skipped with 'no article text after cleaning'
    setup_seeds(tmp_path)
    report = run(tmp_path, site)
    briefs = briefs_by_seed(tmp_path / "content" / "briefs")
    assert set(briefs) == {p.name for p in ARTICLES.glob("*.txt")} - {"boilerplate_only.txt"}
    assert report.skipped == (tmp_path / "seeds" / "boilerplate_only.txt",)
    assert "seeds/boilerplate_only.txt: no article text after cleaning" in report.messages

    k = briefs["kishida_widodo.txt"]
    assert k.slug == "2022-03-08-japan-and-indonesia-agree-to-boost-maritime-cooperation"
    assert (k.title, k.date, k.author, k.source) == (
        "Japan and Indonesia agree to boost maritime cooperation", datetime.date(2022, 3, 8), "Jane Doe", None
    )
    assert k.leaders == ("fumio-kishida", "joko-widodo")  # discovered: titled, not in the registry
    assert [(p.id, p.name, p.role) for p in k.people] == [
        ("fumio-kishida", "Fumio Kishida", "Prime Minister"), ("joko-widodo", "Joko Widodo", "President")]
    assert k.review == ("unregistered-person: Fumio Kishida", "unregistered-person: Joko Widodo")
    assert k.topics == ("trade", "maritime")
    assert k.summary == (
        "Japanese Prime Minister Fumio Kishida met Indonesian President Joko Widodo in Jakarta on Tuesday, "
        "March 8, 2022, and the two leaders discussed the South China Sea, trade and investment."
    )
    assert k.body.endswith("\n\n*Prime Minister Fumio Kishida and President Joko Widodo inspect an honour guard "
                           "at the palace.*")
    assert "Jane Doe" not in k.body and "Share" not in k.body and "Some other story" not in k.body

    d = briefs["dateline_afp.txt"]
    assert (d.source, d.date, d.leaders) == ("AFP", None, ("wang-yi", "wang-xiaohong"))
    assert d.review == ("date-missing",)
    assert d.summary == (
        "Chinese Foreign Minister Wang Yi held talks with Indonesian officials on Friday. "
        "Mr. Wang, who arrived from the U.S. on Thursday, said trade would grow."
    )
    assert not d.body.startswith("JAKARTA")

    g = briefs["lede_only.txt"]
    assert g.title == "Phạm Minh Chính and Li Qiang agreed to expand railway links between the two countries"
    assert g.slug.startswith("pham-minh-chinh-and-li-qiang-agreed-to-expand")
    assert g.review == ("title-generated", "date-missing")
    assert (g.source, g.leaders, g.topics) == ("VNA", ("pham-minh-chinh", "li-qiang"), ("rail", "culture"))

    assert briefs["lam_dong.txt"].leaders == ("to-lam",)  # from "TO LAM", never from "to Lam Dong"

    c = briefs["cp1252.txt"]
    assert c.title == "Café talks end with “smart quotes” – and a deal"
    assert (c.date, c.leaders, c.topics) == (datetime.date(2022, 9, 5), ("to-lam", "xi-jinping"), ("culture",))
    assert c.review == ("decoded as cp1252",)

    b = briefs["banner_byline.txt"]
    assert (b.source, b.author, b.date) == ("WIREDESK", "Ngo Van Minh", datetime.date(2025, 4, 14))
    assert b.leaders == ("xi-jinping", "to-lam")
    assert b.body.endswith("*Children wave flags at the welcoming ceremony in Hanoi on Monday.*")

    sha = hashlib.sha256((ARTICLES / "emoji_title.txt").read_bytes()).hexdigest()
    e = briefs["emoji_title.txt"]
    assert (e.title, e.slug) == ("🔥 🌉 🎉", f"2021-11-30-brief-{sha[:8]}")
    assert e.seed_sha256 == sha


def test_markdown_characters_round_trip_and_render_literally(tmp_path: Path, site: tuple[SiteConfig, Registry]) -> None:
    setup_seeds(tmp_path, ["markdown_chars.txt"])
    run(tmp_path, site)
    (brief,) = briefs_by_seed(tmp_path / "content" / "briefs").values()
    assert brief.title == "Breaking: #1 --- \"quoted\" 'single' ! [brackets] {braces} | pipe"
    out = MarkdownIt("js-default").render(brief.body)
    assert re.findall(r"<(\w+)", out) == ["p"] * 6
    assert "<script>" not in out and "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "<p># This line starts with a hash" in out and "<p>***</p>" in out
    assert "Inline *stars*, _underscores_, [a link](http://example.org), `code`, back\\slash" in out


def test_every_brief_parses_back_equal(tmp_path: Path, site: tuple[SiteConfig, Registry]) -> None:
    seeds, briefs_dir = setup_seeds(tmp_path)
    report = run(tmp_path, site)
    assert report.written
    for path in report.written:
        parsed, warnings = parse_brief(path.read_text(encoding="utf-8"), path)
        assert warnings == ()
        assert SLUG_PATTERN.match(path.stem)
        seed = seeds / str(parsed.seed)
        expected = extract(clean(seed.read_bytes(), seed.name, site[0].ingest), site[1], site[0].ingest)
        assert parsed == dataclasses.replace(expected, slug=path.stem)


def test_rerun_leaves_files_untouched(tmp_path: Path, site: tuple[SiteConfig, Registry]) -> None:
    _, briefs_dir = setup_seeds(tmp_path)
    first = run(tmp_path, site)
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in briefs_dir.iterdir()}
    second = run(tmp_path, site)
    assert second.written == () and second.kept == ()
    assert sorted(second.unchanged) == sorted(first.written)
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in briefs_dir.iterdir()} == before


def test_edited_brief_is_kept_then_forced(tmp_path: Path, site: tuple[SiteConfig, Registry]) -> None:
    setup_seeds(tmp_path, ["dateline_afp.txt", "cp1252.txt"])
    (other, path) = run(tmp_path, site).written  # cp1252.txt, dateline_afp.txt
    original = path.read_bytes()
    edited = original.replace(b"date: null", b"date: 2023-03-03")
    assert edited != original
    path.write_bytes(edited)

    report = run(tmp_path, site)
    assert report.kept == (path,) and report.unchanged == (other,)
    assert f"kept edited brief content/briefs/{path.name}" in report.messages
    assert path.read_bytes() == edited

    report = run(tmp_path, site, force=True)
    assert report.written == (path,)
    assert path.with_name(path.name + ".bak").read_bytes() == edited
    assert path.read_bytes() == original
    assert not list(path.parent.glob("*.tmp"))


def test_slug_collisions_get_a_suffix(tmp_path: Path, site: tuple[SiteConfig, Registry]) -> None:
    # bad-inputs row 22: titles with the same slug get -2, -3; nothing is overwritten
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    text = "Same headline for both\n\nThe two sides discussed trade and investment at length in Hanoi.\n"
    (seeds / "a.txt").write_text(text, encoding="utf-8")
    (seeds / "b.txt").write_text(text.replace("Hanoi", "Beijing"), encoding="utf-8")
    briefs = tmp_path / "content" / "briefs"
    briefs.mkdir(parents=True)
    (briefs / "same-headline-for-both-2.md").write_text("hand-written, no front matter\n", encoding="utf-8")
    report = run(tmp_path, site)
    assert [p.name for p in report.written] == ["same-headline-for-both.md", "same-headline-for-both-3.md"]
    assert any("same-headline-for-both-2.md" in m and "cannot read" in m for m in report.messages)
    assert (briefs / "same-headline-for-both-2.md").read_text(encoding="utf-8") == "hand-written, no front matter\n"
    assert run(tmp_path, site).unchanged == report.written


def test_seed_selection(tmp_path: Path, site: tuple[SiteConfig, Registry]) -> None:
    # bad-inputs rows 27 and 28: hidden/temp seeds ignored, a symlink out of seeds/ skipped with a message
    seeds, briefs_dir = setup_seeds(tmp_path, ["dateline_afp.txt"])
    for name in (".hidden.txt", "#autosave#.txt", "draft.txt~", "draft.txt.swp", "notes.md"):
        shutil.copy(ARTICLES / "kishida_widodo.txt", seeds / name)
    outside = tmp_path / "outside.txt"
    shutil.copy(ARTICLES / "kishida_widodo.txt", outside)
    os.symlink(outside, seeds / "link.txt")
    big = seeds / "big.txt"
    big.write_bytes(b"Big headline here\n\n" + b"word " * (2 * 1024 * 1024 // 5 + 10))
    report = run(tmp_path, site)
    assert [p.name for p in report.written] == [next(briefs_dir.glob("*.md")).name]
    assert [p.name for p in report.skipped] == ["big.txt", "link.txt"]
    assert any(m.startswith("seeds/big.txt:") and "2 MB" in m for m in report.messages)
    assert any(m.startswith("seeds/link.txt:") and "outside" in m for m in report.messages)


SEED_TITLES = {
    "001": "Xi Jinping Pledges to Deepen China-Vietnam Ties for Shared Future",
    "002": "Xi Jinping and his wife bid farewell to Vietnam’s Communist Party leader",
    "003": "China, Vietnam to foster cooperation",
    "004": "President of China Xi Jinping Calls for Deepening Building a Shared Future with Vietnam",
}


def test_real_seeds(tmp_path: Path) -> None:
    config, registry = load_config(REPO / "site.yaml")
    briefs_dir = tmp_path / "content" / "briefs"
    report = ingest(REPO / "seeds", briefs_dir, config, registry)
    assert len(report.written) == 5 and report.skipped == ()
    briefs = {str(b.seed)[:3]: b for b in briefs_by_seed(briefs_dir).values()}
    assert sorted(briefs) == ["000", "001", "002", "003", "004"]

    assert briefs["000"].date == datetime.date(2025, 4, 15)
    assert briefs["003"].date == datetime.date(2025, 4, 14)
    for key in ("000", "003"):
        assert {"xi-jinping", "to-lam"} <= set(briefs[key].leaders)
        assert "date-missing" not in briefs[key].review
    assert "to-lam" in briefs["004"].leaders  # written "Tu Lam"
    assert "luong-cuong" in briefs["001"].leaders
    assert "nguyen-phu-trong" in briefs["002"].leaders
    for key in ("001", "002"):
        assert briefs[key].date is None and "date-missing" in briefs[key].review
    # 004 reports the same April 14 talks as 003 (undated: it says "on Monday"), so it joins 003's
    # event but, with borrow_event_dates off (the default), keeps the date its own text gives: none.
    # The farewell (000), the anniversary messages (001) and the 2023 farewell (002) are their own
    talks = briefs["003"].slug
    assert talks == "2025-04-14-china-vietnam-to-foster-cooperation"
    assert {k: b.event for k, b in briefs.items()} == {"000": None, "001": None, "002": None, "003": talks, "004": talks}
    assert (briefs["004"].date, briefs["004"].date_basis) == (None, None)
    assert "date-missing" in briefs["004"].review
    assert briefs["004"].slug == "president-of-china-xi-jinping-calls-for-deepening-building-a"  # not renamed
    assert briefs["003"].date_basis is None

    assert briefs["004"].author == "Ashraf AboArafe"
    assert briefs["004"].source == "ECONOMYSLIDE"
    assert briefs["000"].source == "AseanAll"
    for key, title in SEED_TITLES.items():
        assert briefs[key].title == title
    assert "title-generated" in briefs["000"].review
    assert not briefs["000"].body.startswith("(AseanAll)")
    for brief in briefs.values():
        assert brief.title not in ("ECONOMYSLIDE", "Xi_Jinping_Pledges_to_Deepen_China_Vietnam_Ties_for_Shared_Future")
        assert brief.topics
        assert not any(p in brief.leaders for p in ("ashraf-aboarafe", "jane-doe"))
        for junk in ("Leave a Reply", "Back To Top", "Back to top", "Listen to this article", "Related Articles",
                     "aldiplomasy", "Transparency", "Ashraf", "Xi_Jinping"):
            assert junk not in brief.body
    for credit in ("(Photo/Xinhua)", "(Feng Yongbin/China Daily)", "Xinhua", "China Daily"):
        assert credit not in briefs["003"].body


def real_seeds(tmp_path: Path, prefixes: tuple[str, ...]) -> Path:
    seeds = tmp_path / "seeds"
    seeds.mkdir(parents=True, exist_ok=True)
    for path in sorted((REPO / "seeds").glob("*.txt")):
        if path.name.startswith(prefixes):
            shutil.copy(path, seeds / path.name)
    return seeds


def ingest_real(tmp_path: Path, force: bool = False, borrow: bool = False) -> IngestReport:
    config, registry = load_config(REPO / "site.yaml")
    if borrow:
        config = dataclasses.replace(config, ingest=dataclasses.replace(config.ingest, borrow_event_dates=True))
    return ingest(tmp_path / "seeds", tmp_path / "content" / "briefs", config, registry, force=force)


TALKS = "2025-04-14-china-vietnam-to-foster-cooperation"  # 003
TALKS_UNDATED = "president-of-china-xi-jinping-calls-for-deepening-building-a"  # 004


def test_events_rerun_is_byte_identical_and_force_regroups_the_same(tmp_path: Path) -> None:
    real_seeds(tmp_path, ("000", "001", "002", "003", "004"))
    briefs_dir = tmp_path / "content" / "briefs"
    first = ingest_real(tmp_path)
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in briefs_dir.iterdir()}
    second = ingest_real(tmp_path)
    assert (second.written, second.kept, second.messages) == ((), (), ())
    assert sorted(second.unchanged) == sorted(first.written)
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in briefs_dir.iterdir()} == before
    forced = ingest_real(tmp_path, force=True)
    assert forced.written == () and sorted(forced.unchanged) == sorted(first.written)


def test_new_seed_joins_the_event_of_an_existing_brief_that_is_never_rewritten(tmp_path: Path) -> None:
    real_seeds(tmp_path, ("003",))
    briefs_dir = tmp_path / "content" / "briefs"
    ingest_real(tmp_path)
    talks = (briefs_dir / f"{TALKS}.md").read_bytes()
    assert b"\nevent: null\n" in talks  # alone, so no event yet

    real_seeds(tmp_path, ("004",))
    report = ingest_real(tmp_path, borrow=True)
    assert report.written == (briefs_dir / f"{TALKS_UNDATED}.md",) and report.kept == ()
    assert (briefs_dir / f"{TALKS}.md").read_bytes() == talks  # the anchor is left as it was
    joined = briefs_by_seed(briefs_dir)["004_6af3b4b321139607.txt"]
    assert (joined.event, joined.date, joined.date_basis) == (TALKS, datetime.date(2025, 4, 14), "event")
    assert "date-from-event" in joined.review

    # what the new brief says is what a fresh ingest of both seeds says about it
    fresh = tmp_path / "fresh"
    real_seeds(fresh, ("003", "004"))
    ingest_real(fresh, borrow=True)
    assert (briefs_dir / f"{TALKS_UNDATED}.md").read_bytes() == \
        (fresh / "content" / "briefs" / f"{TALKS_UNDATED}.md").read_bytes()
    again = ingest_real(tmp_path, borrow=True)
    assert (again.written, again.kept, len(again.unchanged)) == ((), (), 2)


def test_existing_undated_brief_anchors_the_event_a_later_seed_joins(tmp_path: Path) -> None:
    real_seeds(tmp_path, ("004",))
    briefs_dir = tmp_path / "content" / "briefs"
    ingest_real(tmp_path)
    undated = (briefs_dir / f"{TALKS_UNDATED}.md").read_bytes()
    real_seeds(tmp_path, ("003",))
    report = ingest_real(tmp_path)
    assert report.written == (briefs_dir / f"{TALKS}.md",) and report.kept == ()
    assert (briefs_dir / f"{TALKS_UNDATED}.md").read_bytes() == undated  # existing: never modified
    talks = briefs_by_seed(briefs_dir)["003_c8c95379da27dd65.txt"]
    assert (talks.event, talks.date, talks.date_basis) == (TALKS_UNDATED, datetime.date(2025, 4, 14), None)
    assert ingest_real(tmp_path).written == ()


def test_an_authors_event_id_is_kept_and_joined(tmp_path: Path) -> None:
    real_seeds(tmp_path, ("003",))
    briefs_dir = tmp_path / "content" / "briefs"
    ingest_real(tmp_path)
    path = briefs_dir / f"{TALKS}.md"
    path.write_bytes(path.read_bytes().replace(b"\nevent: null\n", b"\nevent: hanoi-talks-2025\n"))
    real_seeds(tmp_path, ("004",))
    edited = path.read_bytes()
    report = ingest_real(tmp_path)
    assert report.kept == () and report.unchanged == (path,)  # the author's event is what ingest keeps
    assert path.read_bytes() == edited
    assert briefs_by_seed(briefs_dir)["004_6af3b4b321139607.txt"].event == "hanoi-talks-2025"
