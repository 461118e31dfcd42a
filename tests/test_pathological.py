"""Pathological articles and briefs under the size caps finish in bounded time (bad-inputs row 6)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_files

from briefing.clean import clean
from briefing.config import load_config
from briefing.extract import extract
from briefing.pipeline import build

REPO = Path(__file__).resolve().parent.parent
CONFIG, REGISTRY = load_config(REPO / "site.yaml")
ARTICLES = {
    "brackets": b"[" * 400_000,
    "one long line": b"word " * 80_000,
    "many short lines naming people": b"Xi Jinping met To Lam.\n" * 18_000,
    "dense short references": b"Xi Jinping met Xi and Lam and President Xi. " * 9_000,
    "nested quotes": b'"' * 200_000 + b" said Xi.",
}


@pytest.mark.timeout(30)  # a guard against hangs and quadratic blow-ups, not a speed measurement
@pytest.mark.parametrize("raw", ARTICLES.values(), ids=ARTICLES.keys())
def test_pathological_article_ingests_in_bounded_time(raw: bytes) -> None:
    # bad-inputs row 6: under the cap, bounded time (pytest-timeout)
    article = clean(raw, "x.txt", CONFIG.ingest)
    if article.paragraphs:
        extract(article, REGISTRY, CONFIG.ingest)


@pytest.mark.timeout(60)
def test_pathological_brief_builds_in_bounded_time(site_root: Path) -> None:
    # bad-inputs row 6: 100 KB of '[' builds in bounded time
    head = "---\ntitle: x\ndate: null\nleaders: []\ntopics: []\n---\n"
    write_files(site_root, {
        "content/briefs/brackets.md": head + "[" * 100_000,
        "content/briefs/emphasis.md": head + "*a " * 30_000 + "> " * 2_000 + "x",
    })
    build(site_root)
    assert (site_root / "output/briefs/brackets/index.html").is_file()


def test_seed_over_the_size_cap_is_skipped_with_a_message(tmp_path: Path) -> None:
    # bad-inputs row 6: a seed over 2 MB is skipped, named
    from briefing.ingest import ingest

    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "huge.txt").write_bytes(b"word " * 500_000)  # 2.5 MB
    report = ingest(tmp_path / "seeds", tmp_path / "content" / "briefs", CONFIG, REGISTRY)
    assert report.skipped == (tmp_path / "seeds" / "huge.txt",)
    assert any("larger than 2 MB" in m for m in report.messages)


@pytest.mark.parametrize("size", [0, 1, 65_535, 65_536, 65_537, 1_000_000, 2 * 1024 * 1024, 2 * 1024 * 1024 + 1])
def test_read_text_reads_every_byte_up_to_the_cap(tmp_path: Path, size: int) -> None:
    from briefing.errors import ProblemsError
    from briefing.load import read_text

    data = (b"0123456789abcde\n" * (size // 16 + 1))[:size]
    path = tmp_path / "x.md"
    path.write_bytes(data)
    if size <= 2 * 1024 * 1024:
        assert read_text(path) == data.decode()
    else:
        with pytest.raises(ProblemsError, match="larger than 2 MB"):
            read_text(path)


def test_brief_over_the_size_cap_is_an_error(site_root: Path) -> None:
    # bad-inputs row 6: a brief over 2 MB is an error naming the file
    from briefing.errors import ProblemsError

    write_files(site_root, {"content/briefs/huge.md": "---\ntitle: x\ndate: null\nleaders: []\ntopics: []\n---\n"
                            + "word " * 500_000})
    with pytest.raises(ProblemsError) as err:
        build(site_root)
    assert "huge.md: file is larger than 2 MB; split it or trim it" in str(err.value)
