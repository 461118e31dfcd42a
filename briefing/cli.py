"""Command line: `briefing [ingest|build|check|people|serve|new] ...`; with no command, ingest then build."""

from __future__ import annotations

import argparse
import contextlib
import gc
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from .errors import STRICT, Problem, ProblemsError

log = logging.getLogger("briefing")
PROGRESS_DELAY = 1.0  # seconds before a progress bar appears: quick runs never show one


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--root", type=Path, default=argparse.SUPPRESS,
                        help="folder holding site.yaml (default: current folder)")
    common.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                        help="print errors only")
    parser = argparse.ArgumentParser(
        prog="briefing", parents=[common],
        description="Turn raw articles into briefs, and briefs into a static briefing site.",
        epilog="With no command: ingest new seeds, then build.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    ingest = commands.add_parser("ingest", parents=[common], help="turn seeds/*.txt into content/briefs/*.md")
    ingest.add_argument("--seeds", type=Path, help="folder of raw articles (default: ROOT/seeds)")
    ingest.add_argument("--content", type=Path, help="content folder (default: ROOT/content)")
    ingest.add_argument("--force", action="store_true",
                        help="regenerate edited briefs too, keeping the old file as x.md.bak")

    build = commands.add_parser("build", parents=[common], help="render content/ into output/")
    _build_options(build)

    check = commands.add_parser(
        "check", parents=[common],
        help="build strictly into a temporary folder (or take --out) and check every link and page")
    check.add_argument("--out", type=Path, help="check this existing build instead of building")
    check.add_argument("--base-url", help="site URL or sub-path the build uses")
    check.add_argument("--strict", action="store_true", help="review items fail the check too")
    check.add_argument("--external", action="store_true",
                       help="fetch external links (timeout, retries, per-host limit, cache in .briefing-cache/)")
    check.add_argument("--format", choices=("text", "json", "github"), default="text", help="output format")

    people = commands.add_parser(
        "people", parents=[common], help="list people briefs name who are not in site.yaml; --add them")
    people.add_argument("--add", metavar="ID", action="append", default=[],
                        help="append this person's profile to site.yaml's people: (repeatable)")

    serve = commands.add_parser("serve", parents=[common], help="build, serve output/ and rebuild on change")
    _build_options(serve, strict=False)
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    serve.add_argument("--open", action="store_true", help="open the site in a browser")
    serve.add_argument("--follow", action="store_true",
                       help="after a rebuild, take the browser to the page whose source changed")

    new = commands.add_parser("new", parents=[common],
                              help="start a brief (content/briefs/<slug>.md) or a person or topic in site.yaml")
    new.add_argument("kind", choices=("brief", "person", "topic"), help="what to create")
    new.add_argument("name", metavar="NAME", help="the brief's title, or the person's or topic's name")
    return parser


def _build_options(parser: argparse.ArgumentParser, strict: bool = True) -> None:
    parser.add_argument("--out", type=Path, help="output folder (default: ROOT/output)")
    parser.add_argument("--base-url", help="site URL or sub-path, e.g. https://example.org/briefs/")
    if strict:
        parser.add_argument("--strict", action="store_true", help="treat warnings as errors")


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run a batch command with the cycle collector triggered 140 times less often: a build
    allocates millions of objects that live to its end, and the default thresholds made the
    collector walk them again and again (about 10% of a 10,000-brief build's CPU)."""
    old = gc.get_threshold()
    gc.set_threshold(100_000, 50, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*old)


def run(argv: Sequence[str] | None = None) -> NoReturn:
    """The program (build.py, the `briefing` script): main(), then exit without tearing the heap
    down object by object, which after a 10,000-brief build took 0.3 s. Every file and child
    process is closed by then; the standard streams are flushed here."""
    status = main(argv)
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(status)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 1 input errors, 2 usage)."""
    args = _parser().parse_args(argv)
    root: Path = getattr(args, "root", Path("."))
    logging.basicConfig(level=logging.ERROR if getattr(args, "quiet", False) else logging.INFO,
                        format="%(message)s", stream=sys.stderr)
    try:
        if args.command in (None, "ingest"):
            with _fewer_collections():
                _ingest(root, args)
        if args.command in (None, "build"):
            with _fewer_collections():
                _build(root, args)
        if args.command == "people":
            return _people(root, args)
        if args.command == "check":
            return _check(root, args)
        if args.command == "serve":
            from .serve import serve

            serve(root, host=args.host, port=args.port, out_dir=args.out,
                  base_url=args.base_url, open_browser=args.open, follow=args.follow)
        if args.command == "new":
            from .scaffold import new

            print(new(root, args.kind, args.name), file=sys.stderr)
    except ProblemsError as exc:
        _print_problems(exc.problems, root)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


def _ingest(root: Path, args: argparse.Namespace) -> None:
    from .config import load_config
    from .ingest import STAGES as INGEST_STAGES
    from .ingest import ingest

    config, registry = load_config(root / "site.yaml")
    if args.command == "ingest":  # a plain run logs these with the build that follows
        for warning in config.warnings:
            log.warning("%s", warning.format(root))
    seeds = getattr(args, "seeds", None) or root / "seeds"
    content = getattr(args, "content", None) or root / "content"
    with progress_bar("ingest", len(INGEST_STAGES), quiet=getattr(args, "quiet", False)) as step:
        report = ingest(seeds, content / "briefs", config, registry, force=getattr(args, "force", False),
                        progress=step)
    log.info("ingest: %d written, %d unchanged, %d kept, %d skipped",
             len(report.written), len(report.unchanged), len(report.kept), len(report.skipped))


def _build(root: Path, args: argparse.Namespace) -> None:
    from . import stamp

    fail_on = STRICT if getattr(args, "strict", False) else frozenset()
    out_dir: Path = getattr(args, "out", None) or root / "output"
    base_url = getattr(args, "base_url", None)
    found, options = stamp.inputs(root), stamp.settings(root, out_dir, base_url, fail_on)
    last = stamp.last(root, options, out_dir)
    if last is not None and last.inputs == found:  # nothing a build reads changed: it would write nothing
        for warning in last.skipped.warnings:
            log.warning("%s", warning.format(root))
        log.info("build: %d pages, %d files, nothing changed since the last build",
                 last.skipped.pages, last.skipped.files)
        return
    stamp.forget(root)
    if last is not None and last.token:  # a few briefs edited: render only the pages that show them
        from .quick import new_token, touch_up

        token = new_token()
        quick = touch_up(root, out_dir, last.changed(found), found, last.token, token)
        if quick is not None:
            stamp.record(root, found, options, out_dir, quick.pages, quick.files, last.skipped.warnings, token)
            for warning in last.skipped.warnings:
                log.warning("%s", warning.format(root))
            log.info("build: %d pages, %d files (%d pages showing the edited briefs rendered, %d written)",
                     quick.pages, quick.files, quick.rendered, quick.written)
            return
    from .pipeline import STAGES, build

    with progress_bar("build", len(STAGES), quiet=getattr(args, "quiet", False)) as step:
        report = build(root, out_dir=out_dir, base_url=base_url, fail_on=fail_on, progress=step)
    stamp.record(root, found, options, out_dir, report.pages, report.files, report.warnings, report.token)
    for warning in report.warnings:
        log.warning("%s", warning.format(root))
    log.info("build: %d pages, %d files (%d written, %d unchanged, %d removed) in %.2f s",
             report.pages, report.files, report.written, report.unchanged, report.removed, report.seconds)


def _check(root: Path, args: argparse.Namespace) -> int:
    from .check import check, format_problems

    result = check(root, out_dir=args.out, base_url=args.base_url, strict=args.strict, external=args.external)
    text = format_problems(result, args.format, root)
    print(text, file=sys.stderr if args.format == "text" else sys.stdout)
    return 0 if result.ok else 1


def _people(root: Path, args: argparse.Namespace) -> int:
    from .config import load_config
    from .load import load_site
    from .people import add_to_site_yaml, unregistered

    config, registry = load_config(root / "site.yaml")
    site = load_site(root, config, registry)
    candidates = {c.person.id: c for c in unregistered(site.briefs.values(), registry.people)}
    unknown = [ident for ident in args.add if ident not in candidates]
    if unknown:
        raise ProblemsError([Problem("--add", None, f"'{ident}' is not an unregistered person in any brief")
                             for ident in unknown])
    for ident in args.add:
        add_to_site_yaml(root / "site.yaml", candidates[ident].person)
        print(f"added {ident} to site.yaml; review its aliases, short forms and role", file=sys.stderr)
    if args.add:
        return 0
    for candidate in candidates.values():
        person = candidate.person
        about = ", ".join(x for x in (person.role, person.country) if x)
        print(f"{person.id}\t{person.name}\t{about}\t{len(candidate.briefs)} brief(s)")
        for sentence in candidate.evidence:
            print(f"    “{sentence}”")
    if not candidates:
        print("no unregistered people", file=sys.stderr)
    return 0


@contextlib.contextmanager
def progress_bar(task: str, stages: int, quiet: bool = False, stream: TextIO | None = None,
                 delay: float = PROGRESS_DELAY) -> Iterator[Callable[[str], None]]:
    """A tqdm bar over a task's stages on stderr, shown only on a terminal and after `delay` seconds."""
    out = stream or sys.stderr
    if quiet or not out.isatty():
        yield lambda stage: None  # no bar: not even tqdm's import (20 ms a build need not pay)
        return
    from tqdm import tqdm  # type: ignore[import-untyped]

    class Bar(tqdm):  # type: ignore[misc]
        monitor_interval = 0  # no monitor thread: a build forks workers only from a single-threaded process

    bar = Bar(total=stages, desc=task, unit="stage", file=out, delay=delay, leave=False, mininterval=0,
               bar_format="{desc}: {bar} {n_fmt}/{total_fmt}{postfix}")
    started = [False]

    def step(stage: str) -> None:
        bar.set_postfix_str(stage, refresh=False)  # drawn by update, which waits out the delay
        bar.update(1 if started[0] else 0)
        started[0] = True

    try:
        yield step
    finally:
        bar.close()


def _print_problems(problems: Sequence[Problem], root: Path) -> None:
    for problem in problems:
        print(problem.format(root), file=sys.stderr)
    errors = sum(1 for p in problems if p.severity == "error")
    print(f"{errors} error{'s' if errors != 1 else ''}; nothing was written", file=sys.stderr)
