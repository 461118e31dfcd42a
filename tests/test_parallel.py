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


def test_a_parallel_build_equals_a_single_process_build(site_root: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(parallel.MIN_SHARE * 2):  # enough pages and bodies for both stages to fork
        brief = site_root / f"content/briefs/2025-01-{n % 28 + 1:02d}-extra-{n}.md"
        brief.write_text(f"---\ntitle: Extra {n}\ndate: 2025-01-{n % 28 + 1:02d}\nsource: Wire\nleaders:\n"
                         f"- alice-nguyen\ntopics:\n- trade\nsummary: S {n}.\n---\n\nBody *{n}* with "
                         "[Alice](person:alice-nguyen).\n", encoding="utf-8")
    calls: list[int] = []
    real = parallel.fork_map

    def counted(func: object, items: Sequence[object], processes: int | None = None) -> object:
        calls.append(len(items))
        return real(func, items, processes)  # type: ignore[arg-type]

    monkeypatch.setattr("briefing.pipeline.fork_map", counted)
    monkeypatch.setattr("briefing.mdcache.fork_map", counted)
    build(site_root, out_dir=tmp_path / "parallel")
    assert len(calls) == 2 and min(calls) >= parallel.MIN_SHARE * 2  # bodies, then pages, both split
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
