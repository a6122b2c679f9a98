# Candidate and CandidateStep moved here from ``members`` (issue 17) without touching the database: their
# tables, created by members/0006_lifecycle_exits_discipline_candidates, keep their names,
# indexes and rows. This migration creates the models in Django's state only; members/0013
# (which runs after it) removes them from members' state.

import dangbo.core.fields
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


MOVED = ('candidate', 'candidatestep',)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("members", "0011_placement_date_indexes"),
        ("orgs", "0004_drop_head_is_member"),
        ("reference", "0003_holidays"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Candidate',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('family_name', models.CharField(max_length=60, verbose_name='họ')),
                        ('middle_name', models.CharField(blank=True, max_length=80, verbose_name='tên đệm')),
                        ('given_name', models.CharField(max_length=60, verbose_name='tên')),
                        ('gender', models.CharField(choices=[('M', 'Nam'), ('F', 'Nữ')], max_length=1, verbose_name='giới tính')),
                        ('birth_date', models.DateField(verbose_name='ngày sinh')),
                        ('national_id', models.CharField(blank=True, max_length=12, null=True, unique=True, verbose_name='số định danh cá nhân')),
                        ('birthplace', models.CharField(blank=True, max_length=255, verbose_name='nơi sinh')),
                        ('hometown', models.CharField(blank=True, max_length=255, verbose_name='quê quán')),
                        ('residence', models.CharField(blank=True, max_length=255, verbose_name='nơi cư trú')),
                        ('occupation', models.CharField(blank=True, max_length=120, verbose_name='nghề nghiệp')),
                        ('workplace', models.CharField(blank=True, max_length=255, verbose_name='nơi làm việc')),
                        ('search_key', dangbo.core.fields.BinaryCharField(max_length=255)),
                        ('sort_key', dangbo.core.fields.BinaryCharField(max_length=400)),
                        ('cell_path', dangbo.core.fields.BinaryCharField(max_length=255)),
                        ('listed_on', models.DateField(verbose_name='ngày đưa vào danh sách cảm tình Đảng')),
                        ('state', models.CharField(choices=[('active', 'Đang bồi dưỡng, xem xét'), ('admitted', 'Đã kết nạp'), ('withdrawn', 'Thôi xem xét')], default='active', max_length=12)),
                        ('stage', models.CharField(blank=True, max_length=24, verbose_name='bước đã xong')),
                        ('stage_on', models.DateField(blank=True, null=True)),
                        ('note', models.CharField(blank=True, max_length=500, verbose_name='ghi chú')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('cell', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='candidates', to='orgs.org', verbose_name='chi bộ')),
                        ('ethnicity', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, to='reference.ethnicity', verbose_name='dân tộc')),
                        ('general_education', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, to='reference.generaleducation', verbose_name='giáo dục phổ thông')),
                        ('member', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='candidacy', to='members.member')),
                        ('professional_level', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, to='reference.professionallevel', verbose_name='chuyên môn nghiệp vụ')),
                        ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('religion', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, to='reference.religion', verbose_name='tôn giáo')),
                        ('residence_locality', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='%(class)s_residents', to='orgs.locality', verbose_name='thôn, tổ dân phố cư trú')),
                        ('theory_level', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, to='reference.theorylevel', verbose_name='lý luận chính trị')),
                    ],
                    options={
                        'verbose_name': 'quần chúng cảm tình Đảng',
                        'verbose_name_plural': 'quần chúng cảm tình Đảng',
                        'db_table': 'members_candidate',
                        'ordering': ['sort_key'],
                    },
                ),
                migrations.CreateModel(
                    name='CandidateStep',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('decision_no', models.CharField(blank=True, max_length=60, verbose_name='số quyết định')),
                        ('decision_on', models.DateField(blank=True, null=True, verbose_name='ngày quyết định')),
                        ('decision_body', models.CharField(blank=True, max_length=200, verbose_name='cơ quan ban hành')),
                        ('kind', models.CharField(choices=[('course', 'Học lớp bồi dưỡng nhận thức về Đảng'), ('application', 'Đơn xin vào Đảng'), ('history', 'Lý lịch người xin vào Đảng'), ('background_check', 'Thẩm tra, xác minh lý lịch'), ('sponsors', 'Người giới thiệu'), ('comments', 'Nhận xét của đoàn thể, chi ủy nơi cư trú'), ('cell_vote', 'Chi bộ xét, đề nghị kết nạp'), ('grassroots_resolution', 'Nghị quyết của đảng ủy cơ sở'), ('decision', 'Quyết định kết nạp'), ('ceremony', 'Lễ kết nạp')], max_length=24)),
                        ('done_on', models.DateField(verbose_name='ngày')),
                        ('data', models.JSONField(blank=True, default=dict)),
                        ('late_reason', models.CharField(blank=True, max_length=500, verbose_name='lý do chậm')),
                        ('rule_version', models.CharField(blank=True, max_length=300)),
                        ('recorded_at', models.DateTimeField(auto_now_add=True)),
                        ('candidate', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='steps', to='candidates.candidate')),
                        ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'bước kết nạp',
                        'db_table': 'members_candidatestep',
                        'ordering': ['candidate', 'done_on', 'recorded_at'],
                    },
                ),
                migrations.AddIndex(
                    model_name='candidate',
                    index=models.Index(fields=['cell_path', 'state'], name='members_can_cell_pa_15cf37_idx'),
                ),
                migrations.AddIndex(
                    model_name='candidate',
                    index=models.Index(fields=['state', 'stage'], name='members_can_state_31f222_idx'),
                ),
                migrations.AddConstraint(
                    model_name='candidatestep',
                    constraint=models.UniqueConstraint(fields=('candidate', 'kind'), name='candidate_step_once'),
                ),
            ],
        ),
        migrations.RunPython(
            partial(_move_content_types, names=MOVED, from_app="members", to_app="candidates"),
            partial(_move_content_types, names=MOVED, from_app="candidates", to_app="members"),
        ),
    ]
