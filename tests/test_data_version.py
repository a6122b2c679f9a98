"""The register's version (``core.data_version``) and the results kept under it
(``core.kept``): a kept dashboard is served only while nothing it reads has changed."""

from __future__ import annotations

from datetime import date

import psycopg
import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from tests.conftest import admit

from dangbo.accounts.models import AccessRole
from dangbo.accounts.services import role_grant
from dangbo.audit.models import AuditEntry
from dangbo.audit.services import Action
from dangbo.core import kept as kept_module
from dangbo.core.data_version import TABLE, data_version, install, unwatched_tables
from dangbo.core.decisions import DecisionRef
from dangbo.core.kept import kept
from dangbo.members.services.recognition import member_recognize
from dangbo.orgs.models import Org
from dangbo.reference.loader import ensure_loaded
from dangbo.reference.models import Holiday

User = get_user_model()


def other_connection() -> psycopg.Connection:
    """A second session on the test database, as another server process would hold."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    return psycopg.connect(**params)


def test_nothing_is_kept_without_a_version(db):
    """SQLite, or inside a transaction (every test on the ``db`` fixture): each read computes."""
    calls = []
    for _ in range(3):
        assert kept(("probe",), lambda: calls.append(1) or len(calls)) == len(calls)
    assert len(calls) == 3
    assert data_version() is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_every_table_but_the_unread_bears_the_trigger_and_a_new_one_gets_it_at_install():
    assert unwatched_tables() == []
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE dv_probe (id integer)")
    try:
        assert unwatched_tables() == ["dv_probe"]
        install()
        assert unwatched_tables() == []
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE dv_probe")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname = 'core_data_changed'")
        assert cursor.fetchone()[0] > 40  # the register's tables, not a handful


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_version_moves_once_per_committed_transaction_and_never_for_one_rolled_back(tree):
    start = data_version()
    assert start is not None
    with transaction.atomic():
        for n in range(5):
            Org.objects.filter(pk=tree.cell_a.pk).update(name=f"Chi bộ {n}")
        assert data_version() is None  # not read inside a transaction
    one = data_version()
    assert one[0] == start[0] + 1 and one > start
    with pytest.raises(RuntimeError), transaction.atomic():
        Org.objects.filter(pk=tree.cell_a.pk).update(name="Không lưu")
        raise RuntimeError
    assert data_version()[0] == one[0]
    # sessions and the audit trail are written by page views: they do not move it
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO django_session (session_key, session_data, expire_date) VALUES ('k', '', now())"
        )
    assert data_version() == one


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_another_sessions_write_moves_the_version_when_it_commits_not_before(tree):
    before = data_version()
    with other_connection() as other:
        other.execute("UPDATE orgs_org SET name = 'Chi bộ đổi tên' WHERE id = %s", [tree.cell_a.pk])
        assert data_version() == before  # written, not committed
        other.commit()
        assert data_version() > before
    # and concurrent writers do not wait for one another: two open transactions both write
    with other_connection() as first, other_connection() as second:
        first.execute("UPDATE orgs_org SET name = 'Một' WHERE id = %s", [tree.cell_a.pk])
        second.execute("UPDATE orgs_org SET name = 'Hai' WHERE id = %s", [tree.cell_b.pk])
        second.commit()
        first.commit()
    assert data_version()[0] == before[0] + 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_rows_are_folded_every_thousand_and_the_sum_kept(tree):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval('{TABLE}_id_seq', (SELECT (max(id) / 1000 + 1) * 1000 - 3 FROM {TABLE}))"
        )
    before = data_version()
    for n in range(6):
        Org.objects.filter(pk=tree.cell_a.pk).update(name=f"Chi bộ {n}")
    assert data_version()[0] == before[0] + 6
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {TABLE}")
        assert cursor.fetchone()[0] <= 4  # the folded row and the three after it


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_kept_dashboard_is_served_until_the_register_changes(client, tree):
    kept_module.forget()
    user = User.objects.create_user("canbo", password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.OFFICER, org=tree.district)
    client.force_login(user)
    url = f"/to-chuc/{tree.district.pk}/chi-tieu/"
    with CaptureQueriesContext(connection) as first:
        html = client.get(url).content.decode()
    assert "Đảng bộ xã Một" in html
    with CaptureQueriesContext(connection) as second:
        assert client.get(url).content.decode().count("Đảng bộ xã Một") == html.count("Đảng bộ xã Một")
    assert len(second.captured_queries) < len(first.captured_queries) - 10  # served kept
    # a child renamed: the next view shows the new name
    Org.objects.filter(pk=tree.commune.pk).update(name="Đảng bộ xã Đổi Tên")
    html = client.get(url).content.decode()
    assert "Đảng bộ xã Đổi Tên" in html and "Đảng bộ xã Một" not in html
    # a member admitted through the register's services: the count of members changes
    ensure_loaded()  # the code lists (an earlier test on a committed database may have flushed them)
    members_row = _members_total(html)
    admit(tree.cell_a)
    assert _members_total(client.get(url).content.decode()) == members_row + 1


def _members_total(html: str) -> int:
    """The district's «Số đảng viên» as the dashboard prints it."""
    row = html[html.index("/members.total/") :]
    value = row[row.index('<td class="num">') + len('<td class="num">') :]
    value = value[: value.index("<")]
    return int(value.replace(".", "").strip())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_kept_to_do_list_is_the_users_own_is_audited_at_every_view_and_follows_the_register(client, tree):
    kept_module.forget()
    ensure_loaded()
    Holiday.objects.all().delete()
    late = admit(tree.cell_a, full=False, admitted_on=date(2025, 6, 2), given_name="Quáhạn")
    admit(tree.cell_b, full=False, admitted_on=date(2025, 10, 20), given_name="Sắpđến")
    commune = User.objects.create_user("canbo", password="mat-khau-dai-du-1")
    role_grant(user=commune, role=AccessRole.OFFICER, org=tree.commune)
    cell_b = User.objects.create_user("bithu", password="mat-khau-dai-du-1")
    role_grant(user=cell_b, role=AccessRole.OFFICER, org=tree.cell_b)
    viewed = AuditEntry.objects.filter(action=Action.LIST_VIEWED)
    earlier = viewed.count()  # the audit trail outlives other tests' flushes
    client.force_login(commune)
    day = {"ngay": "20/11/2026"}
    with CaptureQueriesContext(connection) as first:
        html = client.get("/viec-can-lam/", day).content.decode()
    assert "Quáhạn" in html and "Sắpđến" in html
    with CaptureQueriesContext(connection) as second:
        again = client.get("/viec-can-lam/", day).content.decode()
    assert "Quáhạn" in again and "Sắpđến" in again
    assert len(second.captured_queries) < len(first.captured_queries)  # served kept
    assert viewed.count() == earlier + 2  # the people listed: each view is in the audit trail
    # another user's list is computed for its own scope, not served from the first one's
    client.force_login(cell_b)
    html = client.get("/viec-can-lam/", day).content.decode()
    assert "Sắpđến" in html and "Quáhạn" not in html
    # the overdue member recognized: gone from the list at the next view
    client.force_login(commune)
    member_recognize(member=late, decision=DecisionRef(number="7-QĐ/ĐU", on=date(2026, 6, 20)))
    html = client.get("/viec-can-lam/", day).content.decode()
    assert "Quáhạn" not in html and "Sắpđến" in html
