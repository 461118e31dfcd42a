"""Shared fixtures: a copy of the fixture site (with the real templates) in tmp_path."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def make_site(dest: Path, fixture: str = "site") -> Path:
    """Copy fixtures/<fixture> and the project's real templates into dest; return dest."""
    shutil.copytree(FIXTURES / fixture, dest)
    shutil.copytree(REPO / "templates", dest / "templates")
    return dest


@pytest.fixture
def site_root(tmp_path: Path) -> Path:
    """A fresh fixture site root (site.yaml, content/, templates/) in tmp_path."""
    return make_site(tmp_path / "site")


@pytest.fixture
def built(site_root: Path) -> Path:
    """The fixture site, built into its output/ folder."""
    from briefing.pipeline import build

    build(site_root)
    return site_root / "output"


def write_files(root: Path, files: dict[str, str]) -> None:
    """Write {relative path: text} under root, creating folders."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under folder by relative POSIX path, with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first `old` in a text file with `new`; fail when it is not there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
