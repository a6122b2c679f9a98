"""Working days on the editable holiday calendar, the recognition deadline, and the to-do lists
(page, export, command)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.contrib.auth.models import User

from dangbo.accounts.models import AccessRole
from dangbo.accounts.services import role_grant
from dangbo.members.services.badges import member_award_badge
from dangbo.reference.loader import seed_holidays
from dangbo.reference.models import Holiday
from dangbo.reference.workdays import add_working_days, working_days_between
from dangbo.rules.probation import recognition_review_due


def test_weekends_and_holidays_are_not_working_days(db):
    Holiday.objects.all().delete()
    assert add_working_days(date(2026, 11, 20), 1) == date(2026, 11, 23)  # Friday → Monday
    assert add_working_days(date(2026, 11, 23), 5) == date(2026, 11, 30)
    Holiday.objects.create(day=date(2026, 11, 24), name="Ngày nghỉ thử")
    assert add_working_days(date(2026, 11, 23), 5) == date(2026, 12, 1)
    assert working_days_between(date(2026, 11, 23), date(2026, 12, 1)) == 5
    assert working_days_between(date(2026, 12, 1), date(2026, 11, 23)) == -5


def test_the_seeded_calendar_has_tet(db):
    Holiday.objects.all().delete()
    assert seed_holidays() > 150 and seed_holidays() == 0  # a second run adds nothing
    tet = set(
        Holiday.objects.filter(day__year=2026, name__startswith="Tết Âm lịch").values_list("day", flat=True)
    )
    assert tet == {
        date(2026, 2, 16),
        date(2026, 2, 17),
        date(2026, 2, 18),
        date(2026, 2, 19),
        date(2026, 2, 20),
    }
    # 30 working days from the end of January 2026 skip the Tết week
    assert add_working_days(date(2026, 1, 30), 30) == date(2026, 3, 20)


def test_recognition_review_is_due_30_working_days_after_12_months(db):
    ends, due, ref = recognition_review_due(date(2025, 6, 2), holidays=set())
    assert ends == date(2026, 6, 2) and due == date(2026, 7, 14) and "Điều 5" in ref


@pytest.fixture
def officer(tree):
    user = User.objects.create_user("canbo", password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.OFFICER, org=tree.commune)
    return user


@pytest.fixture
def cases(tree, make_member):
    Holiday.objects.all().delete()
    return {
        "late": make_member(tree.cell_a, full=False, admitted_on=date(2025, 6, 2), given_name="Quáhạn"),
        "soon": make_member(tree.cell_b, full=False, admitted_on=date(2025, 10, 20), given_name="Sắpđến"),
        "far": make_member(tree.cell_a, full=False, admitted_on=date(2026, 3, 1), given_name="Cònxa"),
        "full": make_member(tree.cell_a, admitted_on=date(2025, 6, 2), given_name="Đãchínhthức"),
        "badge": make_member(
            tree.cell_b, admitted_on=date(1996, 12, 1), birth_date=date(1960, 1, 1), given_name="Huyhiệu"
        ),
        "outside": make_member(tree.agency, full=False, admitted_on=date(2025, 6, 2), given_name="Ngoài"),
    }


def test_todo_page_lists_overdue_and_due_soon_in_scope(client, tree, officer, cases):
    client.force_login(officer)
    html = client.get("/viec-can-lam/", {"ngay": "20/11/2026"}).content.decode()
    assert "Quáhạn" in html and "quá hạn" in html and "Sắpđến" in html
    assert "Cònxa" not in html and "Đãchínhthức" not in html and "Ngoài" not in html
    assert "Huyhiệu" not in html  # the next award date (3/2/2027) is more than 30 days away
    assert html.index("Quáhạn") < html.index("Sắpđến")
    html = client.get("/viec-can-lam/", {"ngay": "10/01/2027"}).content.decode()
    assert "Huyhiệu" in html and "Xét tặng Huy hiệu 30 năm tuổi đảng" in html and "03/02/2027" in html


def test_a_badge_not_recorded_on_its_award_day_stays_overdue_until_awarded(tree, officer, cases, make_member):
    from dangbo.accounts.scope import scope_for
    from dangbo.core.decisions import DecisionRef
    from dangbo.members.selectors.todo import due_items

    member = make_member(
        tree.cell_a, admitted_on=date(1996, 10, 1), birth_date=date(1960, 1, 1), given_name="Quáđợt"
    )
    actor = scope_for(officer)
    items = [
        i for i in due_items(actor=actor, org=tree.commune, as_of=date(2026, 11, 20)) if i.kind == "badge"
    ]
    # 30 years on 1/10/2026: due on the award day of 7/11/2026, not recorded then
    assert [(i.member.given_name, i.due_on, i.overdue) for i in items] == [
        ("Quáđợt", date(2026, 11, 7), True)
    ]
    assert "chưa ghi nhận tặng trong đợt 07/11/2026" in items[0].note
    member_award_badge(
        member=member,
        years=30,
        awarded_on=date(2026, 11, 7),
        decision=DecisionRef(number="9-QĐ/TU", on=date(2026, 11, 1)),
    )
    assert not [
        i for i in due_items(actor=actor, org=tree.commune, as_of=date(2026, 11, 20)) if i.kind == "badge"
    ]


def test_todo_for_one_organization_and_its_export(client, tree, officer, cases):
    client.force_login(officer)
    html = client.get(f"/to-chuc/{tree.cell_b.pk}/viec-can-lam/", {"ngay": "20/11/2026"}).content.decode()
    assert "Sắpđến" in html and "Quáhạn" not in html
    csv = b"".join(
        client.get("/viec-can-lam/", {"ngay": "20/11/2026", "dinh-dang": "csv"}).streaming_content
    ).decode()
    assert "Quáhạn" in csv and "quá hạn" in csv and "Điều 5" in csv
    assert client.get("/viec-can-lam/", {"ngay": "99/99/2026"}).status_code == 400
    assert client.get(f"/to-chuc/{tree.agency.pk}/viec-can-lam/").status_code == 404


def test_todo_command(tree, cases, capsys):
    from dangbo.cli import main

    assert main(["todo", "--org", "X1", "--as-of", "2026-11-20", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    names = [(i["member"].split()[-1], i["kind"], i["overdue"]) for i in out["items"]]
    assert ("Quáhạn", "recognition", True) in names and ("Sắpđến", "recognition", False) in names
    assert all(i["citation"] for i in out["items"]) and not any(n[0] in ("Cònxa", "Ngoài") for n in names)
    assert main(["todo", "--org", "X1", "--as-of", "2026-11-20"]) == 0
    assert "QUÁ HẠN" in capsys.readouterr().out
    assert main(["todo", "--as-of", "hôm qua"]) == 2


def test_administrators_edit_the_holiday_calendar(client, tree, officer):
    from dangbo.audit.models import AuditEntry

    Holiday.objects.all().delete()
    client.force_login(officer)
    assert client.get("/ngay-nghi/").status_code == 403
    assert client.post("/ngay-nghi/", {"action": "add", "day": "02/01/2026", "name": "x"}).status_code == 403
    assert not Holiday.objects.exists()
    admin = User.objects.create_superuser("quantri", password="mat-khau-dai-du-1")
    client.force_login(admin)
    response = client.post(
        "/ngay-nghi/", {"action": "add", "day": "02/01/2026", "name": "Nghỉ bù Tết Dương lịch"}
    )
    assert (
        response.status_code == 302
        and Holiday.objects.get(day=date(2026, 1, 2)).name == "Nghỉ bù Tết Dương lịch"
    )
    assert add_working_days(date(2026, 1, 1), 1) == date(2026, 1, 5)
    again = client.post("/ngay-nghi/", {"action": "add", "day": "02/01/2026", "name": "Trùng"})
    assert again.status_code == 400 and "đã có trong lịch nghỉ" in again.content.decode()
    assert (
        client.post("/ngay-nghi/", {"action": "add", "day": "31/02/2026", "name": "Sai"}).status_code == 400
    )
    assert "Nghỉ bù Tết Dương lịch" in client.get("/ngay-nghi/", {"nam": "2026"}).content.decode()
    client.post("/ngay-nghi/?nam=2026", {"action": "remove", "day": "2026-01-02"})
    assert not Holiday.objects.exists()
    assert AuditEntry.objects.filter(subject_type="holiday", subject_id="2026-01-02").count() == 2


def test_the_todo_page_shows_a_page_of_each_section_and_the_export_all(
    client, tree, officer, cases, monkeypatch
):
    from dangbo.members import views

    monkeypatch.setattr(views, "DUE_ITEMS_PER_PAGE", 1)
    client.force_login(officer)
    first = client.get("/viec-can-lam/", {"ngay": "20/11/2026"}).content.decode()
    second = client.get("/viec-can-lam/", {"ngay": "20/11/2026", "trang": "2"}).content.decode()
    assert (
        "Quáhạn" in first
        and "Sắpđến" not in first
        and "(2 việc, 1 quá hạn)" in first
        and "Trang 1 / 2" in first
    )
    assert "Sắpđến" in second and "Quáhạn" not in second and "Trang 2 / 2" in second
    assert "ngay=20/11/2026&amp;trang=2" in first  # the pager keeps the day
    csv = b"".join(
        client.get("/viec-can-lam/", {"ngay": "20/11/2026", "dinh-dang": "csv"}).streaming_content
    ).decode()
    assert "Quáhạn" in csv and "Sắpđến" in csv


def test_a_subtree_with_too_many_items_is_counted_by_child(client, tree, officer, cases, monkeypatch):
    from dangbo.members import views

    monkeypatch.setattr(views, "DUE_ITEMS_LISTED_MAX", 1)
    client.force_login(officer)
    html = client.get("/viec-can-lam/", {"ngay": "20/11/2026"}).content.decode()
    # two items: one overdue in cell A, one due soon in cell B; no names, a row per cell
    assert "(2 việc, 1 quá hạn)" in html and "Quáhạn" not in html and "Sắpđến" not in html
    assert "Xét công nhận đảng viên chính thức</th>" in html
    row_a = html[html.index(f"/to-chuc/{tree.cell_a.pk}/viec-can-lam/?ngay=20/11/2026") :]
    assert row_a.index("Chi bộ thôn A") < row_a.index('<td class="num">1 <span class="late">(1)</span></td>')
    row_b = html[html.index(f"/to-chuc/{tree.cell_b.pk}/viec-can-lam/?ngay=20/11/2026") :]
    assert '<td class="num">1</td>' in row_b[: row_b.index("</tr>")]
    assert "Tổng cộng" in html and "Ngoài" not in html
    # the child's own page lists its item
    cell = client.get(f"/to-chuc/{tree.cell_a.pk}/viec-can-lam/", {"ngay": "20/11/2026"}).content.decode()
    assert "Quáhạn" in cell and "Tổng cộng" not in cell


def test_a_long_todo_export_is_written_by_a_job(client, tree, officer, cases, monkeypatch):
    import csv
    import io

    from dangbo.audit.models import AuditEntry
    from dangbo.jobs.models import Job, JobState
    from dangbo.members import views

    monkeypatch.setattr(views, "DUE_LIST_EXPORT_IN_REQUEST_MAX", 1)
    client.force_login(officer)
    url = f"/to-chuc/{tree.commune.pk}/viec-can-lam/?ngay=20/11/2026&dinh-dang=csv"
    page = client.get(url)
    assert page.status_code == 200 and "Tạo tệp</button>" in page.content.decode()
    assert "<strong>2</strong> việc" in page.content.decode() and not Job.objects.exists()
    response = client.post(url)
    job = Job.objects.get()
    assert response["Location"] == f"/cong-viec/{job.pk}/"
    assert job.state == JobState.DONE and job.message == "Đã tạo danh sách 2 việc cần làm."
    text = b"".join(client.get(f"/cong-viec/{job.pk}/tai-ve/").streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][1] == "Việc" and len(rows) == 3
    assert [row[3].split()[-1] for row in rows[1:]] == ["Quáhạn", "Sắpđến"]
    exported = AuditEntry.objects.filter(action="exported", subject_id=str(tree.commune.pk)).get()
    assert exported.data == {"list": "todo", "as_of": "2026-11-20", "rows": 2, "format": "csv"}
    # the page itself takes no POST; an organization out of scope is not found
    assert client.post(f"/to-chuc/{tree.commune.pk}/viec-can-lam/?ngay=20/11/2026").status_code == 404
    assert client.post(f"/to-chuc/{tree.agency.pk}/viec-can-lam/?dinh-dang=csv").status_code == 404


@pytest.mark.postgres
def test_the_to_do_reads_are_planned_for_their_parameters_every_time(tree, monkeypatch):
    """With prepared statements on, PostgreSQL may keep a generic plan of a query after its fifth
    run, and for the to-do list's aggregates that plan is slow (the overview's to-do panel of the
    57,000-member demo: 360 ms for its first two views, 1.2 s from the third on). They are sent
    unprepared (``core.prepared.planned_each_time``), the connection's setting restored after."""
    from django.db import connection

    from dangbo.accounts.scope import SYSTEM
    from dangbo.members.selectors import todo, todo_counts

    connection.ensure_connection()
    preparing = connection.connection.prepare_threshold
    assert preparing is not None  # the test settings prepare, as production does
    seen = []

    def record(*args, **kwargs):
        seen.append(connection.connection.prepare_threshold)
        return {} if "branch_len" in kwargs else []

    monkeypatch.setattr(todo_counts, "badge_due_counts", record)
    monkeypatch.setattr(todo, "_transfer_due_items", record)
    todo_counts.due_counts(actor=SYSTEM, org=tree.province)
    todo_counts.todo_summary(actor=SYSTEM, org=tree.province)
    todo.due_items(actor=SYSTEM, org=tree.province)
    assert seen and all(threshold is None for threshold in seen)
    assert connection.connection.prepare_threshold == preparing


@pytest.fixture
def second_province(tree, make_member):
    """A second top-level organization with a cell and a member whose review for recognition is
    overdue, beside ``tree``'s province."""
    from dangbo.core.kinds import OrgKind, Sector
    from dangbo.orgs import services as org_services

    made: list = []
    for code, name, kind, sector in (
        ("T2", "Đảng bộ tỉnh Hai", OrgKind.PROVINCE, ""),
        ("T2X", "Đảng bộ xã Tỉnh Hai", OrgKind.GRASSROOTS_COMMITTEE, Sector.COMMUNE),
        ("T2XA", "Chi bộ thôn Tỉnh Hai", OrgKind.CELL, Sector.RESIDENTIAL),
    ):
        extra = {"sector": sector} if sector else {}
        made.append(
            org_services.org_establish(
                code=code,
                name=name,
                kind=kind,
                parent=made[-1] if made else None,
                **extra,
                established_on=date(2015, 1, 1),
            )
        )
    province, cell = made[0], made[-1]
    make_member(cell, full=False, admitted_on=date(2025, 6, 2), given_name="Tỉnhhai")
    return province


def test_an_administrators_to_do_counts_every_top_level_organization_in_one_table(
    client, tree, cases, second_province
):
    """An administrator holds every top-level organization: one table, a row each with what
    its own page counts, and no items listed (34 provinces of the national profile were 34
    sections, 1,888 queries and 5.2 s; bench/results/national.md)."""
    from dangbo.accounts.scope import SYSTEM
    from dangbo.members.selectors.todo_counts import todo_summary

    admin = User.objects.create_superuser("quantri", password="mat-khau-dai-du-1")
    client.force_login(admin)
    html = client.get("/viec-can-lam/", {"ngay": "20/11/2026"}).content.decode()
    assert html.count('<section class="card">') == 1 and "Tất cả tổ chức đảng" in html
    assert "Quáhạn" not in html and "Tỉnhhai" not in html  # counted, not listed
    for province in (tree.province, second_province):
        own = todo_summary(actor=SYSTEM, org=province, as_of=date(2026, 11, 20))
        link = f'<a href="/to-chuc/{province.pk}/viec-can-lam/?ngay=20/11/2026">{province.name}</a>'
        row = html[html.index(link) :]
        row = row[: row.index("</tr>")]
        total = f"{own.count}" + (f' <span class="late">({own.overdue})</span>' if own.overdue else "")
        assert own.count and row.endswith(f'<td class="num">{total}</td>\n    '), row
    # the first province: «Quáhạn» and «Ngoài» overdue, «Sắpđến» due soon; the second: «Tỉnhhai» overdue
    assert "Tất cả tổ chức đảng (4 việc, 3 quá hạn)" in html
    # the export has every item of both
    csv = b"".join(
        client.get("/viec-can-lam/", {"ngay": "20/11/2026", "dinh-dang": "csv"}).streaming_content
    ).decode()
    assert "Quáhạn" in csv and "Tỉnhhai" in csv and "Ngoài" in csv


def test_the_to_do_reads_as_many_queries_for_many_members_as_for_few(tree, officer, cases, make_member):
    """The badges' and the recognitions' members are read with their organizations in a fixed
    number of queries (names and party age only: no profile field read member by member)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dangbo.accounts.scope import scope_for
    from dangbo.members.selectors.todo import due_items

    actor, day = scope_for(officer), date(2027, 1, 10)

    def listed() -> tuple[int, list[str]]:
        with CaptureQueriesContext(connection) as queries:
            items = due_items(actor=actor, org=tree.commune, as_of=day)
            names = sorted(f"{i.kind} {i.person_name} {i.org.name}" for i in items)
        return len(queries.captured_queries), names

    few, before = listed()
    for n in range(4):
        make_member(
            tree.cell_a, admitted_on=date(1996, 12, 2), birth_date=date(1960, 1, 1), given_name=f"Huy{n}"
        )
        make_member(tree.cell_b, full=False, admitted_on=date(2025, 11, 20), given_name=f"Dựbị{n}")
    many, after = listed()
    assert many == few
    assert len(after) == len(before) + 8 and any("Huy3" in name and "Xét" not in name for name in after)
