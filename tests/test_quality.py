"""The code stays ruff-clean and mypy-clean, and never loads YAML unsafely."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True, timeout=600)


@pytest.mark.skipif(shutil.which("ruff") is None and not (Path(sys.prefix) / "bin" / "ruff").exists(),
                    reason="ruff not installed (pip install -e '.[test]')")
def test_ruff_clean() -> None:
    # bad-inputs row 11: ruff's S506 (unsafe yaml.load) is among the selected rules
    result = run("ruff", "check", "briefing", "build.py", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_clean() -> None:
    pytest.importorskip("mypy")
    result = run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_unsafe_yaml_loading() -> None:
    # bad-inputs row 11: no yaml.load(, FullLoader or UnsafeLoader anywhere in briefing/
    unsafe = re.compile(r"yaml\.(load|load_all|full_load|unsafe_load)\(|FullLoader|UnsafeLoader|yaml\.Loader\b")
    offenders = [str(p) for p in (REPO / "briefing").rglob("*.py") if unsafe.search(p.read_text())]
    assert offenders == []
