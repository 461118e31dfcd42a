"""One build, start to finish: config -> content -> pages -> HTML -> output folder."""

from __future__ import annotations

import dataclasses
import gc
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import pagememo, quick, urls
from .briefstore import STORE as BRIEF_STORE
from .briefstore import BriefStore
from .config import load_config, normalise_base_url
from .errors import Problem, ProblemsError
from .load import load_site, read_body
from .mdcache import SHARDS, TrackingMarkdown, shard_of
from .model import Brief, OutputFile, Page, Site
from .output import WriteReport, carry, lost, open_spare, publish, put, put_files, write_output
from .parallel import beside, fork_map
from .plan import BODY, known_ids, plan_pages, render_body
from .related import remember, remembered, shape_key
from .render import JINJA_CACHE, make_env, render_into, render_pages, static_files
from .search import INDEXED_TEMPLATES, search_files
from .stamp import code_version

if TYPE_CHECKING:
    from .memo import BuildCache

log = logging.getLogger(__name__)

MARKDOWN_CACHE = Path(".briefing-cache") / "markdown"  # under the project root
RELATED_CACHE = Path(".briefing-cache") / "related.pickle"


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What a build produced and how long it took."""

    pages: int
    files: int
    written: int
    unchanged: int
    removed: int
    warnings: tuple[Problem, ...]
    seconds: float
    sources: tuple[tuple[str, str], ...] = ()  # (output path, source file) for pages from files
    token: str = ""  # names the page store this build left (quick.touch_up), for the stamp


COLLECT_EVERY = 300  # pages a worker renders between collections of cyclic garbage
STAGES = ("reading briefs", "planning pages", "rendering pages", "indexing search", "writing output")


def build(root: Path, out_dir: Path | None = None, base_url: str | None = None,
          fail_on: frozenset[str] = frozenset(), cache: BuildCache | None = None,
          progress: Callable[[str], None] = lambda stage: None) -> BuildReport:
    """Build the site under `root` into `out_dir` (default root/output).

    The live output changes only when the whole build has succeeded (pages are written into its
    hidden spare, then swapped in), so an error in any input or template raises ProblemsError and
    leaves the previous output as it was. Warnings whose
    severity is in `fail_on` (STRICT: unknown keys, review items, undated briefs) fail it too.
    A `cache` (serve's) reuses what earlier builds in this process parsed and rendered.
    `progress` is told each of STAGES as it starts (the command line shows a progress bar).
    """
    started = time.perf_counter()
    config, registry = cache.site_config(root / "site.yaml") if cache else load_config(root / "site.yaml")
    if base_url is not None:
        normal = normalise_base_url(base_url)
        if normal is None:
            raise ProblemsError([Problem("--base-url", None, f"'{base_url}' must start with '/' or 'http(s)://'")])
        config = dataclasses.replace(config, base_url=normal)
    progress(STAGES[0])
    store = None if cache else BriefStore.load(root / BRIEF_STORE, code_version())
    if cache:
        site = load_site(root, config, registry, cache.parse, listing=cache.listing)
    else:
        site = load_site(root, config, registry, memo=store.memo if store else None, bodies=False)
    progress(STAGES[1])
    if cache:
        markdown = cache.markdown_for(site)
        plan, only = cache.plan(site, markdown)
    else:  # brief bodies are rendered where their pages are (_stream)
        shape = shape_key(site, code_version())
        related = remembered(site, root / RELATED_CACHE, shape)
        related.fill()  # on both cores
        plan = plan_pages(site, None, related, defer_bodies=True)
    warnings = config.warnings + site.warnings + plan.warnings
    _fail_on(warnings, fail_on)
    pages = plan.pages
    templates = root / "templates"
    out = out_dir or root / "output"
    progress(STAGES[2])
    if cache:
        files = cache.render(pages, cache.environment(templates), site, root, only)
        files += static_files(templates, root)
        progress(STAGES[3])
        if config.search:
            files += cache.search(files, config.language)  # the Pagefind index of the rendered brief pages
        else:
            cache.no_search()  # search turned off: no index may follow these pages
        progress(STAGES[4])
        report = write_output(files, out, root, cache.digests, cache.manifests)
        cache.publish(files)
    else:
        token = quick.new_token()
        report, body_warnings = _stream(pages, site, root, out, progress, store, token, (warnings, fail_on))
        warnings += body_warnings
        if related.computed:
            remember(related, root / RELATED_CACHE, shape)
    return BuildReport(
        pages=len(pages),
        files=len(report.written) + report.unchanged,
        written=len(report.written),
        unchanged=report.unchanged,
        removed=len(report.removed),
        warnings=warnings,
        seconds=time.perf_counter() - started,
        sources=tuple((urls.output_path(p.url), str(p.source)) for p in pages if p.source),
        token="" if cache else token,
    )


def _fail_on(warnings: Sequence[Problem], fail_on: frozenset[str]) -> None:
    """Raise the warnings whose severity is in `fail_on` as errors (STRICT builds)."""
    failing = [dataclasses.replace(w, severity="error") for w in warnings if w.severity in fail_on]
    if failing:
        raise ProblemsError(failing)


def _stream(pages: Sequence[Page], site: Site, root: Path, out: Path, progress: Callable[[str], None],
            store: BriefStore | None, token: str,
            reported: tuple[Sequence[Problem], frozenset[str]]) -> tuple[WriteReport, tuple[Problem, ...]]:
    """Render the pages on every core, each process writing its pages straight into the output's
    spare (only their hashes come back), then add static files and the search index, and swap
    while the caches are saved in another process.

    Brief bodies (planned with defer_bodies) are rendered by the process rendering their page:
    each process takes whole Markdown cache shards, reads one shard, renders its pages and writes
    it back before the next, so no process holds every body's HTML. Their warnings are returned;
    `reported` is the warnings so far and the severities that fail the build. `token` names the
    page store (quick), whose rows the workers make for the pages it lacks.
    """
    templates = root / "templates"
    env = make_env(templates, root / JINJA_CACHE)
    render_pages([], env, site.config, root)  # compile (and check) every template once, before forking
    paths = [urls.output_path(p.url) for p in pages]
    spare = open_spare([(path, p.template) for path, p in zip(paths, pages, strict=True)], out, root)
    prints = pagememo.Fingerprints(pagememo.base_key(site.config, templates, code_version()))
    prints.share(list(site.briefs.values()))  # every worker below inherits their digests
    memo = pagememo.load(root / pagememo.MEMO)
    stored_prints = quick.fingerprints(root)
    registry = site.registry
    known = known_ids(site)
    groups: list[tuple[int | None, list[int]]] = [(n, []) for n in range(SHARDS)]  # (Markdown shard, page indexes)
    for i, page in enumerate(pages):
        if page.context.get("body_html") is BODY:
            groups[shard_of(page.url)][1].append(i)
        else:
            groups.append((None, [i]))

    def share(part: Sequence[tuple[int | None, list[int]]]) -> list[list[_Outcome]]:
        """Fingerprint each page; carry over those the live output holds as they would render;
        render the rest, writing them into the spare. A numbered group is one Markdown shard's pages."""
        gc.freeze()  # the site and the plan: never walked by the collections below (a child's copy, or ours)
        try:
            return _share(part)
        finally:
            gc.unfreeze()

    def _share(part: Sequence[tuple[int | None, list[int]]]) -> list[list[_Outcome]]:
        problems: list[Problem] = []
        results = []
        renderer = TrackingMarkdown()
        freezer = quick.Freezer(registry)
        since = 0  # pages since the last collection
        for shard, group in part:
            markdown = None
            if shard is not None:  # even with no pages: its file then loses the bodies no page shows
                markdown = renderer.read(root / MARKDOWN_CACHE, [shard]).start(site)
            outcomes: list[_Outcome] = []
            todo = []
            for i in group:
                page, path = pages[i], paths[i]
                said: tuple[Problem, ...] = ()
                if markdown is not None:
                    noted: list[Problem] = []
                    brief = page.context["brief"]
                    if not isinstance(brief, Brief):
                        raise TypeError(f"{page.url}: not a brief page")
                    try:
                        body = read_body(brief)
                    except ProblemsError as exc:
                        problems.extend(exc.problems)
                        continue
                    if brief.body_sha256 is not None:  # read_body checked it against the body it read
                        markdown.hashed(body, page.url, brief.body_sha256)
                    page = render_body(page, body, markdown, known, problems, noted)
                    said = tuple(noted)
                refs: list[object] = []
                row = freezer.freeze(page, refs)
                fp = None if row is None else prints.of(page, row.data, refs)
                if fp is not None and stored_prints.get(page.url) == fp:
                    row = None  # the page store holds it as it is
                old = memo.get(page.url)
                outcome = _Outcome(path, "", fp, row, said, rendered=True, live_missing=False)
                if fp is not None and old is not None and old[0] == fp and spare.live.get(path) == old[1]:
                    if carry(spare, path, old[1]):
                        outcomes.append(dataclasses.replace(outcome, digest=old[1], rendered=False))
                        continue
                    outcome = dataclasses.replace(outcome, live_missing=True)
                outcomes.append(outcome)
                todo.append(page)
            if markdown is not None:
                markdown.save(root / MARKDOWN_CACHE)
            try:
                digests = iter(render_into(todo, env, site.config, root, lambda f: put(spare, f.path, f.data)))
            except ProblemsError as exc:
                problems.extend(exc.problems)
                continue
            results.append([dataclasses.replace(o, digest=next(digests)) if o.rendered else o for o in outcomes])
            since += len(group)
            if since >= COLLECT_EVERY:  # the cycles rendering leaves (Jinja's, markdown-it's), before they pile up:
                gc.collect()  # cheap: it walks only what this share made since the last one,
                gc.freeze()  # as what survives it is set aside with the site (share unfreezes it all)
                since = 0
        if problems:
            raise ProblemsError(problems)
        return results

    outcomes: list[_Outcome] = [None] * len(pages)  # type: ignore[list-item]  # every index is filled below
    for (_, group), done in zip(groups, fork_map(share, groups, work=len(pages), parent_works=False), strict=True):
        for i, outcome in zip(group, done, strict=True):
            outcomes[i] = outcome
    said = tuple(w for o in outcomes for w in o.warnings)  # in page order
    _fail_on(said, reported[1])
    wanted = {o.path: o.digest for o in outcomes}
    for o in outcomes:
        if o.live_missing:
            lost(spare, o.path)  # deleted from the live folder by hand: publish it again
    fingerprints = [o.fingerprint for o in outcomes]
    count = sum(o.rendered for o in outcomes)
    log.debug("pages rendered: %d; carried over unchanged: %d", count, len(pages) - count)
    wanted.update(put_files(spare, static_files(templates, root), wanted))
    progress(STAGES[3])
    if site.config.search:  # Pagefind reads the brief pages back from the spare
        indexed = [OutputFile(path, (spare.folder / path).read_bytes(), page.template)
                   for page, path in zip(pages, paths, strict=True) if page.template in INDEXED_TEMPLATES]
        wanted.update(put_files(spare, search_files(indexed, site.config.language, root / ".briefing-cache"), wanted))
    progress(STAGES[4])

    rows = {page.url: o.row for page, o in zip(pages, outcomes, strict=True) if o.row is not None}
    flagged = {str(w.path) for w in (*reported[0], *said)}

    def save_caches() -> None:
        if store is not None:
            store.save()
            pagememo.save(root / pagememo.MEMO, pages, fingerprints, wanted, paths)

    def save_pages() -> None:
        if store is not None:
            keys = {path: entry[0] for path, entry in store.memo.items()}
            quick.save(root, token, site, pages, fingerprints, rows, keys, flagged)

    with beside(save_caches), beside(save_pages):  # on both cores
        return publish(spare, wanted), said


@dataclass(frozen=True, slots=True)
class _Outcome:
    """What became of one page in a streamed build."""

    path: str
    digest: str  # hash of its bytes
    fingerprint: bytes | None
    row: quick.Row | None  # the page's context for the page store, where its stored row is not current
    warnings: tuple[Problem, ...]  # what rendering its brief's body noticed (unsafe links)
    rendered: bool  # False: carried over from the live output
    live_missing: bool  # the live output's manifest listed it, but the file was gone


def publish_index(root: Path, out_dir: Path | None, cache: BuildCache) -> bool:
    """Serve's second phase: republish the last build with the search bundle indexed since.

    True when that changed the output; False when there was nothing newer to publish.
    """
    files = cache.with_current_index()
    if files is None:
        return False
    write_output(files, out_dir or root / "output", root, cache.digests, cache.manifests)
    cache.republished(files)
    return True
