"""Hamlet heads become a member record or a named non-member; hamlets get dated versions.

The stored tick ``head_is_member`` is dropped. A ticked head is linked to a member record
when that can be done without guessing: the record already linked, or else the one active
member (probationary or full) of the hamlet's commune whose full name is the head's name
(same letters and tones; old and new tone placement equal). Every other ticked head keeps
the name as a head outside the Party, and ``head_unmatched_note`` says why, so the list
survives the migration (``dangbo hamlets unmatched-heads``, and the compliance check
``hamlets.head_unmatched``). Each hamlet gets its first version, from its commune's
founding day (the earliest date the system knows it could have existed), ended on its
dissolution day if it has one.
"""

import django.db.models.deletion
import uuid
from django.db import migrations, models

from dangbo.core import text

ACTIVE = ("probationary", "full")


def _name_key(value: str) -> str:
    return text.canonical_tone_placement(text.clean(value)).lower()


def link_heads_and_open_versions(apps, schema_editor):
    Locality = apps.get_model("orgs", "Locality")
    LocalityVersion = apps.get_model("orgs", "LocalityVersion")
    Member = apps.get_model("members", "Member")
    versions = []
    for locality in Locality.objects.select_related("commune").order_by("pk").iterator(chunk_size=2000):
        commune = locality.commune
        if locality.head_member_id is not None:
            locality.head_name = ""
        elif locality.head_is_member:
            name = text.clean(locality.head_name)
            where = commune.name
            if not name:
                locality.head_unmatched_note = (
                    "Trước đây ghi trưởng thôn là đảng viên nhưng không ghi tên; chọn hồ sơ đảng viên hoặc ghi tên người ngoài Đảng."
                )
            else:
                found = [
                    m.pk for m in Member.objects.filter(
                        search_key=text.fold(name), status__in=ACTIVE,
                        org_path__gte=locality.commune_path, org_path__lt=locality.commune_path + "~",
                    )
                    if _name_key(text.full_name(m.family_name, m.middle_name, m.given_name)) == _name_key(name)
                ]
                if len(found) == 1:
                    locality.head_member_id, locality.head_name = found[0], ""
                elif not found:
                    locality.head_unmatched_note = (
                        f"Trước đây ghi trưởng thôn là đảng viên nhưng không tìm thấy hồ sơ đảng viên đang sinh hoạt tên «{name}» "
                        f"trong {where}; chọn đúng hồ sơ hoặc giữ là người ngoài Đảng."
                    )
                else:
                    locality.head_unmatched_note = (
                        f"Trước đây ghi trưởng thôn là đảng viên; có {len(found)} đảng viên cùng tên «{name}» trong {where}, "
                        f"không tự chọn được; chọn đúng hồ sơ."
                    )
        locality.save(update_fields=["head_member", "head_name", "head_unmatched_note"])
        start = commune.created_on
        end = None
        if locality.dissolved_on is not None:
            end = max(start, locality.dissolved_on)
        versions.append(LocalityVersion(
            locality_id=locality.pk, valid_from=start, valid_to=end, kind=locality.kind, name=locality.name,
            commune_id=locality.commune_id, cell_id=locality.cell_id, head_member_id=locality.head_member_id,
            head_name=locality.head_name, note="Phiên bản đầu, tạo khi chuyển đổi dữ liệu (từ ngày thành lập đảng bộ xã, phường).",
        ))
        if len(versions) >= 2000:
            LocalityVersion.objects.bulk_create(versions)
            versions = []
    LocalityVersion.objects.bulk_create(versions)


def untick_heads(apps, schema_editor):
    Locality = apps.get_model("orgs", "Locality")
    for locality in Locality.objects.select_related("head_member").iterator(chunk_size=2000):
        if locality.head_member_id is not None:
            m = locality.head_member
            locality.head_is_member = True
            locality.head_name = text.full_name(m.family_name, m.middle_name, m.given_name)
        elif locality.head_unmatched_note:
            locality.head_is_member = True
        else:
            continue
        locality.save(update_fields=["head_is_member", "head_name"])


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0009_drop_pattern_ops_twins'),
        ('orgs', '0002_restructure_plan'),
    ]

    operations = [
        migrations.AddField(
            model_name='locality',
            name='head_unmatched_note',
            field=models.CharField(blank=True, max_length=300, verbose_name='ghi chú trưởng thôn chưa khớp hồ sơ'),
        ),
        migrations.AlterField(
            model_name='locality',
            name='head_name',
            field=models.CharField(blank=True, max_length=120, verbose_name='trưởng thôn, tổ trưởng (người ngoài Đảng)'),
        ),
        migrations.CreateModel(
            name='LocalityVersion',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('valid_from', models.DateField()),
                ('valid_to', models.DateField(blank=True, null=True)),
                ('kind', models.CharField(choices=[('thon', 'Thôn'), ('ban', 'Bản'), ('ap', 'Ấp'), ('lang', 'Làng'), ('buon', 'Buôn'), ('to_dan_pho', 'Tổ dân phố'), ('khu_pho', 'Khu phố'), ('tieu_khu', 'Tiểu khu')], max_length=12)),
                ('name', models.CharField(max_length=200)),
                ('head_name', models.CharField(blank=True, max_length=120)),
                ('decision_no', models.CharField(blank=True, max_length=60, verbose_name='số quyết định')),
                ('note', models.CharField(blank=True, max_length=300, verbose_name='ghi chú')),
                ('cell', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.org')),
                ('commune', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.org')),
                ('head_member', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='members.member')),
                ('locality', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='versions', to='orgs.locality')),
            ],
            options={
                'ordering': ['locality', 'valid_from'],
                'indexes': [models.Index(fields=['commune', 'valid_from'], name='orgs_locali_commune_c6badc_idx'), models.Index(fields=['locality', 'valid_from'], name='orgs_locali_localit_0c0558_idx')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('valid_to__isnull', True)), fields=('locality',), name='one_open_version_per_locality')],
            },
        ),
        migrations.RunPython(link_heads_and_open_versions, untick_heads),
        # the tick is dropped by 0004, in its own transaction: PostgreSQL refuses to alter a
        # table with deferred constraint checks still pending from the rows written here
    ]
