from django.db import migrations


def load(apps, schema_editor):
    from dangbo.reference.loader import load_all

    load_all(apps)


class Migration(migrations.Migration):
    dependencies = [("reference", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
