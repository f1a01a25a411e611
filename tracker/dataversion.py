"""The data version: a name for the current state of the public data, moved by every committed change.

Cached pages (tracker/pagecache.py) and cached statistics (dashboard/cache.py) are stored under
it, so nothing cached can outlive the data it was made from. Three parts:

1. **The database counts the changes.** Every table of the public apps (``PUBLIC_DATA_APPS``) has a
   trigger that counts a committed change in ``tracker_dataversion.counter``, whatever wrote it:
   ``save()``, ``update()``, ``bulk_create``, raw SQL, ``loaddata``, a script in psql.

   - PostgreSQL: a statement-level trigger notes the transaction in ``tracker_pendingchange``
     (one row per transaction, ``ON CONFLICT DO NOTHING``); a constraint trigger deferred to
     COMMIT adds one to the counter and removes the note. The counter's row is locked only while
     a writer commits, never during its work, so a long import does not hold up a monitor's save
     (a row updated inside every writer's transaction would serialise them all). It counts in
     commit order, which a sequence's next value would not (ids are handed out when a
     transaction inserts, not when it commits, so a maximum id can miss a later commit).
   - SQLite: row-level triggers add one to the counter inside the writer's transaction; SQLite
     runs one writer at a time anyway.

   The triggers are (re)installed after every ``migrate`` (``post_migrate``), so tables added
   by later migrations are counted too; migration 0002 installs them first.

2. **The app carries the version in the shared cache.** When the app commits a write to a public
   table (seen by a wrapper around every SQL statement the app runs, so ``update()`` and raw SQL
   count, not only ``save()``), it copies the database's version into the shared cache, and
   every process on every host reads it from there without a query. A process trusts that copy
   for ``settings.DATA_VERSION_CACHE_SECONDS``, the bound on how late a change made outside the
   app is seen; 0 reads the database on every request.

3. **Readers read the version before the data.** A change committed in between makes the cached
   entry newer than its name, never older.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from typing import Any

from django.apps import apps as global_apps
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.utils import InterfaceError, OperationalError
from django.dispatch import Signal
from django.utils import timezone

# Records of these apps are what the public pages show.
PUBLIC_DATA_APPS = ("core", "incidents", "cases")
VERSION_KEY = "data-version"
DATABASE_ERRORS = (OperationalError, InterfaceError)

# Sent (without arguments) after the app committed a change to the public data, once per transaction.
version_changed = Signal()


# --- 1. The database counts the changes -----------------------------------------------------------


def public_tables(app_registry=global_apps) -> list[str]:
    """The tables of the public apps, many-to-many link tables included (from the app registry)."""
    tables = set()
    for label in PUBLIC_DATA_APPS:
        try:
            config = app_registry.get_app_config(label)
        except LookupError:
            continue
        for model in config.get_models(include_auto_created=True):
            opts = model._meta
            if opts.managed and not opts.proxy and not opts.swapped:
                tables.add(opts.db_table)
    return sorted(tables)


POSTGRESQL_FUNCTIONS = [
    "CREATE TABLE IF NOT EXISTS tracker_pendingchange (txid bigint PRIMARY KEY)",
    """CREATE OR REPLACE FUNCTION tracker_note_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO tracker_pendingchange (txid) VALUES (txid_current()) ON CONFLICT DO NOTHING;
        RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION tracker_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE tracker_dataversion SET counter = counter + 1, changed_at = clock_timestamp();
        DELETE FROM tracker_pendingchange WHERE txid = NEW.txid;
        RETURN NULL;
    END $$""",
]
POSTGRESQL_COUNT_TRIGGER = """CREATE CONSTRAINT TRIGGER tracker_count_change AFTER INSERT ON tracker_pendingchange
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION tracker_count_change()"""


def _postgresql_statements(tables: Iterable[str], quote, existing: set[str]) -> list[str]:
    statements = list(POSTGRESQL_FUNCTIONS)
    if "tracker_pendingchange" not in existing:
        statements.append(POSTGRESQL_COUNT_TRIGGER)
    statements += [
        f"CREATE TRIGGER tracker_note_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {quote(table)} "
        "FOR EACH STATEMENT EXECUTE FUNCTION tracker_note_change()"
        for table in tables
        if table not in existing
    ]
    return statements


def _postgresql_triggered_tables(cursor) -> set[str]:
    cursor.execute(
        "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE t.tgname IN ('tracker_note_change', 'tracker_count_change') AND pg_table_is_visible(c.oid)"
    )
    return {name for (name,) in cursor.fetchall()}


def _sqlite_trigger_name(table: str, event: str) -> str:
    return f"tracker_count_{event.lower()}_{table}"


def _sqlite_statements(tables: Iterable[str], quote) -> list[str]:
    count = "UPDATE tracker_dataversion SET counter = counter + 1, changed_at = strftime('%Y-%m-%d %H:%M:%f', 'now');"
    return [
        f"CREATE TRIGGER IF NOT EXISTS {quote(_sqlite_trigger_name(table, event))} AFTER {event} ON {quote(table)} "
        f"FOR EACH ROW BEGIN {count} END"
        for table in tables
        for event in ("INSERT", "UPDATE", "DELETE")
    ]


def install_triggers(connection, app_registry=global_apps) -> int:
    """Create the counting triggers on every public table that has none yet; returns how many tables
    are counted. Idempotent, and it touches no table that already has its trigger: ``make serve``
    migrates on every start, and (re)creating a trigger would lock a table other hosts are reading.

    Other databases get none: there the cached version moves only with the app's own writes
    (and after DATA_VERSION_CACHE_SECONDS).
    """
    tables = [t for t in public_tables(app_registry) if t in connection.introspection.table_names()]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            statements = _postgresql_statements(tables, quote, _postgresql_triggered_tables(cursor))
        elif connection.vendor == "sqlite":
            statements = _sqlite_statements(tables, quote)
        else:
            return 0
        for statement in statements:
            cursor.execute(statement)
    return len(tables)


def remove_triggers(connection, app_registry=global_apps) -> None:
    """Drop what install_triggers made (the reverse of migration 0002)."""
    quote = connection.ops.quote_name
    tables = [t for t in public_tables(app_registry) if t in connection.introspection.table_names()]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in tables:
                cursor.execute(f"DROP TRIGGER IF EXISTS tracker_note_change ON {quote(table)}")
            cursor.execute("DROP TABLE IF EXISTS tracker_pendingchange")
            cursor.execute("DROP FUNCTION IF EXISTS tracker_note_change(), tracker_count_change()")
        elif connection.vendor == "sqlite":
            for table in tables:
                for event in ("INSERT", "UPDATE", "DELETE"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {quote(_sqlite_trigger_name(table, event))}")


def install_after_migrate(sender, using=DEFAULT_DB_ALIAS, apps=global_apps, **kwargs) -> None:
    """post_migrate receiver (TrackerConfig.ready): tables made by any migration get their trigger."""
    if sender.label == "tracker":  # once per migrate, when the version table exists
        install_triggers(connections[using], apps)


# --- 2. The version, from the shared cache or the database ---------------------------------------


def new_token() -> str:
    return uuid.uuid4().hex


def database_version(using: str = DEFAULT_DB_ALIAS) -> str:
    """The database's version, ``token-counter`` (one query).

    A database without the row (flushed, e.g. between transactional tests) gets one with a new
    random token, so two such databases never share a version.
    """
    from .models import DataVersion

    row = DataVersion.objects.using(using).filter(pk=1).values_list("token", "counter").first()
    if row is None:
        made, _ = DataVersion.objects.using(using).get_or_create(
            pk=1, defaults={"token": new_token(), "changed_at": timezone.now()}
        )
        row = made.token, made.counter
    return f"{row[0]}-{row[1]}"


def current_version() -> str | None:
    """The version to key cached pages and figures on: from the shared cache when trusted, else the
    database's. None when the database does not answer (nothing is then cached or served from the cache)."""
    seconds = settings.DATA_VERSION_CACHE_SECONDS
    if seconds:
        version = cache.get(VERSION_KEY)
        if version is not None:
            return version
    try:
        version = database_version()
    except DATABASE_ERRORS:
        return None
    if seconds:
        # add, not set: a change committed since our read has already put a newer version there.
        cache.add(VERSION_KEY, version, seconds)
    return version


def current_version_with(key: str) -> tuple[str | None, Any]:
    """The current version (as `current_version`) and the shared cache's value under `key`, in one
    round trip to the cache when the version is trusted there: the page cache's lookup on every
    anonymous request. The version is still read before whatever `key` names was made from the data."""
    if settings.DATA_VERSION_CACHE_SECONDS:
        found = cache.get_many([VERSION_KEY, key])
        if VERSION_KEY in found:
            return found[VERSION_KEY], found.get(key)
    version = current_version()
    return version, (cache.get(key) if version is not None else None)


def publish_version() -> None:
    """Read the database's version after a commit and copy it into the shared cache (when trusted there).

    Written, then checked against the database again: when two commits publish at once, the one
    whose older reading landed last sees the difference and writes again, so the cache always ends
    on the newest version.
    """
    version = database_version()
    seconds = settings.DATA_VERSION_CACHE_SECONDS
    if not seconds:
        return
    for _ in range(3):
        cache.set(VERSION_KEY, version, seconds)
        latest = database_version()
        if latest == version:
            return
        version = latest


def data_changed() -> None:
    """Retire every cached page and figure once the current transaction commits (at once outside one).

    For commands that replace data wholesale (restore, imports, seeds): gives the database a new
    token as well as publishing it, so even a restored database that counts again from an old
    number is a new version. The triggers already count ordinary writes.
    """
    _on_commit(_NewToken, connections[DEFAULT_DB_ALIAS])


# --- 3. The app's own writes: publish the version when they commit --------------------------------

WRITE = re.compile(r"\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+(?:ONLY\s+)?[\"`]?(\w+)", re.I)
_public = None


def _public_table_names() -> frozenset[str]:
    global _public
    if _public is None:
        _public = frozenset(public_tables())
    return _public


def watch_writes(execute, sql, params, many, context):
    """A database execute wrapper (installed on every connection): after a statement that writes a
    public table, publish the version when the transaction commits (once per transaction)."""
    result = execute(sql, params, many, context)
    match = WRITE.match(sql) if isinstance(sql, str) and sql[:12].lstrip()[:1] in "IUDTiudt" else None
    if match and match.group(1) in _public_table_names():
        _on_commit(_Publish, context["connection"])
    return result


def install_watcher(sender, connection, **kwargs) -> None:
    """connection_created receiver (TrackerConfig.ready)."""
    if watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch_writes)


class _Publish:
    """The on-commit callback; `done` once it ran (a test may run callbacks without a commit)."""

    done = False

    def __init__(self, alias: str):
        self.alias = alias

    def __call__(self) -> None:
        self.done = True
        try:
            self.change()
            publish_version()
        except DatabaseError:  # no version table yet: the first migrations of a new database
            return
        version_changed.send(sender=self.__class__)

    def change(self) -> None:
        """Nothing: the triggers counted the change."""


class _NewToken(_Publish):
    def change(self) -> None:
        """A new token: what was cached before is retired even where the counter meets an old number."""
        from .models import DataVersion

        DataVersion.objects.using(self.alias).filter(pk=1).update(token=new_token(), changed_at=timezone.now())


def _on_commit(kind: type[_Publish], connection) -> None:
    # Django drops the callbacks of a rolled-back transaction (or savepoint) from this list, so
    # "already registered" is always read from it, never remembered elsewhere.
    if not any(isinstance(entry[1], kind) and not entry[1].done for entry in connection.run_on_commit):
        transaction.on_commit(kind(connection.alias), using=connection.alias)  # at once outside a transaction
