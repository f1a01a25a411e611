"""Independent database reads of one request, run at once, each on its own connection.

A statistics page is a dozen grouped queries over the same tables, none depending on another.
Run one after the other they leave one of the machine's cores idle while the other waits for
the database; run at once, the database works on several of them while Python assembles the
others' results. ``run_concurrently(f, g, h)`` returns ``[f(), g(), h()]`` either way.

They run one after the other, in the calling thread, whenever running them at once could change
a result or is not worth it:

- ``STATS_THREADS`` is 0 or 1 (the setting; default 4);
- the caller is inside a transaction (``atomic``, and every test that uses the test database's
  rolled-back transaction): another connection would not see its uncommitted writes;
- the caller is itself one of the pool's threads (no task waits for another: no deadlock);
- there is only one call.

Each worker process has its own pool, made on first use (so never before gunicorn forks), of
``STATS_THREADS - 1`` threads: the calling thread runs the first call itself. A pool thread keeps
its database connection between tasks as a request's thread does (a new PostgreSQL backend
answers its first queries tens of milliseconds slower), and each task starts and ends as a
request does, with ``close_old_connections``: a connection older than ``CONN_MAX_AGE`` is closed,
and one that went away with a database restart is replaced (``CONN_HEALTH_CHECKS``). An
exception in a task is raised again in the caller, as if the call had been made there.
``reset()`` closes the threads' connections and stops them (tests call it before the test
database is dropped).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connections

_local = threading.local()
_lock = threading.Lock()
_pool: tuple[int, int, ThreadPoolExecutor] | None = None  # (the process it was made in, its threads, the pool)


def threads() -> int:
    """Connections a statistics page may use at once, the request's own included (at least 1)."""
    return max(1, int(getattr(settings, "STATS_THREADS", 4)))


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _lock:
        if _pool is None or _pool[0] != os.getpid():  # a forked child never uses its parent's threads
            size = threads() - 1
            _pool = (os.getpid(), size, ThreadPoolExecutor(max_workers=size, thread_name_prefix="stats"))
        return _pool[2]


def _in_transaction() -> bool:
    return any(connection.in_atomic_block for connection in connections.all(initialized_only=True))


def runs_concurrently(calls: int = 2) -> bool:
    """Whether ``run_concurrently`` with this many calls would use the pool here and now."""
    return calls > 1 and threads() > 1 and not getattr(_local, "in_pool", False) and not _in_transaction()


def _task(call: Callable[[], Any]) -> Any:
    _local.in_pool = True
    close_old_connections()
    try:
        return call()
    finally:
        close_old_connections()


def run_concurrently(*calls: Callable[[], Any]) -> list[Any]:
    """``[call() for call in calls]``, the calls made at once when that is safe (see above)."""
    if not runs_concurrently(len(calls)):
        return [call() for call in calls]
    executor = _executor()
    futures = [executor.submit(_task, call) for call in calls[1:]]
    try:
        first = calls[0]()
    finally:
        wait(futures)  # every task is waited for, even when the first call failed: none outlives the request
    return [first, *(future.result() for future in futures)]  # a task's exception is raised here


def reset() -> None:
    """Close every pool thread's database connections and stop the threads; the next
    ``run_concurrently`` makes a new pool. For tests, and for a process about to drop its database."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is None or pool[0] != os.getpid():
        return
    _, size, executor = pool
    # One closing task per thread: each waits at the barrier until every thread holds one, so no
    # thread can take two and leave another's connection open.
    barrier = threading.Barrier(size)

    def close() -> None:
        barrier.wait(timeout=10)
        connections.close_all()

    wait([executor.submit(close) for _ in range(size)])
    executor.shutdown(wait=True)
