"""The section «Sinh hoạt chi bộ» of the indicator registry (issue 19): its values on a small
tree with known meetings — a period across a year, a past date, a cell founded mid-period, a
cell dissolved mid-period — read from the per-month tallies and equal to a live reading of the
tables; the tallies equal to a recount after the services, after a bulk load, after a move
and a merge; the drill-downs; and the registry's reach (dashboard, JSON report)."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User

from dangbo.accounts.models import AccessRole
from dangbo.accounts.scope import SYSTEM
from dangbo.accounts.services import role_grant
from dangbo.audit.models import AuditEntry
from dangbo.core.kinds import OrgKind, Sector
from dangbo.meetings import services
from dangbo.meetings.models import (
    AbsenceReason,
    Attendance,
    AttendanceStatus,
    Body,
    Meeting,
    MeetingKind,
)
from dangbo.meetings.services import MeetingDetails
from dangbo.orgs import services as org_services
from dangbo.restructuring.operations import org_dissolve, org_merge, org_move
from dangbo.stats.drilldown import DRILLS
from dangbo.stats.frames import Frame, frame_for
from dangbo.stats.indicators import BY_CODE, SECTIONS, context_for, evaluate, report_dict
from dangbo.stats.indicators.meetings import _from_tallies, _live, live_figures, period_span, span_of
from dangbo.stats.models import OrgTally
from dangbo.stats.tallies import tallies_deferred, tally_differences, tally_meetings_rebuild

TODAY = date(2026, 11, 20)
DECISION = org_services.DecisionRef(number="12-QĐ/HU", on=date(2026, 6, 25), body="Huyện ủy")
PRESENT = (AttendanceStatus.PRESENT, "")
UNEXCUSED = (AttendanceStatus.ABSENT_UNEXCUSED, "")
EXEMPTED = (AttendanceStatus.ABSENT_EXCUSED, AbsenceReason.EXEMPTED)
ILL = (AttendanceStatus.ABSENT_EXCUSED, AbsenceReason.ILLNESS)
CODES = (
    "meetings.monthly_held_share",
    "meetings.thematic_quarterly_share",
    "meetings.attendance_rate",
    "meetings.members_unexcused",
    "meetings.higher_level_visits",
)


def _meeting(org, held_on, kind=MeetingKind.REGULAR, **fields):
    if kind == MeetingKind.THEMATIC:
        fields.setdefault("topic", "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh")
    details = MeetingDetails(body=Body.CHI_BO, kind=kind, held_on=held_on, **fields)
    return services.meeting_schedule(actor=SYSTEM, org=org, details=details)


def _cell(tree, code, established_on):
    return org_services.org_establish(
        code=code,
        name=f"Chi bộ thôn {code}",
        kind=OrgKind.CELL,
        parent=tree.commune,
        established_on=established_on,
        sector=Sector.RESIDENTIAL,
    )


@pytest.fixture
def history(tree, make_member, frozen_today):
    """Cell A: a regular meeting every month from 11/2025 to 10/2026, thematic ones in each
    quarter of 2026; A2 absent without reason in 02 and 03/2026, exempted in 04/2026, A3 ill
    in 03/2026. Cell B:
    2026 without March and without a thematic meeting in the second quarter; B2 absent without
    reason in January. The agency: September and October only. Cell C founded 15/05/2026, every
    month from June. Cell D: every month and quarter of the first half of 2026, dissolved
    10/07/2026. Higher-level officials: two at A in January, one at B in January, two at the
    agency in October."""
    frozen_today(TODAY)
    a = [make_member(tree.cell_a) for _ in range(3)]
    b = [make_member(tree.cell_b) for _ in range(2)]
    for _ in range(2):
        make_member(tree.agency)
    tree.cell_c = _cell(tree, "X1C", date(2026, 5, 15))
    tree.cell_d = _cell(tree, "X1D", date(2015, 1, 1))
    tree.a, tree.b = a, b
    for year, month in [(2025, 11), (2025, 12), *[(2026, m) for m in range(1, 11)]]:
        meeting = _meeting(tree.cell_a, date(year, month, 10))
        entries = {m.pk: PRESENT for m in a}
        if (year, month) in ((2026, 2), (2026, 3)):
            entries[a[1].pk] = UNEXCUSED
        if (year, month) == (2026, 3):
            entries[a[2].pk] = ILL  # excused: expected, not present
        if (year, month) == (2026, 4):
            entries[a[1].pk] = EXEMPTED  # not expected
        services.attendance_record(actor=SYSTEM, meeting=meeting, entries=entries)
        if (year, month) == (2026, 1):
            services.visitor_add(actor=SYSTEM, meeting=meeting, name="Lê Văn Tám", position="Phó Bí thư")
            services.visitor_add(actor=SYSTEM, meeting=meeting, name="Trần Thị Hoa", org=tree.commune)
    for month in (2, 5, 8):
        _meeting(tree.cell_a, date(2026, month, 20), MeetingKind.THEMATIC)
    august = Meeting.objects.get(org=tree.cell_a, kind=MeetingKind.THEMATIC, month=date(2026, 8, 1))
    services.attendance_record(actor=SYSTEM, meeting=august, entries={m.pk: PRESENT for m in a})
    for month in (1, 2, 4, 5, 6, 7, 8, 9, 10):
        meeting = _meeting(tree.cell_b, date(2026, month, 12))
        if month == 1:
            services.attendance_record(
                actor=SYSTEM, meeting=meeting, entries={b[0].pk: PRESENT, b[1].pk: UNEXCUSED}
            )
            services.visitor_add(actor=SYSTEM, meeting=meeting, name="Nguyễn Văn Ba", org_text="Huyện ủy")
    for month in (2, 8):
        _meeting(tree.cell_b, date(2026, month, 22), MeetingKind.THEMATIC)
    for month in (9, 10):
        meeting = _meeting(tree.agency, date(2026, month, 5))
    services.visitor_add(actor=SYSTEM, meeting=meeting, name="Phạm Văn Một")
    services.visitor_add(actor=SYSTEM, meeting=meeting, name="Phạm Văn Hai")
    for month in (6, 7, 8, 9, 10):
        _meeting(tree.cell_c, date(2026, month, 3))
    _meeting(tree.cell_c, date(2026, 9, 25), MeetingKind.THEMATIC)
    for month in range(1, 7):
        _meeting(tree.cell_d, date(2026, month, 8))
    for month in (3, 6):
        _meeting(tree.cell_d, date(2026, month, 18), MeetingKind.THEMATIC)
    org_dissolve(org=tree.cell_d, effective_on=date(2026, 7, 10), decision=DECISION)
    return tree


def _ctx(root, **frame):
    return context_for(frame_for(root=root, **frame))


def _values(root, **frame) -> dict[str, tuple]:
    ctx = _ctx(root, **frame)
    out = {}
    for code in CODES:
        value = evaluate(ctx, BY_CODE[code], root).value
        out[code] = (value.numerator, value.denominator) if value.denominator is not None else value.numerator
    return out


def test_the_section_is_declared_with_its_definitions(db):
    assert "Sinh hoạt chi bộ" in SECTIONS
    for code in CODES:
        indicator = BY_CODE[code]
        assert indicator.flow and indicator.drill in DRILLS and indicator.target is None
        assert "tháng" in indicator.definition or "quý" in indicator.definition
    assert "Điều lệ Đảng" in BY_CODE["meetings.monthly_held_share"].note
    assert "miễn sinh hoạt" in BY_CODE["meetings.attendance_rate"].definition


def test_the_months_and_quarters_a_period_counts():
    span = period_span(date(2026, 1, 1), date(2026, 11, 20))
    assert span.months is not None and span.quarters is not None
    assert (span.months[1] - span.months[0] + 1, span.quarters[1] - span.quarters[0] + 1) == (10, 3)
    assert period_span(date(2026, 3, 1), date(2026, 3, 30)).months is None  # March is not over
    year = period_span(date(2025, 1, 1), date(2025, 12, 31))
    assert year.months is not None and year.quarters is not None
    assert (year.months[1] - year.months[0], year.quarters[1] - year.quarters[0]) == (11, 3)


def test_values_over_this_year(history):
    assert _values(history.province) == {
        # A, C (from June), D (until June, then dissolved) held every month owed; B missed March,
        # the agency began in September
        "meetings.monthly_held_share": (3, 5),
        # A, C (owes only the third quarter), D (first two); B missed the second, the agency all
        "meetings.thematic_quarterly_share": (3, 5),
        # A: 10 regular meetings and one thematic, 3 members; A2 absent twice without reason
        # and once exempted (not expected), A3 once ill (expected); B: one of two in January
        "meetings.attendance_rate": (26 + 3 + 1, 29 + 3 + 2),
        "meetings.members_unexcused": 2,
        "meetings.higher_level_visits": 5,
    }
    commune = _values(history.commune)
    assert commune["meetings.monthly_held_share"] == (3, 4)
    assert commune["meetings.higher_level_visits"] == 3
    cell_b = _values(history.cell_b)
    assert cell_b["meetings.monthly_held_share"] == (0, 1)
    assert cell_b["meetings.members_unexcused"] == 1
    # a subtree without cells: no share (not 0 %), nothing counted
    assert _values(history.district2)["meetings.monthly_held_share"] == (0, 0)
    result = evaluate(_ctx(history.district2), BY_CODE["meetings.monthly_held_share"], history.district2)
    assert result.status == "no_data"


def test_values_over_a_period_across_the_year_end(history):
    values = _values(history.province, start=date(2025, 11, 1), end=date(2026, 2, 28))
    assert values == {
        # November 2025 to February 2026: only A held them all; C did not exist yet
        "meetings.monthly_held_share": (1, 4),
        # one whole quarter in the period (the fourth of 2025): nobody held a thematic meeting
        "meetings.thematic_quarterly_share": (0, 4),
        "meetings.attendance_rate": (11 + 1, 12 + 2),
        "meetings.members_unexcused": 2,
        "meetings.higher_level_visits": 3,
    }


def test_values_on_a_past_date(history):
    values = _values(history.province, as_of=date(2026, 6, 30))
    # January to June: C (founded 15/05) owes June only and held it; D was not dissolved yet
    assert values["meetings.monthly_held_share"] == (3, 5)
    # the first two quarters: C owed none of them (its first whole quarter is the third)
    assert values["meetings.thematic_quarterly_share"] == (2, 4)
    assert values["meetings.members_unexcused"] == 2


def test_a_period_without_a_whole_month_has_no_data(history):
    ctx = _ctx(history.province, start=date(2026, 11, 1), end=date(2026, 11, 20))
    for code in CODES:
        assert evaluate(ctx, BY_CODE[code], history.province).status == "no_data"


@pytest.mark.parametrize(
    "frame",
    [
        {},
        {"start": date(2025, 11, 1), "end": date(2026, 2, 28)},
        {"as_of": date(2026, 6, 30)},
        {"start": date(2026, 7, 1), "end": date(2026, 9, 30)},
        {"start": date(2026, 2, 15), "end": date(2026, 7, 31)},
    ],
)
def test_the_tallies_read_what_the_tables_hold(history, frame):
    """The figures from the per-month tallies equal a live reading of the meeting tables, for
    the root and for each child, whatever the period (the dissolved cell D included)."""
    for root in (history.province, history.district, history.commune, history.cell_a):
        ctx = _ctx(root, **frame)
        span = span_of(ctx)
        if span.months is None:
            continue
        by_id = {root.pk: ctx.root_path, **ctx.child_paths}
        stored, live = _from_tallies(by_id, ctx.root_path, span), _live(ctx, span, by_id)
        assert stored == live and set(stored) == {root.pk, *(c.pk for c in ctx.children)}
        assert stored[root.pk] == live_figures(span, root)


def test_the_tallies_equal_a_recount(history):
    assert tally_differences() == []
    assert OrgTally.objects.filter(org=history.province, dimension__startswith="meet:").exists()
    # a meeting moved to another month, attendance changed, a visitor added: still equal
    march = Meeting.objects.get(org=history.cell_a, kind=MeetingKind.REGULAR, month=date(2026, 3, 1))
    services.attendance_record(
        actor=SYSTEM, meeting=march, entries={history.a[1].pk: PRESENT, history.a[2].pk: UNEXCUSED}
    )
    june = Meeting.objects.get(org=history.cell_b, kind=MeetingKind.REGULAR, month=date(2026, 6, 1))
    services.meeting_update(
        actor=SYSTEM,
        meeting=june,
        details=MeetingDetails(body=Body.CHI_BO, kind=MeetingKind.REGULAR, held_on=date(2026, 3, 28)),
    )
    services.visitor_add(actor=SYSTEM, meeting=june, name="Đỗ Văn Bốn")
    assert tally_differences() == []
    values = _values(history.cell_b)
    assert values["meetings.monthly_held_share"] == (0, 1)  # March now held, June missing
    assert values["meetings.higher_level_visits"] == 2


def test_a_count_changed_behind_the_tallies_is_found_and_rebuilt(history):
    """Rows written without the services leave the tallies behind: the check says so, the
    recount puts them right."""
    march = Meeting.objects.create(
        org=history.cell_b,
        body=Body.CHI_BO,
        kind=MeetingKind.REGULAR,
        held_on=date(2026, 3, 5),
        month=date(2026, 3, 1),
    )
    Attendance.objects.create(meeting=march, member=history.b[0], status=AttendanceStatus.PRESENT)
    differences = tally_differences()
    assert {d.dimension for d in differences} >= {"meet:regular_r", "meet:present"}
    tally_meetings_rebuild()  # the meeting counts alone
    assert tally_differences() == []
    assert _values(history.cell_b)["meetings.monthly_held_share"] == (1, 1)


def test_a_bulk_load_with_the_tallies_deferred_is_recounted_at_its_end(history):
    with tallies_deferred():
        rows = [
            Meeting(
                org=history.cell_b,
                body=Body.CHI_BO,
                kind=MeetingKind.REGULAR,
                held_on=d,
                month=d.replace(day=1),
            )
            for d in (date(2025, 11, 12), date(2025, 12, 12), date(2026, 3, 12))
        ]
        Meeting.objects.bulk_create(rows)
        Attendance.objects.bulk_create(
            [
                Attendance(meeting=m, member=member, status=AttendanceStatus.ABSENT_UNEXCUSED)
                for m in rows
                for member in history.b
            ]
        )
    assert tally_differences() == []
    values = _values(history.province, start=date(2025, 11, 1), end=date(2026, 2, 28))
    assert values["meetings.monthly_held_share"] == (2, 4)
    assert values["meetings.members_unexcused"] == 3  # B1 joins A2 and B2
    assert _values(history.cell_b)["meetings.monthly_held_share"] == (1, 1)


def _second_commune(history):
    return org_services.org_establish(
        code="X2",
        name="Đảng bộ xã Hai",
        kind=OrgKind.GRASSROOTS_COMMITTEE,
        parent=history.district2,
        established_on=date(2015, 1, 1),
        sector=Sector.COMMUNE,
    )


def test_a_move_during_the_period_places_the_cell_by_the_tree_of_its_last_day(history):
    commune2 = _second_commune(history)
    org_move(org=history.cell_a, new_parent=commune2, effective_on=date(2026, 7, 1), decision=DECISION)
    assert tally_differences() == []
    # this year: A sat under the second commune on the period's last day
    assert _values(history.district2)["meetings.monthly_held_share"] == (1, 1)
    assert _values(history.district2)["meetings.higher_level_visits"] == 2
    assert _values(history.commune)["meetings.monthly_held_share"] == (2, 3)
    # the first half of the year: A was still in the first commune
    first_half = {"start": date(2026, 1, 1), "end": date(2026, 6, 30)}
    assert _values(history.commune, **first_half)["meetings.monthly_held_share"] == (3, 4)
    assert _values(history.district2, **first_half)["meetings.monthly_held_share"] == (0, 0)
    # after the move: read from the tallies again, with A under the second commune
    after = {"start": date(2026, 8, 1), "end": date(2026, 10, 31)}
    assert _values(commune2, **after)["meetings.monthly_held_share"] == (1, 1)


def test_merging_an_emptied_cell_keeps_its_meetings_with_it(history, make_member):
    """A cell that never held members is merged (its counts move at once and it is left
    empty): its own meetings stay counted where it stood."""
    empty = _cell(history, "X1E", date(2015, 1, 1))
    for month in (1, 2):
        meeting = _meeting(empty, date(2026, month, 9))
    services.visitor_add(actor=SYSTEM, meeting=meeting, name="Hoàng Văn Năm")
    org_merge(sources=[empty], into=history.cell_b, effective_on=date(2026, 9, 1), decision=DECISION)
    assert tally_differences() == []


@pytest.mark.parametrize(
    "frame",
    [
        {},
        {"as_of": date(2026, 6, 30)},
        {"start": date(2026, 1, 1), "end": date(2026, 8, 31)},
        {"start": date(2025, 11, 1), "end": date(2026, 9, 30)},
    ],
)
def test_a_period_across_restructurings_reads_each_organizations_own_tallies(history, make_member, frame):
    """Across a move, a merge that empties a cell with meetings and a dissolution, the figures
    read from each organization's own stored counts (its rows less its children's) equal the
    meeting tables, for the root and every child."""
    commune2 = _second_commune(history)
    empty = _cell(history, "X1E", date(2015, 1, 1))
    for month in (1, 2, 3):
        meeting = _meeting(empty, date(2026, month, 9))
    services.visitor_add(actor=SYSTEM, meeting=meeting, name="Hoàng Văn Năm")
    org_move(org=history.cell_a, new_parent=commune2, effective_on=date(2026, 7, 1), decision=DECISION)
    org_merge(sources=[empty], into=history.cell_b, effective_on=date(2026, 8, 1), decision=DECISION)
    assert tally_differences() == []
    checked = 0
    for root in (history.province, history.district, history.district2, history.commune, commune2):
        ctx = _ctx(root, **frame)
        span = span_of(ctx)
        if span.months is None or ctx.root_path is None:
            continue
        by_id = {root.pk: ctx.root_path, **ctx.child_paths}
        own = _live(ctx, span, by_id)
        for org in ctx.orgs:
            assert own[org.pk] == live_figures(span, org), (root.code, org.code, frame)
        checked += own[root.pk].cells_months > 0 and own[root.pk].present > 0
    assert checked >= 3


def test_drill_downs_name_the_cells_months_members_and_meetings(history):
    ctx = _ctx(history.province)
    gaps = DRILLS["meetings_monthly_gaps"](ctx, history.province)
    rows = {row[0].text: row[2].text for row in gaps.rows}
    assert rows == {
        "Chi bộ thôn B": "03/2026",
        "Chi bộ Cơ quan Một": "01/2026, 02/2026, 03/2026, 04/2026, 05/2026, 06/2026, 07/2026, 08/2026",
    }
    thematic = {
        row[0].text: row[2].text for row in DRILLS["meetings_thematic_gaps"](ctx, history.province).rows
    }
    assert thematic == {
        "Chi bộ thôn B": "quý 2/2026",
        "Chi bộ Cơ quan Một": "quý 1/2026, quý 2/2026, quý 3/2026",
    }
    members = DRILLS["meetings_members_unexcused"](ctx, history.province)
    assert members.names_people
    assert [(r[0].member_id, r[1].text, r[2].text) for r in members.rows] == sorted(
        [
            (history.a[1].pk, "Chi bộ thôn A", "02/2026, 03/2026"),
            (history.b[1].pk, "Chi bộ thôn B", "01/2026"),
        ],
        key=lambda r: history.a[1].sort_key if r[0] == history.a[1].pk else history.b[1].sort_key,
    )
    visited = DRILLS["meetings_visited"](ctx, history.province)
    assert [(r[0].text, r[1].text, r[3].text) for r in visited.rows] == [
        ("10/01/2026", "Chi bộ thôn A", "2"),
        ("12/01/2026", "Chi bộ thôn B", "1"),
        ("05/10/2026", "Chi bộ Cơ quan Một", "2"),
    ]
    assert "Lê Văn Tám, Phó Bí thư" in visited.rows[0][4].text
    # each date links to its meeting's page (the URL reversed once and filled in)
    from dangbo.meetings.models import Meeting

    linked = {row[0].href for row in visited.rows}
    assert linked == {
        f"/sinh-hoat/{pk}/"
        for pk in Meeting.objects.filter(visitors__isnull=False).values_list("pk", flat=True)
    }
    attendance = DRILLS["meetings_attendance"](ctx, history.province)
    assert [r[0].text for r in attendance.rows] == ["Chi bộ thôn B", "Chi bộ thôn A"]  # lowest first
    # the commune's list holds only its own cells
    assert {
        r[0].text for r in DRILLS["meetings_monthly_gaps"](_ctx(history.commune), history.commune).rows
    } == {"Chi bộ thôn B"}


def test_the_pages_and_the_report_show_the_section(client, history):
    user = User.objects.create_user("lanh-dao", password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.OFFICER, org=history.district)
    client.force_login(user)
    html = client.get(f"/to-chuc/{history.district.pk}/chi-tieu/").content.decode()
    assert "Sinh hoạt chi bộ" in html and "Tỷ lệ chi bộ sinh hoạt thường kỳ đủ các tháng" in html
    response = client.get(f"/to-chuc/{history.district.pk}/chi-tieu/meetings.members_unexcused/")
    page = response.content.decode()
    assert response.status_code == 200 and history.a[1].full_name in page
    assert AuditEntry.objects.filter(data__list="meetings.members_unexcused").exists()
    # another district's officer sees none of it
    other = User.objects.create_user("can-bo-khac", password="mat-khau-dai-du-1")
    role_grant(user=other, role=AccessRole.OFFICER, org=history.district2)
    client.force_login(other)
    url = f"/to-chuc/{history.district.pk}/chi-tieu/meetings.members_unexcused/"
    assert client.get(url).status_code == 404
    report = report_dict(_ctx(history.province))
    found = {i["code"]: i for i in report["indicators"]}
    assert found["meetings.higher_level_visits"]["value"] == 5
    assert found["meetings.attendance_rate"]["denominator"] == 34


@pytest.mark.parametrize("frame", [{}, {"start": date(2025, 11, 1), "end": date(2026, 2, 28)}])
def test_the_drill_downs_read_from_the_tallies_list_what_a_live_reading_lists(history, monkeypatch, frame):
    """On an unchanged tree the lists start from each cell's tallies and read the tables only
    for the cells they list: the same rows as a live reading of the period."""

    def rows(root):
        ctx = _ctx(root, **frame)
        return {
            code: [[c.text for c in row] for row in DRILLS[BY_CODE[code].drill](ctx, root).rows]
            for code in CODES
        }

    fast = {root.pk: rows(root) for root in (history.province, history.commune)}
    monkeypatch.setattr(Frame, "tree_unchanged_since", lambda self, day, kinds_too=False: False)
    assert fast == {root.pk: rows(root) for root in (history.province, history.commune)}
    assert fast[history.province.pk]["meetings.monthly_held_share"]  # not empty lists
