# RestructurePlan moved to ``restructuring`` (see restructuring/0001_initial): removed from
# orgs' state only; the table stays, owned by restructuring now.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0004_drop_head_is_member"),
        ("restructuring", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="RestructurePlan")],
        ),
    ]
