# Written by hand: an index for the statistics, not part of the models' state.

from django.db import migrations

# The published incidents of each province with every column the statistics read: a statistics
# filter by province then reads the province's incidents from this index alone (an index-only
# scan) instead of visiting a fifth of the incidents table, in every incident figure and, through
# the cases' incidents (``Exists`` over the links), in every court figure. Measured at 1,000,000
# incidents, province=sindh, on a busy machine: summary 0.28 -> 0.06 s, by_province 0.22 ->
# 0.05 s, by_attack_type 0.25 -> 0.07 s, by_community 0.91 -> 0.70 s, impunity 1.07 -> 0.89 s,
# the disposal times' query 0.44 -> 0.27 s. Plain SQL that SQLite and PostgreSQL both
# understand (a partial index; IF NOT EXISTS so that a benchmark database given the index by
# hand still migrates); no model field changes, so it is not in the migration state and
# makemigrations leaves it alone.
PUBLISHED_BY_PROVINCE = (
    "CREATE INDEX IF NOT EXISTS incident_published_province ON incidents_incident "
    "(province_id, date, id, killed, injured, city_id, attack_type, court_record_checked_on) "
    "WHERE status = 'published'"
)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0007_organisation_proscription_verified_case_blind_order"),
    ]

    operations = [
        migrations.RunSQL(PUBLISHED_BY_PROVINCE, reverse_sql="DROP INDEX IF EXISTS incident_published_province"),
    ]
