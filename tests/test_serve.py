"""serve: the real server in a subprocess, spoken to over HTTP and livereload's websocket as a browser would."""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import edit
from tornado.websocket import WebSocketClientConnection, websocket_connect

from briefing.errors import ProblemsError
from briefing.memo import BuildCache
from briefing.pipeline import build, publish_index
from briefing.serve import DEBOUNCE
from briefing.watch import changed_paths, scan

REPO = Path(__file__).resolve().parent.parent
BRIEF = "content/briefs/2025-04-14-talks-in-capital.md"
PAGE = "output/briefs/2025-04-14-talks-in-capital/index.html"
DEADLINE = 30.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(port: int, path: str) -> tuple[int, str]:
    """A GET with the request target sent exactly as written (no client-side normalisation)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def wait_for(check: Callable[[], Any], what: str, deadline: float = DEADLINE) -> Any:
    end = time.monotonic() + deadline
    while True:
        try:
            result = check()
        except OSError:
            result = None
        if result:
            return result
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


class Server:
    def __init__(self, root: Path, port: int, *extra: str) -> None:
        self.root, self.port = root, port
        self.log = root.parent / "serve.log"
        self.handle = self.log.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, str(REPO / "build.py"), "serve", "--root", str(root), "--port", str(port), *extra],
            stdout=self.handle, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})

    def up(self, port: int | None = None) -> None:
        wait_for(lambda: self.alive() and get(port or self.port, "/")[0] == 200, "the server to answer")

    def alive(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"server exited {self.proc.returncode}:\n{self.output()}")
        return True

    def output(self) -> str:
        return self.log.read_text()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.handle.close()


@contextlib.contextmanager
def running(root: Path) -> Iterator[Server]:
    """`build.py serve` on `root` at a free port, answering, stopped afterwards."""
    started = Server(root, free_port())
    try:
        started.up()
        yield started
    finally:
        started.stop()


@pytest.fixture
def server(site_root: Path) -> Iterator[Server]:
    with running(site_root) as started:
        yield started


class Browser:
    """livereload.js's side of the protocol: hello, info, then reload commands."""

    def __init__(self, conn: WebSocketClientConnection) -> None:
        self.conn = conn

    @classmethod
    async def connect(cls, port: int) -> Browser:
        conn = await websocket_connect(f"ws://127.0.0.1:{port}/livereload")
        hello = {"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}
        await conn.write_message(json.dumps(hello))
        assert json.loads(await conn.read_message() or "{}")["command"] == "hello"
        await conn.write_message(json.dumps({"command": "info", "url": f"http://127.0.0.1:{port}/", "plugins": {}}))
        await conn.write_message(json.dumps(hello))  # its answer means the info before it was handled
        assert json.loads(await conn.read_message() or "{}")["command"] == "hello"
        return cls(conn)

    async def message(self, timeout: float = DEADLINE) -> dict[str, Any]:
        raw = await asyncio.wait_for(self.conn.read_message(), timeout)
        assert raw is not None, "websocket closed"
        return dict(json.loads(raw))

    async def quiet(self, seconds: float) -> None:
        """No message for `seconds` (a debounce window plus a rebuild)."""
        with pytest.raises(asyncio.TimeoutError):
            message = await asyncio.wait_for(self.conn.read_message(), seconds)
            pytest.fail(f"unexpected message {message}")


def test_reload_comes_after_the_write_and_a_new_leader_gets_a_page(server: Server) -> None:
    root = server.root

    async def scenario() -> None:
        browser = await Browser.connect(server.port)
        dependents = [p for p in (root / "output").rglob("*") if p.is_file() and b"Talks in the capital" in p.read_bytes()]
        assert len(dependents) > 5
        saved = [time.monotonic()]
        edit(root / "site.yaml", "topics:\n", "  erin-vo:\n    name: Erin Võ\n    role: Envoy\ntopics:\n")
        edit(root / BRIEF, "- bob-tran\n", "- bob-tran\n- erin-vo\n")
        edit(root / BRIEF, 'title: \'Talks in the capital: "trade first"\'', "title: Talks moved to the coast")
        saved.append(time.monotonic())
        message = await browser.message()
        if saved[1] - saved[0] >= DEBOUNCE:  # this machine stalled mid-save: wait for the last save's build
            while "Talks moved to the coast" not in (root / PAGE).read_text():
                message = await browser.message()
            await browser.quiet(0.6)
        # the moment the browser hears of it, every dependent page is already on disk
        assert message["command"] == "reload"
        assert "Talks moved to the coast" in (root / PAGE).read_text()
        person = root / "output/people/erin-vo/index.html"
        assert person.is_file() and "Talks moved to the coast" in person.read_text()
        for page in dependents:  # person, topic, archive, feeds, related briefs...
            text = page.read_text()
            assert "Talks moved to the coast" in text and "Talks in the capital" not in text, page
        status, body = get(server.port, "/people/erin-vo/")
        assert status == 200 and "Erin Võ" in body and "/livereload.js" in body
        browser.conn.close()

    asyncio.run(scenario())
    assert "changed: content/briefs/2025-04-14-talks-in-capital.md, site.yaml" in server.output() or (
        server.output().count("rebuilt in") > 2)


def test_the_search_index_follows_the_reload(server: Server, tmp_path: Path) -> None:
    """Pages are published first; Pagefind's index of them follows, equal to a cold build's."""
    root = server.root

    def index(out: Path) -> dict[str, bytes]:
        return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted((out / "pagefind").rglob("*"))
                if p.is_file()}

    before = index(root / "output")

    async def scenario() -> None:
        browser = await Browser.connect(server.port)
        edit(root / BRIEF, "to discuss", "to discuss quillwort")
        assert (await browser.message())["command"] == "reload"
        assert "quillwort" in (root / PAGE).read_text()
        browser.conn.close()

    asyncio.run(scenario())
    wait_for(lambda: "search index updated" in server.output(), "the new search index to be published")
    build(root, out_dir=tmp_path / "cold")
    assert index(root / "output") == index(tmp_path / "cold") != before


def test_a_burst_of_saves_is_one_rebuild_and_temp_files_are_ignored(server: Server) -> None:
    # bad-inputs row 39: debounced, temp files ignored
    root = server.root
    briefs = root / "content/briefs"

    async def scenario() -> None:
        browser = await Browser.connect(server.port)
        for name in (".2025-04-14-talks-in-capital.md.swp", "2025-04-14-talks-in-capital.md~", "4913", "#x.md#"):
            (briefs / name).write_text("not: [yaml")
        (root / "output/stray.html").write_text("<p>output/ is never watched</p>")
        await browser.quiet(0.6)
        edit(root / BRIEF, "to discuss", "to discuss (0)")
        saved = [time.monotonic()]
        for n in range(1, 5):
            time.sleep(DEBOUNCE / 4)  # saves spaced out, each within the debounce of the one before
            edit(root / BRIEF, f"({n - 1})", f"({n})")
            saved.append(time.monotonic())
        gap = max(b - a for a, b in zip(saved, saved[1:], strict=False))
        reloads = [await browser.message()]
        while "to discuss (4)" not in (root / PAGE).read_text():
            reloads.append(await browser.message())
        assert {m["path"] for m in reloads} == {"/briefs/2025-04-14-talks-in-capital/"}
        await browser.quiet(0.6)
        if gap < DEBOUNCE:  # every save within the debounce of the last: one rebuild for all five
            assert len(reloads) == 1
            assert server.output().count("rebuilt in") == 2  # the first build and the burst
        else:  # this machine stalled mid-burst and the saves came apart: a rebuild per gap at most
            assert len(reloads) <= 5

    asyncio.run(scenario())


def test_a_save_paused_half_written_is_not_built_until_closed(server: Server) -> None:
    """An editor (or a loaded machine) that stalls between truncating a file and writing it."""
    root = server.root
    text = (root / BRIEF).read_text(encoding="utf-8").replace("to discuss", "to discuss (slow)", 1)

    async def scenario() -> None:
        browser = await Browser.connect(server.port)
        with (root / BRIEF).open("w", encoding="utf-8") as handle:
            handle.write(text[:20])
            handle.flush()
            await browser.quiet(0.6)  # old watchers rebuilt here, read half a brief and failed
            handle.write(text[20:])
        message = await browser.message()
        assert message["path"] == "/briefs/2025-04-14-talks-in-capital/"
        assert "to discuss (slow)" in (root / PAGE).read_text()

    asyncio.run(scenario())
    assert "error" not in server.output().lower()


def test_stylesheet_change_is_applied_in_place(server: Server) -> None:
    css = server.root / "templates/static/style.css"

    async def scenario() -> None:
        browser = await Browser.connect(server.port)
        css.write_text(css.read_text() + "\nbody { outline: 1px solid red; }\n")
        message = await browser.message()
        assert message == {"command": "reload", "path": "/static/style.css", "liveCSS": True, "liveImg": True}
        assert "outline: 1px solid red" in (server.root / "output/static/style.css").read_text()

    asyncio.run(scenario())


@pytest.mark.parametrize(("target", "old", "new", "where"), [
    (BRIEF, "source: Example Wire\n", "source: Example: Wire\n", f"{BRIEF}:4:"),
    (BRIEF, "- bob-tran\n", "- bob-tram\n", f"{BRIEF}:8:3: unknown leader 'bob-tram' (did you mean 'bob-tran'?)"),
    ("templates/brief.html", "{% block main %}", "{% block main %}{% if %}", "templates/brief.html:"),
])
def test_a_bad_save_shows_file_and_line_and_a_fix_recovers(server: Server, target: str, old: str, new: str,
                                                           where: str) -> None:
    # bad-inputs row 39: path:line in log and browser, last good site kept, a fix recovers
    root = server.root
    good_page = (root / PAGE).read_bytes()

    async def scenario() -> None:
        browser = await Browser.connect(server.port)
        edit(root / target, old, new)
        await browser.message()
        server.alive()
        status, body = get(server.port, "/")
        assert status == 200 and 'id="briefing-problems"' in body
        assert where in body.replace("&#x27;", "'")
        assert (root / PAGE).read_bytes() == good_page  # the last good site stays in output/
        status, body = get(server.port, "/briefs/2025-04-14-talks-in-capital/")
        assert status == 200 and where in body.replace("&#x27;", "'")
        edit(root / target, new, old)
        await browser.message()
        status, body = get(server.port, "/")
        assert status == 200 and "briefing-problems" not in body

    asyncio.run(scenario())
    assert where.split(": ")[0] in server.output()


def test_only_the_output_folder_is_served(server: Server, tmp_path: Path) -> None:
    # bad-inputs row 40: traversal and symlinks out of the root get 403/404
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    out = server.root / "output"
    (out / "leak.txt").symlink_to(secret)
    (out / "leakdir").symlink_to(tmp_path, target_is_directory=True)
    refused = ["/../site.yaml", "/%2e%2e/site.yaml", "/%2E%2E/%2e%2e/secret.txt", "/..%2fsite.yaml",
               "/briefs/%2e%2e/%2e%2e/site.yaml", "//etc/hostname", "/leak.txt", "/leakdir/secret.txt",
               "/.briefing-output", "/%2ebriefing-output"]
    for target in refused:
        status, body = get(server.port, target)
        assert status in (403, 404), (target, status)
        assert "top secret" not in body and "people:" not in body
    status, body = get(server.port, "/no/such/page/")
    assert status == 404 and "Page not found" in body  # the site's own 404 page, with live reload
    assert get(server.port, "/people/alice-nguyen/")[0] == 200


def test_a_port_in_use_moves_to_the_next_free_one(site_root: Path) -> None:
    # bad-inputs row 40: the default bind is 127.0.0.1
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        if not _free(port + 1):
            pytest.skip("the next port is taken too")
        running = Server(site_root, port)
        try:
            running.up(port + 1)
            assert f"port {port} is in use; trying {port + 1}" in running.output()
            assert f"http://127.0.0.1:{port + 1}/" in running.output()
        finally:
            running.stop()


def test_a_new_seed_is_ingested(server: Server) -> None:
    seeds = server.root / "seeds"

    async def scenario() -> None:
        browser = await Browser.connect(server.port)
        seeds.mkdir(exist_ok=True)
        shutil.copy(REPO / "tests/fixtures/articles/dateline_afp.txt", seeds / "dateline_afp.txt")
        message = await browser.message()
        assert message["path"].startswith("/briefs/")
        page = server.root / "output" / message["path"].strip("/") / "index.html"
        assert page.is_file()

    asyncio.run(scenario())
    assert "wrote content/briefs/" in server.output()


def test_another_host_warns(site_root: Path) -> None:
    # bad-inputs row 40: another --host prints a warning
    running = Server(site_root, free_port(), "--host", "0.0.0.0")
    try:
        running.up()
        assert "warning: serving on 0.0.0.0 exposes the preview" in running.output()
    finally:
        running.stop()


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def test_watch_snapshot_skips_output_and_editor_files(site_root: Path) -> None:
    out = site_root / "content/output"  # an output folder inside a watched one is still skipped
    before = scan(site_root, out)
    briefs = site_root / "content/briefs"
    for name in (".x.md.swp", "x.md~", "4913", "x.md.tmp", "#x.md#"):
        (briefs / name).write_text("junk")
    (site_root / "content/output").mkdir()
    (site_root / "content/output/x.md").write_text("an output folder inside content is not watched")
    (site_root / "output").mkdir(exist_ok=True)
    (site_root / "output/y.html").write_text("never watched")
    assert changed_paths(before, scan(site_root, out)) == set()
    (briefs / "new.md").write_text("x")
    (site_root / "site.yaml").write_text((site_root / "site.yaml").read_text() + "\n")
    assert changed_paths(before, scan(site_root, out)) == {briefs / "new.md", site_root / "site.yaml"}


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != ".briefing-output"}


def test_memoised_rebuilds_match_cold_builds(site_root: Path, tmp_path: Path) -> None:
    """Every edit, then a cached build and a cold one: the outputs are byte-identical."""
    cache = BuildCache()
    brief = site_root / BRIEF
    follow = site_root / "content/briefs/2025-04-15-follow-up.md"
    edits: list[Callable[[], None]] = [
        lambda: None,
        lambda: edit(brief, "to discuss", "to talk about"),  # body only
        lambda: edit(brief, "date: 2025-04-14", "date: 2025-03-01"),  # order, archive, related, feed
        lambda: edit(brief, "- maritime\n", ""),  # topic pages lose it
        lambda: follow.rename(follow.with_name("2025-04-15-renamed.md")),  # brief: link now dangles
        lambda: follow.with_name("2025-04-15-renamed.md").rename(follow),  # and resolves again
        lambda: edit(site_root / "site.yaml", "name: Carol Li", "name: Carol Lee"),  # registry
        lambda: edit(site_root / "site.yaml", "name: Carol Lee", "name: [Carol Lee"),  # site.yaml broken: both fail
        lambda: edit(site_root / "site.yaml", "name: [Carol Lee", "name: Carol Lee"),  # and mended: the cached parse
        lambda: edit(site_root / "site.yaml", "name: Carol Lee", "name: Carol Li"),  # a registry seen before
        lambda: edit(site_root / "templates/base.html", "<footer", "<footer data-x=1"),  # template
    ]
    for number, change in enumerate(edits):
        change()
        try:
            build(site_root, out_dir=tmp_path / f"cold-{number}")
        except ProblemsError as exc:  # the dangling link: both fail alike
            with pytest.raises(ProblemsError) as cached_failure:
                build(site_root, out_dir=tmp_path / "cached", cache=cache)
            assert cached_failure.value.problems == exc.problems
            continue
        build(site_root, out_dir=tmp_path / "cached", cache=cache)
        assert _tree(tmp_path / "cached") == _tree(tmp_path / f"cold-{number}"), f"edit {number}"
    assert cache.stats["pages_reused"] == 0  # a template change re-renders everything


def served(site_root: Path, tmp_path: Path) -> tuple[BuildCache, Path]:
    """A cache as serve sets it up (search deferred), after its first build into tmp_path/served."""
    cache = BuildCache()
    cache.defer_search = True
    out = tmp_path / "served"
    build(site_root, out_dir=out, cache=cache)
    return cache, out


def test_deferred_search_index_catches_up_to_a_cold_build(site_root: Path, tmp_path: Path) -> None:
    """Serve publishes pages first and the search index second; after both, it equals a cold build."""
    cache, out = served(site_root, tmp_path)  # the first build indexes at once
    first_index = {p: d for p, d in _tree(out).items() if p.startswith("pagefind/")}
    assert first_index and cache.pending is None
    edit(site_root / BRIEF, "to discuss", "to discuss zanzibarite")
    build(site_root, out_dir=out, cache=cache)
    assert "zanzibarite" in (out / PAGE.removeprefix("output/")).read_text()
    assert {p: d for p, d in _tree(out).items() if p.startswith("pagefind/")} == first_index  # one build behind
    assert cache.pending is not None
    assert publish_index(site_root, out, cache) is False  # nothing indexed yet: nothing to publish
    assert cache.index_pending() is True
    assert publish_index(site_root, out, cache) is True
    build(site_root, out_dir=tmp_path / "cold")
    assert _tree(out) == _tree(tmp_path / "cold")
    assert publish_index(site_root, out, cache) is False  # already live


def test_deferred_index_of_superseded_pages_is_not_published(site_root: Path, tmp_path: Path) -> None:
    """An index finished for pages a newer build has replaced never goes live with the newer pages."""
    cache, out = served(site_root, tmp_path)
    edit(site_root / BRIEF, "to discuss", "to discuss firstedit")
    build(site_root, out_dir=out, cache=cache)
    stale = cache.pending
    edit(site_root / BRIEF, "firstedit", "secondedit")
    build(site_root, out_dir=out, cache=cache)
    assert cache.pending is not stale
    cache.pending = stale  # as if the indexer had picked up the first edit's pages
    assert cache.index_pending() is True
    before = _tree(out)
    assert publish_index(site_root, out, cache) is False
    assert _tree(out) == before


def test_search_turned_off_while_indexing_publishes_no_index(site_root: Path, tmp_path: Path) -> None:
    cache, out = served(site_root, tmp_path)
    edit(site_root / BRIEF, "to discuss", "to discuss again")
    build(site_root, out_dir=out, cache=cache)
    pending = cache.pending
    assert pending is not None
    edit(site_root / "site.yaml", "title:", "search: false\ntitle:")
    build(site_root, out_dir=out, cache=cache)
    cache.pending = pending  # the indexer had already picked up the earlier pages
    cache.index_pending()
    assert publish_index(site_root, out, cache) is False
    assert not (out / "pagefind").exists()
