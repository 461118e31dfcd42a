"""stamp: a `build` whose inputs, settings and output are unchanged stops after one stat pass;
any change to what a build reads gives the same output as a cold build."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import edit, tree

from briefing import cli
from briefing.pipeline import build

BRIEF = "content/briefs/2025-04-14-talks-in-capital.md"


def forbid_builds(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError("the pipeline ran although nothing changed")

    monkeypatch.setattr("briefing.pipeline.build", refuse)


def test_second_build_with_nothing_changed_is_skipped(site_root: Path, monkeypatch: pytest.MonkeyPatch,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    assert cli.main(["build", "--root", str(site_root)]) == 0
    before = tree(site_root / "output")
    forbid_builds(monkeypatch)
    caplog.set_level(logging.INFO, logger="briefing")
    caplog.clear()
    assert cli.main(["build", "--root", str(site_root)]) == 0
    assert "nothing changed since the last build" in caplog.text
    assert "needs review: date-missing" in caplog.text  # the last build's warnings are reported again
    assert tree(site_root / "output") == before


EDITS: dict[str, Callable[[Path], None]] = {
    "brief body": lambda root: edit(root / BRIEF, "to discuss", "to talk about"),
    "brief date": lambda root: edit(root / BRIEF, "date: 2025-04-14", "date: 2025-03-01"),
    "brief added": lambda root: shutil.copy(root / BRIEF, root / "content/briefs/2025-04-16-copy.md"),
    "brief deleted": lambda root: (root / "content/briefs/undated-note.md").unlink(),
    "bio": lambda root: edit(root / "content/people/alice-nguyen.md", "\n", "\nA new line.\n"),
    "site.yaml": lambda root: edit(root / "site.yaml", "name: Carol Li", "name: Carol Lee"),
    "template": lambda root: edit(root / "templates/base.html", "<footer", "<footer data-x=1"),
    "stylesheet": lambda root: (root / "templates/static/style.css").write_text("body{color:red}\n"),
    "same bytes, saved again": lambda root: (root / BRIEF).write_bytes((root / BRIEF).read_bytes()),
}


@pytest.mark.parametrize("change", EDITS.values(), ids=EDITS.keys())
def test_any_change_to_what_a_build_reads_builds_like_a_cold_build(site_root: Path, tmp_path: Path,
                                                                   change: Callable[[Path], None]) -> None:
    assert cli.main(["build", "--root", str(site_root)]) == 0
    change(site_root)
    assert cli.main(["build", "--root", str(site_root)]) == 0
    build(site_root, out_dir=tmp_path / "cold")
    assert tree(site_root / "output") == tree(tmp_path / "cold")


def test_other_settings_build_again(site_root: Path, tmp_path: Path) -> None:
    assert cli.main(["build", "--root", str(site_root)]) == 0
    assert cli.main(["build", "--root", str(site_root), "--base-url", "/sub/"]) == 0
    assert 'href="/sub/people/"' in (site_root / "output/404.html").read_text()
    assert cli.main(["build", "--root", str(site_root), "--out", str(tmp_path / "elsewhere")]) == 0
    assert (tmp_path / "elsewhere/index.html").is_file()
    assert cli.main(["build", "--root", str(site_root), "--strict"]) == 1  # review items fail strict builds


def test_a_damaged_output_is_rebuilt(site_root: Path, tmp_path: Path) -> None:
    assert cli.main(["build", "--root", str(site_root)]) == 0
    good = tree(site_root / "output")
    shutil.rmtree(site_root / "output")
    assert cli.main(["build", "--root", str(site_root)]) == 0
    assert tree(site_root / "output") == good


def test_a_failed_build_is_never_skipped(site_root: Path) -> None:
    assert cli.main(["build", "--root", str(site_root)]) == 0
    brief = site_root / BRIEF
    good = brief.read_bytes()
    edit(brief, "leaders:\n", "leaders:\n- nobody-known\n")
    assert cli.main(["build", "--root", str(site_root)]) == 1
    brief.write_bytes(good)
    assert cli.main(["build", "--root", str(site_root)]) == 0
    edit(brief, "leaders:\n", "leaders:\n- nobody-known\n")
    assert cli.main(["build", "--root", str(site_root)]) == 1  # the stamp never vouches for a failing input


def test_a_code_change_builds_again(site_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli.main(["build", "--root", str(site_root)]) == 0
    monkeypatch.setattr("briefing.stamp._code_version", lambda: "another version")
    forbid_builds(monkeypatch)
    with pytest.raises(AssertionError, match="the pipeline ran"):
        cli.main(["build", "--root", str(site_root)])


def test_a_symlink_loop_in_content_is_listed_once(site_root: Path) -> None:
    """bad-inputs row 28: content/loop -> .. must not make the stamp walk the project again and again."""
    from briefing import stamp

    (site_root / "content/loop").symlink_to("..")
    found = stamp.inputs(site_root)
    assert not [path for path in found if path.count("/loop/") > 1]
    assert "content/briefs/undated-note.md" in found and len(found) < 100


def test_library_versions_come_from_dist_info_names_first_found_first(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    for folder, names in ((first, ["markdown_it_py-4.1.0.dist-info", "jinja2-3.1.5.dist-info", "notes.txt"]),
                          (second, ["Jinja2-2.0.0.dist-info", "pyyaml-6.0.2.dist-info"])):
        for name in names:
            (folder / name).mkdir(parents=True)
    monkeypatch.setattr("sys.path", [str(tmp_path / "missing"), str(first), str(second)])
    from briefing.stamp import _installed

    assert _installed(("jinja2", "markdown-it-py", "PyYAML", "pagefind")) == {
        "jinja2": "3.1.5", "markdown-it-py": "4.1.0", "PyYAML": "6.0.2"}
