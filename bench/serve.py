"""Benchmark the author preview: time from saving a file to the browser's reload message.

    python bench/serve.py --briefs 1000 [--runs 7] [--out-dir DIR]

Writes the synthetic corpus (bench/corpus.py), starts `build.py serve` on a free port, connects
to its livereload websocket as livereload.js does, then for each run saves a file and times the
gap until the reload message arrives (which the server sends only after output/ is written).
Reported: median and max per kind of edit; the first (cold) build is reported separately.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from corpus import write_corpus
from tornado.websocket import WebSocketClientConnection, websocket_connect

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def connect(port: int) -> WebSocketClientConnection:
    conn = await websocket_connect(f"ws://127.0.0.1:{port}/livereload")
    hello = json.dumps({"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]})
    await conn.write_message(hello)
    await conn.read_message()
    await conn.write_message(json.dumps({"command": "info", "url": f"http://127.0.0.1:{port}/"}))
    await conn.write_message(hello)  # answered only after the info is registered
    await conn.read_message()
    return conn


async def timed_save(conn: WebSocketClientConnection, path: Path, text: str, page: Path | None,
                     marker: str | None) -> float:
    started = time.perf_counter()
    path.write_text(text, encoding="utf-8")
    message = await asyncio.wait_for(conn.read_message(), 600)
    elapsed = time.perf_counter() - started
    if message is None:
        sys.exit("server closed the websocket")
    if page is not None and marker is not None and marker not in page.read_text(encoding="utf-8"):
        sys.exit(f"reload arrived before {page} had the edit")
    return elapsed


async def measure(root: Path, port: int, runs: int) -> dict[str, list[float]]:
    conn = await connect(port)
    briefs = sorted((root / "content" / "briefs").glob("*.md"))
    css = root / "templates" / "static" / "style.css"
    results: dict[str, list[float]] = {"body edit": [], "title edit": [], "stylesheet edit": []}
    for run in range(runs):
        brief = briefs[(len(briefs) // runs) * run + len(briefs) // (2 * runs)]
        page = root / "output" / "briefs" / brief.stem / "index.html"
        text = brief.read_text(encoding="utf-8")
        marker = f"Saved in run {run} at {time.time():.6f}."
        edited = text.rstrip("\n") + f"\n\n{marker}\n"
        results["body edit"].append(await timed_save(conn, brief, edited, page, marker))
        title = f"Retitled {run} {time.time():.6f}"
        retitled = edited.replace("title: ", f"title: '{title}' #", 1)
        results["title edit"].append(await timed_save(conn, brief, retitled, page, title))
        rule = f"\n.bench-{run} {{ color: red; }}\n"
        results["stylesheet edit"].append(
            await timed_save(conn, css, css.read_text() + rule, root / "output" / "static" / "style.css",
                             f".bench-{run}"))
    conn.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--briefs", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    default_dir = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path("/tmp")
    parser.add_argument("--out-dir", type=Path, default=default_dir / "briefing-bench-serve")
    args = parser.parse_args()

    root = args.out_dir / f"site-{args.briefs}"
    write_corpus(root, args.briefs)
    port = free_port()
    log = (args.out_dir / f"serve-{args.briefs}.log").open("w")
    started = time.perf_counter()
    server = subprocess.Popen([sys.executable, str(REPO / "build.py"), "serve", "--root", str(root),
                               "--port", str(port)], stdout=log, stderr=subprocess.STDOUT,
                              env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        while True:
            if server.poll() is not None:
                sys.exit(f"server exited {server.returncode}; see {log.name}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read()
                break
            except OSError:
                time.sleep(0.05)
        print(f"{args.briefs} briefs: first build and serve in {time.perf_counter() - started:.1f} s")
        results = asyncio.run(measure(root, port, args.runs))
    finally:
        server.terminate()
        server.wait(30)
        log.close()
    print(f"save -> reload message, {args.runs} runs each (wall seconds; includes the debounce window):")
    for name, times in results.items():
        print(f"  {name:<16} median {statistics.median(times):6.3f}   max {max(times):6.3f}")
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
