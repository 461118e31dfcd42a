"""`people`: list unregistered people with evidence; --add appends them to site.yaml."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import write_files
from test_events_site import EXTRA

from briefing.config import load_config
from briefing.pipeline import build

REPO = Path(__file__).resolve().parent.parent


def run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(REPO / "build.py"), "people", "--root", str(root), *args],
                          capture_output=True, text=True, timeout=120)


def test_lists_unregistered_people_with_counts_and_evidence(site_root: Path) -> None:
    name = "content/briefs/2025-04-14-second-outlet.md"
    write_files(site_root, {name: EXTRA[name] + "\nTalks went well. Newland Prime Minister Zed New arrived on Monday. Then lunch.\n"})
    result = run(site_root)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "zed-new\tZed New\tPrime Minister, Newland\t1 brief(s)",
        "    “Newland Prime Minister Zed New arrived on Monday.”",
    ]  # registered people are not listed


def test_add_appends_to_people_and_keeps_the_rest_of_site_yaml(site_root: Path) -> None:
    write_files(site_root, EXTRA)
    site_yaml = site_root / "site.yaml"
    site_yaml.write_text("# my comment stays\n" + site_yaml.read_text(), encoding="utf-8")
    before = site_yaml.read_text()
    result = run(site_root, "--add", "zed-new")
    assert result.returncode == 0, result.stderr
    after = site_yaml.read_text()
    assert after.startswith("# my comment stays\n")
    assert set(before.splitlines()) <= set(after.splitlines())  # nothing removed or rewritten
    _, registry = load_config(site_yaml)
    assert registry.people["zed-new"].name == "Zed New" and registry.people["zed-new"].country == "Newland"
    assert list(registry.topics) == ["culture", "maritime", "trade"]
    report = build(site_root)
    assert not any("Zed New" in w.message for w in report.warnings)  # the review item is settled
    assert "not been confirmed" not in (site_root / "output/people/zed-new/index.html").read_text()
    assert run(site_root).stdout == ""


def test_add_unknown_id_fails(site_root: Path) -> None:
    result = run(site_root, "--add", "nobody")
    assert result.returncode == 1
    assert "--add: 'nobody' is not an unregistered person in any brief" in result.stderr
