"""Create the database cache table, so `migrate` alone prepares everything (no extra step)."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # A no-op when the cache is Redis or the table exists already.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("comparison", "0005_history_version_freshness")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
