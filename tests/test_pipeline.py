"""Whole-site tests: build the fixture site into tmp_path, parse every page, follow every link."""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

import pytest
from crawl import broken_links, parse_site, resolve

from briefing.errors import SCHEMA, STRICT, ProblemsError
from briefing.pipeline import build


def manifest(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


def test_every_internal_link_and_fragment_resolves(built: Path) -> None:
    # bad-inputs row 24: no link anywhere points at a missing page
    pages = parse_site(built)
    assert len(pages) >= 10
    assert broken_links(built, base_path="/desk/") == []


def test_expected_pages_exist(built: Path) -> None:
    expected = [
        "index.html", "404.html", "archive/index.html", "people/index.html", "topics/index.html",
        "briefs/2025-04-14-talks-in-capital/index.html", "briefs/2025-04-15-follow-up/index.html",
        "briefs/undated-note/index.html", "people/alice-nguyen/index.html",
        "people/dana-orphan/index.html", "topics/culture/index.html", "static/style.css",
    ]
    for rel in expected:
        assert (built / rel).is_file(), rel


def test_every_leader_and_topic_has_a_page_that_links_back(built: Path) -> None:
    pages = parse_site(built)
    for url, page in pages.items():
        if not url.startswith("/briefs/"):
            continue
        for link in page.anchors():
            target = resolve(link, url)
            if target and target.startswith(("/people/", "/topics/")) and target.count("/") == 3:
                assert target in pages, f"{url} links to missing {target}"
                back = {resolve(a, target) for a in pages[target].anchors()}
                assert url in back, f"{target} does not link back to {url}"


def test_person_page_lists_briefs_newest_first_and_companions(built: Path) -> None:
    page = parse_site(built)["/people/alice-nguyen/"]
    briefs = [resolve(a, page.url) for a in page.anchors()]
    briefs = [b for b in briefs if b and b.startswith("/briefs/") and "#" not in b]
    assert briefs[:2] == ["/briefs/2025-04-15-follow-up/", "/briefs/2025-04-14-talks-in-capital/"]
    assert "/people/bob-tran/" in {resolve(a, page.url) for a in page.anchors()}
    assert "served as foreign minister" in page.text  # the bio from content/people/


def test_brief_page_shows_metadata_and_escapes_untrusted_text(built: Path) -> None:
    # bad-inputs row 29: raw HTML in an article and a summary is escaped text
    page = parse_site(built)["/briefs/2025-04-14-talks-in-capital/"]
    assert 'Talks in the capital: "trade first"' in page.text
    assert "14 April 2025" in page.text and "Example Wire" in page.text and "Jane Doe" in page.text
    assert ("time", {"datetime": "2025-04-14"}) in page.starttags
    html = page.path.read_text(encoding="utf-8")
    assert "<script" not in html.lower() and "<img" not in html.lower()
    assert "<b>on trade</b>" not in html
    assert '&lt;script&gt;alert("x")&lt;/script&gt;' in html.replace("&quot;", '"')


def test_related_briefs_rank_shared_leaders_first(built: Path) -> None:
    page = parse_site(built)["/briefs/2025-04-15-follow-up/"]
    related = [resolve(a, page.url) for a in page.anchors()]
    related = [r for r in related if r and r.startswith("/briefs/") and not r.startswith(page.url)]
    assert related[0] == "/briefs/2025-04-14-talks-in-capital/"


def test_archive_groups_by_year_and_month_and_lists_undated(built: Path) -> None:
    page = parse_site(built)["/archive/"]
    assert {"y2025", "m2025-04", "undated"} <= set(page.ids)
    assert "An undated note" in page.text


def test_two_builds_are_byte_identical(site_root: Path, tmp_path: Path) -> None:
    build(site_root, out_dir=tmp_path / "a")
    build(site_root, out_dir=tmp_path / "b")
    assert manifest(tmp_path / "a") == manifest(tmp_path / "b")


def test_sub_path_deploy_links_resolve_and_404_is_rooted(site_root: Path, tmp_path: Path) -> None:
    out = tmp_path / "sub"
    build(site_root, out_dir=out, base_url="https://example.org/briefing/")
    assert broken_links(out, base_path="/briefing/") == []
    not_found = parse_site(out)["/404.html"]
    assert all(a.startswith("/briefing/") for a in not_found.anchors() if not a.startswith("#"))
    canonical = [a["href"] for t, a in parse_site(out)["/"].starttags if t == "link" and a.get("rel") == "canonical"]
    assert canonical == ["https://example.org/briefing/"]


def test_unchanged_rebuild_writes_nothing(site_root: Path) -> None:
    first = build(site_root)
    second = build(site_root)
    assert first.written == first.files and second.written == 0 and second.unchanged == second.files


def test_deleted_brief_disappears_on_rebuild(site_root: Path) -> None:
    # bad-inputs row 38: stale pages of deleted briefs disappear on rebuild
    build(site_root)
    before = set(manifest(site_root / "output"))
    (site_root / "content/briefs/undated-note.md").unlink()
    report = build(site_root)
    assert not (site_root / "output/briefs/undated-note").exists()
    gone = before - set(manifest(site_root / "output"))
    # the search index's files are named by their content, so some of them are replaced too
    assert sorted(p for p in gone if not p.startswith("pagefind/")) == ["briefs/undated-note/index.html"]
    assert report.removed == len(gone)
    assert broken_links(site_root / "output", base_path="/desk/") == []


def test_failed_build_leaves_previous_output_untouched(site_root: Path) -> None:
    # bad-inputs row 20: unknown person is E and K
    build(site_root)
    before = manifest(site_root / "output")
    path = site_root / "content/briefs/2025-04-15-follow-up.md"
    path.write_text(path.read_text().replace("- carol-li", "- carol-lee"), encoding="utf-8")
    with pytest.raises(ProblemsError) as err:
        build(site_root)
    assert "unknown leader 'carol-lee' (did you mean 'carol-li'?)" in str(err.value)
    assert manifest(site_root / "output") == before


def test_schema_level_fails_on_unknown_keys_but_not_review_items(site_root: Path) -> None:
    build(site_root, fail_on=SCHEMA)  # undated brief with a review item: fine
    path = site_root / "content/briefs/2025-04-15-follow-up.md"
    path.write_text(path.read_text().replace("summary:", "sumary: typo\nsummary:"), encoding="utf-8")
    with pytest.raises(ProblemsError) as err:
        build(site_root, fail_on=SCHEMA)
    assert "2025-04-15-follow-up.md:11:1: unknown key 'sumary' (did you mean 'summary'?)" in str(err.value)


def test_strict_turns_warnings_into_errors(site_root: Path) -> None:
    build(site_root)  # lenient: undated brief is only a warning
    with pytest.raises(ProblemsError) as err:
        build(site_root, fail_on=STRICT)
    assert "undated-note.md:11: needs review: date-missing" in str(err.value)


def test_markdown_cache_on_disk_gives_the_same_site_and_follows_the_registry(site_root: Path, tmp_path: Path) -> None:
    build(site_root, out_dir=tmp_path / "cold")
    assert list((site_root / ".briefing-cache" / "markdown").glob("*.pickle"))
    build(site_root, out_dir=tmp_path / "warm")
    assert manifest(tmp_path / "warm") == manifest(tmp_path / "cold")
    # a cached body whose cross-reference no longer resolves must be rendered again, and fail
    site_yaml = site_root / "site.yaml"
    site_yaml.write_text(site_yaml.read_text().replace("  bob-tran:", "  bob-tram:"), encoding="utf-8")
    for brief in (site_root / "content/briefs").glob("*.md"):
        brief.write_text(brief.read_text().replace("- bob-tran", "- bob-tram").replace("[bob-tran]", "[bob-tram]"))
    with pytest.raises(ProblemsError) as err:
        build(site_root, out_dir=tmp_path / "after")
    assert "unknown cross-reference 'person:bob-tran' (did you mean 'bob-tram'?)" in str(err.value)


def test_a_corrupt_markdown_cache_is_ignored(site_root: Path, tmp_path: Path) -> None:
    build(site_root, out_dir=tmp_path / "cold")
    shards = sorted((site_root / ".briefing-cache" / "markdown").glob("*.pickle"))
    assert shards
    version = pickle.loads(shards[0].read_bytes())[0]
    damage = [b"{", pickle.dumps((version, [("/x/", "h", 3)])), pickle.dumps((version, [(1, 2, 3, [(1,)], (), ())])),
              pickle.dumps(["not", "a", "shard"]), pickle.dumps((version, None)), b""]
    for n, shard in enumerate(shards):
        shard.write_bytes(damage[n % len(damage)])
    build(site_root, out_dir=tmp_path / "again")
    assert manifest(tmp_path / "again") == manifest(tmp_path / "cold")


def test_a_brief_saved_while_the_build_runs_fails_it_by_name_and_the_output_stays(
        site_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import briefing.pipeline

    build(site_root)
    before = {p: p.read_bytes() for p in sorted((site_root / "output").rglob("*")) if p.is_file()}
    victim = sorted((site_root / "content/briefs").glob("*.md"))[0]
    real = briefing.pipeline.plan_pages

    def plan_then_save(*args: object, **kwargs: object) -> object:
        planned = real(*args, **kwargs)  # type: ignore[arg-type]
        victim.write_text(victim.read_text(encoding="utf-8") + "\nA paragraph saved mid-build.\n", encoding="utf-8")
        return planned

    monkeypatch.setattr(briefing.pipeline, "plan_pages", plan_then_save)
    with pytest.raises(ProblemsError) as caught:
        build(site_root)
    assert [p.format() for p in caught.value.problems] == [f"{victim}: changed while the build ran; run the build again"]
    assert {p: p.read_bytes() for p in sorted((site_root / "output").rglob("*")) if p.is_file()} == before
    monkeypatch.undo()
    build(site_root)  # the next build shows the saved text
    page = site_root / "output/briefs" / victim.stem / "index.html"
    assert "A paragraph saved mid-build." in page.read_text(encoding="utf-8")


def test_markdown_shards_left_as_json_by_earlier_code_are_removed(site_root: Path, tmp_path: Path) -> None:
    folder = site_root / ".briefing-cache" / "markdown"
    folder.mkdir(parents=True)
    legacy = [folder / f"{n:02d}.json" for n in range(32)]
    for path in legacy:
        path.write_text('{"version": "old", "entries": []}')
    build(site_root, out_dir=tmp_path / "out")
    written = {p.stem for p in folder.glob("*.pickle")}
    assert written and not any(p.exists() for p in legacy if p.stem in written)
