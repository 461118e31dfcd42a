"""Opt-in external link fetching: timeout, retries with backoff, a per-host limit, a disk cache."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

USER_AGENT = "briefing-linkcheck/0.1 (+https://pypi.org/project/briefing/)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class Fetched:
    """The outcome of checking one external URL."""

    url: str
    ok: bool
    status: int | None
    error: str | None
    cached: bool = False


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """How hard to try: seconds per request, retries, requests per host at once, cache age."""

    timeout: float = 10.0
    retries: int = 2
    per_host: int = 2
    workers: int = 8
    backoff: float = 0.5
    max_age: float = 86_400.0


DEFAULT_POLICY = FetchPolicy()
Cache = dict[str, dict[str, float]]


def fetch_all(links: Sequence[str], cache_file: Path | None, policy: FetchPolicy = DEFAULT_POLICY,
              clock: Callable[[], float] = time.time) -> dict[str, Fetched]:
    """Check each unique URL once; successes are cached on disk for policy.max_age seconds."""
    cache = _load_cache(cache_file)
    now = clock()
    results: dict[str, Fetched] = {}
    todo = []
    for url in sorted(set(links)):
        entry = cache.get(url)
        if entry and now - entry.get("checked", 0.0) < policy.max_age:
            results[url] = Fetched(url, True, int(entry.get("status", 0)), None, cached=True)
        else:
            todo.append(url)
    hosts: dict[str, threading.Semaphore] = {}
    for url in todo:
        hosts.setdefault(urlsplit(url).netloc.lower(), threading.Semaphore(max(1, policy.per_host)))

    def one(url: str) -> Fetched:
        with hosts[urlsplit(url).netloc.lower()]:
            return _fetch(url, policy)

    with ThreadPoolExecutor(max_workers=max(1, policy.workers)) as pool:
        for fetched in pool.map(one, todo):
            results[fetched.url] = fetched
            if fetched.ok:
                cache[fetched.url] = {"status": float(fetched.status or 0), "checked": now}
    _save_cache(cache_file, cache)
    return dict(sorted(results.items()))


def _fetch(url: str, policy: FetchPolicy) -> Fetched:
    if urlsplit(url).scheme not in ("http", "https"):
        return Fetched(url, False, None, "only http(s) links can be checked")
    status: int | None = None
    error: str | None = None
    for attempt in range(policy.retries + 1):
        if attempt:
            time.sleep(min(policy.backoff * 2 ** (attempt - 1), 5.0))
        status, error = _request(url, "HEAD", policy.timeout)
        if status in (405, 501):
            status, error = _request(url, "GET", policy.timeout)
        if status is not None and 200 <= status < 400:
            return Fetched(url, True, status, None)
        if status is not None and status not in RETRY_STATUSES:
            break
    return Fetched(url, False, status, error or f"HTTP {status}")


def _request(url: str, method: str, timeout: float) -> tuple[int | None, str | None]:
    request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) only
            return int(response.status), None
    except urllib.error.HTTPError as exc:
        return int(exc.code), None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return None, f"{type(exc).__name__}: {reason}"


def _load_cache(path: Path | None) -> Cache:
    if path is None or not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {url: entry for url, entry in data.items()
            if isinstance(entry, dict) and all(isinstance(v, int | float) for v in entry.values())}


def _save_cache(path: Path | None, cache: Cache) -> None:
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(cache, sort_keys=True, indent=1), encoding="utf-8")
    tmp.replace(path)
