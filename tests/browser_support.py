"""Real-browser helpers for the tests: Debian's Chromium under Playwright, a loopback server, axe-core.

Playwright's own browser download does not work here, so Chromium comes from apt
(`apt-get install -y chromium`); `ensure_chromium()` installs it when it is missing and fails,
never skips, when it cannot. axe-core is the copy axe-playwright-python (PyPI) ships.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
INSTALL = "install the test tools with: python -m pip install -e '.[test]'"
_install_lock = threading.Lock()


def ensure_chromium() -> Path:
    """Debian's Chromium at /usr/bin/chromium, installed with apt-get when missing; fails if it cannot be."""
    with _install_lock:
        if CHROMIUM.exists():
            return CHROMIUM
        apt = shutil.which("apt-get")
        if apt is None:
            pytest.fail(f"{CHROMIUM} is missing and there is no apt-get to install it with: install Chromium",
                        pytrace=False)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for command in ([apt, "update", "-q"], [apt, "install", "-y", "-q", "chromium"]):
            result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=900, check=False)
            if result.returncode != 0:
                pytest.fail(f"{CHROMIUM} is missing and `{' '.join(command)}` failed (exit {result.returncode}):\n"
                            f"{result.stdout[-2000:]}{result.stderr[-2000:]}", pytrace=False)
        if not CHROMIUM.exists():
            pytest.fail(f"apt-get installed chromium but {CHROMIUM} is still missing", pytrace=False)
        return CHROMIUM


def require(module: str) -> None:
    """Fail (not skip) with an install hint when a test tool is not importable."""
    if importlib.util.find_spec(module) is None:
        pytest.fail(f"the Python package providing '{module}' is not installed; {INSTALL}", pytrace=False)


def axe_script() -> str:
    """The axe-core source that axe-playwright-python ships, to inject into pages."""
    require("axe_playwright_python")
    spec = importlib.util.find_spec("axe_playwright_python")
    assert spec is not None and spec.origin is not None
    path = Path(spec.origin).parent / "axe.min.js"
    if not path.is_file():
        pytest.fail(f"axe-playwright-python is installed but {path} is missing; {INSTALL}", pytrace=False)
    return path.read_text(encoding="utf-8")


class _Handler(SimpleHTTPRequestHandler):
    """Serves the built site quietly, with the types Pagefind and the feeds need."""

    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript",
                      ".xml": "application/xml", ".css": "text/css", ".pagefind": "application/octet-stream"}

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's signature
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code == 404:  # like a real host: the site's own 404 page
            page = Path(self.directory) / "404.html"
            if page.is_file():
                body = page.read_bytes()
                self.send_response(404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
        super().send_error(code, message, explain)


@contextmanager
def serve(directory: Path, handler_class: type[SimpleHTTPRequestHandler] | None = None) -> Iterator[str]:
    """Serve `directory` on 127.0.0.1 at a free port in a thread; yield the root URL."""
    handler = functools.partial(handler_class or _Handler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="browser-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
