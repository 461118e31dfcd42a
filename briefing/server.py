"""The preview's HTTP side: the output folder (and nothing else), livereload's websocket and script."""

from __future__ import annotations

import errno
import hashlib
import html
import json
import logging
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from livereload.handlers import (  # type: ignore[import-untyped]
    LiveReloadHandler,
    LiveReloadJSHandler,
    StaticFileHandler,
)
from tornado import httpserver, web
from tornado.websocket import WebSocketHandler

from .errors import Problem, ProblemsError

if TYPE_CHECKING:
    from .serve import Preview

log = logging.getLogger(__name__)

PORT_TRIES = 20
HEAD_END = re.compile(rb"</head\s*>", re.I)
BODY_START = re.compile(rb"<body[^>]*>", re.I)


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
    """Files under the output folder only: no hidden files, no traversal, no symlinks out of it.

    Each file is read once, through one descriptor, and its size, ETag and body all come from that
    read: a build swaps the whole output folder in, so a second look by path (tornado's own handler
    stats, hashes and reads separately) could see the next build's file and send a body that does
    not match its Content-Length.
    """

    def initialize(self, path: str, preview: Preview, default_filename: str | None = None) -> None:
        super().initialize(path, default_filename)
        self.preview = preview
        self._body = b""

    def validate_absolute_path(self, root: str, absolute_path: str) -> str | None:
        rel = os.path.relpath(absolute_path, root)
        if rel == ".." or rel.startswith(("..", "/")):
            raise web.HTTPError(403)
        if any(part.startswith(".") for part in Path(rel).parts if part != "."):
            raise web.HTTPError(404)
        resolved: str | None = super().validate_absolute_path(root, absolute_path)
        if resolved is not None:
            self._stat_result, self._body = _read_once(resolved)
        return resolved

    def get_content_size(self) -> int:
        return len(self._body)

    def get_content(self, abspath: str, start: int | None = None,
                    end: int | None = None) -> Iterator[bytes]:
        yield self._body[start:end]

    def compute_etag(self) -> str | None:
        return f'"{hashlib.sha256(self._body).hexdigest()}"'

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


def _read_once(path: str) -> tuple[os.stat_result, bytes]:
    """The file at `path` as one descriptor sees it: its stat and its whole body (404 when gone)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        raise web.HTTPError(404) from None  # gone, or swapped for a link, since tornado checked it
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise web.HTTPError(403)
        chunks = []
        while chunk := os.read(fd, max(st.st_size, 1 << 16)):
            chunks.append(chunk)
        return st, b"".join(chunks)
    finally:
        os.close(fd)


def _transform(preview: Preview) -> type[web.OutputTransform]:
    class Decorate(web.OutputTransform):
        def transform_first_chunk(self, status_code: int, headers: Any, chunk: bytes,
                                  finishing: bool) -> tuple[int, Any, bytes]:
            if status_code in (200, 404) and "html" in headers.get("Content-Type", "") and chunk:
                decorated = decorate(chunk, preview.problems, preview.follow)
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


def decorate(page: bytes, problems: tuple[str, ...], follow: bool) -> bytes:
    """A served HTML page with the live-reload client and, after a failed build, the problems."""
    page = _inject(page, HEAD_END, _script(follow), before=True)
    if problems:
        page = _inject(page, BODY_START, _overlay(problems), before=False)
    return page


def _script(follow: bool) -> bytes:
    """livereload's loader snippet, plus a plugin that can follow the edited page."""
    return (
        "<script>(function(){"
        f"var follow={'true' if follow else 'false'};"
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


def _overlay(problems: tuple[str, ...]) -> bytes:
    """The failed build's problems over the page, one `file:line: message` per line."""
    lines = "\n".join(html.escape(p) for p in problems)
    return (
        '<div id="briefing-problems" role="alert" style="position:fixed;top:0;left:0;right:0;'
        "z-index:2147483647;max-height:70vh;overflow:auto;margin:0;padding:1em 1.5em;"
        "background:#3b0d0d;color:#ffe4e4;font:14px/1.5 ui-monospace,monospace;white-space:pre-wrap;"
        'border-bottom:4px solid #ff6b6b"><strong>Build failed. The site below is the last good build; '
        f"save a fix to recover.</strong>\n{lines}</div>"
    ).encode()


def _inject(page: bytes, pattern: re.Pattern[bytes], snippet: bytes, before: bool) -> bytes:
    match = pattern.search(page)
    if match is None:
        return snippet + page if not before else page + snippet
    at = match.start() if before else match.end()
    return page[:at] + snippet + page[at:]
