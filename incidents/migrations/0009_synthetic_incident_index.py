# Written by hand: an index for the fictional-data banner, not part of the models' state.

from django.db import migrations

# Every rendered page asks whether any fictional record exists (tracker/context_processors.py:
# ``EXISTS … WHERE is_synthetic``). On a database with none, the real one, that read every
# incident; the partial index holds only the fictional ones, so the answer is one index probe
# either way. Plain SQL that SQLite and PostgreSQL both understand, as in 0008.
SYNTHETIC = "CREATE INDEX IF NOT EXISTS incident_synthetic ON incidents_incident (id) WHERE is_synthetic"


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0008_published_incident_province_index"),
    ]

    operations = [
        migrations.RunSQL(SYNTHETIC, reverse_sql="DROP INDEX IF EXISTS incident_synthetic"),
    ]
