"""bench/run.py: the issue's targets judged on a run's table, as stated and scaled by Hugo's speed here."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
from run import HUGO_REFERENCE, Run, verdicts  # noqa: E402 - the benchmark's runner


def table(hugo_cold: float, cpu_one: float, ingest_wall: float, edit: float) -> dict[str, dict[str, Run]]:
    return {
        "cold build (tmpfs)": {"ours": Run(hugo_cold * 0.8, 20.0, 120), "hugo": Run(hugo_cold, 30.0, 900)},
        "cold build (disk)": {"ours": Run(9.0, 20.0, 120), "hugo": Run(6.0, 30.0, 900)},
        "cold build, one CPU (tmpfs)": {"ours": Run(cpu_one, cpu_one, 126)},
        "no-change rebuild": {"ours": Run(0.1, 0.1, 30), "hugo": Run(5.0, 9.0, 900)},
        "one-brief edit rebuild": {"ours": Run(edit, edit, 50), "hugo": Run(5.0, 9.0, 900)},
        "ingest of 10000 raw articles": {"ours": Run(ingest_wall, 30.0, 400)},
    }


def rows_by_target(rows: list[tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    return {row[0]: row[1:] for row in rows}


def test_a_machine_slower_than_the_issues_scales_time_limits_up_and_rates_down() -> None:
    """Hugo twice as slow as where the targets were set: 600 µs reads 1200 µs, 500 articles/s reads 250/s."""
    speed, rows = verdicts(table(2 * HUGO_REFERENCE[10000], cpu_one=10.0, ingest_wall=25.0, edit=0.5), 10000)
    assert speed == 2.0
    got = rows_by_target(rows)
    assert got["CPU per brief, one process, under 600 µs"] == ("600 µs", "1200 µs", "1000 µs", "no", "yes")
    assert got["ingest at least 500 articles/s"] == ("500/s", "250/s", "400/s", "no", "yes")
    assert got["one-brief edit under 0.35 s"] == ("0.350 s", "0.700 s", "0.500 s", "no", "yes")
    assert got["cold build on tmpfs, at most 1.0x Hugo"][2:] == ("0.80", "yes", "yes")
    assert got["cold build on disk, at most 1.5x Hugo"][2:] == ("1.50", "yes", "yes")  # at the limit: met
    assert got["peak memory under 150 MiB"] == ("150 MiB", "150 MiB", "120 MiB", "yes", "yes")  # never scaled


def test_a_faster_machine_tightens_the_limits() -> None:
    speed, rows = verdicts(table(HUGO_REFERENCE[10000] / 2, cpu_one=5.5, ingest_wall=15.0, edit=0.3), 10000)
    assert speed == 0.5
    got = rows_by_target(rows)
    assert got["CPU per brief, one process, under 600 µs"] == ("600 µs", "300 µs", "550 µs", "yes", "no")
    assert got["ingest at least 500 articles/s"] == ("500/s", "1000/s", "667/s", "yes", "no")


def test_without_hugo_the_limits_are_as_stated_and_ratios_are_left_out() -> None:
    run = table(3.5, cpu_one=7.0, ingest_wall=20.0, edit=0.2)
    for by in run.values():
        by.pop("hugo", None)
    speed, rows = verdicts(run, 10000)
    assert speed is None
    got = rows_by_target(rows)
    assert not any("Hugo" in target for target in got)
    assert got["CPU per brief, one process, under 600 µs"] == ("600 µs", "600 µs", "700 µs", "no", "no")
    assert verdicts(run, 5000) == (None, [])  # no targets for that size
