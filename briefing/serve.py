"""Author preview: build, serve only the output folder with live reload, rebuild on every change.

Built from the livereload package's parts (its websocket protocol handler, livereload.js, its
no-304 StaticFileHandler, its way of injecting the client script) but not from its watcher,
which runs the task on the server's thread, polls every 0.8 s and drops reloads that come within
3 s of the previous one. Here a watcher (inotify on Linux, polling elsewhere) wakes a debounced
cycle; the cycle scans the watched files, and if any changed runs ingest (when seeds changed) and
the same full build as a cold run, in a worker thread with a cache that lives as long as the
server. Only after the build has written output/ (or failed) do browsers get a message:
a stylesheet-only change is applied in place, a failure shows an overlay with `file:line:
message` over the last good site, and the next good save recovers.
"""

from __future__ import annotations

import gc
import json
import logging
import threading
import time
import webbrowser
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tornado.ioloop import IOLoop, PeriodicCallback

from .errors import Problem, ProblemsError
from .memo import BuildCache
from .output import ready_spare
from .pipeline import BuildReport, publish_index
from .server import listen, make_app
from .watch import POLL, Inotify, Snapshot, changed_paths, folders, note, relevant_paths, rescan, scan

log = logging.getLogger(__name__)

LOOPBACK = ("127.0.0.1", "localhost", "::1")
DEBOUNCE = 0.05  # seconds of quiet after the last change before a rebuild starts
IDLE_GC = 3.0  # seconds after a rebuild with no further one: collect garbage then


@dataclass(frozen=True, slots=True)
class Outcome:
    """One rebuild: what triggered it, what it produced, or what stopped it."""

    changed: frozenset[Path]
    report: BuildReport | None = None
    problems: tuple[Problem, ...] = ()
    ingested: tuple[Path, ...] = ()


def rebuild(root: Path, out: Path, base_url: str | None, cache: BuildCache,
            changed: set[Path] | None = None) -> Outcome:
    """Ingest (first run, or when seeds or site.yaml changed or a brief went away), then build.

    Never raises: problems in the input, and crashes, come back in the Outcome.
    """
    from .ingest import ingest
    from .pipeline import build

    ingested: tuple[Path, ...] = ()
    try:
        if changed is None or _needs_ingest(root, changed):
            config, registry = cache.site_config(root / "site.yaml")
            ingested = ingest(root / "seeds", root / "content" / "briefs", config, registry).written
        report = build(root, out_dir=out, base_url=base_url, cache=cache)
    except ProblemsError as exc:
        return Outcome(frozenset(changed or ()), None, exc.problems, ingested)
    except Exception as exc:  # noqa: BLE001 - a bug must not stop the preview; it is shown like a problem
        log.exception("build crashed")
        return Outcome(frozenset(changed or ()), None, (Problem("briefing", None, f"internal error: {exc!r}"),),
                       ingested)
    return Outcome(frozenset(changed or ()), report, (), ingested)


def _needs_ingest(root: Path, changed: Iterable[Path]) -> bool:
    seeds, briefs = root / "seeds", root / "content" / "briefs"
    return any(p.parent == seeds or p == root / "site.yaml" or (p.parent == briefs and not p.exists())
               for p in changed)


@dataclass
class Preview:
    """The long-lived state of one `serve`: cache, snapshot, problems shown, connected browsers."""

    root: Path
    out: Path
    base_url: str | None = None
    debounce: float = DEBOUNCE
    follow: bool = False
    cache: BuildCache = field(default_factory=BuildCache)
    snapshot: Snapshot = field(default_factory=dict)
    problems: tuple[str, ...] = ()
    sockets: set[Any] = field(default_factory=set)
    pages: dict[str, str] = field(default_factory=dict)  # source file (as the build named it) -> its page URL
    _pool: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(1, "briefing-build"))
    _indexer: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(1, "briefing-index"))
    _indexing: bool = False
    _builds: int = 0
    _running: bool = False
    _again: bool = False
    _due: float = 0.0
    _timer: object | None = None
    _inotify: Inotify | None = None
    _touched: set[Path] | None = None  # paths inotify named since the last cycle; None: scan everything

    def first_build(self) -> Outcome:
        """The build before serving: snapshot, ingest, build, report."""
        self.snapshot = scan(self.root, self.out)
        self.cache.defer_search = True  # after this first build, pages never wait for the search index
        self.cache.search_cache = self.root / ".briefing-cache"
        outcome = rebuild(self.root, self.out, self.base_url, self.cache)
        self._finish(outcome, initial=True)
        return outcome

    def warm_up(self) -> None:
        """On the build thread (so never beside a build), ready the output's spare now rather than
        in the first save's rebuild."""
        self._pool.submit(ready_spare, self.out)

    def cycle(self, touched: Collection[Path] | None = None) -> Outcome | None:
        """Worker thread: rescan (only the `touched` paths, when inotify named them all); when
        anything changed, rebuild. None when nothing did."""
        new = scan(self.root, self.out) if touched is None else rescan(self.snapshot, touched, self.root, self.out)
        changed = changed_paths(self.snapshot, new)
        if not changed:
            return None
        # no file came or went (and ingest will write none): the last listing of content/ holds
        same = not _needs_ingest(self.root, changed) and not any(
            (p in self.snapshot) != (p in new) or p.is_symlink() for p in changed)
        self.snapshot = new
        log.info("changed: %s", ", ".join(sorted(self._show(p) for p in changed)[:5])
                 + (f" and {len(changed) - 5} more" if len(changed) > 5 else ""))
        self.cache.hints = new  # file identities just read: the cache need not stat each file again
        self.cache.same_files = same
        gc.disable()  # a collection pass over the cache's millions of objects costs a quarter second
        self.cache.building.set()  # the search indexer, if running, pauses: the GIL is the rebuild's
        try:
            outcome = rebuild(self.root, self.out, self.base_url, self.cache, changed)
        finally:
            self.cache.building.clear()
            self.cache.hints = {}
            self.cache.same_files = False
            gc.enable()
        for path in outcome.ingested:  # ingest's own writes are not a further change
            note(self.snapshot, path)
        return outcome

    # -- on the IOLoop ------------------------------------------------------------------------

    def poke(self) -> None:
        """Something may have changed: rebuild once things have been quiet for `debounce`."""
        loop = IOLoop.current()
        self._due = loop.time() + self.debounce
        if self._timer is None:
            self._timer = loop.call_at(self._due, self._settle)

    def _settle(self) -> None:
        loop = IOLoop.current()
        self._timer = None
        if loop.time() < self._due:
            self._timer = loop.call_at(self._due, self._settle)
            return
        if self._running:
            self._again = True
            return
        self._running = True
        self._builds += 1
        started = time.perf_counter()
        touched, self._touched = self._touched, (set() if self._inotify else None)
        future: Future[Outcome | None] = self._pool.submit(self.cycle, touched)
        loop.add_future(future, lambda f: self._done(f, started))

    def _done(self, future: Any, started: float) -> None:
        self._running = False
        outcome = future.result()
        if outcome is not None:
            self._finish(outcome)
            log.info("reload sent %.0f ms after the rebuild started", (time.perf_counter() - started) * 1000)
            self._index_later()
            IOLoop.current().call_later(IDLE_GC, self._collect, self._builds)
        if self._again:
            self._again = False
            self.poke()

    def _collect(self, builds: int) -> None:
        """Collect the garbage of rebuilds (run with the collector off) once the author pauses."""
        if builds == self._builds and not self._running:
            self._pool.submit(gc.collect)

    def _index_later(self) -> None:
        """Phase two: Pagefind indexes the changed pages in a thread of its own, then the bundle
        is published; meanwhile pages are already live, with search results one build behind."""
        if self._indexing or self.cache.pending is None:
            return
        self._indexing = True
        future = self._indexer.submit(self.cache.index_pending)
        IOLoop.current().add_future(future, self._indexed)

    def _indexed(self, future: Any) -> None:
        self._indexing = False
        try:
            future.result()
        except ProblemsError as exc:
            for problem in exc.problems:
                log.error("%s", problem.format(self.root))
        except Exception:  # noqa: BLE001 - the preview keeps running without a fresh index
            log.exception("search index failed")
        else:
            publish = self._pool.submit(publish_index, self.root, self.out, self.cache)
            IOLoop.current().add_future(publish, self._index_published)
        self._index_later()  # pages that changed while Pagefind ran

    def _index_published(self, future: Any) -> None:
        try:
            if future.result():
                log.info("search index updated")
        except ProblemsError as exc:
            for problem in exc.problems:
                log.error("%s", problem.format(self.root))

    def _finish(self, outcome: Outcome, initial: bool = False) -> None:
        """Report the outcome in the terminal and tell the browsers what to do."""
        was_failing = bool(self.problems)
        if outcome.problems:
            self.problems = tuple(p.format(self.root) for p in outcome.problems)
            for line in self.problems:
                log.error("%s", line)
            log.error("build failed; still serving the last good site (fix and save to recover)")
            self.send("*")
            return
        self.problems = ()
        report = outcome.report
        if report is None:
            return
        for warning in report.warnings:
            if initial or Path(warning.path) in outcome.changed:
                log.warning("%s", warning.format(self.root))
        log.info("rebuilt in %.2f s: %d pages, %d written, %d removed", report.seconds, report.pages,
                 report.written, report.removed)
        self.pages = {source: path for path, source in report.sources}  # both name files from the same root
        if initial or not (report.written or report.removed or was_failing):
            return
        styles = [p for p in outcome.changed if p.suffix == ".css" and p.parent == self.root / "templates" / "static"]
        if styles and len(styles) == len(outcome.changed) and not was_failing:
            for path in sorted(styles):
                self.send(f"/static/{path.name}")  # livereload.js swaps the stylesheet in place
            return
        sources = ["/" + self.pages[str(p)].removesuffix("index.html") for p in (*outcome.ingested, *outcome.changed)
                   if str(p) in self.pages and p.exists()]
        self.send(sources[0] if len(set(sources)) == 1 else "*")

    def send(self, path: str) -> None:
        """Send livereload's reload command to every connected browser."""
        message = {"command": "reload", "path": path, "liveCSS": True, "liveImg": True}
        for socket in list(self.sockets):
            try:
                socket.write_message(json.dumps(message))
            except Exception:  # noqa: BLE001 - a closed browser tab is not an error
                self.sockets.discard(socket)

    # -- watching -----------------------------------------------------------------------------

    def start_watching(self) -> Callable[[], None]:
        """inotify on Linux, polling elsewhere; returns the function that stops it."""
        loop = IOLoop.current()
        try:
            self._inotify = Inotify()
        except (OSError, AttributeError):
            poller = PeriodicCallback(self._poll, POLL * 1000)
            poller.start()
            log.info("watching by polling every %.1f s", POLL)
            return poller.stop
        inotify = self._inotify
        inotify.watch(folders(self.root, self.out))
        loop.add_handler(inotify.fd, lambda fd, events: self._events(), IOLoop.READ)

        def stop() -> None:
            loop.remove_handler(inotify.fd)
            inotify.close()

        return stop

    def _poll(self) -> None:
        if not self._running:
            self.poke()

    def _events(self) -> None:
        assert self._inotify is not None
        touched = relevant_paths(self._inotify.read(), self.root)
        if touched is None:  # the kernel dropped events: the next cycle scans everything
            self._touched = None
        elif not touched:
            return  # output/, caches, editor temp files: never a reason to rebuild
        elif self._touched is not None:
            self._touched |= touched
        self._inotify.watch(folders(self.root, self.out))  # new sub-folders
        self.poke()

    def _show(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def close(self) -> None:
        """Stop the worker threads."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._indexer.shutdown(wait=False, cancel_futures=True)


def serve(root: Path, host: str = "127.0.0.1", port: int = 8000, out_dir: Path | None = None,
          base_url: str | None = None, open_browser: bool = False, follow: bool = False,
          debounce: float = DEBOUNCE) -> None:
    """Build, then serve the output folder with live reload until interrupted."""
    out = (out_dir or root / "output").resolve()
    if host not in LOOPBACK:
        log.warning("warning: serving on %s exposes the preview (and your drafts) to your network", host)
    logging.getLogger("tornado.access").setLevel(logging.WARNING)  # requests that fail only
    preview = Preview(root=root, out=out, base_url=base_url, debounce=debounce, follow=follow)
    preview.first_build()
    out.mkdir(parents=True, exist_ok=True)
    loop = IOLoop.current()
    server, bound = listen(make_app(preview), host, port)
    stop_watching = preview.start_watching()
    preview.warm_up()
    # one full scan now, while the author has not saved yet: it catches a change made between the
    # first build and the watch, and later cycles re-stat only the paths inotify names
    loop.add_callback(preview.poke)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{bound}/"
    log.info("serving %s at %s (Ctrl-C to stop)", preview._show(out), url)
    if open_browser:
        threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
    try:
        loop.start()
    except KeyboardInterrupt:
        log.info("stopped")
    finally:
        stop_watching()
        server.stop()
        preview.close()
