# Written by hand: an index for the case list's default order, not part of the models' state.

from django.db import migrations

# The case list's default order, latest cognizance first with undated cases last, is one no other
# index gives: PostgreSQL read and sorted every published case to show fifty (a sequential scan
# and a top-N sort, 25 ms at 30,000 cases on a busy machine). This partial index holds the
# published cases in exactly that order, so the page's ids come from the index alone. PostgreSQL
# only: SQLite's CREATE INDEX has no NULLS LAST (and its lists are small).
PUBLISHED_BY_COGNIZANCE = (
    "CREATE INDEX IF NOT EXISTS case_published_cognizance ON cases_case "
    "(cognizance_date DESC NULLS LAST, id DESC) WHERE status = 'published'"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PUBLISHED_BY_COGNIZANCE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS case_published_cognizance")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0011_offence_source_case_dates_in_order"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
