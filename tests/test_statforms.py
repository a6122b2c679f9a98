"""The basic statistical forms (stats.statforms): figures drawn from a small history made through
the services, the cross-checks, and the XLSX and PDF exports."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest

from dangbo.core.decisions import DecisionRef
from dangbo.core.kinds import OrgKind
from dangbo.discipline import services as discipline_services
from dangbo.members.models import MemberStatus
from dangbo.members.selectors.figures import member_count_on
from dangbo.members.selectors.votes import vote_denominator
from dangbo.members.services import standing as standing_services
from dangbo.members.services.records import Identity, member_record_death
from dangbo.members.services.transfers import member_transfer
from dangbo.orgs import services as org_services
from dangbo.rules import exits as exit_rules
from dangbo.rules.discipline import Authority, Form
from dangbo.stats import statforms
from dangbo.stats.frames import frame_for
from dangbo.stats.statforms import build_forms, check_forms
from dangbo.stats.statforms.period import (
    ADMITTED,
    CLOSING,
    DECREASE,
    DIED,
    EXPELLED,
    INCREASE,
    OPENING,
    READMITTED,
    RESIGNED,
    RESTORED,
    STRUCK_OFF,
    TRANSFER_IN,
    TRANSFER_OUT,
)
from dangbo.stats.statforms.render import forms_pdf, forms_xlsx

TODAY = date(2025, 6, 30)
DECISION = DecisionRef(number="7-QĐ/ĐU", on=date(2020, 6, 1), body="Đảng ủy")


def _identity(**overrides) -> Identity:
    values = {
        "family_name": "Trần",
        "middle_name": "Văn",
        "given_name": "Đến",
        "gender": "M",
        "birth_date": date(1990, 5, 17),
        "ethnicity": "01",
        "religion": "00",
        "general_education": "upper_secondary",
        "theory_level": "elementary",
    }
    values.update(overrides)
    return Identity(**values)


def _d(number: str, on: date) -> DecisionRef:
    return DecisionRef(number=number, on=on, body="Đảng ủy")


@pytest.fixture
def history(tree, make_member, agency2):
    """Two districts: H1 (commune X1 with cells A and B; agency cell CQ1) and H2 (agency cell CQ2).

    In 2024: an admission (CQ1), a readmission (cell B), a transfer A → CQ2 across the districts
    and one A → B inside H1, a reception from outside (CQ2), a death, two strikings off (one
    restored in the year), a resignation, an expulsion, a move to outside (CQ2), a recognition and a
    temporary transfer (neither changes a count). A restoration in 2024 of a 2023 exit, and an
    admission in 2025, fall outside the 2024 figures."""
    cq2 = agency2
    m = {}
    m["transferred_out"] = make_member(tree.cell_a, admitted_on=date(2020, 3, 1))
    m["transferred_inside"] = make_member(tree.cell_a, admitted_on=date(2020, 4, 1))
    m["recognized"] = make_member(tree.cell_b, admitted_on=date(2023, 6, 1))  # full on 1/6/2024
    m["died"] = make_member(tree.cell_b, admitted_on=date(2019, 1, 1))
    m["struck_off"] = make_member(tree.agency, admitted_on=date(2018, 1, 1))
    m["moved_away"] = make_member(cq2, admitted_on=date(2018, 2, 1))
    m["restored"] = make_member(tree.cell_a, admitted_on=date(2015, 5, 1))
    m["resigned"] = make_member(tree.cell_b, admitted_on=date(2016, 5, 1))
    m["temporary"] = make_member(tree.cell_a, admitted_on=date(2017, 5, 1))
    m["readmitted"] = make_member(tree.cell_a, admitted_on=date(2010, 3, 1))
    m["restored_2023"] = make_member(tree.cell_a, admitted_on=date(2012, 3, 1))
    m["expelled"] = make_member(tree.cell_b, admitted_on=date(2016, 7, 1))

    standing_services.member_strike_off(
        member=m["readmitted"],
        on=date(2020, 6, 1),
        ground=exit_rules.StrikeOffGround.RETURNED_CARD,
        decision=DECISION,
    )
    standing_services.member_strike_off(
        member=m["restored_2023"],
        on=date(2023, 11, 1),
        ground=exit_rules.StrikeOffGround.RETURNED_CARD,
        decision=_d("8-QĐ/ĐU", date(2023, 10, 25)),
    )

    # 2024
    m["received"] = standing_services.member_receive(
        identity=_identity(),
        cell=cq2,
        arrived_on=date(2024, 2, 1),
        status=MemberStatus.FULL,
        admitted_on=date(2001, 2, 3),
        full_on=date(2002, 2, 10),
        from_name="Đảng bộ tỉnh Yên Bái",
        decision=_d("15-GGT/TU", date(2024, 1, 25)),
    )
    standing_services.member_strike_off(
        member=m["restored"],
        on=date(2024, 2, 1),
        ground=exit_rules.StrikeOffGround.RETURNED_CARD,
        decision=_d("9-QĐ/ĐU", date(2024, 1, 28)),
    )
    member_transfer(member=m["transferred_inside"], to_org=tree.cell_b, effective_on=date(2024, 3, 1))
    standing_services.member_restore(
        member=m["restored_2023"], on=date(2024, 3, 1), decision=_d("2-QĐ/UBKT", date(2024, 2, 25))
    )
    standing_services.member_readmit(
        member=m["readmitted"],
        cell=tree.cell_b,
        decision=_d("3-QĐ/ĐU", date(2024, 3, 20)),
        ceremony_on=date(2024, 4, 1),
        vote_on=date(2024, 3, 5),
        provincial_consent="12-CV/TU ngày 1/3/2024",
    )
    m["admitted"] = make_member(
        tree.agency,
        admitted_on=date(2024, 4, 1),
        full=False,
        gender="F",
        ethnicity="02",
        religion="01",
        birth_date=date(1999, 1, 1),
    )
    member_transfer(member=m["transferred_out"], to_org=cq2, effective_on=date(2024, 5, 10))
    standing_services.member_temp_transfer(
        member=m["temporary"],
        purpose=exit_rules.TransferPurpose.WORK,
        starts_on=date(2024, 6, 1),
        until=date(2024, 11, 30),
        host=cq2,
    )
    case = discipline_services.discipline_open(
        member=m["expelled"],
        act_on=date(2024, 1, 10),
        summary="Vi phạm nghiêm trọng",
        opened_on=date(2024, 5, 1),
    )
    proposal_on = date(2024, 6, 1)
    discipline_services.discipline_decide(
        case=case,
        form=Form.EXPULSION,
        authority=Authority.GRASSROOTS_COMMITTEE,
        vote_on=date(2024, 6, 8),
        approvals=6,
        denominator=9,
        decision=_d("5-QĐ/ĐU", date(2024, 6, 10)),
        proposal_vote_on=proposal_on,
        proposal_approvals=vote_denominator(org=tree.cell_b, on=proposal_on),
    )
    standing_services.member_restore(
        member=m["restored"], on=date(2024, 7, 1), decision=_d("4-QĐ/UBKT", date(2024, 6, 25))
    )
    member_record_death(member=m["died"], died_on=date(2024, 8, 15))
    standing_services.member_strike_off(
        member=m["struck_off"],
        on=date(2024, 9, 1),
        ground=exit_rules.StrikeOffGround.RETURNED_CARD,
        decision=_d("10-QĐ/ĐU", date(2024, 8, 28)),
    )
    standing_services.member_move_away(
        member=m["moved_away"],
        on=date(2024, 10, 1),
        to_name="Đảng bộ tỉnh Hà Giang",
        decision=_d("11-GGT/HU", date(2024, 9, 20)),
    )
    standing_services.member_resign(
        member=m["resigned"], on=date(2024, 11, 1), decision=_d("12-QĐ/ĐU", date(2024, 10, 28))
    )
    # 2025: outside the 2024 period
    m["later"] = make_member(tree.cell_a, admitted_on=date(2025, 1, 15), full=False)
    tree.cq2 = cq2
    tree.m = m
    return tree


def _frame(tree, start=date(2024, 1, 1), end=date(2024, 12, 31), as_of=None, root=None):
    return frame_for(root=root or tree.province, as_of=as_of or end, start=start, end=end, today=TODAY)


def _row(form, code):
    return next(row for row in form.rows if row.org_code == code)


def test_increase_and_decrease_per_row(history):
    report = build_forms(_frame(history))
    form = report.form(statforms.FORM_MOVEMENT)
    assert [row.org_code for row in form.rows] == ["H1", "H2"]
    h1, h2, total = _row(form, "H1").values, _row(form, "H2").values, form.total.values
    assert form.columns[OPENING] == "Đầu kỳ" and form.columns[CLOSING] == "Cuối kỳ"
    expected_h1 = {
        OPENING: 10,
        ADMITTED: 1,
        READMITTED: 1,
        RESTORED: 1,
        TRANSFER_IN: 0,
        INCREASE: 3,
        DIED: 1,
        STRUCK_OFF: 2,
        RESIGNED: 1,
        EXPELLED: 1,
        TRANSFER_OUT: 1,
        DECREASE: 6,
        CLOSING: 7,
    }
    expected_h2 = {
        OPENING: 1,
        ADMITTED: 0,
        READMITTED: 0,
        RESTORED: 0,
        TRANSFER_IN: 2,
        INCREASE: 2,
        DIED: 0,
        STRUCK_OFF: 0,
        RESIGNED: 0,
        EXPELLED: 0,
        TRANSFER_OUT: 1,
        DECREASE: 1,
        CLOSING: 2,
    }
    expected_total = {
        OPENING: 11,
        ADMITTED: 1,
        READMITTED: 1,
        RESTORED: 1,
        TRANSFER_IN: 1,
        INCREASE: 4,
        DIED: 1,
        STRUCK_OFF: 2,
        RESIGNED: 1,
        EXPELLED: 1,
        TRANSFER_OUT: 1,
        DECREASE: 6,
        CLOSING: 9,
    }
    assert {c: h1[c] for c in expected_h1} == expected_h1
    assert {c: h2[c] for c in expected_h2} == expected_h2
    assert {c: total[c] for c in expected_total} == expected_total
    # the stock ends agree with a plain count of the placements
    assert total[OPENING] == member_count_on(day=date(2023, 12, 31), root_path=history.province.path)
    assert total[CLOSING] == member_count_on(day=date(2024, 12, 31), root_path=history.province.path) == 9
    assert not any(row.direct for row in form.rows)  # the province holds no members itself


def test_every_cross_check_passes_on_consistent_data(history):
    report = build_forms(_frame(history))
    assert report.checks and report.ok, [(c.code, c.detail) for c in report.failed]
    codes = {check.code for check in report.checks}
    assert {"A-1", "B-1", "B-3", "B-4", "B-5", "B-6", "B-7", "B-8", "C-1", "C-2", "E-2"} <= codes
    balance = next(c for c in report.checks if c.code == "A-1")
    assert balance.ok and "3 dòng" in balance.detail
    assert all(not row.flagged for form in report.forms for row in [*form.rows, form.total])


def test_member_totals_agree_across_the_forms(history):
    report = build_forms(_frame(history))
    closing = report.form(statforms.FORM_MOVEMENT).total.values[CLOSING]
    for form in report.forms:
        if form.members_column is not None:
            assert form.total.values[form.members_column] == closing == 9, form.code
    assert report.placement_counts == {date(2024, 12, 31): 9}


def test_admissions_by_gender_ethnicity_religion_age_and_education(history):
    form = build_forms(_frame(history)).form(statforms.FORM_ADMISSIONS)
    h1 = dict(zip(form.columns, _row(form, "H1").values, strict=False))
    assert h1["Tổng số kết nạp"] == 2
    assert h1["Trong đó: Kết nạp lại"] == 1 and h1["Trong đó: Nữ"] == 1
    assert h1["Trong đó: Dân tộc thiểu số"] == 1 and h1["Trong đó: Có tôn giáo"] == 1
    assert (
        h1["Tuổi khi kết nạp: 18–30 tuổi"] == 1 and h1["Tuổi khi kết nạp: 31–40"] == 1
    )  # 25 and 33 on the decision date
    assert h1["Giáo dục phổ thông: Trung học phổ thông"] == 2
    assert not any(_row(form, "H2").values)
    assert form.total.values == _row(form, "H1").values


def test_stock_forms_on_the_report_date(history):
    report = build_forms(_frame(history))
    ages = report.form(statforms.FORM_AGE_GENDER)
    total = dict(zip(ages.columns, ages.total.values, strict=False))
    assert total["Giới tính: Nam"] == 8 and total["Giới tính: Nữ"] == 1
    assert total["Tuổi đời: Đến 30 tuổi"] == 1 and total["Tuổi đời: 31–40"] == 8  # 2024 − 1999, 2024 − 1990
    ethnic = dict(
        zip(
            report.form(statforms.FORM_ETHNICITY_RELIGION).columns,
            report.form(statforms.FORM_ETHNICITY_RELIGION).total.values,
            strict=False,
        )
    )
    assert ethnic["Dân tộc: Kinh"] == 8 and ethnic["Dân tộc: Dân tộc thiểu số"] == 1
    assert ethnic["Trong đó dân tộc thiểu số: Tày"] == 1
    assert ethnic["Tôn giáo: Không theo tôn giáo"] == 8 and ethnic["Trong đó có tôn giáo: Phật giáo"] == 1
    levels = report.form(statforms.FORM_QUALIFICATIONS)
    assert dict(zip(levels.columns, levels.total.values, strict=False))["Lý luận chính trị: Sơ cấp"] == 9
    units = report.form(statforms.FORM_UNITS)
    assert dict(zip(units.columns, _row(units, "H1").values, strict=False)) == {
        "Tổ chức đảng: Đảng bộ cơ sở": 1,
        "Tổ chức đảng: Chi bộ cơ sở": 1,
        "Tổ chức đảng: Cộng tổ chức cơ sở đảng": 2,
        "Tổ chức đảng: Đảng bộ bộ phận": 0,
        "Tổ chức đảng: Chi bộ trực thuộc": 2,
        "Đảng viên: Tổng số": 7,
        "Đảng viên: Trong đó dự bị": 2,  # the 2024 admission and the readmission
    }
    assert _row(units, "H2").values[-2:] == [2, 0]  # the temporary guest is counted at home, not in CQ2
    sectors = report.form(statforms.FORM_SECTORS)
    by_label = {row.label: row.values for row in sectors.rows}
    assert by_label == {"Xã": [1, 0, 1, 0, 2, 6], "Cơ quan": [0, 2, 2, 0, 0, 3]}
    assert sectors.total.values == [1, 2, 3, 0, 2, 9]


def test_a_restoration_counts_beside_the_exit_it_annuls(history):
    """The 2023 striking off restored in 2024: the 2023 figures show both, the 2024 figures neither."""
    report_2023 = build_forms(_frame(history, start=date(2023, 1, 1), end=date(2023, 12, 31)))
    h1 = _row(report_2023.form(statforms.FORM_MOVEMENT), "H1").values
    assert (h1[STRUCK_OFF], h1[RESTORED], h1[ADMITTED]) == (1, 1, 1)
    assert report_2023.ok, [(c.code, c.detail) for c in report_2023.failed]
    h1_2024 = _row(build_forms(_frame(history)).form(statforms.FORM_MOVEMENT), "H1").values
    assert h1_2024[RESTORED] == 1  # only the exit of February 2024


def test_a_period_ending_before_the_report_date(history):
    report = build_forms(
        _frame(history, start=date(2024, 1, 1), end=date(2024, 6, 30), as_of=date(2024, 12, 31))
    )
    movement = report.form(statforms.FORM_MOVEMENT)
    assert movement.total.values[CLOSING] == member_count_on(
        day=date(2024, 6, 30), root_path=history.province.path
    )
    assert report.placement_counts.keys() == {date(2024, 6, 30), date(2024, 12, 31)}
    assert report.ok, [(c.code, c.detail) for c in report.failed]


def test_a_subtree_report_has_the_cells_as_rows(history):
    report = build_forms(_frame(history, root=history.commune))
    movement = report.form(statforms.FORM_MOVEMENT)
    a, b = _row(movement, "X1A").values, _row(movement, "X1B").values
    assert (a[TRANSFER_OUT], b[TRANSFER_IN]) == (2, 1)  # to CQ2 (outside) and to cell B
    assert movement.total.values[TRANSFER_IN] == 0 and movement.total.values[TRANSFER_OUT] == 1
    assert report.ok, [(c.code, c.detail) for c in report.failed]
    sectors = report.form(statforms.FORM_SECTORS)
    assert [row.label for row in sectors.rows] == ["Xã"] and sectors.total.values == [1, 0, 1, 0, 2, 6]


def test_members_held_by_the_root_itself_have_their_own_row(history):
    """A grassroots cell has no children: its members are in the row «sinh hoạt trực tiếp»."""
    report = build_forms(_frame(history, root=history.agency))
    movement = report.form(statforms.FORM_MOVEMENT)
    assert [(row.org_code, row.direct) for row in movement.rows] == [("CQ1", True)]
    direct = movement.rows[0].values
    assert (direct[OPENING], direct[ADMITTED], direct[STRUCK_OFF], direct[CLOSING]) == (1, 1, 1, 1)
    assert movement.total.values == direct
    units = report.form(statforms.FORM_UNITS)
    assert units.rows[0].direct and units.rows[0].values[-2:] == [1, 1]  # the 2024 admission, probationary
    sectors = report.form(statforms.FORM_SECTORS)
    assert [(row.label, row.values) for row in sectors.rows] == [
        ("Cơ quan", [0, 1, 1, 0, 0, 1])
    ]  # the cell itself
    assert report.ok, [(c.code, c.detail) for c in report.failed]


def test_every_check_passes_on_a_generated_commune(db):
    """The demo's history (admissions, recognitions, transfers, deaths over ten years): each
    organization's report, over the year and over ten years, balances and agrees with itself."""
    from dangbo.demo.generator import build_demo
    from dangbo.demo.profiles import PROFILES
    from dangbo.orgs.models import Org

    profile = PROFILES["tiny"]
    build_demo(profile, seed=11, progress=lambda line: None)
    as_of = profile.as_of
    roots = [
        org
        for org in Org.objects.all()
        if org.kind in (OrgKind.PROVINCE, OrgKind.UPPER, OrgKind.GRASSROOTS_COMMITTEE)
    ]
    assert {org.kind for org in roots} == {OrgKind.PROVINCE, OrgKind.UPPER, OrgKind.GRASSROOTS_COMMITTEE}
    for root in roots:
        for start in (date(as_of.year, 1, 1), date(as_of.year - 10, 1, 1)):
            report = build_forms(
                frame_for(root=root, as_of=as_of, start=max(start, root.created_on), end=as_of, today=as_of)
            )
            assert report.ok, (root.code, start, [(c.code, c.detail) for c in report.failed])
    province = next(org for org in roots if org.kind == OrgKind.PROVINCE)
    report = build_forms(
        frame_for(root=province, as_of=as_of, start=date(as_of.year - 10, 1, 1), end=as_of, today=as_of)
    )
    movement = report.form(statforms.FORM_MOVEMENT).total.values
    assert (
        movement[ADMITTED] > 50
        and movement[DIED] > 0
        and movement[CLOSING] == member_count_on(day=as_of, root_path=province.path)
    )


def test_a_corrupted_figure_is_flagged_not_hidden(history):
    report = build_forms(_frame(history))
    movement = report.form(statforms.FORM_MOVEMENT)
    h1 = _row(movement, "H1")
    h1.values[CLOSING] += 1  # 8 instead of 7
    checks = {check.code: check for check in check_forms(report)}
    assert h1.values[CLOSING] == 8  # kept as it is
    assert not checks["A-1"].ok and "Huyện ủy Một" in checks["A-1"].detail and "8" in checks["A-1"].detail
    assert not checks["C-1"].ok  # the rows no longer add up to the total
    assert checks["B-1"].ok  # the total itself still agrees with the placements
    assert CLOSING in h1.flagged and OPENING in h1.flagged and CLOSING in movement.total.flagged
    assert (statforms.FORM_MOVEMENT, 0, CLOSING) in checks["A-1"].cells
    assert not report.ok

    levels = report.form(statforms.FORM_QUALIFICATIONS)
    levels.total.values[0] -= 1
    checks = {check.code: check for check in check_forms(report)}
    assert not checks["B-3"].ok and "8" in checks["B-3"].detail and "9" in checks["B-3"].detail
    assert 0 in levels.total.flagged and levels.total.values[0] == 8
    assert not checks["D-3"].ok  # the levels no longer add up to the total

    # mended, the report is clean again and the flags are gone
    h1.values[CLOSING] -= 1
    levels.total.values[0] += 1
    check_forms(report)
    assert report.ok and not h1.flagged and not levels.total.flagged


def test_the_xlsx_has_a_sheet_per_form_and_the_checks(history):
    openpyxl = pytest.importorskip("openpyxl")
    report = build_forms(_frame(history))
    _row(report.form(statforms.FORM_MOVEMENT), "H1").values[CLOSING] += 1
    check_forms(report)
    book = openpyxl.load_workbook(io.BytesIO(forms_xlsx(report)))
    assert book.sheetnames == [form.code for form in report.forms] + ["Kiểm tra chéo"]
    sheet = book[statforms.FORM_MOVEMENT]
    texts = [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert any("TĂNG, GIẢM ĐẢNG VIÊN" in t for t in texts)
    assert any("Đảng bộ tỉnh Mẫu" in t for t in texts)
    assert any("01/01/2024" in t and "31/12/2024" in t for t in texts)
    # the corrupted figure is there, as a number, and highlighted with a note
    flagged = [cell for row in sheet.iter_rows() for cell in row if cell.comment is not None]
    assert flagged and any(cell.value == 8 for cell in flagged)
    assert all(cell.fill.fgColor.rgb.endswith("FFC7CE") for cell in flagged)
    checks = book["Kiểm tra chéo"]
    results = [str(cell.value) for row in checks.iter_rows() for cell in row if cell.value]
    assert "KHÔNG ĐẠT" in results and "Đạt" in results


def test_xlsx_text_is_neutralized(history):
    openpyxl = pytest.importorskip("openpyxl")
    org_services.org_rename(
        org=history.district2,
        name='=HYPERLINK("http://x")',
        effective_on=date(2024, 1, 1),
        expected_version=history.district2.version,
    )
    book = openpyxl.load_workbook(io.BytesIO(forms_xlsx(build_forms(_frame(history)))))
    values = [cell.value for row in book[statforms.FORM_MOVEMENT].iter_rows() for cell in row]
    assert '\'=HYPERLINK("http://x")' in values and not any(
        isinstance(v, str) and v.startswith("=") for v in values
    )


def test_the_pdf_carries_the_vietnamese_titles_and_the_flags(history):
    pypdf = pytest.importorskip("pypdf")
    report = build_forms(_frame(history))
    _row(report.form(statforms.FORM_MOVEMENT), "H1").values[CLOSING] += 1
    check_forms(report)
    data = forms_pdf(report)
    assert data.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for title in (
        "TĂNG, GIẢM ĐẢNG VIÊN",
        "KẾT NẠP ĐẢNG VIÊN",
        "ĐẢNG VIÊN THEO TRÌNH ĐỘ",
        "ĐẢNG VIÊN THEO DÂN TỘC, TÔN GIÁO",
        "KIỂM TRA CHÉO",
    ):
        assert title in text, title
    assert "Mẫu 1-TCTW" in text and "Đảng bộ tỉnh Mẫu" in text
    assert "KHÔNG ĐẠT" in text and "8*" in text
    page = reader.pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)  # landscape


def test_the_xlsx_is_a_plain_zip_with_every_sheet(history):
    data = forms_xlsx(build_forms(_frame(history)))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
    assert "Kiểm tra chéo" in workbook and "Mẫu 8-TCTW" in workbook
