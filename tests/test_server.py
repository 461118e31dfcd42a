"""server: the preview's HTTP handler, in this process, while builds swap the output folder under it."""

from __future__ import annotations

import asyncio
import http.client
import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop

from briefing.output import _exchange
from briefing.server import decorate, listen, make_app

# Two builds of one page, of different lengths, so that a response mixing them cannot pass for either.
SHORT = b"<!doctype html><html><head><title>A</title></head><body>" + b"a" * 3000 + b"</body></html>"
LONG = b"<!doctype html><html><head><title>B</title></head><body>" + b"b" * 9000 + b"</body></html>"


class Running:
    """make_app served on a free port by an IOLoop in a thread of its own."""

    def __init__(self, out: Path) -> None:
        self.preview = SimpleNamespace(out=out, problems=(), follow=False, sockets=set())
        self.port = 0
        self._ready = threading.Event()
        self._loop: IOLoop | None = None
        self._server: HTTPServer | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        assert self._ready.wait(10), "the server did not start"

    def _run(self) -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())
        self._loop = IOLoop.current()
        self._server, self.port = listen(make_app(self.preview), "127.0.0.1", 18700)  # type: ignore[arg-type]
        self._ready.set()
        self._loop.start()

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", path, headers=headers or {})
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()

    def stop(self) -> None:
        assert self._loop is not None and self._server is not None
        loop, server = self._loop, self._server
        loop.add_callback(lambda: (server.stop(), loop.stop()))
        self._thread.join(10)


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    """A live output folder and its spare, holding two builds of the same page."""
    out, spare = tmp_path / "output", tmp_path / ".output.spare"
    for folder, body in ((out, SHORT), (spare, LONG)):
        (folder / "briefs" / "one").mkdir(parents=True)
        (folder / "briefs" / "one" / "index.html").write_bytes(body)
        (folder / "style.css").write_bytes(body.replace(b"html", b"css!"))
    return out, spare


@pytest.fixture
def running(folders: tuple[Path, Path]) -> Iterator[Running]:
    server = Running(folders[0])
    try:
        yield server
    finally:
        server.stop()


def test_every_response_is_one_whole_build_while_builds_swap_the_folder(
        running: Running, folders: tuple[Path, Path]) -> None:
    """A page requested while a build swaps output/ is the old file or the new one, never a mix or cut short."""
    out, spare = folders
    if not _exchange(spare, out):
        pytest.skip("no renameat2(RENAME_EXCHANGE) on this file system")  # the swap is then two renames
    _exchange(spare, out)
    stop = threading.Event()

    def swap() -> None:
        while not stop.is_set():
            _exchange(spare, out)

    swapper = threading.Thread(target=swap, daemon=True)
    swapper.start()
    seen: dict[bytes, int] = {}
    try:
        for _ in range(300):
            for path, builds in (("/briefs/one/", (SHORT, LONG)),
                                 ("/style.css", tuple(b.replace(b"html", b"css!") for b in (SHORT, LONG)))):
                try:
                    status, headers, body = running.get(path)
                except http.client.IncompleteRead as exc:
                    raise AssertionError(f"{path}: the response was cut short ({exc!r})") from None
                assert status == 200, (path, status)
                assert int(headers["Content-Length"]) == len(body)
                wanted = [decorate(b, (), False) if path.endswith("/") else b for b in builds]
                assert body in wanted, f"{path}: a response that is neither build ({len(body)} bytes)"
                seen[body] = seen.get(body, 0) + 1
    finally:
        stop.set()
        swapper.join(10)
    assert len(seen) >= 3, "the swaps never showed both builds: the test did not race"


def test_the_etag_follows_the_file_not_a_hash_kept_from_an_earlier_build(
        running: Running, folders: tuple[Path, Path]) -> None:
    """A page's ETag stays while its bytes do and changes with them (the preview never answers 304)."""
    out, _ = folders
    _, first, _ = running.get("/style.css")
    _, same, _ = running.get("/style.css")
    assert first["Etag"] == same["Etag"]
    page = out / "style.css"
    page.unlink()
    page.write_bytes(b"body{color:red}")  # a new file at the same path, as a build writes it
    status, again, body = running.get("/style.css", {"If-None-Match": first["Etag"]})
    assert (status, body) == (200, b"body{color:red}")
    assert again["Etag"] != first["Etag"]
    assert again["Cache-Control"] == "no-store"


def test_a_range_request_is_cut_from_the_one_read(running: Running) -> None:
    """Range requests still work: the bytes asked for, from the file as read once."""
    full = SHORT.replace(b"html", b"css!")
    status, headers, body = running.get("/style.css", {"Range": "bytes=10-19"})
    assert (status, body) == (206, full[10:20])
    assert headers["Content-Range"] == f"bytes 10-19/{len(full)}"
    status, _, body = running.get("/style.css", {"Range": "bytes=-5"})
    assert (status, body) == (206, full[-5:])
