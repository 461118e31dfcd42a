"""external: opt-in fetching against a local HTTP server on 127.0.0.1 (never the network)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from briefing.external import FetchPolicy, fetch_all

FAST = FetchPolicy(timeout=2.0, retries=2, per_host=2, backoff=0.01)


class Handler(BaseHTTPRequestHandler):
    hits: Counter[str] = Counter()

    def _answer(self, method: str) -> None:
        Handler.hits[f"{method} {self.path}"] += 1
        if self.path == "/ok":
            status = 200
        elif self.path == "/flaky":
            status = 503 if Handler.hits[f"{method} /flaky"] < 2 else 200
        elif self.path == "/no-head":
            status = 405 if method == "HEAD" else 200
        elif self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/ok")
            self.end_headers()
            return
        else:
            status = 404
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        self._answer("HEAD")

    def do_GET(self) -> None:  # noqa: N802
        self._answer("GET")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    Handler.hits = Counter()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_statuses_retries_and_fallback_to_get(server: str, tmp_path: Path) -> None:
    links = [f"{server}/ok", f"{server}/missing", f"{server}/flaky", f"{server}/no-head", f"{server}/moved"]
    results = fetch_all(links + [f"{server}/ok"], tmp_path / "cache.json", FAST)
    assert {u.rsplit("/", 1)[1]: (r.ok, r.status) for u, r in results.items()} == {
        "ok": (True, 200), "missing": (False, 404), "flaky": (True, 200), "no-head": (True, 200), "moved": (True, 200)}
    assert Handler.hits["HEAD /ok"] == 1  # listed twice, fetched once
    assert Handler.hits["GET /ok"] == 1  # urllib follows the redirect with GET
    assert Handler.hits["HEAD /flaky"] == 2  # retried after a 503
    assert Handler.hits["HEAD /missing"] == 1  # a 404 is final: no retries


def test_successes_are_cached_failures_are_not(server: str, tmp_path: Path) -> None:
    cache = tmp_path / "cache.json"
    fetch_all([f"{server}/ok", f"{server}/missing"], cache, FAST)
    Handler.hits.clear()
    again = fetch_all([f"{server}/ok", f"{server}/missing"], cache, FAST)
    assert again[f"{server}/ok"].cached and not again[f"{server}/missing"].ok
    assert Handler.hits == Counter({"HEAD /missing": 1})


def test_cache_expires(server: str, tmp_path: Path) -> None:
    cache = tmp_path / "cache.json"
    fetch_all([f"{server}/ok"], cache, FAST, clock=lambda: 1000.0)
    Handler.hits.clear()
    fetch_all([f"{server}/ok"], cache, FAST, clock=lambda: 1000.0 + FAST.max_age + 1)
    assert Handler.hits["HEAD /ok"] == 1


def test_unreachable_host_fails_with_a_reason(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = fetch_all([f"http://127.0.0.1:{port}/x"], None, FAST)[f"http://127.0.0.1:{port}/x"]
    assert not result.ok and result.status is None and "Connection refused" in (result.error or "")


def test_check_external_reports_failures_at_the_source_line(server: str, site_root: Path) -> None:
    from briefing.check import check

    brief = site_root / "content/briefs/2025-04-15-follow-up.md"
    brief.write_text(brief.read_text() + f"\nSee [gone]({server}/missing) and [fine]({server}/ok).\n")
    result = check(site_root, external=True, policy=FAST)
    errors = [p.format(site_root) for p in result.problems if p.severity == "error"]
    assert len(errors) == 1
    assert errors[0].startswith(f"content/briefs/2025-04-15-follow-up.md:19: external link '{server}/missing' failed: HTTP 404")
    assert (site_root / ".briefing-cache" / "external.json").is_file()
