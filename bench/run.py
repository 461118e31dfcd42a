"""Benchmark briefing on a synthetic corpus: cold build, no-change rebuild, check.

    python bench/run.py --briefs 10000 [--runs 3] [--out-dir DIR]

Each figure is the median wall time of --runs runs of a fresh `python build.py` process.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from corpus import write_corpus

REPO = Path(__file__).resolve().parent.parent


def timed(args: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, str(REPO / "build.py"), *args], cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return elapsed


def median_of(runs: int, prepare: object, args: list[str], cwd: Path) -> float:
    times = []
    for _ in range(runs):
        if callable(prepare):
            prepare()
        times.append(timed(args, cwd))
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--briefs", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    default_dir = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path("/tmp")
    parser.add_argument("--out-dir", type=Path, default=default_dir / "briefing-bench")
    args = parser.parse_args()

    root = args.out_dir / f"site-{args.briefs}"
    started = time.perf_counter()
    write_corpus(root, args.briefs)
    print(f"corpus: {args.briefs} briefs in {root} ({time.perf_counter() - started:.1f} s to generate)")
    out = root / "output"

    def clean() -> None:
        shutil.rmtree(out, ignore_errors=True)

    rows = [
        ("cold build", median_of(args.runs, clean, ["build", "-q"], root)),
        ("no-change rebuild", median_of(args.runs, None, ["build", "-q"], root)),
        ("check (strict build into a temp folder + scan)", median_of(args.runs, None, ["check", "-q"], root)),
        ("check --out (scan an existing build)", median_of(args.runs, None, ["check", "-q", "--out", str(out)], root)),
    ]
    pages = sum(1 for _ in out.rglob("*.html"))
    print(f"pages: {pages} HTML files; median of {args.runs} runs, wall seconds, fresh process each")
    width = max(len(name) for name, _ in rows)
    for name, seconds in rows:
        print(f"  {name:<{width}}  {seconds:7.2f} s")


if __name__ == "__main__":
    main()
