"""What a long-lived process (serve) keeps between builds, so a rebuild redoes only what changed.

Every rebuild still runs the whole pipeline; this only skips work whose inputs are provably the
same as last time:

- a brief is re-parsed unless its file's (mtime_ns, size, inode, ctime_ns) is unchanged;
- a Markdown body is re-rendered unless its (text, page URL) is unchanged *and* every
  cross-reference it looked up resolves the same way now (a new brief can fix a dangling link);
- a page is re-rendered unless its template files are unchanged and its context compares equal
  (`==`, field by field: any change to a brief, person or topic a page shows re-renders it).

Nothing here is global: a BuildCache belongs to the process that made it.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2

from .config import load_config, parse_config
from .errors import Problem
from .load import FileKey, content_files, file_key, parse_file
from .mdcache import TrackingMarkdown
from .model import Brief, OutputFile, Page, Registry, Site, SiteConfig
from .output import Manifests
from .plan import Plan, plan_pages
from .related import Related, shape
from .render import make_env, render_pages
from .replan import Planned, planned, replan
from .search import INDEXED_TEMPLATES, search_files

log = logging.getLogger(__name__)


@dataclass(slots=True)
class _Rendered:
    template: str
    context: Mapping[str, object]
    file: OutputFile


class BuildCache:
    """Parsed briefs, rendered Markdown and rendered pages, kept across builds in one process."""

    def __init__(self) -> None:
        self.briefs: dict[Path, tuple[FileKey, Brief, tuple[Problem, ...]]] = {}
        self.markdown = TrackingMarkdown()
        self.pages: dict[str, _Rendered] = {}
        self.templates_key: tuple[object, ...] | None = None
        self.env: jinja2.Environment | None = None
        self.stats: dict[str, int] = {}
        self.related_memo: Related | None = None
        self.planned: Planned | None = None  # the plan of the last pages rendered, indexed for replan
        self.planning: Planned | None = None  # this build's, until its pages are rendered
        self.hints: Mapping[Path, FileKey] = {}  # identities serve's watcher just read, to spare a stat each
        self.same_files = False  # serve's watcher saw no file come or go since the last build
        self.listings: dict[tuple[Path, str], list[Path]] = {}
        self.config: object = None
        self.digests: dict[bytes, str] = {}  # output bytes -> their hash, for write_output
        self.manifests: Manifests = {}  # the output manifests last written, for write_output
        # Search: the newest bundle, and (serve) the pages still to be indexed. Guarded by `lock`,
        # because serve indexes in a thread of its own while the next build runs.
        self.defer_search = False
        self.lock = threading.Lock()
        self.building = threading.Event()  # set by serve while a rebuild runs: indexing waits
        self.index: tuple[object, list[OutputFile]] | None = None
        self.pending: tuple[object, list[OutputFile], str] | None = None
        self.published: list[OutputFile] = []
        self.published_key: object = None
        self.last_key: object = None
        self.search_cache: Path | None = None
        self._site: tuple[bytes, tuple[SiteConfig, Registry]] | None = None  # site.yaml's bytes, parsed

    def site_config(self, path: Path) -> tuple[SiteConfig, Registry]:
        """load_config, reused while site.yaml holds the same bytes (a failure is never kept):
        parsing a registry of 200 people costs about 30 ms, more than the rest of an edit's checks."""
        try:
            raw = path.read_bytes()
        except OSError:
            return load_config(path)  # its own error
        if self._site is None or self._site[0] != raw:
            self._site = (raw, parse_config(raw, path))
        return self._site[1]

    def parse(self, path: Path) -> tuple[Brief, tuple[Problem, ...]]:
        """parse_brief for a file, reused while the file is unchanged; failures are never kept."""
        key = self.hints.get(path) or file_key(path)
        hit = self.briefs.get(path)
        if hit is not None and hit[0] == key:
            self.stats["briefs_reused"] = self.stats.get("briefs_reused", 0) + 1
            return hit[1], hit[2]
        brief, warnings = parse_file(path)
        self.briefs[path] = (key, brief, warnings)
        return brief, warnings

    def listing(self, folder: Path, suffix: str, root: Path) -> list[Path]:
        """content_files, reused while `same_files` says no file came or went (its Paths, hashes
        cached, are the very keys of the parse cache)."""
        key = (folder, suffix)
        found = self.listings.get(key) if self.same_files else None
        if found is None:
            found = self.listings[key] = content_files(folder, suffix, root)
        return found

    def markdown_for(self, site: Site) -> TrackingMarkdown:
        """The persistent Markdown cache, pointed at this build's people, topics and briefs."""
        self.stats = {}
        return self.markdown.start(site)

    def plan(self, site: Site, markdown: TrackingMarkdown) -> tuple[Plan, frozenset[str] | None]:
        """The site's plan, and the URLs of the only pages that can differ from the last build's,
        when replan could patch that build's plan (None: any page may have changed)."""
        self.planning = None
        if self.planned is not None:
            again = replan(self.planned, site, markdown)
            if again is not None:
                markdown.used.update(markdown.entries)  # every body the last plan showed is still shown
                self.planning = again.planned
                self.stats["replanned"] = 1
                return again.planned.plan, again.changed
        plan = plan_pages(site, markdown, self.related(site))
        self.planning = planned(site, plan)
        return plan, None

    def related(self, site: Site) -> Related:
        """Related briefs, remembered while no brief's date order, leaders or topics change."""
        if self.related_memo is None or self.related_memo.shape != shape(site):
            self.related_memo = Related(site)
        return self.related_memo

    def environment(self, templates: Path) -> jinja2.Environment:
        """One Jinja environment while the template files stay the same; a fresh one otherwise."""
        key = _templates_key(templates)
        if self.env is None or key != self.templates_key:
            self.env = make_env(templates)
            self.pages.clear()
            self.templates_key = key
        return self.env

    def render(self, pages: Sequence[Page], env: jinja2.Environment, site: Site, root: Path,
               only: frozenset[str] | None = None) -> list[OutputFile]:
        """render_pages, reusing the bytes of every page whose template and context are unchanged
        (with `only`, of every page not named in it: the caller vouches for the rest)."""
        if env is not self.env:  # not our environment: nothing can be vouched for
            self.pages.clear()
            self.env = env
        if site.config != self.config:  # every page shows the site's config
            self.pages.clear()
            self.config = site.config
        missing = []
        for page in pages:
            old = self.pages.get(page.url)
            if old is None or (page.url in only if only is not None else
                               old.template != page.template or old.context != page.context):
                missing.append(page)
        fresh = {}
        if missing or not self.pages:
            rendered = render_pages(missing, env, site.config, root)  # also checks every template's syntax
            fresh = {page.url: file for page, file in zip(missing, rendered, strict=True)}
        files = []
        kept: dict[str, _Rendered] = {}
        for page in pages:
            file = fresh.get(page.url) or self.pages[page.url].file
            kept[page.url] = _Rendered(page.template, page.context, file)
            files.append(file)
        self.pages = kept
        self.planned, self.planning = self.planning, None  # these pages are now what that plan renders
        self.stats.update(pages_rendered=len(missing), pages_reused=len(pages) - len(missing),
                          markdown_reused=self.markdown.hits)
        return files

    def search(self, files: Sequence[OutputFile], language: str) -> list[OutputFile]:
        """search_files, reused while the indexed pages' paths and bytes and the language are the same.

        With `defer_search` (serve), a changed page does not wait for Pagefind: the previous
        bundle is returned at once and the pages are kept in `pending` for `index_pending`.
        """
        pages = [f for f in files if f.source in INDEXED_TEMPLATES]
        key = (language, [(f.path, f.data) for f in pages])
        with self.lock:
            self.last_key = key
            if self.index is not None and self.index[0] == key:
                self.stats["search_reused"] = 1
                self.pending = None
                return self.index[1]
            if self.defer_search and self.index is not None:
                self.pending = (key, pages, language)
                self.stats["search_deferred"] = 1
                return self.index[1]
        found = search_files(pages, language, self.search_cache)
        with self.lock:
            self.index = (key, found)
        return found

    def no_search(self) -> None:
        """This build has no search index: forget pending pages, and let no bundle follow it."""
        with self.lock:
            self.pending = None
            self.last_key = None

    def index_pending(self) -> bool:
        """Index the pages the last deferred build left pending; True when that made a new bundle."""
        with self.lock:
            pending = self.pending
        if pending is None:
            return False
        key, pages, language = pending
        found = search_files(pages, language, self.search_cache, background=True, hold=self.building)
        with self.lock:
            self.index = (key, found)
            if self.pending is pending:
                self.pending = None
        return True

    def publish(self, files: list[OutputFile]) -> None:
        """Record the files a build just published, and the search key of their pages."""
        with self.lock:
            self.published, self.published_key = files, self.last_key

    def republished(self, files: list[OutputFile]) -> None:
        """Record that `files` (the published pages with a newer search bundle) are now live."""
        with self.lock:
            self.published = files

    def with_current_index(self) -> list[OutputFile] | None:
        """The published files with the newest search bundle, if that bundle is of their pages and new."""
        with self.lock:
            if self.index is None or self.index[0] != self.published_key:
                return None  # a newer build changed pages since: its own indexing will follow
            found = self.index[1]
            live = [f for f in self.published if f.source == "pagefind"]
            if [(f.path, f.data) for f in live] == [(f.path, f.data) for f in found]:
                return None
            return [f for f in self.published if f.source != "pagefind"] + found


def _templates_key(templates: Path) -> tuple[object, ...]:
    """Every template file's identity; the copied assets (static/*.css, *.js) do not affect pages."""
    found: list[tuple[str, FileKey]] = []
    for dirpath, dirs, names in os.walk(templates):
        dirs.sort()
        folder = Path(dirpath)
        for name in sorted(names):
            path = folder / name
            rel = path.relative_to(templates).as_posix()
            if rel.startswith("static/") and path.suffix in (".css", ".js"):
                continue
            try:
                found.append((rel, file_key(path)))
            except OSError:
                continue
    return (str(templates.resolve()), *found)
