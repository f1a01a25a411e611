"""Fast bulk inserts for the importer, with history rows (simple_history's tables) written alongside.

On PostgreSQL rows go in with COPY (ids taken from the table's sequence first, so links and history
can point at them); elsewhere (SQLite) through `bulk_create`, which returns ids on SQLite ≥ 3.35.
History rows are what `bulk_history_create` would write, plus the many-to-many history of the
incident's communities (which simple_history's bulk helpers leave out).
"""

from __future__ import annotations

import datetime

from django.db import connection, models


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _allocate_ids(model: type[models.Model], count: int) -> list[int]:
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, column, count]
        )
        return [row[0] for row in cursor.fetchall()]


def _copy(model: type[models.Model], columns: list[str], rows) -> None:
    quote = connection.ops.quote_name
    sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def insert(model: type[models.Model], objs: list[models.Model]) -> None:
    """Insert new objects and set their primary keys."""
    if not objs:
        return
    if not _postgres():
        model._default_manager.bulk_create(objs)
        return
    fields = model._meta.concrete_fields
    stamped = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    pk = model._meta.pk.attname
    for obj, new_id in zip(objs, _allocate_ids(model, len(objs)), strict=True):
        setattr(obj, pk, new_id)
        for field in stamped:
            field.pre_save(obj, add=True)
        obj._state.adding, obj._state.db = False, connection.alias
    _copy(model, [f.column for f in fields], ([getattr(o, f.attname) for f in fields] for o in objs))


def insert_pairs(through: type[models.Model], left: str, right: str, pairs: list[tuple[int, int]]) -> list[int]:
    """Insert many-to-many rows (left_id, right_id); return their ids in order."""
    if not pairs:
        return []
    if not _postgres():
        objs = [through(**{left: a, right: b}) for a, b in pairs]
        through._default_manager.bulk_create(objs)
        return [o.pk for o in objs]
    ids = _allocate_ids(through, len(pairs))
    _copy(through, ["id", left, right], ((i, a, b) for i, (a, b) in zip(ids, pairs, strict=True)))
    return ids


def insert_history(
    model: type[models.Model], objs: list[models.Model], *, history_type: str, user, reason: str
) -> list[int]:
    """History rows for `objs` ("+" created, "~" changed), by `user`, with `reason`; return their ids."""
    if not objs:
        return []
    history_model = model.history.model
    when = datetime.datetime.now(tz=datetime.UTC)
    special = {
        "history_date": when,
        "history_change_reason": reason,
        "history_type": history_type,
        "history_user_id": getattr(user, "pk", None),
    }
    fields = [f for f in history_model._meta.concrete_fields if f.attname != "history_id"]
    getters = [(f.attname, special.get(f.attname), f.attname in special) for f in fields]

    def values(obj):
        return [fixed if is_special else getattr(obj, name) for name, fixed, is_special in getters]

    if not _postgres():
        rows = [history_model(**dict(zip([f.attname for f in fields], values(o), strict=True))) for o in objs]
        history_model._default_manager.bulk_create(rows)
        return [row.pk for row in rows]
    ids = _allocate_ids(history_model, len(objs))
    _copy(
        history_model,
        ["history_id", *(f.column for f in fields)],
        ([history_id, *values(o)] for history_id, o in zip(ids, objs, strict=True)),
    )
    return ids


def insert_m2m_history(model: type[models.Model], field: str, rows: list[tuple[int, int, int, int]]) -> None:
    """Many-to-many history rows (through id, object id, related id, history id) for `model.field`."""
    if not rows:
        return
    m2m_history = _m2m_history_model(model, field)
    left = model._meta.get_field(field).m2m_column_name()
    right = model._meta.get_field(field).m2m_reverse_name()
    if not _postgres():
        m2m_history._default_manager.bulk_create(
            m2m_history(id=i, **{left: a, right: b}, history_id=h) for i, a, b, h in rows
        )
        return
    _copy(m2m_history, ["id", left, right, "history_id"], rows)


def _m2m_history_model(model: type[models.Model], field: str) -> type[models.Model]:
    for related in model.history.model._meta.related_objects:
        candidate = related.related_model
        if candidate.__name__ == f"{model.history.model.__name__}_{field}":
            return candidate
    raise LookupError(f"No many-to-many history model for {model.__name__}.{field}")
