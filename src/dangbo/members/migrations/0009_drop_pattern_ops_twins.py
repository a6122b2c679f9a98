"""Drop the pattern-ops twins PostgreSQL got for the unique national ID and card number.

Django adds a ``varchar_pattern_ops`` index beside every indexed CharField on PostgreSQL,
for ``LIKE 'abc%'`` lookups. Both numbers are only ever looked up whole (equality, served by
the unique index), and each extra index is written on every change of a member row — a
restructuring re-paths hundreds of thousands of them."""

from django.db import migrations

TWINS = ("members_member_national_id_9e760f80_like", "members_member_card_number_429e92e0_like")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in TWINS:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def restore(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{TWINS[0]}" ON members_member (national_id varchar_pattern_ops)')
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{TWINS[1]}" ON members_member (card_number varchar_pattern_ops)')


class Migration(migrations.Migration):
    dependencies = [("members", "0008_code_list_references_unindexed")]

    operations = [migrations.RunPython(drop, restore)]
