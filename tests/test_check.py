"""`build.py check`: one defect per fixture site, exact message, line and exit code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import write_files

from briefing.cli import main

REPO = Path(__file__).resolve().parent.parent
CASES: list[dict[str, Any]] = yaml.safe_load((Path(__file__).parent / "fixtures" / "check_cases.yaml").read_text())


def run_check(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(REPO / "build.py"), "check", "--root", str(root), *args],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_defect_is_reported_exactly(site_root: Path, case: dict[str, Any]) -> None:
    # bad-inputs rows 10, 16, 17, 20, 25, 30 and 34: each case in fixtures/check_cases.yaml, exact line
    write_files(site_root, case["files"])
    result = run_check(site_root)
    assert result.returncode == case["code"], result.stderr
    lines = result.stderr.splitlines()
    assert any(line.startswith(case["expect"]) for line in lines), result.stderr
    assert "Traceback" not in result.stderr


def test_clean_fixture_site_checks_clean(site_root: Path) -> None:
    result = run_check(site_root)
    assert result.returncode == 0, result.stderr
    assert "0 error(s)" in result.stderr
    assert not (site_root / "output").exists()  # check builds into a temporary folder


def test_seed_site_checks_clean() -> None:
    result = subprocess.run([sys.executable, "build.py", "check"], cwd=REPO, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr


def test_strict_check_fails_on_review_items(site_root: Path) -> None:
    result = run_check(site_root, "--strict")
    assert result.returncode == 1
    assert "content/briefs/undated-note.md:11: needs review: date-missing" in result.stderr


def test_github_format_annotates_the_source_line(site_root: Path) -> None:
    write_files(site_root, {"content/briefs/2025-01-01-x.md": CASES[0]["files"]["content/briefs/2025-01-01-x.md"]})
    result = run_check(site_root, "--format", "github")
    assert result.returncode == 1
    assert "::error file=content/briefs/2025-01-01-x.md,line=10::broken link '../no-such-brief/'" in result.stdout
    assert "::warning file=content/briefs/undated-note.md,line=11::needs review: date-missing" in result.stdout


def test_json_format_is_machine_readable(site_root: Path) -> None:
    write_files(site_root, {"content/briefs/2025-01-01-x.md": CASES[1]["files"]["content/briefs/2025-01-01-x.md"]})
    result = run_check(site_root, "--format", "json")
    data = json.loads(result.stdout)
    assert data["ok"] is False
    errors = [p for p in data["problems"] if p["severity"] == "error"]
    assert [(p["file"], p["line"]) for p in errors] == [("content/briefs/2025-01-01-x.md", 8)]


def test_existing_build_is_checked_as_is(site_root: Path) -> None:
    assert main(["build", "--root", str(site_root), "-q"]) == 0
    page = site_root / "output" / "topics" / "index.html"
    page.write_text(page.read_text().replace("</main>", '<a href="../nowhere/">x</a></main>'))
    result = run_check(site_root, "--out", str(site_root / "output"))
    assert result.returncode == 1
    assert "output/topics/index.html:" in result.stderr and "broken link '../nowhere/'" in result.stderr


def test_external_links_are_listed_not_fetched(site_root: Path) -> None:
    write_files(site_root, {"content/briefs/2025-01-01-x.md":
                            "---\ntitle: X\ndate: 2025-01-01\nleaders: []\ntopics: []\n---\n[w](https://example.invalid/a)\n"})
    result = run_check(site_root)
    assert result.returncode == 0, result.stderr
    assert "external link(s) not fetched (use --external):" in result.stderr
    assert "https://example.invalid/a" in result.stderr


def test_usage_errors_exit_2(site_root: Path) -> None:
    assert run_check(site_root, "--format", "xml").returncode == 2
