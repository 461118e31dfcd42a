"""cli: exit codes, and file:line problems on stderr."""

from __future__ import annotations

import io
import subprocess
import sys
import threading
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(REPO / "build.py"), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_build_succeeds_and_reports(site_root: Path) -> None:
    result = run("build", "--root", str(site_root))
    assert result.returncode == 0, result.stderr
    assert "build: 29 pages" in result.stderr  # 20 pages, 8 person/topic feeds, 1 month, search
    assert (site_root / "output" / "index.html").is_file()


def test_build_out_and_base_url(site_root: Path, tmp_path: Path) -> None:
    result = run("build", "--root", str(site_root), "--out", str(tmp_path / "o"), "--base-url", "/sub")
    assert result.returncode == 0, result.stderr
    assert 'href="/sub/people/"' in (tmp_path / "o" / "404.html").read_text()


def test_errors_exit_1_with_file_and_line(site_root: Path) -> None:
    brief = site_root / "content/briefs/undated-note.md"
    brief.write_text(brief.read_text().replace("leaders: [bob-tran]", "leaders: [bob-tram]"))
    result = run("build", "--root", str(site_root))
    assert result.returncode == 1
    assert "content/briefs/undated-note.md:6:11: unknown leader 'bob-tram' (did you mean 'bob-tran'?)" in result.stderr
    assert "Traceback" not in result.stderr


def test_strict_fails_on_warnings(site_root: Path) -> None:
    result = run("build", "--strict", "--root", str(site_root))
    assert result.returncode == 1
    assert "needs review: date-missing" in result.stderr


def test_root_is_taken_before_or_after_the_command(site_root: Path, tmp_path: Path) -> None:
    assert run("--root", str(site_root), "build", cwd=tmp_path).returncode == 0


def test_usage_error_exits_2() -> None:
    assert run("no-such-command").returncode == 2
    assert run("build", "--bogus").returncode == 2


def test_build_and_ingest_report_their_stages_in_order(site_root: Path) -> None:
    from briefing.config import load_config
    from briefing.ingest import STAGES as INGEST_STAGES
    from briefing.ingest import ingest
    from briefing.pipeline import STAGES, build

    seen: list[str] = []
    build(site_root, progress=seen.append)
    assert seen == list(STAGES)
    seen.clear()
    (site_root / "seeds").mkdir()
    (site_root / "seeds/a.txt").write_text("Talks in the capital\n\nAlice Nguyen met Bob Tran on Monday.\n")
    config, registry = load_config(site_root / "site.yaml")
    ingest(site_root / "seeds", site_root / "content/briefs", config, registry, progress=seen.append)
    assert seen == list(INGEST_STAGES)


class Terminal(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(("tty", "quiet", "shown"), [(True, False, True), (False, False, False), (True, True, False)])
def test_progress_bar_only_on_a_terminal_and_not_when_quiet(tty: bool, quiet: bool, shown: bool) -> None:
    from briefing.cli import progress_bar

    stream = Terminal(tty)
    with progress_bar("build", 3, quiet=quiet, stream=stream, delay=0) as step:
        for stage in ("reading briefs", "rendering pages", "writing output"):
            step(stage)
            assert threading.active_count() == 1  # the bar starts no thread: the build may still fork
    text = stream.getvalue()
    assert ("build:" in text and "rendering pages" in text and "2/3" in text) is shown
    if not shown:
        assert text == ""


def test_a_quick_task_never_shows_its_bar() -> None:
    from briefing.cli import progress_bar

    stream = Terminal(True)
    with progress_bar("build", 3, stream=stream, delay=30) as step:
        for stage in ("reading briefs", "rendering pages", "writing output"):
            step(stage)
    assert "build" not in stream.getvalue()
