"""The search index: Pagefind reads the rendered brief pages and its files become OutputFiles.

Pagefind runs as a service (the `pagefind_bin` binary from PyPI, offline) behind an async Python
API. Pages go in from memory (`add_html_file`) and the bundle comes back in memory (`get_files`),
so the index is written with everything else, by write_output, or not at all.
Pagefind is pinned (pyproject.toml) to 1.4.0, whose output is byte-stable for the same input;
1.5.x writes filter indexes in hash-map order (tests/test_search.py holds the proof).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import hashlib
import logging
import os
import shutil
import signal
import threading
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import Any, TypeVar

from . import urls
from .errors import Problem, ProblemsError
from .model import OutputFile

log = logging.getLogger(__name__)

INDEXED_TEMPLATES = frozenset({"brief.html"})  # pages that become search results
BUNDLE_PREFIX = urls.output_path(urls.PAGEFIND).removesuffix("index.html")  # "pagefind/"
PAGEFIND_PIN = "1.4.0"  # as pinned in pyproject.toml; part of the cache key
HOLD_POLL = 0.01  # seconds between looks at `hold` while serve rebuilds
TIMEOUT = 600.0  # seconds for the whole index; Pagefind takes well under a second per 100 pages
# What the site's own search script (templates/static/search.js) loads; Pagefind's UI bundles are left out.
KEEP_FILES = ("pagefind.js", "pagefind-worker.js", "pagefind-entry.json")
KEEP_SUFFIXES = (".pf_meta", ".pf_fragment", ".pf_index", ".pf_filter", ".pagefind")

T = TypeVar("T")


def search_files(files: Sequence[OutputFile], language: str, cache_dir: Path | None = None,
                 background: bool = False, hold: threading.Event | None = None) -> list[OutputFile]:
    """The Pagefind index of the brief pages among `files`, as OutputFiles under pagefind/.

    With `cache_dir`, the bundle of the last build is kept there under a hash of everything it
    depends on (the indexed pages, the language, the pinned Pagefind), and reused when that is equal.
    `background` runs Pagefind at the lowest CPU priority, so that it never slows a build (serve),
    and while `hold` is set, stops feeding it pages (which leaves this thread's share of the GIL
    to serve's rebuild).
    """
    pages = sorted((f for f in files if f.source in INDEXED_TEMPLATES), key=lambda f: f.path)
    lang = language.split("-")[0].lower() or "en"
    key = _cache_key(pages, lang)
    cached = _read_cache(cache_dir, key) if cache_dir else None
    if cached is not None:
        return cached
    found = _search_files(pages, lang, background, hold)
    if cache_dir:
        _write_cache(cache_dir, key, found)
    return found


def _cache_key(pages: Sequence[OutputFile], language: str) -> str:
    digest = hashlib.sha256(f"pagefind {PAGEFIND_PIN} {language}\n".encode())
    for page in pages:
        digest.update(page.path.encode() + b"\0" + hashlib.sha256(page.data).digest())
    return digest.hexdigest()[:32]


def _read_cache(cache_dir: Path, key: str) -> list[OutputFile] | None:
    folder = cache_dir / "pagefind" / key
    if not (folder / ".complete").is_file():
        return None
    paths = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != ".complete")
    return [OutputFile(BUNDLE_PREFIX + p.relative_to(folder).as_posix(), p.read_bytes(), "pagefind") for p in paths]


def _write_cache(cache_dir: Path, key: str, found: Sequence[OutputFile]) -> None:
    """Keep this bundle (and only this one) for the next build; a failure here only costs speed."""
    root = cache_dir / "pagefind"
    try:
        if root.is_dir():
            shutil.rmtree(root)
        folder = root / key
        for file in found:
            target = folder / file.path.removeprefix(BUNDLE_PREFIX)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(file.data)
        (folder / ".complete").write_text("ok\n", encoding="utf-8")
    except OSError as exc:
        log.warning("search index cache not written: %s", exc)


def _search_files(pages: Sequence[OutputFile], lang: str, background: bool = False,
                  hold: threading.Event | None = None) -> list[OutputFile]:
    """Run Pagefind over `pages`."""
    import asyncio  # here, as in the functions below: 30 ms that a build without search need not pay

    try:
        bundle = _run(asyncio.wait_for(_index(pages, lang, background, hold), TIMEOUT))
    except FileNotFoundError as exc:
        message = f"search index: Pagefind binary not found ({exc}); install it: python -m pip install 'pagefind[bin]'"
        raise ProblemsError([Problem("pagefind", None, message)]) from None
    except Exception as exc:  # noqa: BLE001 - any indexer failure fails the build, with its reason
        raise ProblemsError([Problem("pagefind", None, f"search index failed: {type(exc).__name__}: {exc}")]) from None
    found = [OutputFile(BUNDLE_PREFIX + rel, data, "pagefind") for rel, data in sorted(bundle.items()) if _keep(rel)]
    log.debug("search index: %d pages, %d files", len(pages), len(found))
    return found


def _keep(rel: str) -> bool:
    return rel in KEEP_FILES or rel.endswith(KEEP_SUFFIXES)


async def _index(pages: Sequence[OutputFile], language: str, background: bool = False,
                 hold: threading.Event | None = None) -> dict[str, bytes]:
    """Index `pages` with one Pagefind service; {path inside the bundle: bytes}."""
    async with _service_class(background)() as service:
        index = await service.create_index({"force_language": language})
        for page in pages:
            if hold is not None and hold.is_set():
                await _held(hold, getattr(getattr(service, "_backend", None), "pid", None))
            url = "/" + page.path.removesuffix("index.html")
            await index.add_html_file(content=page.data.decode("utf-8"), url=url)
        return {str(f["path"]): bytes(f["content"]) for f in await index.get_files()}


def _service_class(background: bool = False) -> Any:
    """Pagefind's service client with a reader that neither sleeps nor chokes on large replies.

    pagefind 1.4.0's client polls its pipe with `sleep(0.1)` before every message, so each request
    costs 0.1 s (100 s for 1,000 pages), and it reads a reply in one `readuntil` limited to 2 MiB,
    so `get_files` on a large site stalls. This reader awaits the pipe directly, reads replies of
    any size, and hands each to its request the same way. Pagefind is pinned, and
    tests/test_search.py builds with it, so a change in the client shows up there.
    """
    import asyncio
    import base64
    import json

    from pagefind.service import PagefindService  # imported late: only builds need it

    class Service(PagefindService):
        async def launch(self) -> Any:
            if not background:
                return await super().launch()
            self._backend = await asyncio.create_subprocess_exec(
                self._bin, "--service", stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT, limit=2**21, preexec_fn=_lowest_priority)
            self._poll_task = self._loop.create_task(self._wait_for_responses())
            return self

        async def _wait_for_responses(self) -> None:
            pipe = self._backend.stdout
            assert pipe is not None
            message = bytearray()
            try:
                while True:
                    try:
                        message += await pipe.readuntil(b",")  # base64 never holds a comma
                    except asyncio.LimitOverrunError as exc:  # a reply larger than the pipe's buffer
                        message += await pipe.readexactly(exc.consumed)
                        continue
                    self._dispatch(bytes(message))
                    message.clear()
            except (asyncio.IncompleteReadError, ValueError, KeyError) as exc:
                for future in self._responses.values():
                    if not future.done():
                        future.set_exception(RuntimeError(f"pagefind service stopped answering: {exc!r}"))

        def _dispatch(self, output: bytes) -> None:
            response = json.loads(base64.b64decode(output[:-1]))
            if response is None:
                return
            payload = response["payload"]
            ident = response.get("message_id")
            if ident is None and payload.get("original_message"):
                ident = json.loads(payload["original_message"]).get("message_id")
            future = self._responses.get(ident) if ident is not None else None
            if future is None or future.done():
                log.warning("pagefind: unexpected reply %.200s", payload)
            elif payload["type"] == "Error":
                future.set_exception(RuntimeError(payload.get("message", "pagefind error")))
            else:
                future.set_result(payload)

    return Service


async def _held(hold: threading.Event, pid: int | None) -> None:
    """Wait while `hold` is set, with Pagefind itself stopped (SIGSTOP), so that on a machine with
    few cores serve's rebuild has them all; it continues where it was."""
    import asyncio

    stopped = False
    try:
        if pid is not None and hasattr(signal, "SIGSTOP"):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGSTOP)
                stopped = True
        while hold.is_set():
            await asyncio.sleep(HOLD_POLL)
    finally:
        if stopped:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGCONT)  # type: ignore[arg-type]


def _lowest_priority() -> None:
    """In the Pagefind child before it starts: nice 19, inherited by every thread it makes."""
    os.nice(19)


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to the end, also when this thread already runs an event loop (serve)."""
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()
