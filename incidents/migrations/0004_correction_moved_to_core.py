"""The corrections log now lives in `core` (core 0001 took over its table and content type)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0003_attribution_counted"),
        ("core", "0001_correction_moved_from_incidents"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="Correction")], database_operations=[]),
    ]
