# The organizations' Vietnamese sort key and folded search key (issue 23: organizations sorted
# the Vietnamese way, searchable pickers), filled for the rows that exist.

from django.db import migrations, models

import dangbo.core.fields

BATCH = 2000


def fill_keys(apps, schema_editor):
    from dangbo.core.text import fold, org_sort_key

    Org = apps.get_model("orgs", "Org")
    batch = []
    for org in Org.objects.only("pk", "code", "name").iterator(chunk_size=BATCH):
        org.sort_key = org_sort_key(org.name)
        org.search_key = fold(f"{org.code} {org.name}")
        batch.append(org)
        if len(batch) >= BATCH:
            Org.objects.bulk_update(batch, ["sort_key", "search_key"])
            batch = []
    if batch:
        Org.objects.bulk_update(batch, ["sort_key", "search_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0005_restructure_plan_moved"),
    ]

    operations = [
        migrations.AddField(
            model_name="org",
            name="sort_key",
            field=dangbo.core.fields.BinaryCharField(default="", max_length=800),
        ),
        migrations.AddField(
            model_name="org",
            name="search_key",
            field=dangbo.core.fields.BinaryCharField(default="", max_length=320),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="org",
            index=models.Index(fields=["parent", "sort_key"], name="org_children_order"),
        ),
    ]
