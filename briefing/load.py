"""content/ -> Site: parse every brief and bio, validate ids against the registry, index."""

from __future__ import annotations

import dataclasses
import functools
import logging
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from .briefs import body_sha256, body_text, decode_brief, parse_brief, split_front_matter, without_body
from .errors import Problem, ProblemsError, did_you_mean
from .model import Bio, Brief, Registry, Site, SiteConfig
from .parallel import fork_map
from .people import is_settled

log = logging.getLogger(__name__)

MAX_BRIEF_BYTES = 2 * 1024 * 1024

FileKey = tuple[int, int, int, int]  # (mtime_ns, size, inode, ctime_ns)
Parsed = tuple[Brief, tuple[Problem, ...]]
Memo = dict[Path, tuple[FileKey, Brief, tuple[Problem, ...]]]  # a brief file's identity -> its parse


def file_key(path: Path) -> FileKey:
    """What identifies one version of a file without reading it."""
    st = path.stat()
    return (st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns)


def is_ignored(path: Path) -> bool:
    """Hidden files, editor temp files and backups are never content."""
    name = path.name
    return (
        name.startswith((".", "#", "~"))
        or name.endswith(("~", "#", ".swp", ".swx", ".tmp", ".bak"))
        or name.isdigit()  # vim's 4913 probe file
    )


def content_files(folder: Path, suffix: str, root: Path) -> list[Path]:
    """Files with `suffix` in folder, sorted, skipping ignored ones and links out of root."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)  # the type comes with the listing: no stat
    except (FileNotFoundError, NotADirectoryError):
        return []
    found = []
    for entry in entries:
        path = Path(entry.path)
        if not entry.name.endswith(suffix) or path.suffix != suffix or is_ignored(path) or not entry.is_file():
            continue
        if entry.is_symlink() and not path.resolve().is_relative_to(root.resolve()):
            log.warning("%s: symlink points outside the project; skipped", path)
            continue
        found.append(path)
    return found


def read_text(path: Path) -> str:
    """A content file as text: size-capped, strict UTF-8, LF line endings."""
    data = _read_bytes(path)
    if len(data) > MAX_BRIEF_BYTES:
        raise ProblemsError([Problem(path, None, "file is larger than 2 MB; split it or trim it")])
    return decode_brief(data, path)


def _read_bytes(path: Path) -> bytes:
    """A file's bytes by plain os calls: a build reads every brief twice, and Path.read_bytes'
    buffered file object cost twice as much (10 µs a brief against 4)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        chunks, size = [], 0
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_BRIEF_BYTES:
                break  # too large already: read_text refuses it
    finally:
        os.close(fd)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def read_body(brief: Brief) -> str:
    """A brief's body, read from its file if without_body left it there; ProblemsError when the
    file no longer holds that body."""
    if brief.body_sha256 is None:
        return brief.body
    if brief.path is None:
        raise ProblemsError([Problem(brief.slug, None, "a brief without its body or its file")])
    try:
        body = body_text(read_text(brief.path), brief.path)
    except (OSError, ProblemsError):
        body = None
    if body is None or body_sha256(body) != brief.body_sha256:
        raise ProblemsError([Problem(brief.path, None, "changed while the build ran; run the build again")])
    return body


def parse_file(path: Path, keep_body: bool = True) -> tuple[Brief, tuple[Problem, ...]]:
    """Read and parse one brief file (without its body, as without_body makes it, unless `keep_body`)."""
    return parse_brief(read_text(path), path, keep_body)


def load_site(root: Path, config: SiteConfig, registry: Registry,
              parse: Callable[[Path], Parsed] | None = None, memo: Memo | None = None,
              listing: Callable[[Path, str, Path], list[Path]] = content_files, bodies: bool = True) -> Site:
    """Read content/ under root; raise ProblemsError with every error across all files.

    `parse` reads one brief file (default: parse_file); serve passes a memoising one, and a
    `listing` (content_files' signature) that reuses the last listing while no file came or went.
    A `memo` (the command line's, kept on disk) supplies the briefs whose files are unchanged and
    is updated in place with the rest. Without `bodies`, each brief comes without its body (briefs.without_body):
    `read_body` reads it again where it is rendered.
    """
    problems: list[Problem] = []
    warnings: list[Problem] = []
    briefs: dict[str, Brief] = {}
    folded: dict[str, Path] = {}
    paths = listing(root / "content" / "briefs", ".md", root)
    read = parse or (parse_file if bodies else functools.partial(parse_file, keep_body=False))

    def share(part: Sequence[Path]) -> list[_Parsed]:
        parsed = [_parse_one(read, path) for path in part]
        if bodies:
            return parsed
        # parse_file(keep_body=False) gave them without (without_body keeps those); a given `parse` may not
        return [(without_body(found[0]), found[1]) if isinstance(found, tuple) else found for found in parsed]

    if parse:
        parsed = share(paths)  # serve's memo stays in its own process
    elif memo is not None:
        parsed = _with_memo(paths, share, memo)
    else:
        parsed = fork_map(share, paths, parent_works=False)  # what parsing leaves behind ends with the children
    for path, outcome in zip(paths, parsed, strict=True):
        if outcome is None:
            continue  # deleted since the folder was listed (a save by rename, a delete): not content now
        if isinstance(outcome, list):
            problems.extend(outcome)
            continue
        brief, found = outcome
        warnings.extend(found)
        other = folded.get(brief.slug.casefold())
        if other is not None:
            problems.append(Problem(path, None, f"slug '{brief.slug}' collides with {other.name}; rename one"))
            continue
        folded[brief.slug.casefold()] = path
        briefs[brief.slug] = brief
    registry = with_profiles(registry, briefs.values())
    for brief in briefs.values():
        problems.extend(_check_ids(brief, registry))
        warnings.extend(_review_warnings(brief, registry))
    bios = _load_bios(root, registry, problems, listing)
    if problems:
        raise ProblemsError(problems)

    order = tuple(sorted(briefs, key=lambda s: _newest_first(briefs[s])))
    by_person: dict[str, list[str]] = defaultdict(list)
    by_topic: dict[str, list[str]] = defaultdict(list)
    for slug in order:
        for pid in dict.fromkeys(briefs[slug].leaders):
            by_person[pid].append(slug)
        for tid in dict.fromkeys(briefs[slug].topics):
            by_topic[tid].append(slug)
    return Site(
        config=config,
        registry=registry,
        briefs=briefs,
        order=order,
        by_person={pid: tuple(by_person.get(pid, ())) for pid in registry.people},
        by_topic={tid: tuple(by_topic.get(tid, ())) for tid in registry.topics},
        by_event=_events(briefs, order),
        bios=bios,
        warnings=tuple(warnings),
    )


_Parsed = tuple[Brief, tuple[Problem, ...]] | list[Problem] | None


def _with_memo(paths: Sequence[Path], share: Callable[[Sequence[Path]], list[_Parsed]], memo: Memo) -> list[_Parsed]:
    """Parse only the files whose identity differs from the memo's (on every core); update the memo.

    A file's identity is read before the file, so a save during the build is seen by the next one.
    """
    keys: dict[Path, FileKey | None] = {}
    for path in paths:
        try:
            keys[path] = file_key(path)
        except OSError:
            keys[path] = None  # gone or unreadable: parsing it says which
    misses = [p for p in paths if keys[p] is None or p not in memo or memo[p][0] != keys[p]]
    fresh = dict(zip(misses, fork_map(share, misses, parent_works=False), strict=True))
    for path in [p for p in memo if p not in keys]:
        del memo[path]  # no longer content
    results: list[_Parsed] = []
    for path in paths:
        outcome = fresh.get(path) if path in fresh else memo[path][1:]
        key = keys[path]
        if isinstance(outcome, tuple) and key is not None:
            memo[path] = (key, outcome[0], outcome[1])
        elif path in memo:
            del memo[path]  # failures are never kept
        results.append(outcome)
    return results


def _parse_one(read: Callable[[Path], tuple[Brief, tuple[Problem, ...]]], path: Path) -> _Parsed:
    """One brief and its warnings; its problems as a list; None if it is gone."""
    try:
        return read(path)
    except ProblemsError as exc:
        return list(exc.problems)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return [Problem(path, None, f"cannot read: {exc.strerror or exc}")]


def with_profiles(registry: Registry, briefs: Iterable[Brief]) -> Registry:
    """The registry plus the auto profiles briefs carry for people site.yaml does not list yet."""
    people = dict(registry.people)
    for brief in sorted(briefs, key=lambda b: b.slug):
        for profile in brief.people:
            if profile.id not in people:
                people[profile.id] = dataclasses.replace(profile, auto=True)
    return Registry(people=dict(sorted(people.items())), topics=registry.topics)


def _events(briefs: Mapping[str, Brief], order: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Event id -> member slugs, oldest first, undated last.

    A brief whose slug is an event id that other briefs use belongs to that event even without an
    `event:` key of its own (it was the anchor when ingest grouped them, and is never rewritten).
    """
    members: dict[str, set[str]] = defaultdict(set)
    for slug in order:
        if briefs[slug].event:
            members[str(briefs[slug].event)].add(slug)
    for event, slugs in members.items():
        if event in briefs and briefs[event].event is None:
            slugs.add(event)

    def oldest_first(slug: str) -> tuple[bool, int, str]:
        date = briefs[slug].date
        return (date is None, date.toordinal() if date else 0, slug)

    return {event: tuple(sorted(slugs, key=oldest_first)) for event, slugs in sorted(members.items())}


def _newest_first(brief: Brief) -> tuple[bool, int, str]:
    return (brief.date is None, -(brief.date.toordinal() if brief.date else 0), brief.slug)


def _check_ids(brief: Brief, registry: Registry) -> Iterable[Problem]:
    path = brief.path or Path(brief.slug)
    speakers = tuple(q.speaker for q in brief.quotes)
    for key, ids, known, noun in (
        ("leaders", brief.leaders, registry.people, "leader"),
        ("topics", brief.topics, registry.topics, "topic"),
        ("quotes", speakers, registry.people, "quote speaker"),
    ):
        for index, ident in enumerate(ids):
            if ident not in known:
                hint = did_you_mean(ident, known) or f" (add it to site.yaml's {key if key == 'topics' else 'people'}:)"
                spot = f"{key}.{index}" if brief.line_of(f"{key}.{index}") else key
                yield Problem(path, brief.line_of(spot), f"unknown {noun} '{ident}'{hint}", brief.column_of(spot))


def _review_warnings(brief: Brief, registry: Registry) -> Iterable[Problem]:
    path = brief.path or Path(brief.slug)
    if brief.date is None and "date-missing" not in brief.review:
        yield Problem(path, brief.line_of("date"), "brief has no date", severity="review")
    for item in brief.review:
        if is_settled(item, registry.people):
            continue
        yield Problem(path, brief.line_of("review"), f"needs review: {item}", severity="review")


def _load_bios(root: Path, registry: Registry, problems: list[Problem],
               listing: Callable[[Path, str, Path], list[Path]]) -> dict[str, Bio]:
    bios: dict[str, Bio] = {}
    for path in listing(root / "content" / "people", ".md", root):
        if path.stem not in registry.people:
            hint = did_you_mean(path.stem, registry.people)
            problems.append(Problem(path, None, f"bio for unknown person '{path.stem}'{hint}"))
            continue
        try:
            text = read_text(path)
            body, line = text, 1
            if text.startswith("---"):
                _, body, line = split_front_matter(text, path)
        except ProblemsError as exc:
            problems.extend(exc.problems)
            continue
        except FileNotFoundError:
            continue  # deleted since the folder was listed: not content now
        except OSError as exc:
            problems.append(Problem(path, None, f"cannot read: {exc.strerror or exc}"))
            continue
        bios[path.stem] = Bio(person_id=path.stem, body=body.strip("\n"), path=path)
    return bios
