"""Committing inside a test's transaction, as far as the caches can tell."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection


@contextmanager
def committed(django_capture_on_commit_callbacks):
    """Run the block as if its transaction committed: first what the database does at COMMIT
    (PostgreSQL runs the deferred trigger that counts the change; tracker/dataversion.py), then
    the app's on-commit callbacks. Yields the list of those callbacks."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        yield callbacks
        connection.check_constraints()  # SET CONSTRAINTS ALL IMMEDIATE on PostgreSQL: deferred triggers fire
