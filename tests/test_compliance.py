"""The compliance checker (stats.compliance): each check over situations built through the
services, the subtree limit, the reports (XLSX, text) and the page."""

from __future__ import annotations

import io
import json
import sys
import types
import uuid
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangbo.accounts.models import AccessRole
from dangbo.accounts.services import role_grant
from dangbo.audit.models import AuditEntry
from dangbo.core import paths
from dangbo.core.decisions import DecisionRef
from dangbo.core.kinds import OrgKind, Sector
from dangbo.core.roles import Role
from dangbo.members.services.positions import member_position_start
from dangbo.members.services.transfers import Trigger, transfer_close_late, transfer_issue
from dangbo.orgs import services as org_services
from dangbo.orgs.models import Org
from dangbo.orgs.selectors import NotInScope
from dangbo.reference.models import Holiday
from dangbo.rules import orgs as org_rules
from dangbo.rules import probation as probation_rules
from dangbo.rules import targets as target_rules
from dangbo.rules import transfers as transfer_rules
from dangbo.rules.positions import POSITION_KINDS
from dangbo.stats.compliance import (
    CHECKS,
    HEADER,
    compliance_run,
    compliance_summary,
    compliance_text,
    compliance_xlsx,
)

TODAY = date(2026, 11, 20)


def found(findings, check, *, org=None, member=None, rule=None):
    return [
        f
        for f in findings
        if f.check == check
        and (org is None or f.org.pk == org.pk)
        and (member is None or (f.member and f.member.pk == member.pk))
        and (rule is None or f.rule == rule)
    ]


def secretary(member, org, role=Role.SECRETARY, on=date(2025, 9, 1)):
    member_position_start(member=member, org=org, role=role, started_on=on)


# --- 1, 2: formation (rules.orgs.check_formation) -------------------------------------------------


def test_a_cell_with_two_full_members_is_flagged_with_the_charter_citation(tree, make_member):
    make_member(tree.cell_a)
    make_member(tree.cell_a)
    make_member(tree.cell_a, full=False, admitted_on=date(2026, 6, 1))  # probationary: not counted as full
    for _ in range(3):
        make_member(tree.cell_b)
    findings = compliance_run(root=tree.province, today=TODAY)
    [finding] = found(findings, "org.min_full_members", org=tree.cell_a)
    assert finding.rule == org_rules.MIN_FULL_MEMBERS.code == "org.min_full_members"
    assert finding.citation == org_rules.MIN_FULL_MEMBERS.at(TODAY).citation and "Điều 21" in finding.citation
    assert "chỉ có 2 đảng viên chính thức" in finding.message and "tối thiểu 3" in finding.message
    assert finding.member is None and finding.title
    assert finding.since is not None and finding.since <= TODAY  # the last change of the cell's members
    assert not found(findings, "org.min_full_members", org=tree.cell_b)
    # the commune committee counts its whole subtree: 5 full members, so not under the minimum
    assert not found(findings, "org.min_full_members", org=tree.commune)
    # ... but a grassroots committee of 6 members without the superior's written approval is flagged
    [approval] = found(findings, "org.formation_approval", org=tree.commune)
    assert (
        "6 đảng viên" in approval.message and approval.rule == org_rules.GRASSROOTS_COMMITTEE_THRESHOLD.code
    )
    # an empty grassroots cell is flagged too, since it was established
    [empty] = found(findings, "org.min_full_members", org=tree.agency)
    assert "chỉ có 0" in empty.message and empty.since == tree.agency.created_on
    # a leadership gap dates from the organization's own changes, not from its subtree's members
    [no_secretary] = found(findings, "org.committee", org=tree.province)
    assert "chưa có bí thư" in no_secretary.message and no_secretary.since == date(2015, 1, 1)
    [cell_gap] = found(findings, "org.committee", org=tree.cell_a)
    assert cell_gap.since == date(2026, 6, 1)  # its last member's admission


def test_a_grassroots_cell_of_30_members_needs_the_superiors_approval(tree, make_member):
    for _ in range(28):
        make_member(tree.agency)
    for _ in range(2):
        make_member(tree.agency, full=False, admitted_on=date(2026, 6, 1))  # probationary members count here
    findings = compliance_run(root=tree.district, today=TODAY)
    [finding] = found(findings, "org.formation_approval", org=tree.agency)
    assert "có 30 đảng viên" in finding.message and "phải lập đảng bộ cơ sở" in finding.message
    assert finding.rule == "org.grassroots_committee_threshold"
    assert finding.citation == org_rules.GRASSROOTS_COMMITTEE_THRESHOLD.at(TODAY).citation
    assert not found(findings, "org.min_full_members", org=tree.agency)

    Org.objects.filter(pk=tree.agency.pk).update(formation_approval="12-CV/ĐU ngày 01/3/2026")
    tree.agency.refresh_from_db()
    findings = compliance_run(root=tree.district, today=TODAY)
    assert not found(findings, "org.formation_approval", org=tree.agency)


# --- 3: committees (rules.positions.committee_gaps) -------------------------------------------------


def test_a_cell_of_nine_full_members_without_a_committee_is_flagged(tree, make_member):
    members = [make_member(tree.cell_b) for _ in range(9)]
    secretary(members[0], tree.cell_b)
    findings = compliance_run(root=tree.commune, today=TODAY)
    [gap] = found(findings, "org.committee", org=tree.cell_b)
    assert gap.rule == org_rules.CELL_COMMITTEE_THRESHOLD.code
    assert gap.citation == org_rules.CELL_COMMITTEE_THRESHOLD.at(TODAY).citation
    assert "9 đảng viên chính thức" in gap.message and "mới có 1 người trong chi ủy" in gap.message
    assert gap.since == date(2025, 9, 1)  # the secretary's election is the last change
    # a cell without any secretary is told so (the same warning as the organization page)
    assert any(
        "chưa có bí thư" in f.message
        for f in found(findings, "org.committee", org=tree.cell_a, rule=POSITION_KINDS.code)
    )

    secretary(members[1], tree.cell_b, Role.DEPUTY_SECRETARY)
    secretary(members[2], tree.cell_b, Role.COMMITTEE_MEMBER)
    findings = compliance_run(root=tree.commune, today=TODAY)
    assert not found(findings, "org.committee", org=tree.cell_b)


def test_a_grassroots_organization_without_a_secretary_on_the_day_is_flagged(tree, make_member):
    from dangbo.members.services.positions import member_position_end

    members = [make_member(tree.cell_a) for _ in range(3)]
    apatit = org_services.org_establish(
        code="APT",
        name="Đảng bộ Công ty Mẫu",
        kind=OrgKind.GRASSROOTS_COMMITTEE,
        parent=tree.province,
        established_on=date(2015, 1, 1),
        sector=Sector.STATE_ENTERPRISE,
        has_upper_rights=True,
    )
    findings = compliance_run(root=tree.province, today=TODAY)
    flagged = {f.org.pk: f for f in found(findings, "org.grassroots_secretary")}
    # the commune committee and the agency's grassroots cell; not the cells, the district, nor a
    # committee given upper-level rights
    assert set(flagged) == {tree.commune.pk, tree.agency.pk}
    finding = flagged[tree.commune.pk]
    assert finding.rule == POSITION_KINDS.code and finding.citation == POSITION_KINDS.at(TODAY).citation
    assert "không có bí thư ngày 20/11/2026" in finding.message and finding.since == tree.commune.created_on
    # check 3 leaves that gap to this check (no finding twice), and still reports the others
    assert not [f for f in found(findings, "org.committee", org=tree.commune) if "bí thư" in f.message]
    assert found(findings, "org.committee", org=tree.province)
    assert apatit.pk not in flagged

    secretary(members[0], tree.commune, on=date(2025, 9, 1))
    findings = compliance_run(root=tree.province, today=TODAY)
    assert not found(findings, "org.grassroots_secretary", org=tree.commune)
    # a secretary elected after the day does not count on it
    assert found(
        compliance_run(root=tree.province, today=date(2025, 8, 31)),
        "org.grassroots_secretary",
        org=tree.commune,
    )
    # nor one whose position ended before it: flagged since the day it ended
    member_position_end(member=members[0], org=tree.commune, role=Role.SECRETARY, ended_on=date(2026, 10, 1))
    [finding] = found(
        compliance_run(root=tree.province, today=TODAY), "org.grassroots_secretary", org=tree.commune
    )
    assert finding.since == date(2026, 10, 1)


# --- 4: probation and deadlines -------------------------------------------------------------


def test_a_probationary_member_13_months_after_the_ceremony_is_flagged(tree, make_member):
    Holiday.objects.all().delete()
    late = make_member(tree.cell_a, full=False, admitted_on=date(2025, 10, 20), given_name="Quáhạn")
    recent = make_member(tree.cell_a, full=False, admitted_on=date(2026, 1, 5), given_name="Cònsớm")
    recognized = make_member(tree.cell_a, admitted_on=date(2025, 10, 20), given_name="Đãcôngnhận")
    findings = compliance_run(root=tree.province, today=TODAY)
    [finding] = found(findings, "member.probation_ended")
    assert finding.member.pk == late.pk and finding.org.pk == tree.cell_a.pk
    assert finding.since == date(2026, 10, 21)  # the day after the 12 months ended (20/10/2026)
    assert finding.since == probation_rules.probation_end(late.ceremony_on).on + timedelta(days=1)
    assert finding.rule == "probation.months" and "Điều 5" in finding.citation
    assert "20/10/2025" in finding.message and "20/10/2026" in finding.message
    assert "chưa có quyết định công nhận" in finding.message and "01/12/2026" in finding.message  # review due
    assert not found(findings, "member.probation_ended", member=recent)
    assert not found(findings, "member.probation_ended", member=recognized)
    # the recognition review is reported once, here, not again among the overdue deadlines
    assert not [f for f in found(findings, "deadline.overdue") if f.member and f.member.pk == late.pk]
    # once the review is overdue, the message says so
    later = compliance_run(root=tree.province, today=date(2026, 12, 10))
    [finding] = found(later, "member.probation_ended")
    assert "đã quá 9 ngày" in finding.message


def test_an_overdue_transfer_is_reported_on_both_sides(tree, make_member):
    Holiday.objects.all().delete()
    member = make_member(tree.cell_a, given_name="Chuyểnđi")
    decision = DecisionRef(number="25-QĐ/ĐU", on=date(2026, 3, 2), body="Đảng ủy xã Một")
    trigger = Trigger(kind="new_post", number="3/QĐ-UBND", on=date(2026, 2, 2))
    transfer_issue(
        member=member,
        to_org=tree.agency,
        issued_on=date(2026, 3, 2),
        decision=decision,
        trigger=trigger,
        accept_below_minimum=True,
    )
    present_by = transfer_rules.arrival_due(date(2026, 3, 2), holidays=set())
    # the receiving side: the letter not presented within 30 working days
    [incoming] = found(compliance_run(root=tree.agency, today=TODAY), "deadline.overdue")
    assert incoming.member.pk == member.pk and incoming.org.pk == tree.agency.pk
    assert incoming.rule == transfer_rules.TRANSFER_PRESENT_WORKING_DAYS.code
    assert incoming.citation == transfer_rules.TRANSFER_PRESENT_WORKING_DAYS.at(date(2026, 3, 2)).citation
    assert (
        incoming.since == present_by + timedelta(days=1) and f"hạn {present_by:%d/%m/%Y}" in incoming.message
    )
    # the sending side: reported where the member still belongs, inside its own subtree
    [outgoing] = found(compliance_run(root=tree.commune, today=TODAY), "deadline.overdue")
    assert outgoing.org.pk == tree.cell_a.pk
    # not yet overdue on the deadline
    assert not found(compliance_run(root=tree.agency, today=present_by), "deadline.overdue")


def test_a_late_letter_is_reported_until_its_handling_is_recorded(tree, make_member):
    Holiday.objects.all().delete()
    member = make_member(tree.cell_a, given_name="Chậm")
    decision = DecisionRef(number="26-QĐ/ĐU", on=date(2026, 6, 1), body="Đảng ủy xã Một")
    case = transfer_issue(
        member=member,
        to_org=tree.agency,
        issued_on=date(2026, 6, 1),
        decision=decision,
        trigger=Trigger(kind="retirement", number="8/QĐ-BHXH", on=date(2026, 1, 5)),
        late_reason="administrative",
        late_note="Chậm chuyển hồ sơ",
        accept_below_minimum=True,
    )
    [finding] = found(compliance_run(root=tree.commune, today=TODAY), "transfer.late")
    assert (
        finding.rule == transfer_rules.TRANSFER_COMPLETE_WORKING_DAYS.code
        and finding.org.pk == tree.cell_a.pk
    )
    assert "hạn 30/03/2026" in finding.message and "Chậm chuyển hồ sơ" in finding.message
    assert found(compliance_run(root=tree.agency, today=TODAY), "transfer.late")
    transfer_close_late(case=case, closed_on=TODAY, note="Đã báo cáo")
    assert not found(compliance_run(root=tree.commune, today=TODAY), "transfer.late")


# --- 5, 6: targets ----------------------------------------------------------------------------


def test_a_hamlet_without_a_cell_is_flagged(tree):
    bare = org_services.locality_create(code="X1-T3", kind="thon", name="Ba", commune=tree.commune)
    org_services.locality_create(
        code="X1-T1", kind="thon", name="Một", commune=tree.commune, cell=tree.cell_a
    )
    findings = compliance_run(root=tree.province, today=TODAY)
    [finding] = found(findings, "target.hamlets_without_cell")
    assert finding.locality.pk == bare.pk and finding.org.pk == tree.commune.pk and finding.member is None
    assert "Thôn Ba (Đảng bộ xã Một) chưa có chi bộ" in finding.message
    assert finding.rule == "target.hamlets_without_cell"
    assert finding.citation == target_rules.HAMLETS_WITHOUT_CELL.at(TODAY).citation
    assert finding.since is None and finding.since_text == "không xác định"


def test_grassroots_secretaries_below_intermediate_theory_are_flagged(tree, make_member):
    weak = make_member(tree.agency, theory_level="elementary", given_name="Sơcấp")
    strong = make_member(tree.agency, theory_level="intermediate", given_name="Trungcấp")
    make_member(tree.agency)
    secretary(weak, tree.agency, Role.SECRETARY, on=date(2025, 10, 1))
    secretary(strong, tree.agency, Role.DEPUTY_SECRETARY)
    # a cell under a committee is not a grassroots organization: its secretary is not concerned
    cell_secretary = make_member(tree.cell_a, theory_level="elementary")
    secretary(cell_secretary, tree.cell_a)
    findings = compliance_run(root=tree.province, today=TODAY)
    [finding] = found(findings, "target.secretaries_theory")
    assert finding.member.pk == weak.pk and finding.org.pk == tree.agency.pk
    assert "Bí thư Chi bộ Cơ quan Một" in finding.message and "sơ cấp" in finding.message
    assert finding.rule == "target.secretaries_theory" and finding.since == date(2025, 10, 1)
    assert finding.citation == target_rules.SECRETARIES_THEORY.at(TODAY).citation
    # the deputy secretary of a grassroots committee with no recorded level is flagged; a committee member is not
    unknown = make_member(tree.cell_b, theory_level=None, given_name="Chưaghi")
    secretary(unknown, tree.commune, Role.DEPUTY_SECRETARY)
    secretary(make_member(tree.cell_b, theory_level="none"), tree.commune, Role.COMMITTEE_MEMBER)
    findings = found(compliance_run(root=tree.province, today=TODAY), "target.secretaries_theory")
    assert [f.member.pk for f in findings] == [unknown.pk, weak.pk]  # in organization path order
    assert "Phó Bí thư Đảng bộ xã Một" in findings[0].message and "chưa ghi nhận" in findings[0].message


# --- subtree, order, speed ---------------------------------------------------------------------


def test_findings_stay_in_the_roots_subtree(tree, make_member):
    make_member(tree.cell_a, given_name="Trong")
    make_member(tree.agency, full=False, admitted_on=date(2025, 1, 6), given_name="Ngoài")
    org_services.locality_create(code="X1-T9", kind="thon", name="Chín", commune=tree.commune)
    everything = compliance_run(root=tree.province, today=TODAY)
    assert found(everything, "member.probation_ended") and found(
        everything, "org.min_full_members", org=tree.agency
    )
    for root in (tree.commune, tree.cell_a, tree.district2):
        findings = compliance_run(root=root, today=TODAY)
        assert all(paths.is_within(f.org.path, root.path) for f in findings)
        assert not any(f.org.pk == tree.agency.pk for f in findings)
        assert not found(findings, "member.probation_ended")
    assert found(compliance_run(root=tree.commune, today=TODAY), "target.hamlets_without_cell")
    assert not found(compliance_run(root=tree.cell_a, today=TODAY), "target.hamlets_without_cell")
    # sorted by check, then organization path
    keys = [([c.code for c in CHECKS].index(f.check), f.org.path) for f in everything]
    assert keys == sorted(keys)


def test_a_scope_that_does_not_hold_the_root_is_refused(tree):
    from dangbo.accounts.scope import Scope

    scope = Scope(user_id=1, username="x", read_paths=(tree.district2.path,))
    with pytest.raises(NotInScope):
        compliance_run(root=tree.district, today=TODAY, actor=scope)
    assert compliance_run(root=tree.district2, today=TODAY, actor=scope) is not None


def test_the_number_of_queries_does_not_grow_with_the_tree(tree, make_member):
    make_member(tree.cell_a)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            compliance_run(root=tree.province, today=TODAY)
        return len(captured)

    before = queries()
    for n in range(6):
        cell = org_services.org_establish(
            code=f"X1C{n}",
            name=f"Chi bộ thôn C{n}",
            kind=OrgKind.CELL,
            parent=tree.commune,
            established_on=date(2015, 1, 1),
            sector=Sector.RESIDENTIAL,
        )
        make_member(cell)
    assert queries() == before


# --- reports -----------------------------------------------------------------------------------


def test_summary_xlsx_text_and_json(tree, make_member):
    import openpyxl

    make_member(tree.cell_a, given_name="Xlsx")
    org_services.locality_create(code="X1-T5", kind="thon", name="Năm", commune=tree.commune)
    findings = compliance_run(root=tree.province, today=TODAY)
    summary = compliance_summary(findings, on=TODAY)
    assert [row[0] for row in summary] == [c.code for c in CHECKS]
    counts = {code: count for code, _, count, _ in summary}
    assert counts["org.min_full_members"] == len(found(findings, "org.min_full_members")) > 0
    assert counts["target.hamlets_without_cell"] == 1 and counts["member.probation_ended"] == 0
    assert all(citation for *_, citation in summary)

    book = openpyxl.load_workbook(
        io.BytesIO(compliance_xlsx(findings, title="Kiểm tra tuân thủ — Đảng bộ tỉnh Mẫu").read())
    )
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "Kiểm tra tuân thủ — Đảng bộ tỉnh Mẫu"
    assert list(rows[2]) == HEADER
    assert {
        "Kiểm tra",
        "Tổ chức",
        "Mã tổ chức",
        "Đảng viên",
        "Nội dung",
        "Quy định",
        "Căn cứ",
        "Từ ngày",
    } <= set(HEADER)
    body = rows[3:]
    assert len(body) == len(findings)
    hamlet = next(r for r in body if r[1] == "Thôn, tổ dân phố chưa có chi bộ")
    assert hamlet[3] == "X1" and "Thôn Năm" in hamlet[5] and hamlet[8] == "không xác định"

    text = compliance_text(findings, title="Kiểm tra tuân thủ quy định — Đảng bộ tỉnh Mẫu", on=TODAY)
    for check in CHECKS:
        assert check.title in text
    assert "Không đủ số đảng viên chính thức tối thiểu" in text and "Chi bộ thôn A (X1A)" in text
    assert "Điều lệ Đảng" in text and "Từ ngày: " in text and "không xác định" in text

    data = json.loads(json.dumps([f.as_dict() for f in findings], ensure_ascii=False))
    hamlet = next(d for d in data if d["check"] == "target.hamlets_without_cell")
    assert hamlet["org_code"] == "X1" and hamlet["since"] is None and hamlet["locality_code"] == "X1-T5"
    dated = next(d for d in data if d["since"])
    assert date.fromisoformat(dated["since"]) <= TODAY and isinstance(dated["org_id"], str)


# --- the page ------------------------------------------------------------------------------------


@pytest.fixture
def compliance_url(settings, monkeypatch):
    """The page's URL; until the project's urls.py routes it, a test URLconf adds the route."""
    from django.urls import NoReverseMatch, path, reverse

    try:
        reverse("stats:compliance", args=[uuid.uuid4()])
    except NoReverseMatch:
        import dangbo.urls
        from dangbo.stats.compliance_views import compliance_page

        module = types.ModuleType("compliance_test_urls")
        module.urlpatterns = [
            path("to-chuc/<uuid:org_id>/kiem-tra/", compliance_page, name="compliance"),
            *dangbo.urls.urlpatterns,
        ]
        monkeypatch.setitem(sys.modules, module.__name__, module)
        settings.ROOT_URLCONF = module.__name__
    return lambda org: reverse("stats:compliance", args=[org.pk])


@pytest.fixture
def officer(tree):
    user = User.objects.create_user("canbo", password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.OFFICER, org=tree.commune)
    return user


def test_the_page_shows_the_findings_in_scope_and_404_outside(
    client, tree, make_member, officer, compliance_url
):
    member = make_member(tree.cell_a, full=False, admitted_on=date(2025, 1, 6), given_name="Dựbịlâu")
    org_services.locality_create(code="X1-T7", kind="thon", name="Bảy", commune=tree.commune)
    make_member(tree.agency, full=False, admitted_on=date(2025, 1, 6), given_name="Ngoàiphạmvi")
    client.force_login(officer)
    response = client.get(compliance_url(tree.commune))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kiểm tra tuân thủ quy định" in html and "Tải Excel" in html and "data-print" in html
    assert "Không đủ số đảng viên chính thức tối thiểu" in html and "Thôn Bảy" in html
    assert f"/dang-vien/{member.pk}/" in html and f"/to-chuc/{tree.cell_a.pk}/" in html
    assert "Ngoàiphạmvi" not in html and "Chi bộ Cơ quan Một" not in html
    assert AuditEntry.objects.filter(
        action="list_viewed", subject_id=str(tree.commune.pk), data__list="compliance"
    ).exists()
    # one check only
    narrowed = client.get(
        compliance_url(tree.commune), {"kiem-tra": "member.probation_ended"}
    ).content.decode()
    assert "Dựbịlâu" in narrowed and "Thôn Bảy" not in narrowed
    assert client.get(compliance_url(tree.commune), {"kiem-tra": "khong-co"}).status_code == 404
    # the export
    download = client.get(compliance_url(tree.commune), {"dinh-dang": "xlsx"})
    assert download.status_code == 200 and download["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
    assert b"".join(download.streaming_content)[:2] == b"PK"
    # outside the officer's subtree, and signed out
    assert client.get(compliance_url(tree.agency)).status_code == 404
    assert client.get(compliance_url(tree.province)).status_code == 404
    client.logout()
    assert client.get(compliance_url(tree.commune)).status_code == 302
