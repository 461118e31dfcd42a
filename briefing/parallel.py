"""Work split across CPU cores with fork: a child inherits everything already loaded (templates,
the site, caches) copy-on-write, computes its share, and sends back only the results.

No pool, no globals: `fork_map` forks its children, does one share itself, and collects the rest
through pipes (read by threads, so a child never blocks on a full pipe while the parent works).
Where fork is missing, the work is small, or other threads run (a fork copies only the calling
thread, and a lock another thread held would stay held in the child), everything runs here.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import pickle
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from .errors import Problem, ProblemsError

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

MIN_SHARE = 200  # items per child below which forking costs more than it saves


def workers() -> int:
    """How many processes to use: the CPUs this process may run on, at most 4."""
    try:
        count = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        count = os.cpu_count() or 1
    return max(1, min(4, count))


def fork_map(func: Callable[[Sequence[T]], list[R]], items: Sequence[T], processes: int | None = None,
             work: int | None = None, parent_works: bool = True) -> list[R]:
    """func over `items`, in order, with the items dealt to up to `processes` processes.

    `func` maps a slice of items to one result per item. A ProblemsError in any share is raised
    here with the problems of every share; any other failure in a child is raised as RuntimeError.
    `work` is how many units of work the items stand for (default: one each), which decides
    whether forking pays. Without `parent_works`, every share goes to a child and this process
    only gathers: whatever a share leaves behind in memory (heap a process never gives back)
    then ends with its child, and the parent stays small.
    """
    count = min(processes or workers(), max(1, (len(items) if work is None else work) // MIN_SHARE))
    if count <= 1 or not hasattr(os, "fork") or threading.active_count() > 1:
        return func(items)  # fork only from a single-threaded process (serve has threads: it runs here)
    shares = [items[i::count] for i in range(count)]
    children: list[tuple[int, _Reader]] = []
    gc.freeze()  # what exists now is never collected in a child: a collection there walks only its own objects
    for share in shares[1:] if parent_works else shares:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: compute, send, and leave without running the parent's cleanup
            os.close(read_end)
            _child(func, share, write_end)
        os.close(write_end)
        reader = _Reader(read_end)
        reader.start()
        children.append((pid, reader))
    gc.unfreeze()
    problems: list[Problem] = []
    results: list[list[R]] = []
    if parent_works:
        try:
            results.append(func(shares[0]))
        except ProblemsError as exc:
            problems.extend(exc.problems)
            results.append([])
    failure = None
    for pid, reader in children:
        reader.join()
        os.waitpid(pid, 0)
        kind, payload = reader.result
        if kind == "ok":
            results.append(payload)  # type: ignore[arg-type]  # what func returned, unpickled
        elif kind == "problems":
            problems.extend(payload)  # type: ignore[arg-type]
            results.append([])
        else:
            failure = failure or payload
    if failure:
        raise RuntimeError(f"a worker process failed:\n{failure}")
    if problems:
        raise ProblemsError(problems)
    merged: list[R] = [None] * len(items)  # type: ignore[list-item]
    for i, part in enumerate(results):
        merged[i::count] = part
    return merged


@contextlib.contextmanager
def beside(job: Callable[[], None]) -> Iterator[None]:
    """Run `job` (a side task, e.g. saving a cache) in a forked child while the with-block runs
    here, and wait for it at the end. Runs it here after the block where fork cannot be used."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        yield
        job()
        return
    pid = os.fork()
    if pid == 0:
        status = 0
        try:
            job()
        except BaseException:  # noqa: BLE001 - reported through the exit status
            status = 1
        finally:
            os._exit(status)
    try:
        yield
    finally:
        _, status = os.waitpid(pid, 0)
        if status:
            log.warning("a side task failed in its worker process (exit status %d)", os.waitstatus_to_exitcode(status))


def _child(func: Callable[[Sequence[T]], list[R]], share: Sequence[T], fd: int) -> None:
    status = 0
    try:
        try:
            message: tuple[str, object] = ("ok", func(share))
        except ProblemsError as exc:
            message = ("problems", list(exc.problems))
        except BaseException:  # noqa: BLE001 - reported to the parent, which raises it
            message = ("crash", traceback.format_exc())
        with os.fdopen(fd, "wb") as pipe:
            pickle.dump(message, pipe, protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException:  # noqa: BLE001 - nothing else may run in a forked child
        status = 1
    finally:
        os._exit(status)


class _Reader(threading.Thread):
    """Reads one child's pickled answer while the parent does its own share."""

    def __init__(self, fd: int) -> None:
        super().__init__(daemon=True)
        self.fd = fd
        self.result: tuple[str, object] = ("crash", "the worker process ended without an answer")

    def run(self) -> None:
        with os.fdopen(self.fd, "rb") as pipe:
            try:
                self.result = pickle.load(pipe)  # object by object: the raw answer is never held whole
            except EOFError:
                pass  # no answer at all: the default says so
            except Exception as exc:  # noqa: BLE001 - a truncated answer is a failed worker
                self.result = ("crash", f"unreadable answer from a worker: {exc!r}")
