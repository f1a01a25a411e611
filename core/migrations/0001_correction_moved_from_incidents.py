"""The corrections log moves from `incidents` to `core` (the bottom app), keeping every row.

The model's state is created here on the existing table, the table is renamed, and the content
type is renamed so the permissions on it (and the groups holding them) carry over. Runs after
the roles migration, which names the permissions as they were then (cases 0003).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def rename_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="core", model="correction").delete()  # never any rows yet
    ContentType.objects.filter(app_label="incidents", model="correction").update(app_label="core")


def restore_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="core", model="correction").update(app_label="incidents")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
        ("incidents", "0003_attribution_counted"),
        ("cases", "0003_roles"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Correction",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("object_id", models.PositiveBigIntegerField()),
                        ("record_label", models.CharField(help_text="The record's public title at the time.", max_length=300)),
                        ("record_url", models.CharField(blank=True, max_length=300)),
                        ("field", models.CharField(blank=True, help_text="Empty for a retraction or a note.", max_length=100)),
                        ("old_value", models.TextField(blank=True)),
                        ("new_value", models.TextField(blank=True)),
                        ("note", models.TextField(blank=True, help_text="Public explanation of the change.")),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        ("content_type", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to="contenttypes.contenttype")),
                        ("created_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={"ordering": ["-created_at", "-id"], "db_table": "incidents_correction"},
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(rename_content_type, restore_content_type),
        migrations.AlterModelTable(name="correction", table=None),
    ]
