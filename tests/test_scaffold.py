"""new brief|person|topic: files and registry entries that build, with the rest of site.yaml kept as written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from briefing.config import load_config
from briefing.errors import ProblemsError
from briefing.pipeline import build
from briefing.scaffold import new, new_brief, new_entry, slug_of

REPO = Path(__file__).resolve().parent.parent


def run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(REPO / "build.py"), "new", "--root", str(root), *args],
                          capture_output=True, text=True, timeout=120)


def test_new_brief_parses_and_builds(site_root: Path) -> None:
    result = run(site_root, "brief", "Leaders meet in Hà Nội: a first look")
    assert result.returncode == 0, result.stderr
    assert "created content/briefs/leaders-meet-in-ha-noi-a-first-look.md" in result.stderr
    path = site_root / "content/briefs/leaders-meet-in-ha-noi-a-first-look.md"
    text = path.read_text()
    assert text.startswith("---\ntitle: 'Leaders meet in Hà Nội: a first look'\ndate: null\n")
    report = build(site_root)
    assert any(w.message == "brief has no date" and Path(w.path) == path for w in report.warnings)
    page = site_root / "output/briefs/leaders-meet-in-ha-noi-a-first-look/index.html"
    assert "Leaders meet in Hà Nội: a first look" in page.read_text()


def test_new_brief_never_overwrites(site_root: Path) -> None:
    new_brief(site_root, "Same name")
    with pytest.raises(ProblemsError, match="already exists"):
        new_brief(site_root, "Same  NAME")
    with pytest.raises(ProblemsError, match="no usable file name"):
        new_brief(site_root, "!!!")


def test_new_person_and_topic_keep_site_yaml_as_written(site_root: Path) -> None:
    site_yaml = site_root / "site.yaml"
    site_yaml.write_text("# keep me\n" + site_yaml.read_text(), encoding="utf-8")
    before = site_yaml.read_text().splitlines()
    assert new(site_root, "person", "Erin Võ") == (
        "added person 'erin-vo' to site.yaml; fill in its aliases, short forms, role and country")
    result = run(site_root, "topic", "Energy & Climate")
    assert result.returncode == 0, result.stderr
    after = site_yaml.read_text().splitlines()
    assert after[0] == "# keep me" and set(before) <= set(after)
    assert len(after) == len(before) + 6 + 4  # the two entries, nothing else
    _, registry = load_config(site_yaml)
    assert registry.people["erin-vo"].name == "Erin Võ"
    assert list(registry.people)[:2] == ["alice-nguyen", "bob-tran"]
    assert registry.topics["energy-climate"].name == "Energy & Climate"
    build(site_root)
    assert (site_root / "output/people/erin-vo/index.html").is_file()
    assert (site_root / "output/topics/energy-climate/index.html").is_file()


def test_new_entry_refuses_duplicates_and_adds_missing_blocks(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text("title: T\n# no registry yet", encoding="utf-8")
    assert new_entry(tmp_path, "topic", "Maritime") == "maritime"
    assert (tmp_path / "site.yaml").read_text().startswith("title: T\n# no registry yet\ntopics:\n  maritime:")
    with pytest.raises(ProblemsError, match="topic 'maritime' is already in topics:") as failure:
        new_entry(tmp_path, "topic", "maritime")
    assert failure.value.problems[0].line == 4


def test_slugs() -> None:
    assert slug_of("Tô Lâm") == "to-lam"
    assert slug_of("  ") == ""


def test_unknown_kind_is_a_usage_error(site_root: Path) -> None:
    result = run(site_root, "event", "x")
    assert result.returncode == 2
