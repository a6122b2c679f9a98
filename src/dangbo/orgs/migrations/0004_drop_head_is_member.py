"""Drop the stored tick ``Locality.head_is_member`` (replaced by the head's member record: 0003)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("orgs", "0003_hamlet_heads_and_versions"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="locality",
            name="head_is_member",
        ),
    ]
