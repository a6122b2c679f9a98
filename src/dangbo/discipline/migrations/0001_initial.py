# DisciplineCase moved here from ``members`` (issue 17) without touching the database: their
# tables, created by members/0006_lifecycle_exits_discipline_candidates, keep their names,
# indexes and rows. This migration creates the models in Django's state only; members/0013
# (which runs after it) removes them from members' state.

import django.db.models.deletion
import uuid
from functools import partial

from django.conf import settings
from django.db import migrations, models


def _move_content_types(apps, schema_editor, *, names, from_app, to_app):
    """Carry the content types (and with them the permissions and admin log entries) of the
    moved models over to their new app, where they exist (a database older than the move)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    manager = ContentType.objects.db_manager(schema_editor.connection.alias)
    for model in names:
        if not manager.filter(app_label=to_app, model=model).exists():
            manager.filter(app_label=from_app, model=model).update(app_label=to_app)
    if hasattr(manager, "clear_cache"):
        manager.clear_cache()


MOVED = ('disciplinecase',)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("members", "0011_placement_date_indexes"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='DisciplineCase',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('decision_no', models.CharField(blank=True, max_length=60, verbose_name='số quyết định')),
                        ('decision_on', models.DateField(blank=True, null=True, verbose_name='ngày quyết định')),
                        ('decision_body', models.CharField(blank=True, max_length=200, verbose_name='cơ quan ban hành')),
                        ('act_on', models.DateField(verbose_name='ngày vi phạm')),
                        ('summary', models.CharField(max_length=500, verbose_name='nội dung vi phạm')),
                        ('exempt_matter', models.BooleanField(default=False, verbose_name='vi phạm không áp dụng thời hiệu')),
                        ('opened_on', models.DateField(verbose_name='ngày bắt đầu xem xét')),
                        ('state', models.CharField(choices=[('open', 'Đang xem xét'), ('decided', 'Đã quyết định'), ('dropped', 'Không kỷ luật')], default='open', max_length=12)),
                        ('form', models.CharField(blank=True, max_length=16, verbose_name='hình thức kỷ luật')),
                        ('authority', models.CharField(blank=True, max_length=32, verbose_name='cấp quyết định')),
                        ('decided_on', models.DateField(blank=True, null=True, verbose_name='ngày quyết định')),
                        ('effective_on', models.DateField(blank=True, null=True, verbose_name='ngày có hiệu lực')),
                        ('approvals', models.PositiveIntegerField(blank=True, null=True)),
                        ('denominator', models.PositiveIntegerField(blank=True, null=True)),
                        ('deferral', models.CharField(blank=True, max_length=16, verbose_name='lý do chưa xem xét')),
                        ('rule_version', models.CharField(blank=True, max_length=300)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('member', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='discipline_cases', to='members.member')),
                        ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'hồ sơ kỷ luật',
                        'db_table': 'members_disciplinecase',
                        'ordering': ['opened_on', 'created_at'],
                        'indexes': [models.Index(fields=['member', 'state'], name='members_dis_member__c53bfe_idx')],
                    },
                ),
            ],
        ),
        migrations.RunPython(
            partial(_move_content_types, names=MOVED, from_app="members", to_app="discipline"),
            partial(_move_content_types, names=MOVED, from_app="discipline", to_app="members"),
        ),
    ]
