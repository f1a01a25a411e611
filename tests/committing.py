"""Committing inside a test's transaction, as far as the caches can tell."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection


@contextmanager
def committed(django_capture_on_commit_callbacks):
    """Run the block as if its transaction committed: first what the database does at COMMIT
    (PostgreSQL runs the deferred trigger that counts the change; tracker/dataversion.py), then
    the app's on-commit callbacks. Yields the list of the block's callbacks.

    A commit also runs the callbacks registered before the block (by a fixture's writes, say), so
    they run too, once: the data version's publisher registers itself once per transaction, and a
    write in the block finds the fixture's still waiting."""
    earlier = list(connection.run_on_commit)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        yield callbacks
        connection.check_constraints()  # SET CONSTRAINTS ALL IMMEDIATE on PostgreSQL: deferred triggers fire
    for entry in earlier:
        if entry in connection.run_on_commit:
            connection.run_on_commit.remove(entry)
            entry[1]()
