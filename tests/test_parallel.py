"""parallel.fork_map: order kept, work really split, every share's problems collected, crashes reported."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pytest

from briefing import parallel
from briefing.errors import Problem, ProblemsError
from briefing.pipeline import build

ITEMS = list(range(parallel.MIN_SHARE * 4 + 3))


def square_with_pid(part: Sequence[int]) -> list[tuple[int, int]]:
    return [(n * n, os.getpid()) for n in part]


def test_results_come_back_in_order_from_several_processes() -> None:
    found = parallel.fork_map(square_with_pid, ITEMS, processes=2)
    assert [value for value, _ in found] == [n * n for n in ITEMS]
    assert len({pid for _, pid in found}) == 2
    assert os.getpid() in {pid for _, pid in found}


def test_small_work_stays_in_this_process() -> None:
    found = parallel.fork_map(square_with_pid, ITEMS[:10], processes=2)
    assert {pid for _, pid in found} == {os.getpid()}


def test_problems_from_every_share_are_collected() -> None:
    def fail_on_odd_and_even(part: Sequence[int]) -> list[int]:
        raise ProblemsError([Problem(f"item-{part[0]}.md", 1, "bad")])

    with pytest.raises(ProblemsError) as caught:
        parallel.fork_map(fail_on_odd_and_even, ITEMS, processes=2)
    assert sorted(p.path for p in caught.value.problems) == ["item-0.md", "item-1.md"]


def test_a_crash_in_a_worker_is_an_error_naming_it() -> None:
    parent = os.getpid()

    def crash_in_child(part: Sequence[int]) -> list[int]:
        if os.getpid() != parent:
            raise ZeroDivisionError("worker arithmetic")
        return list(part)

    with pytest.raises(RuntimeError, match="ZeroDivisionError: worker arithmetic"):
        parallel.fork_map(crash_in_child, ITEMS, processes=2)


def add_briefs(root: Path, body: str = "Body *{n}* with [Alice](person:alice-nguyen).") -> list[Path]:
    """Enough briefs for a build to fork; the body's first line is line 12 of each file."""
    made = []
    for n in range(parallel.MIN_SHARE * 2):
        brief = root / f"content/briefs/2025-01-{n % 28 + 1:02d}-extra-{n:03d}.md"
        brief.write_text(f"---\ntitle: Extra {n}\ndate: 2025-01-{n % 28 + 1:02d}\nsource: Wire\nleaders:\n"
                         f"- alice-nguyen\ntopics:\n- trade\nsummary: S {n}.\n---\n\n{body.format(n=n)}\n",
                         encoding="utf-8")
        made.append(brief)
    return made


def test_a_parallel_build_equals_a_single_process_build(site_root: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    add_briefs(site_root)  # enough pages and bodies to fork
    calls: list[int] = []
    real = parallel.fork_map

    def counted(func: object, items: Sequence[object], processes: int | None = None,
                work: int | None = None, parent_works: bool = True) -> object:
        calls.append(len(items) if work is None else work)
        return real(func, items, processes, work, parent_works)  # type: ignore[arg-type]

    monkeypatch.setattr("briefing.pipeline.fork_map", counted)
    build(site_root, out_dir=tmp_path / "parallel")
    assert len(calls) == 1 and calls[0] >= parallel.MIN_SHARE * 2  # pages with their bodies, split
    monkeypatch.setattr("briefing.parallel.workers", lambda: 1)
    (site_root / ".briefing-cache").rename(site_root / ".old-cache")
    build(site_root, out_dir=tmp_path / "single")

    def tree(folder: Path) -> dict[str, bytes]:
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}

    assert tree(tmp_path / "parallel") == tree(tmp_path / "single")


def test_a_process_with_other_threads_never_forks() -> None:
    import threading

    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        found = parallel.fork_map(square_with_pid, ITEMS, processes=2)
    finally:
        stop.set()
        other.join()
    assert {pid for _, pid in found} == {os.getpid()}
    assert [value for value, _ in found] == [n * n for n in ITEMS]


def test_beside_runs_its_job_in_another_process_and_waits_for_it(tmp_path: Path) -> None:
    marker = tmp_path / "pid"
    with parallel.beside(lambda: marker.write_text(str(os.getpid()))):
        inside = True
    assert inside and marker.read_text() not in ("", str(os.getpid()))  # done, and not by this process


def test_beside_runs_here_when_other_threads_exist(tmp_path: Path) -> None:
    import threading

    marker = tmp_path / "pid"
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with parallel.beside(lambda: marker.write_text(str(os.getpid()))):
            assert not marker.exists()  # run after the block, in this process
    finally:
        stop.set()
        other.join()
    assert marker.read_text() == str(os.getpid())


def newest_first(path: Path) -> tuple[int, str]:
    """The site's order for add_briefs' files: newest first, then by name."""
    return -int(path.name[8:10]), path.name


def test_bodies_rendered_in_worker_processes_report_their_file_lines_and_a_failed_build_keeps_the_output(
        site_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made = add_briefs(site_root, "Body {n}.\n\nSee [this](javascript:alert({n})).")
    pids = tmp_path / "pids"
    real = parallel.fork_map

    def spied(func: object, items: Sequence[object], processes: int | None = None,
              work: int | None = None, parent_works: bool = True) -> object:
        def share(part: Sequence[object]) -> object:
            with open(pids, "a", encoding="utf-8") as log:
                log.write(f"{os.getpid()}\n")
            return func(part)  # type: ignore[operator]
        return real(share, items, processes, work, parent_works)  # type: ignore[arg-type]

    monkeypatch.setattr("briefing.parallel.workers", lambda: 2)
    monkeypatch.setattr("briefing.pipeline.fork_map", spied)
    report = build(site_root)
    assert len(set(pids.read_text().split())) == 2
    unsafe = [w for w in report.warnings if "unsafe link" in w.message]
    # every body's warning came back, from both processes, at its file line, in the order of the briefs
    assert [(Path(w.path).name, w.line) for w in unsafe] == [(p.name, 14) for p in sorted(made, key=newest_first)]
    published = {p: p.read_bytes() for p in sorted((site_root / "output").rglob("*")) if p.is_file()}
    html = (site_root / "output/briefs" / made[0].stem / "index.html").read_text(encoding="utf-8")
    assert "javascript:" not in html.replace("[this](javascript:alert(0))", "")

    with pytest.raises(ProblemsError) as caught:
        build(site_root, fail_on=frozenset({"warning"}))
    assert len(caught.value.problems) == len(made)  # a strict build fails on them

    for brief in (made[5], made[-5]):
        brief.write_text(brief.read_text(encoding="utf-8").replace("See [this](javascript:alert",
                                                                   "Also [Bob](person:bob-tram) and [x](javascript:alert"))
    with pytest.raises(ProblemsError) as caught:
        build(site_root)
    wrong = sorted(p.format() for p in caught.value.problems)
    assert wrong == sorted(f"{p}:14: unknown cross-reference 'person:bob-tram' (did you mean 'bob-tran'?)"
                           for p in (made[5], made[-5]))
    assert {p: p.read_bytes() for p in sorted((site_root / "output").rglob("*")) if p.is_file()} == published


def test_without_parent_works_every_share_runs_in_a_child_and_the_collector_is_left_as_found() -> None:
    import gc

    found = parallel.fork_map(square_with_pid, ITEMS, processes=2, parent_works=False)
    assert [value for value, _ in found] == [n * n for n in ITEMS]
    assert len({pid for _, pid in found}) == 2 and os.getpid() not in {pid for _, pid in found}
    assert gc.get_freeze_count() == 0
