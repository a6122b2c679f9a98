"""The audit table, its indexes, and the triggers that make it append-only."""

from django.db import migrations, models

COLUMNS = """
    seq {bigint} NOT NULL PRIMARY KEY,
    at {timestamp} NOT NULL,
    actor_id integer NULL,
    actor_name varchar(150) NOT NULL,
    actor_role varchar(200) NOT NULL,
    scope text NOT NULL,
    action varchar(40) NOT NULL,
    subject_type varchar(20) NOT NULL,
    subject_id varchar(64) NOT NULL,
    data {json} NOT NULL,
    ip varchar(45) NOT NULL,
    request_id varchar(64) NOT NULL,
    prev_hash varchar(64) NOT NULL,
    hash varchar(64) NOT NULL
"""
INDEXES = [
    "CREATE INDEX audit_entry_subject ON audit_entry (subject_type, subject_id, seq)",
    "CREATE INDEX audit_entry_actor ON audit_entry (actor_id, seq)",
    "CREATE INDEX audit_entry_at ON audit_entry (at)",
    "CREATE INDEX audit_entry_action ON audit_entry (action, seq)",
]

SQLITE = [
    "CREATE TABLE audit_entry (" + COLUMNS.format(bigint="integer", timestamp="datetime", json="text") + ")",
    *INDEXES,
    "CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry "
    "BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END",
    "CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry "
    "BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END",
]
POSTGRES = [
    "CREATE TABLE audit_entry (" + COLUMNS.format(bigint="bigint", timestamp="timestamp with time zone", json="jsonb") + ")",
    *INDEXES,
    """CREATE FUNCTION audit_entry_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'audit_entry is append-only'; END $$""",
    "CREATE TRIGGER audit_entry_no_change BEFORE UPDATE OR DELETE ON audit_entry "
    "FOR EACH ROW EXECUTE FUNCTION audit_entry_refuse()",
    "CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_refuse()",
]
DROP = {
    "sqlite": ["DROP TABLE audit_entry"],
    "postgresql": ["DROP TABLE audit_entry", "DROP FUNCTION audit_entry_refuse()"],
}


def create(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for statement in statements:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    for statement in DROP[schema_editor.connection.vendor]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.RunPython(create, drop),
        migrations.CreateModel(
            name='AuditEntry',
            fields=[
                ('seq', models.BigIntegerField(primary_key=True, serialize=False)),
                ('at', models.DateTimeField(verbose_name='thời điểm')),
                ('actor_id', models.IntegerField(null=True)),
                ('actor_name', models.CharField(max_length=150, verbose_name='người thực hiện')),
                ('actor_role', models.CharField(max_length=200, verbose_name='vai trò')),
                ('scope', models.TextField(verbose_name='phạm vi')),
                ('action', models.CharField(max_length=40, verbose_name='hành động')),
                ('subject_type', models.CharField(max_length=20)),
                ('subject_id', models.CharField(max_length=64)),
                ('data', models.JSONField(default=dict)),
                ('ip', models.CharField(max_length=45, verbose_name='địa chỉ')),
                ('request_id', models.CharField(max_length=64)),
                ('prev_hash', models.CharField(max_length=64)),
                ('hash', models.CharField(max_length=64)),
            ],
            options={
                'verbose_name': 'nhật ký',
                'verbose_name_plural': 'nhật ký',
                'db_table': 'audit_entry',
                'ordering': ['-seq'],
                'managed': False,
            },
        ),
    ]
