"""Leave a fifth of each page of the tallies free on PostgreSQL.

Every ledger event and restructuring updates counts in place; with room on the page the
update stays on the same page and needs no new index entries (a heap-only update), which
is what made a restructuring's upserts on a 500,000-member province slow."""

from django.db import migrations


def set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE stats_orgtally SET (fillfactor = 80)")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE stats_orgtally RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("stats", "0002_dimension_width")]

    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor)]
