"""The database counts its own changes (tracker/dataversion.py) and holds the shared cache's table.

Triggers on every table of the public apps move DataVersion.counter when a change commits, so
every write path counts (update(), bulk_create, raw SQL, loaddata, psql). They are reinstalled
after every later migrate as well (post_migrate), for tables that later migrations add. The
shared cache's table (settings.DATABASE_CACHE_TABLE) is made here, so `migrate` is all a new
installation runs; it exists even when Redis is the cache, ready for a switch back.
"""

from django.conf import settings
from django.db import migrations, models


def install(apps, schema_editor):
    from tracker.dataversion import install_triggers

    install_triggers(schema_editor.connection, apps)


def remove(apps, schema_editor):
    from tracker.dataversion import remove_triggers

    remove_triggers(schema_editor.connection, apps)


def create_cache_table(apps, schema_editor):
    from django.core.management.commands.createcachetable import Command

    alias = schema_editor.connection.alias
    command = Command()
    command.verbosity = 0
    command.create_table(alias, settings.DATABASE_CACHE_TABLE, dry_run=False)


def drop_cache_table(apps, schema_editor):
    quote = schema_editor.connection.ops.quote_name
    schema_editor.execute(f"DROP TABLE IF EXISTS {quote(settings.DATABASE_CACHE_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [
        # None on the public apps: their tables that exist now get their triggers here, the others
        # when the same migrate ends (post_migrate), so later migrations of those apps never wait on this one.
        ("tracker", "0001_data_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="dataversion",
            name="counter",
            field=models.BigIntegerField(
                default=0, help_text="Committed changes to the public tables, counted by database triggers."
            ),
        ),
        migrations.AlterField(
            model_name="dataversion",
            name="token",
            field=models.CharField(help_text="Random; new for every database and every restore.", max_length=32),
        ),
        migrations.AlterField(
            model_name="dataversion",
            name="changed_at",
            field=models.DateTimeField(help_text="When the last counted change committed."),
        ),
        migrations.RunPython(create_cache_table, drop_cache_table),
        migrations.RunPython(install, remove),
    ]
