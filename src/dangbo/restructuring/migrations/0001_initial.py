# RestructurePlan moved here from ``orgs`` (issue 17: restructuring owns its plans) without
# touching the database: the table orgs_restructureplan keeps its name, constraint and rows.
# This migration creates the model in Django's state only; orgs/0005 (which runs after it)
# removes it from orgs' state.

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


def _move_content_type(apps, schema_editor):
    """Carry the content type (and with it the permissions and admin log entries) of the
    moved model over to this app, where it exists (a database older than the move)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    manager = ContentType.objects.db_manager(schema_editor.connection.alias)
    if not manager.filter(app_label="restructuring", model="restructureplan").exists():
        manager.filter(app_label="orgs", model="restructureplan").update(app_label="restructuring")
    if hasattr(manager, "clear_cache"):
        manager.clear_cache()


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("orgs", "0004_drop_head_is_member"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
        migrations.CreateModel(
            name='RestructurePlan',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('file_name', models.CharField(max_length=255, verbose_name='tên tệp')),
                ('content', models.BinaryField(verbose_name='nội dung tệp')),
                ('sha256', models.CharField(db_index=True, max_length=64, verbose_name='mã kiểm tra SHA-256')),
                ('uploaded_at', models.DateTimeField(auto_now_add=True)),
                ('report', models.JSONField(blank=True, default=dict)),
                ('reported_at', models.DateTimeField(blank=True, null=True)),
                ('applied_at', models.DateTimeField(blank=True, null=True)),
                ('applied_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('uploaded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'phương án sắp xếp tổ chức',
                'verbose_name_plural': 'phương án sắp xếp tổ chức',
                'db_table': 'orgs_restructureplan',
                'ordering': ['-uploaded_at'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('applied_at__isnull', False)), fields=('sha256',), name='restructure_plan_applied_once')],
            },
        ),
            ],
        ),
        migrations.RunPython(_move_content_type, migrations.RunPython.noop),
    ]
