"""The planner's statistics after bulk changes (issue 24): an import, a restructuring plan and
the demo refresh them once their transaction commits (``core.bulk.refresh_statistics_after``),
never when it rolls back; ``dangbo serve`` warns when the main tables have none
(``core.planner_stats``)."""

from __future__ import annotations

import itertools

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from dangbo.core import bulk
from dangbo.core.bulk import refresh_statistics_after
from dangbo.core.planner_stats import TableStatistics, tables_without_statistics
from dangbo.members.models import Member, MemberEvent
from dangbo.reference.models import Ethnicity

pytestmark = pytest.mark.django_db

_names = itertools.count(1)


def _analyzed(queries) -> set[str]:
    """The tables the captured statements ran ANALYZE (or VACUUM ANALYZE) on."""
    found = set()
    for query in queries:
        sql = query["sql"]
        if "ANALYZE " in sql:
            found.add(sql.rsplit(" ", 1)[-1].strip('"'))
    return found


def test_a_small_change_schedules_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        assert refresh_statistics_after([Member], rows=bulk.BULK_ROWS - 1) is False
    assert callbacks == []


def test_a_bulk_change_refreshes_its_tables_once_it_commits(django_capture_on_commit_callbacks):
    with (
        CaptureQueriesContext(connection) as inside,
        django_capture_on_commit_callbacks() as callbacks,
        transaction.atomic(),
    ):
        assert refresh_statistics_after([Member, MemberEvent], rows=bulk.BULK_ROWS) is True
    assert _analyzed(inside.captured_queries) == set()  # nothing inside the transaction
    assert len(callbacks) == 1
    with CaptureQueriesContext(connection) as after:
        callbacks[0]()
    # on PostgreSQL with the table the database keeps from the members' names (migration 0018)
    kept = {"members_name_word"} if connection.vendor == "postgresql" else set()
    assert _analyzed(after.captured_queries) == {"members_member", "members_memberevent", *kept}


def test_a_bulk_change_rolled_back_refreshes_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        refresh_statistics_after([Member], rows=10 * bulk.BULK_ROWS)
        raise RuntimeError("rolled back")
    assert callbacks == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_names_words_are_vacuumed_with_the_members():
    """The demo's and the imports' COPY fill the table of the names' words through its trigger:
    the one-word search reads it by index alone, which needs its visibility map."""
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        refresh_statistics_after([Member], rows=bulk.BULK_ROWS)
    statements = [q["sql"] for q in queries.captured_queries]
    assert statements[-2:] == ['VACUUM ANALYZE "members_member"', 'VACUUM ANALYZE "members_name_word"']
    # and the check at start looks at it too
    assert bulk.statistics_tables([Member]) == ["members_member", "members_name_word"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_refresh_after_the_commit_vacuums():
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        refresh_statistics_after([Ethnicity], rows=bulk.BULK_ROWS)
    statements = [q["sql"] for q in queries.captured_queries]
    assert 'VACUUM ANALYZE "reference_ethnicity"' in statements


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_table_rewritten_by_a_long_transaction_is_compacted():
    """Every row updated three times in one transaction leaves three dead versions of it;
    ``compact_tables`` (after the demo's commit) gives the table and its indexes back their
    size, every row kept as it was."""
    name = f"compact_probe_{next(_names)}"

    class Probe:
        class _meta:
            db_table = name

    def sizes() -> tuple[int, int]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_table_size(%s), pg_indexes_size(%s)", [name, name])
            return cursor.fetchone()

    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"CREATE TABLE {name} (id integer PRIMARY KEY, note varchar(200))")
            cursor.execute(f"CREATE INDEX {name}_note ON {name} (note)")
            cursor.execute(f"INSERT INTO {name} SELECT i, 'ghi chú ' || i FROM generate_series(1, 5000) AS i")
            for round_ in range(3):
                cursor.execute(f"UPDATE {name} SET note = note || %s", [str(round_)])
        rows, indexes = sizes()
        with transaction.atomic():
            assert bulk.compact_tables([Probe]) is False  # VACUUM cannot run in a transaction
        assert bulk.compact_tables([Probe]) is True
        rows_after, indexes_after = sizes()
        assert rows_after * 3 < rows and indexes_after * 2 < indexes
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*), count(*) FILTER (WHERE note = 'ghi chú ' || id || '012') FROM {name}"
            )
            assert cursor.fetchone() == (5000, 5000)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {name}")


def test_compacting_is_for_postgresql_alone():
    """On SQLite (free pages are reused) and inside a transaction it does nothing."""
    assert bulk.compact_tables([Member]) is False


# --- the bulk changes -------------------------------------------------------------------------


@pytest.fixture
def every_change_is_bulk(monkeypatch):
    monkeypatch.setattr(bulk, "BULK_ROWS", 1)


def test_a_members_import_refreshes_the_register_after_its_commit(
    tree, frozen_today, every_change_is_bulk, django_capture_on_commit_callbacks
):
    from datetime import date

    from dangbo.accounts.scope import SYSTEM
    from dangbo.imports import services

    frozen_today(date(2026, 6, 1))
    batch = services.import_upload(
        kind="members",
        file_name="nhap.csv",
        data=(
            "Họ và tên,Ngày sinh,Giới tính,Dân tộc,Tôn giáo,Ngày vào Đảng,Chi bộ\n"
            "Lý Văn Nhập,01/01/1980,Nam,Kinh,Không,01/01/2010,X1A\n"
        ).encode(),
        org=tree.commune,
        actor=SYSTEM,
        user=None,
    )
    services.import_stage(batch=batch)
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        assert services.import_commit(batch=batch, user=None)["created"] == 1
    assert {"members_member", "members_memberevent", "members_placement"} <= _analyzed(
        queries.captured_queries
    )


def _plan_csv(tree) -> bytes:
    return (
        "thao_tac,ma_to_chuc,ten,ngay_hieu_luc,so_quyet_dinh,ngay_quyet_dinh,co_quan_quyet_dinh\n"
        f"doi_ten,{tree.cell_b.code},Chi bộ thôn Bê,01/07/2025,1-QĐ,20/06/2025,Đảng ủy\n"
    ).encode()


def test_an_applied_plan_refreshes_the_tree_and_the_register_after_its_commit(
    tree, make_member, every_change_is_bulk, django_capture_on_commit_callbacks, django_user_model
):
    from datetime import date

    from dangbo.restructuring.plan_uploads import restructure_plan_apply, restructure_plan_upload

    make_member(tree.cell_b, admitted_on=date(2016, 3, 1))
    user = django_user_model.objects.create_superuser("sapxep", password="x")
    plan = restructure_plan_upload(file_name="chuyen.csv", data=_plan_csv(tree), actor=user)
    with django_capture_on_commit_callbacks() as callbacks:
        report = restructure_plan_apply(plan=plan, actor=user)
    assert report.applied, report.problems
    with CaptureQueriesContext(connection) as queries:
        for callback in callbacks:
            callback()
    assert {"orgs_orgversion", "members_member", "members_placement"} <= _analyzed(queries.captured_queries)


def test_a_plan_that_is_only_previewed_refreshes_nothing(
    tree, make_member, every_change_is_bulk, django_capture_on_commit_callbacks, tmp_path
):
    from datetime import date

    from dangbo.restructuring.plans import plan_refresh_statistics, plan_run, read_plan

    make_member(tree.cell_b, admitted_on=date(2016, 3, 1))
    path = tmp_path / "chuyen.csv"
    path.write_bytes(_plan_csv(tree))
    with django_capture_on_commit_callbacks() as callbacks:
        report = plan_run(read_plan(path), apply=False)
        assert report.ok and plan_refresh_statistics(report) is False
    assert callbacks == []


def test_the_demo_refreshes_its_tables_after_its_commit(
    db, every_change_is_bulk, django_capture_on_commit_callbacks, capsys
):
    from dangbo.cli import main

    with django_capture_on_commit_callbacks() as callbacks:
        assert main(["demo", "--no-serve", "--members", "60", "--profile", "tiny"]) == 0
    assert callbacks
    with CaptureQueriesContext(connection) as queries:
        for callback in callbacks:
            callback()
    assert {"members_member", "orgs_orgversion", "stats_orgtally", "meetings_attendance"} <= _analyzed(
        queries.captured_queries
    )


# --- the warning ------------------------------------------------------------------------------


@pytest.fixture
def probe_table():
    """A table of its own (created in the test's transaction), so that no other test's ANALYZE
    has given it statistics."""
    name = f"planner_probe_{next(_names)}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {name} (id integer PRIMARY KEY, note varchar(200))")
        cursor.execute(f"CREATE INDEX {name}_note ON {name} (note)")

    def fill(upto: int, start: int = 1) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {name} (id, note) VALUES (%s, %s)",
                [(i, f"ghi chú số {i} " + "x" * 100) for i in range(start, upto + 1)],
            )

    class Probe:
        class _meta:
            db_table = name

    Probe.fill = staticmethod(fill)
    return Probe


def test_a_big_table_without_statistics_is_found_then_not_once_analyzed_then_again_when_it_outgrows_them(
    probe_table,
):
    small = {"min_rows": 100, "min_pages": 4}
    probe_table.fill(50)
    assert tables_without_statistics([probe_table], **small) == []  # too small to matter
    probe_table.fill(1000, start=51)
    [found] = tables_without_statistics([probe_table], **small)
    assert found.table == probe_table._meta.db_table and found.missing
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {probe_table._meta.db_table}")
    assert tables_without_statistics([probe_table], **small) == []
    probe_table.fill(5000, start=1001)
    [stale] = tables_without_statistics([probe_table], **small)
    assert not stale.missing and stale.size > 4 * stale.analyzed


def test_the_main_tables_of_an_empty_database_need_no_warning():
    from dangbo.server import statistics_warning

    assert statistics_warning() is None


def test_the_warning_names_the_tables_and_says_what_to_do(monkeypatch):
    from dangbo.core import planner_stats
    from dangbo.server import statistics_warning

    monkeypatch.setattr(
        planner_stats,
        "tables_without_statistics",
        lambda models, **_: [
            TableStatistics("members_member", 500_000, None),
            TableStatistics("members_placement", 40_000, 9_000),
        ],
    )
    warning = statistics_warning()
    assert warning.startswith("Cảnh báo: cơ sở dữ liệu thiếu thống kê")
    assert "members_member (500.000" in warning and "chưa có thống kê" in warning
    assert "members_placement (40.000" in warning and "thống kê lấy khi còn 9.000" in warning
    assert ("VACUUM ANALYZE" if connection.vendor == "postgresql" else "sqlite3") in warning
