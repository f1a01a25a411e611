"""Indexes for the public pages at scale, and the admin's plural headings.

PostgreSQL only (other databases run the same queries without them, just slower):
- GIN trigram indexes (pg_trgm) on UPPER(title), UPPER(locality), UPPER(description): the text
  search `q` is `icontains`, which Django writes as `UPPER(col::text) LIKE UPPER(%s)` on PostgreSQL;
- the list's sorts by killed / injured, NULLS LAST then newest first (SQLite cannot index NULLS LAST).
"""

from django.conf import settings
from django.db import migrations, models

TRIGRAM_COLUMNS = ("title", "locality", "description")
SORT_INDEXES = {
    "incident_killed_desc": "killed DESC NULLS LAST, date DESC, id DESC",
    "incident_killed_asc": "killed ASC NULLS LAST, date DESC, id DESC",
    "incident_injured_desc": "injured DESC NULLS LAST, date DESC, id DESC",
    "incident_injured_asc": "injured ASC NULLS LAST, date DESC, id DESC",
}


def create_postgresql_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in TRIGRAM_COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS incident_{column}_trgm ON incidents_incident "
            f"USING gin (UPPER({column}::text) gin_trgm_ops)"
        )
    for name, columns in SORT_INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON incidents_incident ({columns})")


def drop_postgresql_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in [f"incident_{column}_trgm" for column in TRIGRAM_COLUMNS] + list(SORT_INDEXES):
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="historicalincidentsource",
            options={
                "get_latest_by": ("history_date", "history_id"),
                "ordering": ("-history_date", "-history_id"),
                "verbose_name": "historical source of an incident",
                "verbose_name_plural": "historical sources of incidents",
            },
        ),
        migrations.AlterModelOptions(
            name="incidentsource",
            options={
                "ordering": ["incident", "source__title"],
                "verbose_name": "source of an incident",
                "verbose_name_plural": "sources of incidents",
            },
        ),
        migrations.AlterModelOptions(
            name="province",
            options={
                "ordering": ["name"],
                "verbose_name": "province or territory",
                "verbose_name_plural": "provinces and territories",
            },
        ),
        migrations.AddIndex(
            model_name="incident",
            index=models.Index(fields=["-updated_at", "-id"], name="incident_updated_desc"),
        ),
        migrations.RunPython(create_postgresql_indexes, drop_postgresql_indexes, elidable=False),
    ]
