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

import ctypes
import errno
import html
import json
import logging
import os
import re
import struct
import threading
import time
import webbrowser
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from livereload.handlers import (  # type: ignore[import-untyped]
    LiveReloadHandler,
    LiveReloadJSHandler,
    StaticFileHandler,
)
from tornado import httpserver, web
from tornado.ioloop import IOLoop, PeriodicCallback
from tornado.websocket import WebSocketHandler

from .errors import Problem, ProblemsError
from .load import is_ignored
from .memo import BuildCache
from .pipeline import BuildReport, publish_index

log = logging.getLogger(__name__)

LOOPBACK = ("127.0.0.1", "localhost", "::1")
WATCHED = ("seeds", "content", "templates")  # folders under the root; plus site.yaml
DEBOUNCE = 0.05  # seconds of quiet after the last change before a rebuild starts
POLL = 0.4  # seconds between scans where inotify is not available
PORT_TRIES = 20
HEAD_END = re.compile(rb"</head\s*>", re.I)
BODY_START = re.compile(rb"<body[^>]*>", re.I)

Snapshot = dict[Path, tuple[int, int, int]]  # watched file -> (mtime_ns, size, inode)


def scan(root: Path, out: Path) -> Snapshot:
    """Every watched file (site.yaml, seeds/, content/, templates/) by identity; never the output."""
    found: Snapshot = {}
    _note(found, root / "site.yaml")
    skip = out.resolve()
    for name in WATCHED:
        _walk(root / name, skip, found)
    return found


def _note(found: Snapshot, path: Path) -> None:
    try:
        st = path.stat()
    except OSError:
        return
    found[path] = (st.st_mtime_ns, st.st_size, st.st_ino)


def _walk(folder: Path, skip: Path, found: Snapshot) -> None:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith(".") or is_ignored(Path(entry.name)):
            continue
        path = folder / entry.name
        try:
            if entry.is_dir(follow_symlinks=False):
                if path.resolve() != skip:
                    _walk(path, skip, found)
            elif entry.is_file():
                st = entry.stat()
                found[path] = (st.st_mtime_ns, st.st_size, st.st_ino)
        except OSError:
            continue


def changed_paths(old: Snapshot, new: Snapshot) -> set[Path]:
    """Files added, removed or modified between two snapshots."""
    return {path for path in old.keys() | new.keys() if old.get(path) != new.get(path)}


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
    from .config import load_config
    from .ingest import ingest
    from .pipeline import build

    ingested: tuple[Path, ...] = ()
    try:
        if changed is None or _needs_ingest(root, changed):
            config, registry = load_config(root / "site.yaml")
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


class _Inotify:
    """Linux inotify through libc: wakes the watcher as soon as a watched folder changes."""

    MASK = 0x2 | 0x4 | 0x8 | 0x40 | 0x80 | 0x100 | 0x200 | 0x400 | 0x800  # modify..move_self
    IGNORED = 0x8000
    OVERFLOW = 0x4000  # the kernel dropped events: rescan everything

    def __init__(self) -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        self._add = libc.inotify_add_watch
        self._add.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
        self.fd = int(libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC))
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1 failed")
        self.folders: dict[int, Path] = {}

    def watch(self, folders: Iterable[Path]) -> None:
        """Add a watch on every folder not watched yet (cheap to repeat)."""
        known = set(self.folders.values())
        for folder in folders:
            if folder not in known:
                wd = self._add(self.fd, os.fsencode(folder), self.MASK)
                if wd >= 0:
                    self.folders[wd] = folder

    def read(self) -> list[tuple[Path, str]]:
        """(folder, name) of every pending event."""
        events: list[tuple[Path, str]] = []
        while True:
            try:
                data = os.read(self.fd, 65536)
            except BlockingIOError:
                return events
            offset = 0
            while offset + 16 <= len(data):
                wd, mask, _cookie, size = struct.unpack_from("iIII", data, offset)
                name = data[offset + 16: offset + 16 + size].rstrip(b"\0").decode("utf-8", "replace")
                offset += 16 + size
                folder = self.folders.get(wd)
                if mask & self.OVERFLOW:
                    events.append((Path("/"), ""))
                elif mask & self.IGNORED:
                    self.folders.pop(wd, None)
                elif folder is not None:
                    events.append((folder, name))

    def close(self) -> None:
        """Release the inotify descriptor."""
        os.close(self.fd)


def _folders(root: Path, out: Path) -> list[Path]:
    """The root (for site.yaml and the watched folders appearing) and every folder under them."""
    found = [root]
    skip = out.resolve()
    for name in WATCHED:
        for dirpath, dirs, _files in os.walk(root / name):
            dirs[:] = [d for d in dirs if not d.startswith(".") and (Path(dirpath) / d).resolve() != skip]
            found.append(Path(dirpath))
    return found


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
    pages: dict[Path, str] = field(default_factory=dict)  # source file -> URL of its page
    _pool: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(1, "briefing-build"))
    _indexer: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(1, "briefing-index"))
    _indexing: bool = False
    _running: bool = False
    _again: bool = False
    _due: float = 0.0
    _timer: object | None = None
    _inotify: _Inotify | None = None

    def first_build(self) -> Outcome:
        """The build before serving: snapshot, ingest, build, report."""
        self.snapshot = scan(self.root, self.out)
        self.cache.defer_search = True  # after this first build, pages never wait for the search index
        self.cache.search_cache = self.root / ".briefing-cache"
        outcome = rebuild(self.root, self.out, self.base_url, self.cache)
        self._finish(outcome, initial=True)
        return outcome

    def cycle(self) -> Outcome | None:
        """Worker thread: rescan; when anything changed, rebuild. None when nothing did."""
        new = scan(self.root, self.out)
        changed = changed_paths(self.snapshot, new)
        if not changed:
            return None
        self.snapshot = new
        log.info("changed: %s", ", ".join(sorted(self._show(p) for p in changed)[:5])
                 + (f" and {len(changed) - 5} more" if len(changed) > 5 else ""))
        outcome = rebuild(self.root, self.out, self.base_url, self.cache, changed)
        for path in outcome.ingested:  # ingest's own writes are not a further change
            _note(self.snapshot, path)
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
        started = time.perf_counter()
        future: Future[Outcome | None] = self._pool.submit(self.cycle)
        loop.add_future(future, lambda f: self._done(f, started))

    def _done(self, future: Any, started: float) -> None:
        self._running = False
        outcome = future.result()
        if outcome is not None:
            self._finish(outcome)
            log.info("reload sent %.0f ms after the rebuild started", (time.perf_counter() - started) * 1000)
            self._index_later()
        if self._again:
            self._again = False
            self.poke()

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
        self.pages = {Path(source).resolve(): "/" + path.removesuffix("index.html") for path, source in report.sources}
        if initial or not (report.written or report.removed or was_failing):
            return
        styles = [p for p in outcome.changed if p.suffix == ".css" and p.parent == self.root / "templates" / "static"]
        if styles and len(styles) == len(outcome.changed) and not was_failing:
            for path in sorted(styles):
                self.send(f"/static/{path.name}")  # livereload.js swaps the stylesheet in place
            return
        sources = [self.pages[p.resolve()] for p in (*outcome.ingested, *outcome.changed)
                   if p.resolve() in self.pages and p.exists()]
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
            self._inotify = _Inotify()
        except (OSError, AttributeError):
            poller = PeriodicCallback(self._poll, POLL * 1000)
            poller.start()
            log.info("watching by polling every %.1f s", POLL)
            return poller.stop
        inotify = self._inotify
        inotify.watch(_folders(self.root, self.out))
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
        relevant = False
        for folder, name in self._inotify.read():
            if not name and folder == Path("/"):
                relevant = True  # overflow
            elif folder == self.root and name not in (*WATCHED, "site.yaml"):
                continue  # output/, its spare, caches: never a reason to rebuild
            elif name and (name.startswith(".") or is_ignored(Path(name))):
                continue  # editor temp files, backups, hidden files
            else:
                relevant = True
        if relevant:
            self._inotify.watch(_folders(self.root, self.out))  # new sub-folders
            self.poke()

    def _show(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def decorate(self, page: bytes) -> bytes:
        """A served HTML page with the live-reload client and, after a failed build, the problems."""
        page = _inject(page, HEAD_END, self.script(), before=True)
        if self.problems:
            page = _inject(page, BODY_START, self.overlay(), before=False)
        return page

    def script(self) -> bytes:
        """livereload's loader snippet, plus a plugin that can follow the edited page."""
        return (
            "<script>(function(){"
            f"var follow={'true' if self.follow else 'false'};"
            "function P(){}P.identifier='briefing';P.version='1.0';"
            "P.prototype.reload=function(path){"
            "if(follow&&/^\\/[^*]*(\\/|\\.html)$/.test(path)&&path!==location.pathname)"
            "{location.href=path;return true}return false};"
            "window.LiveReloadPluginBriefing=P;"
            "var port=window.location.port||(window.location.protocol=='https:'?443:80);"
            "var s=document.createElement('script');"
            "s.src='//'+window.location.hostname+':'+port+'/livereload.js?port='+port;"
            "document.head.appendChild(s)})();</script>"
        ).encode()

    def overlay(self) -> bytes:
        """The failed build's problems over the page, one `file:line: message` per line."""
        lines = "\n".join(html.escape(p) for p in self.problems)
        return (
            '<div id="briefing-problems" role="alert" style="position:fixed;top:0;left:0;right:0;'
            "z-index:2147483647;max-height:70vh;overflow:auto;margin:0;padding:1em 1.5em;"
            "background:#3b0d0d;color:#ffe4e4;font:14px/1.5 ui-monospace,monospace;white-space:pre-wrap;"
            'border-bottom:4px solid #ff6b6b"><strong>Build failed. The site below is the last good build; '
            f"save a fix to recover.</strong>\n{lines}</div>"
        ).encode()

    def close(self) -> None:
        """Stop the worker threads."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._indexer.shutdown(wait=False, cancel_futures=True)


def _inject(page: bytes, pattern: re.Pattern[bytes], snippet: bytes, before: bool) -> bytes:
    match = pattern.search(page)
    if match is None:
        return snippet + page if not before else page + snippet
    at = match.start() if before else match.end()
    return page[:at] + snippet + page[at:]


class _Socket(LiveReloadHandler):  # type: ignore[misc]
    """livereload's websocket protocol (hello, info), with browsers kept per server, not globally."""

    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    def check_origin(self, origin: str) -> bool:
        return bool(WebSocketHandler.check_origin(self, origin))  # only pages this server served

    def on_message(self, message: str | bytes) -> None:
        try:
            data = json.loads(message)
        except ValueError:
            return
        if not isinstance(data, dict):
            return
        if data.get("command") == "hello":
            self.send_message({"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"],
                               "serverName": "briefing"})
        elif data.get("command") == "info":
            self.preview.sockets.add(self)

    def on_close(self) -> None:
        self.preview.sockets.discard(self)


class _Output(StaticFileHandler):  # type: ignore[misc]
    """Files under the output folder only: no hidden files, no traversal, no symlinks out of it."""

    def initialize(self, path: str, preview: Preview, default_filename: str | None = None) -> None:
        super().initialize(path, default_filename)
        self.preview = preview

    def validate_absolute_path(self, root: str, absolute_path: str) -> str | None:
        rel = os.path.relpath(absolute_path, root)
        if rel == ".." or rel.startswith(("..", "/")):
            raise web.HTTPError(403)
        if any(part.startswith(".") for part in Path(rel).parts if part != "."):
            raise web.HTTPError(404)
        return super().validate_absolute_path(root, absolute_path)  # type: ignore[no-any-return]

    def set_extra_headers(self, path: str) -> None:
        self.set_header("Cache-Control", "no-store")

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.clear_header("Content-Disposition")
        self.set_header("Cache-Control", "no-store")
        if status_code == 404:
            page = self.preview.out / "404.html"
            body = page.read_bytes() if page.is_file() and not page.is_symlink() else (
                b"<!doctype html><html><head><title>Not found</title></head>"
                b"<body><h1>Not found</h1></body></html>")
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(body)
            return
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(f"{status_code} {self._reason}\n")


def _transform(preview: Preview) -> type[web.OutputTransform]:
    class Decorate(web.OutputTransform):
        def transform_first_chunk(self, status_code: int, headers: Any, chunk: bytes,
                                  finishing: bool) -> tuple[int, Any, bytes]:
            if status_code in (200, 404) and "html" in headers.get("Content-Type", "") and chunk:
                decorated = preview.decorate(chunk)
                if "Content-Length" in headers:
                    headers["Content-Length"] = str(int(headers["Content-Length"]) + len(decorated) - len(chunk))
                chunk = decorated
            return status_code, headers, chunk

    return Decorate


def make_app(preview: Preview) -> web.Application:
    """The tornado application: /livereload, /livereload.js, and the output folder."""
    return web.Application(
        [
            (r"/livereload", _Socket, {"preview": preview}),
            (r"/livereload\.js", LiveReloadJSHandler),
            (r"/(.*)", _Output, {"path": str(preview.out), "preview": preview, "default_filename": "index.html"}),
        ],
        transforms=[_transform(preview)],
    )


def listen(app: web.Application, host: str, port: int, tries: int = PORT_TRIES) -> tuple[httpserver.HTTPServer, int]:
    """Bind host:port, or the next free port when it is taken; ProblemsError when none is."""
    for candidate in range(port, port + tries):
        try:
            return app.listen(candidate, address=host), candidate
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                log.warning("port %d is in use; trying %d", candidate, candidate + 1)
                continue
            raise ProblemsError([Problem("--host", None, f"cannot listen on {host}:{candidate}: "
                                                         f"{exc.strerror or exc}")]) from None
    raise ProblemsError([Problem("--port", None, f"ports {port}-{port + tries - 1} are all in use; "
                                                 "choose another with --port")])


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
