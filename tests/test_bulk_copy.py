"""``core.bulk.insert_many`` writes through COPY on PostgreSQL and executemany on SQLite: the
rows read back are the rows given, field by field, on both databases; NULL stays apart from
the empty string; a failure leaves nothing behind in a transaction. ``copy_rows`` is PostgreSQL's
own."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, ProgrammingError, connection, models, transaction
from django.test.utils import isolate_apps

from dangbo.core import bulk
from dangbo.core.roles import Role
from dangbo.members.models import Member, MemberEvent, Placement, Position

# what COPY's text format must escape, and what looks like its NULL marker
TRICKY = "Nguyễn \"Văn\" 'Đức'\\x\tcột\nxuống dòng\r\\N ờ"
NESTED = {
    "ceremony_on": "2016-03-01",
    "ghi_chú": TRICKY,
    "lồng": {"danh_sách": [1, 2.5, None, True, False, "\\", {"sâu": {"hơn": "\t\n"}}], "rỗng": {}},
    "null": None,
    "số": 12345678901234,
}


@pytest.fixture(autouse=True, params=["binary", "text"])
def copy_format(request, monkeypatch):
    """Both of COPY's formats on PostgreSQL (``bulk.COPY_BINARY`` chooses); SQLite runs once."""
    if request.param == "text" and connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    monkeypatch.setattr(bulk, "COPY_BINARY", request.param == "binary")
    return request.param


def _values(obj: models.Model) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def _clone(obj: models.Model, **changes) -> models.Model:
    made = copy.copy(obj)
    made._state = copy.copy(obj._state)
    made._state.adding = True
    made.pk = uuid.uuid4()
    for name, value in changes.items():
        setattr(made, name, value)
    return made


def _read_back(objects: list) -> None:
    for obj in objects:
        stored = type(obj).objects.get(pk=obj.pk)
        assert _values(stored) == _values(obj)


@pytest.fixture
def member(tree, make_member) -> Member:
    return make_member(tree.cell_a)


def test_members_read_back_as_written_null_apart_from_empty(member):
    first = _clone(
        member,
        national_id=None,
        card_number="",
        middle_name="",
        birthplace=TRICKY,
        hometown="\\N",
        residence="",
        created_at=None,
        updated_at=None,
        died_on=None,
        badge_years=None,
    )
    second = _clone(
        member,
        national_id="",
        card_number=None,
        middle_name="Thị",
        birthplace="",
        hometown="",
        residence="NULL",
        badge_years=0,
        version=7,
        died_on=date(2024, 2, 29),
        created_at=datetime(2020, 1, 2, 3, 4, 5, 678901, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
    )
    bulk.insert_many(Member, [first, second], batch_size=1)
    # auto_now fields given a value when empty, and the objects marked saved
    assert first.created_at is not None and first.updated_at is not None
    assert not first._state.adding and first._state.db == connection.alias
    _read_back([first, second])
    assert Member.objects.filter(pk=first.pk, national_id__isnull=True, card_number="").exists()
    assert Member.objects.filter(pk=second.pk, national_id="", card_number__isnull=True).exists()
    assert Member.objects.get(pk=second.pk).created_at == datetime(2020, 1, 1, 20, 4, 5, 678901, tzinfo=UTC)


def test_events_keep_their_json_and_text_exactly(member):
    original = MemberEvent.objects.filter(member=member).first()
    assert original is not None
    events = [
        _clone(original, seq=100, data=NESTED, decision_no=TRICKY, decision_on=None, recorded_at=None),
        _clone(original, seq=101, data={}, decision_no="", decision_body="\\\\", rule_version="a\tb"),
        _clone(original, seq=102, data=["danh sách", {"a": "\n"}], decision_on=date(1, 1, 1)),
        _clone(original, seq=103, data='chuỗi "JSON" \\ ờ', to_org_id=None),
    ]
    bulk.insert_many(MemberEvent, events)
    _read_back(events)
    stored = MemberEvent.objects.get(pk=events[0].pk)
    assert stored.data["lồng"]["danh_sách"][6] == {"sâu": {"hơn": "\t\n"}}
    assert stored.decision_no == TRICKY and stored.decision_on is None
    # the JSON is stored as JSON, not as a string holding it
    assert MemberEvent.objects.filter(pk=events[0].pk, data__lồng__rỗng={}).exists()
    assert MemberEvent.objects.filter(pk=events[3].pk, data='chuỗi "JSON" \\ ờ').exists()


def test_positions_and_placements_read_back(member, tree):
    placement = Placement.objects.filter(member=member).first()
    assert placement is not None
    placements = [
        _clone(placement, valid_to=None, counted=True),
        _clone(placement, valid_to=date(2030, 12, 31), counted=False, status="probationary"),
    ]
    positions = [
        Position(member=member, org=tree.cell_a, role=Role.SECRETARY, started_on=date(2020, 1, 1)),
        Position(
            member=member,
            org=tree.cell_b,
            role=Role.DEPUTY_SECRETARY,
            started_on=date(2019, 1, 1),
            ended_on=date(2019, 12, 31),
        ),
    ]
    bulk.insert_many(Placement, placements)
    bulk.insert_many(Position, positions)
    _read_back(placements + positions)
    assert Placement.objects.get(pk=placements[1].pk).counted is False


def test_every_scalar_type_with_nulls_reads_back(db):
    """A model with the field types the project's models do not all have (decimal, float,
    datetime, big integers, nullable boolean and JSON, an AutoField key left to the database)."""
    with isolate_apps("dangbo.core"):

        class Scratch(models.Model):
            amount = models.DecimalField(max_digits=12, decimal_places=2, null=True)
            ratio = models.FloatField(null=True)
            big = models.BigIntegerField(null=True)
            flag = models.BooleanField(null=True)
            at = models.DateTimeField(null=True)
            day = models.DateField(null=True)
            key = models.UUIDField(null=True)
            text = models.TextField(blank=True, null=True)  # noqa: DJ001 (NULL apart from "")
            doc = models.JSONField(null=True)

            class Meta:
                app_label = "core"
                db_table = "core_bulk_copy_scratch"

            def __str__(self) -> str:
                return str(self.pk)

        # created in the test's transaction, rolled back with it (no ``with``: SQLite's schema
        # editor refuses to enter inside a transaction, and a plain CREATE TABLE needs none)
        editor = connection.schema_editor()
        editor.deferred_sql = []  # what ``with`` would set up (no index to create here)
        editor.create_model(Scratch)
        rows = [
            Scratch(
                amount=Decimal("-1234567890.05"),
                ratio=0.1,
                big=-(2**62),
                flag=False,
                at=datetime(2026, 7, 1, 0, 0, 0, 1, tzinfo=UTC),
                day=date(2026, 7, 1),
                key=uuid.UUID(int=1),
                text=TRICKY,
                doc={"a": [None, "\\N"]},
            ),
            Scratch(),  # every field NULL
            Scratch(amount=Decimal("0.00"), flag=True, text="", doc=[], ratio=float("inf")),
        ]
        bulk.insert_many(Scratch, rows)
        stored = list(Scratch.objects.order_by("id"))
        assert [_values(s) | {"id": None} for s in stored] == [_values(r) | {"id": None} for r in rows]
        assert stored[1].text is None and stored[2].text == ""
        assert stored[0].at == datetime(2026, 7, 1, 0, 0, 0, 1, tzinfo=UTC) - timedelta(0)


def test_a_failure_in_the_middle_leaves_nothing_in_a_transaction(member, tree):
    existing = Position.objects.create(
        member=member, org=tree.cell_a, role=Role.SECRETARY, started_on=date(2020, 1, 1)
    )
    before = Position.objects.count()
    fresh = [
        Position(member=member, org=tree.cell_b, role=Role.SECRETARY, started_on=date(2021, 1, 1)),
        Position(member=member, org=tree.agency, role=Role.SECRETARY, started_on=date(2022, 1, 1)),
    ]
    duplicate = Position(
        id=existing.pk, member=member, org=tree.cell_a, role=Role.SECRETARY, started_on=date(2020, 1, 1)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.insert_many(Position, [fresh[0], duplicate, fresh[1]], batch_size=1)
    assert Position.objects.count() == before
    assert not Position.objects.filter(pk__in=[p.pk for p in fresh]).exists()
    # the connection is usable afterwards
    bulk.insert_many(Position, fresh)
    assert Position.objects.count() == before + 2


@pytest.mark.postgres
@pytest.mark.django_db
def test_copy_rows_writes_raw_rows_on_postgresql():
    from psycopg.types.json import Jsonb

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bulk_scratch (id uuid, n numeric(10,2), t text, v varchar(20), "
            "d date, at timestamptz, j jsonb, b boolean, i smallint) ON COMMIT DROP"
        )
    rows = [
        (uuid.UUID(int=5), Decimal("12.50"), TRICKY, "", date(2026, 1, 2), datetime(2026, 1, 2, tzinfo=UTC),
         Jsonb(NESTED), True, 3),
        (uuid.UUID(int=6), None, None, None, None, None, None, None, None),
    ]  # fmt: skip
    assert bulk.copy_rows("bulk_scratch", ["id", "n", "t", "v", "d", "at", "j", "b", "i"], iter(rows)) == 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, n, t, v, d, at, j, b, i FROM bulk_scratch ORDER BY id")
        stored = cursor.fetchall()
    # Django's connection reads jsonb as text (its JSONField parses it)
    assert json.loads(stored[0][6]) == NESTED
    assert stored[0][:6] + stored[0][7:] == (
        uuid.UUID(int=5), Decimal("12.50"), TRICKY, "", date(2026, 1, 2), datetime(2026, 1, 2, tzinfo=UTC),
        True, 3,
    )  # fmt: skip
    assert stored[1] == (uuid.UUID(int=6), None, None, None, None, None, None, None, None)
    # an unknown column: refused by the type lookup (binary) or by PostgreSQL (text)
    with pytest.raises((ValueError, ProgrammingError), match="nope"):
        bulk.copy_rows("bulk_scratch", ["id", "nope"], [])


@pytest.mark.django_db
def test_copy_rows_is_refused_off_postgresql():
    if connection.vendor == "postgresql":
        pytest.skip("SQLite's refusal")
    with pytest.raises(ValueError, match="PostgreSQL"):
        bulk.copy_rows("members_position", ["id"], [(uuid.uuid4(),)])


def test_binary_copy_names_a_value_of_the_wrong_type(member, tree, copy_format):
    """A date given as text, which an INSERT (SQLite, or COPY's text format) casts, is
    refused by binary COPY with the table and each column's type named; nothing is left."""
    position = Position(member=member, org=tree.cell_b, role=Role.SECRETARY, started_on="2021-01-02")
    if connection.vendor != "postgresql" or copy_format == "text":
        bulk.insert_many(Position, [position])
        assert Position.objects.get(pk=position.pk).started_on == date(2021, 1, 2)
        return
    with pytest.raises(TypeError, match="started_on=str") as raised, transaction.atomic():
        bulk.insert_many(Position, [position])
    assert "members_position: row 1" in str(raised.value)
    assert not Position.objects.filter(pk=position.pk).exists()
