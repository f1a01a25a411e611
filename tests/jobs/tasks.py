"""Tasks for the job tests (a real worker imports them by their path, tests.jobs.tasks.…)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from jobs.queue import job


@job
def note(path: str, text: str) -> str:
    """Append `text` and this process's id to the file at `path`."""
    with open(path, "a") as out:
        out.write(f"{text} {os.getpid()}\n")
    return text


@job
def fail_until(path: str, failures: int) -> int:
    """Fail the first `failures` calls (counted in the file at `path`), then succeed."""
    file = Path(path)
    calls = len(file.read_text().splitlines()) + 1 if file.exists() else 1
    with file.open("a") as out:
        out.write(f"call {calls}\n")
    if calls <= failures:
        raise RuntimeError(f"call {calls} fails on purpose")
    return calls


@job
def slow_the_first_time(path: str, seconds: float) -> str:
    """Note the start; the first run then sleeps `seconds` (long enough to be killed), later ones do not."""
    file = Path(path)
    first = not file.exists()
    with file.open("a") as out:
        out.write(f"started {os.getpid()}\n")
    if first:
        time.sleep(seconds)
    with file.open("a") as out:
        out.write("done\n")
    return "done"
