"""The real thing: copy the project's seeds, site.yaml and templates; ingest, build, crawl."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from crawl import broken_links, parse_site, resolve

from briefing.briefs import parse_brief
from briefing.cli import main

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def seed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("seed-site")
    shutil.copytree(REPO / "seeds", root / "seeds")
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copy(REPO / "site.yaml", root / "site.yaml")
    assert main(["--root", str(root), "-q"]) == 0  # no command: ingest, then build
    return root


def briefs(root: Path) -> list[Path]:
    return sorted((root / "content" / "briefs").glob("*.md"))


def test_every_seed_became_a_brief_that_parses(seed_site: Path) -> None:
    seeds = sorted((REPO / "seeds").glob("*.txt"))
    found = [parse_brief(p.read_text(encoding="utf-8"), p)[0] for p in briefs(seed_site)]
    assert sorted(b.seed for b in found if b.seed) == [s.name for s in seeds]


def test_seed_site_has_no_broken_links_or_fragments(seed_site: Path) -> None:
    assert broken_links(seed_site / "output") == []


def test_every_brief_page_links_leaders_and_topics_that_link_back(seed_site: Path) -> None:
    pages = parse_site(seed_site / "output")
    for path in briefs(seed_site):
        brief, _ = parse_brief(path.read_text(encoding="utf-8"), path)
        url = f"/briefs/{brief.slug}/"
        links = {resolve(a, url) for a in pages[url].anchors()}
        for target in [f"/people/{p}/" for p in brief.leaders] + [f"/topics/{t}/" for t in brief.topics]:
            assert target in links, f"{url} does not link {target}"
            assert target in pages, f"no page for {target}"
            assert url in {resolve(a, target) for a in pages[target].anchors()}, f"{target} misses {url}"


def test_reingest_leaves_briefs_byte_identical(seed_site: Path) -> None:
    before = {p.name: p.read_bytes() for p in briefs(seed_site)}
    assert main(["ingest", "--root", str(seed_site), "-q"]) == 0
    assert {p.name: p.read_bytes() for p in briefs(seed_site)} == before
