"""The overview (issue 23): members and admissions by year read from the counts (equal to the
counted placements at each year's end), the last month's changes, and each role's home page."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User

from dangbo.accounts.models import AccessRole
from dangbo.accounts.scope import SYSTEM
from dangbo.accounts.services import role_grant
from dangbo.members.models import Placement
from dangbo.members.services.records import member_record_death
from dangbo.members.services.transfers import member_transfer
from dangbo.stats.trends import member_trend, member_trends, recent_changes, recent_changes_of

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 15)


def _counted_on(org, day: date) -> int:
    """Members counted in ``org``'s subtree at the end of ``day`` (the statistical forms' stock)."""
    return (
        Placement.objects.filter(counted=True, valid_from__lte=day, org__path__startswith=org.path)
        .exclude(valid_to__lte=day)
        .count()
    )


@pytest.fixture
def history(tree, make_member, frozen_today):
    frozen_today(TODAY)
    a = make_member(tree.cell_a, admitted_on=date(2022, 3, 1))
    make_member(tree.cell_a, admitted_on=date(2023, 5, 2))
    b = make_member(tree.cell_b, admitted_on=date(2023, 7, 1))
    make_member(tree.agency, admitted_on=date(2024, 1, 10))
    make_member(tree.cell_b, admitted_on=date(2026, 6, 1), full=False)
    member_record_death(member=a, died_on=date(2024, 8, 1))
    member_transfer(member=b, to_org=tree.agency, effective_on=date(2025, 2, 3))
    return tree


def test_members_at_each_years_end_equal_the_counted_placements(history):
    for org in (history.province, history.commune, history.cell_a, history.agency):
        trend = member_trend(actor=SYSTEM, org=org, today=TODAY, years=6)
        assert [p.year for p in trend] == [2021, 2022, 2023, 2024, 2025, 2026]
        for point in trend:
            day = TODAY if point.year == TODAY.year else date(point.year, 12, 31)
            assert point.members == _counted_on(org, day), (org.name, point.year)
    province = {p.year: p.admitted for p in member_trend(actor=SYSTEM, org=history.province, today=TODAY)}
    assert (province[2022], province[2023], province[2024], province[2025], province[2026]) == (1, 2, 1, 0, 1)


def test_the_last_months_changes(history):
    assert recent_changes(actor=SYSTEM, org=history.province, today=TODAY) == [("Kết nạp mới", 1)]
    assert recent_changes(actor=SYSTEM, org=history.cell_a, today=TODAY) == []


def test_an_officers_overview_answers_how_the_subtree_is_doing(client, history):
    user = User.objects.create_user("canbo", password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.OFFICER, org=history.district)
    client.force_login(user)
    html = client.get("/").content.decode()
    for part in (
        "Chỉ tiêu có mục tiêu",
        "Việc cần làm",
        "Thay đổi trong 30 ngày qua",
        "Đảng viên và kết nạp theo năm",
    ):
        assert part in html, part
    assert '<td>Kết nạp mới</td><td class="num">1</td>' in html
    assert '<td>2026</td><td class="num">4</td><td class="num">1</td>' in html  # 4 members now, 1 admitted


def test_a_secretarys_overview_is_their_cell(client, history):
    user = User.objects.create_user("bithu", password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.SECRETARY, org=history.cell_b)
    client.force_login(user)
    html = client.get("/").content.decode()
    assert "Chi bộ thôn B" in html and "Đảng phí tháng này" in html and "Sinh hoạt chi bộ" in html
    assert "Chỉ tiêu có mục tiêu" not in html and "Tổ chức cơ sở đảng" not in html


def test_the_targets_and_the_to_do_come_after_the_page_within_scope(client, history):
    user = User.objects.create_user("canbo", password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.OFFICER, org=history.district)
    client.force_login(user)
    home = client.get("/").content.decode()
    targets_url, todo_url = (
        f"/tong-quan/{history.district.pk}/chi-tieu/",
        f"/tong-quan/{history.district.pk}/viec-can-lam/",
    )
    assert f'hx-get="{targets_url}"' in home and f'hx-get="{todo_url}"' in home
    targets = client.get(targets_url).content.decode()
    assert "Đạt " in targets and "chưa đạt" in targets and "Tỷ lệ" in targets and "Tất cả chỉ tiêu" in targets
    todo = client.get(todo_url).content.decode()
    assert "Việc cần làm" in todo and "Xem việc cần làm" in todo
    # another district's subtree is not theirs
    assert client.get(f"/tong-quan/{history.district2.pk}/chi-tieu/").status_code == 404
    assert client.get(f"/tong-quan/{history.district2.pk}/viec-can-lam/").status_code == 404


def test_a_cells_to_do_lists_its_next_items(client, history, make_member):
    probationary = make_member(history.cell_b, admitted_on=date(2025, 5, 1), full=False)
    user = User.objects.create_user("bithu", password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.SECRETARY, org=history.cell_b)
    client.force_login(user)
    todo = client.get(f"/tong-quan/{history.cell_b.pk}/viec-can-lam/").content.decode()
    assert "Xét công nhận đảng viên chính thức" in todo and probationary.full_name in todo


def test_several_organizations_trends_at_once_are_each_ones_counted_placements(history):
    orgs = [history.province, history.commune, history.cell_a, history.cell_b, history.agency]
    trends = member_trends(actor=SYSTEM, orgs=orgs, today=TODAY, years=6)
    recent = recent_changes_of(actor=SYSTEM, orgs=orgs, today=TODAY)
    for org in orgs:
        for point in trends[org.pk]:
            day = TODAY if point.year == TODAY.year else date(point.year, 12, 31)
            assert point.members == _counted_on(org, day), (org.name, point.year)
    assert [p.admitted for p in trends[history.cell_a.pk]] == [0, 1, 1, 0, 0, 0]
    assert [p.admitted for p in trends[history.agency.pk]] == [0, 0, 0, 1, 0, 0]
    assert recent[history.cell_b.pk] == [("Kết nạp mới", 1)] and recent[history.cell_a.pk] == []


def test_the_overviews_reads_do_not_grow_with_its_panels(client, history):
    """Each panel's members and admissions by year and its last month's changes are read for all
    the panels at once (a national officer has 34)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dangbo.core.kinds import OrgKind
    from dangbo.orgs import services as org_services

    others = [
        org_services.org_establish(
            code=f"HX{n}",
            name=f"Huyện ủy {n}",
            kind=OrgKind.UPPER,
            parent=history.province,
            established_on=date(2015, 1, 1),
            sector=history.district.sector,
        )
        for n in (2, 3)
    ]

    def queries(*orgs) -> int:
        user = User.objects.create_user(f"canbo{len(orgs)}", password="mat-khau-dai-du-1")
        for org in orgs:
            role_grant(user=user, role=AccessRole.OFFICER, org=org)
        client.force_login(user)
        client.get("/")  # the session and the user's first reads
        with CaptureQueriesContext(connection) as captured:
            html = client.get("/").content.decode()
        assert html.count("Đảng viên và kết nạp theo năm") == len(orgs)
        return len(captured)

    assert queries(history.district) == queries(history.district, *others)
