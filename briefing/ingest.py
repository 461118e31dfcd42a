"""Ingest stage: seeds/*.txt -> clean -> extract -> content/briefs/*.md. All its I/O is here."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from .briefs import decode_brief, dump_brief, parse_brief, split_front_matter
from .clean import clean
from .errors import ProblemsError, printable
from .events import brief_bigrams, event_dates, group_events, join_event
from .extract import extract
from .load import is_ignored
from .model import Brief, Registry, SiteConfig
from .parallel import fork_map
from .yamlsafe import load_mapping

log = logging.getLogger(__name__)

MAX_SEED_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class IngestReport:
    """What one ingest run did with each seed, plus human-readable messages."""

    written: tuple[Path, ...] = ()
    unchanged: tuple[Path, ...] = ()
    kept: tuple[Path, ...] = ()
    skipped: tuple[Path, ...] = ()
    messages: tuple[str, ...] = field(default=())


def _show(path: Path, levels: int) -> str:
    """`path` shown from its grandparent (+ `levels` more): seeds/x.txt, content/briefs/x.md."""
    base = path.parent.parent
    for _ in range(levels):
        base = base.parent
    try:
        return printable(path.relative_to(base).as_posix())
    except ValueError:
        return printable(path.as_posix())


def list_seeds(seeds_dir: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Seed files sorted by name, and (path, reason) for the ones passed over."""
    seeds: list[Path] = []
    passed: list[tuple[Path, str]] = []
    root = seeds_dir.resolve()
    for path in sorted(seeds_dir.glob("*.txt"), key=lambda p: p.name):
        if is_ignored(path):
            continue
        if path.is_symlink():
            target = path.resolve()
            if not target.is_relative_to(root) or not target.is_file():
                passed.append((path, "symlink leads outside the seeds folder; skipped"))
                continue
        if not path.is_file():
            continue
        if path.stat().st_size > MAX_SEED_BYTES:
            passed.append((path, "larger than 2 MB; skipped"))
            continue
        seeds.append(path)
    return seeds, passed


def existing_briefs(briefs_dir: Path) -> tuple[dict[str, Path], set[str], list[str], dict[str, Brief]]:
    """(seed name -> brief path, every taken stem, messages about unreadable briefs, stem -> parsed brief)."""
    by_seed: dict[str, Path] = {}
    stems: set[str] = set()
    messages: list[str] = []
    parsed: dict[str, Brief] = {}
    if not briefs_dir.is_dir():
        return by_seed, stems, messages, parsed
    for path in sorted(briefs_dir.glob("*.md"), key=lambda p: p.name):
        if is_ignored(path):
            continue
        stems.add(path.stem.casefold())
        try:
            text = decode_brief(path.read_bytes(), path)
            front, _, _ = split_front_matter(text, path)
            data, _ = load_mapping(front, path, line_offset=1)
        except (ProblemsError, OSError) as exc:
            problems = exc.problems if isinstance(exc, ProblemsError) else ()
            reason = problems[0].message if problems else str(exc)
            messages.append(f"{_show(path, 1)}: cannot read existing brief ({reason}); left as is")
            continue
        try:
            parsed[path.stem] = parse_brief(text, path)[0]
        except ProblemsError:
            pass  # a brief with errors takes no part in event grouping; check and build report it
        seed = data.get("seed")
        if isinstance(seed, str) and seed:
            if seed in by_seed:
                messages.append(f"{_show(path, 1)}: seed {seed} already has "
                                f"{_show(by_seed[seed], 1)}; left as is")
            else:
                by_seed[seed] = path
    return by_seed, stems, messages, parsed


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` via a temp file in the same folder and os.replace."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _free_path(briefs_dir: Path, slug: str, taken: set[str]) -> Path:
    """`<slug>.md`, or `<slug>-2.md`, `-3`... when another brief has the name."""
    candidate, number = slug, 1
    while candidate.casefold() in taken:
        number += 1
        candidate = f"{slug}-{number}"
    taken.add(candidate.casefold())
    return briefs_dir / f"{candidate}.md"


@dataclass(frozen=True, slots=True)
class _Extracted:
    """What a worker makes of one seed: the brief, the bigrams events compare, the file text."""

    brief: Brief
    grams: str  # event bigrams joined by newlines (one string pickles fast)
    text: str  # dump_brief(brief), right unless the brief joins an event (slugs are not in the text)


def _extract_one(seed_path: Path, config: SiteConfig, registry: Registry) -> _Extracted | str:
    """One seed's brief, or why it has none."""
    try:
        raw = seed_path.read_bytes()
    except OSError as exc:
        return f"cannot read ({exc.strerror or exc}); skipped"
    article = clean(raw, seed_path.name, config.ingest)
    if not article.paragraphs:
        return "no article text after cleaning"
    brief = extract(article, registry, config.ingest)
    return _Extracted(brief, "\n".join(brief_bigrams(brief)), dump_brief(brief))


STAGES = ("reading briefs", "extracting articles", "grouping events", "writing briefs")


def ingest(
    seeds_dir: Path, briefs_dir: Path, config: SiteConfig, registry: Registry, force: bool = False,
    progress: Callable[[str], None] = lambda stage: None,
) -> IngestReport:
    """Turn every seed into a brief, new ones grouped into events; keep hand-edited briefs unless `force`.

    `progress` is told each of STAGES as it starts (the command line shows a progress bar).
    """
    written: list[Path] = []
    unchanged: list[Path] = []
    kept: list[Path] = []
    skipped: list[Path] = []
    messages: list[str] = []

    def say(message: str) -> None:
        messages.append(message)
        log.info("%s", message)

    seeds, passed = list_seeds(seeds_dir)
    for path, reason in passed:
        skipped.append(path)
        say(f"{_show(path, 0)}: {reason}")
    progress(STAGES[0])
    by_seed, taken, notes, on_disk = existing_briefs(briefs_dir)
    for note in notes:
        say(note)
    generated: list[tuple[Path, bool, Brief]] = []  # (target, target existed, brief)
    grams: dict[str, str] = {}
    texts: dict[str, str] = {}
    progress(STAGES[1])

    def share(part: Sequence[Path]) -> list[_Extracted | str]:
        return [_extract_one(path, config, registry) for path in part]

    for seed_path, outcome in zip(seeds, fork_map(share, seeds), strict=True):  # articles on every core
        if isinstance(outcome, str):
            skipped.append(seed_path)
            say(f"{_show(seed_path, 0)}: {outcome}")
            continue
        target = by_seed.get(seed_path.name)
        existed = target is not None
        if target is None:
            target = _free_path(briefs_dir, outcome.brief.slug, taken)
        generated.append((target, existed, replace(outcome.brief, slug=target.stem)))
        grams[target.stem] = outcome.grams
        texts[target.stem] = outcome.text

    # Events over every brief: the ones on disk that this run leaves alone, and the generated ones
    # it may write (new seeds; with --force, every seed). Only generated briefs take an event.
    progress(STAGES[2])
    fresh = {brief.slug for _, existed, brief in generated if force or not existed}
    pool = {slug: b for slug, b in on_disk.items() if slug not in fresh}
    pool.update((brief.slug, brief) for _, _, brief in generated if brief.slug in fresh)
    events = group_events([pool[slug] for slug in sorted(pool)], existing=set(pool) - fresh, grams=grams)
    dates = event_dates(pool.values(), events)
    progress(STAGES[3])

    for target, existed, brief in generated:
        event = events.get(brief.slug)
        kept_file = on_disk.get(brief.slug) if brief.slug not in fresh else None
        if kept_file is not None and kept_file.event is None and event == brief.slug:
            event = None  # an anchor on disk without `event:` is its event all the same
        borrowed = dates.get(event) if event and config.ingest.borrow_event_dates else None
        joined = join_event(brief, event, borrowed)
        text = texts[brief.slug] if joined == brief else dump_brief(joined)
        if not existed:
            write_atomic(target, text.encode("utf-8"))
            written.append(target)
            say(f"wrote {_show(target, 1)}")
            continue
        old = target.read_bytes()
        if old == text.encode("utf-8"):
            unchanged.append(target)
            continue
        if not force:
            kept.append(target)
            say(f"kept edited brief {_show(target, 1)}")
            continue
        backup = target.with_name(target.name + ".bak")
        write_atomic(backup, old)
        write_atomic(target, text.encode("utf-8"))
        written.append(target)
        say(f"regenerated {_show(target, 1)} (previous version in {backup.name})")
    return IngestReport(
        tuple(written), tuple(unchanged), tuple(kept), tuple(skipped), tuple(messages)
    )
