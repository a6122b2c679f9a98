"""Importing members from an office's book (issue 22): staging with a reason for every refused
row, the register written only on confirmation and all at once, re-runs that add nothing, a
corrected file that updates what changed through ledger events, duplicates never merged."""

from __future__ import annotations

import json
from datetime import date

import pytest
from tests.import_files import csv_bytes, member_book

from dangbo.accounts.scope import SYSTEM
from dangbo.cli import main as dangbo
from dangbo.core.violations import NotInScope, RuleViolation
from dangbo.imports import selectors, services
from dangbo.imports.models import BatchState, ImportBatch, Outcome, StagedRow
from dangbo.members.models import Member, MemberEvent, MemberStatus
from dangbo.orgs.models import Locality
from dangbo.orgs.services import locality_create
from dangbo.stats.tallies import tally_differences

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 1)


@pytest.fixture
def commune(tree, frozen_today):
    frozen_today(TODAY)
    locality_create(commune=tree.commune, kind=Locality.Kind.THON, name="Thôn A", code="TA", cell=tree.cell_a)
    locality_create(commune=tree.commune, kind=Locality.Kind.THON, name="Thôn B", code="TB", cell=tree.cell_b)
    return tree


def book_rows():
    return [
        # name, birth, sex/ethnicity/religion, admitted, full, card, history, national ID, cell, hamlet
        # 1: a full member; the ID and the card lost their leading zeros in Excel
        [
            "Trần Thị Hương",
            "12/04/1985",
            "Nữ - Kinh - Không",
            "15/03/2010",
            "15/03/2011",
            1234567.0,
            "12345-LC",
            1185012345.0,
            "Chi bộ thôn A",
            "Thôn A",
        ],
        # 2: probationary; the birth date an Excel date, the admission an Excel serial (2025-09-01)
        ["Lê Văn Nam", date(1990, 1, 20), "Nam, Kinh, Phật giáo", 45901.0, "", "", "", "", "X1B", "Thôn B"],
        # 3: an impossible date
        ["Phạm Văn Ba", "31/02/1990", "Nam, Kinh, Không", "01/01/2015", "01/01/2016", "", "", "", "X1A", ""],
        # 4: admitted at 16
        ["Vũ Thị Tư", "01/01/2000", "Nữ, Tày, Không", "01/06/2016", "", "", "", "", "X1A", ""],
        # 5: the same national ID as row 1
        ["Trần Hương", "12/04/1985", "Nữ, Kinh, Không", "15/03/2010", "", "", "", "001185012345", "X1A", ""],
        # 6: a cell that is not there
        [
            "Đỗ Văn Sáu",
            "05/05/1980",
            "Nam, Kinh, Không",
            "05/05/2005",
            "05/05/2006",
            "",
            "",
            "",
            "Chi bộ Z",
            "",
        ],
    ]


def run(capsys, *args) -> tuple[int, dict]:
    code = dangbo(["import", *args, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def test_a_7_hsdv_book_is_staged_row_by_row_then_written_on_confirmation(commune, tmp_path, capsys):
    path = tmp_path / "so-dang-vien.xlsx"
    path.write_bytes(member_book(book_rows()))
    code, report = run(capsys, "members", str(path), "--org", "X1", "--dry-run")
    assert code == 0
    assert report["reading"]["header_row"] == 3
    outcomes = {row["row"]: row["outcome"] for row in report["rows"]}
    assert outcomes == {
        6: "accepted",
        7: "accepted",
        8: "rejected",
        9: "rejected",
        10: "duplicate",
        11: "rejected",
    }
    reasons = {row["row"]: row["reasons"] for row in report["rows"]}
    assert "31/02/1990" in reasons[8][0]["value"] and reasons[8][0]["column"] == "Ngày sinh"
    assert any("18" in r["message"] for r in reasons[9])  # the admission age, with its rule
    assert all(r["rule"] for r in reasons[9])
    assert "dòng 6" in reasons[10][0]["message"]
    assert "Chi bộ Z" in reasons[11][0]["message"]
    assert Member.objects.count() == 0  # a dry run writes nothing
    assert not StagedRow.objects.exists()

    code, report = run(capsys, "members", str(path), "--org", "X1")
    assert code == 0 and report["written"] == {"created": 2, "updated": 0}
    huong = Member.objects.get(national_id="001185012345")
    assert (huong.card_number, huong.history_number) == ("01234567", "012345LC")
    assert (huong.gender, huong.ethnicity_id, huong.status) == ("F", "01", MemberStatus.FULL)
    assert huong.org.code == "X1A" and huong.residence_locality.code == "TA"
    assert (huong.admitted_on, huong.full_on) == (date(2010, 3, 15), date(2011, 3, 15))
    nam = Member.objects.get(given_name="Nam")
    assert (nam.birth_date, nam.admitted_on, nam.status) == (
        date(1990, 1, 20),
        date(2025, 9, 1),
        MemberStatus.PROBATIONARY,
    )
    assert nam.religion.name == "Phật giáo" and nam.org.code == "X1B"
    events = list(MemberEvent.objects.filter(member=huong).order_by("seq"))
    assert [e.kind for e in events] == ["admitted", "recognized"]
    source = events[0].data["import"]
    assert source["file"] == "so-dang-vien.xlsx" and source["row"] == 6 and len(source["sha256"]) == 64
    assert tally_differences() == []  # the counts moved with the import (summed at its end)


def test_the_same_file_again_adds_nothing_and_says_so(commune, tmp_path, capsys):
    path = tmp_path / "so.xlsx"
    path.write_bytes(member_book(book_rows()[:2]))
    assert dangbo(["import", "members", str(path), "--org", "X1"]) == 0
    capsys.readouterr()
    events = MemberEvent.objects.count()
    assert dangbo(["import", "members", str(path), "--org", "X1"]) == 0
    out = capsys.readouterr().out
    assert "2 không thay đổi" in out and "Không có gì mới để nhập" in out and "đã được nhập ngày" in out
    assert Member.objects.count() == 2 and MemberEvent.objects.count() == events


def test_a_corrected_file_updates_only_what_changed_through_ledger_events(commune, tmp_path, capsys):
    path = tmp_path / "so.xlsx"
    rows = book_rows()[:2]
    rows[1][6] = "23456-LC"  # give the probationary member a history number to be matched by
    path.write_bytes(member_book(rows))
    assert dangbo(["import", "members", str(path), "--org", "X1"]) == 0
    nam = Member.objects.get(history_number="023456LC")
    rows[1][0] = "Lê Văn Năm"  # the name corrected
    rows[1][4] = "01/09/2026"  # not yet: probation ends 01/09/2026, after today → refused as a future date
    path.write_bytes(member_book(rows))
    capsys.readouterr()
    code, report = run(capsys, "members", str(path), "--org", "X1", "--dry-run")
    by_row = {row["row"]: row for row in report["rows"]}
    assert by_row[6]["outcome"] == "unchanged"
    assert by_row[7]["outcome"] == "rejected"  # a full date after today
    rows[1][4] = ""
    path.write_bytes(member_book(rows))
    code, report = run(capsys, "members", str(path), "--org", "X1")
    assert code == 0
    by_row = {row["row"]: row for row in report["rows"]}
    assert by_row[7]["outcome"] == "accepted" and by_row[7]["action"] == "update"
    assert by_row[7]["changes"] == {"given_name": ["Nam", "Năm"]}
    assert report["written"] == {"created": 0, "updated": 1}
    nam.refresh_from_db()
    assert nam.given_name == "Năm" and nam.version == 2
    corrected = MemberEvent.objects.get(member=nam, kind=MemberEvent.Kind.CORRECTED)
    assert corrected.data["changes"] == {"given_name": ["Nam", "Năm"]}
    assert corrected.data["import"]["row"] == 7


def test_a_member_matched_by_name_birth_and_hamlet_is_a_suspected_duplicate_never_merged(
    commune, make_member, tmp_path, capsys
):
    hamlet = Locality.objects.get(code="TA")
    existing = make_member(
        commune.cell_a,
        family_name="Trần",
        middle_name="Thị",
        given_name="Hương",
        gender="F",
        birth_date=date(1985, 4, 12),
        residence_locality=hamlet,
    )
    path = tmp_path / "so.csv"
    header = [
        "Họ và tên",
        "Ngày sinh",
        "Giới tính",
        "Dân tộc",
        "Tôn giáo",
        "Ngày vào Đảng",
        "Ngày chính thức",
        "Chi bộ",
        "Thôn",
    ]
    path.write_bytes(
        csv_bytes(
            header,
            [
                [
                    "Trần Thị Hương",
                    "12/04/1985",
                    "Nữ",
                    "Kinh",
                    "Không",
                    "15/03/2010",
                    "15/03/2011",
                    "X1A",
                    "Thôn A",
                ]
            ],
        )
    )
    code, report = run(capsys, "members", str(path), "--org", "X1")
    assert code == 0
    assert report["rows"][0]["outcome"] == "duplicate"
    assert "cùng họ tên, ngày sinh và thôn" in report["rows"][0]["reasons"][0]["message"]
    assert Member.objects.count() == 1
    # staged (not yet dropped), the page shows the row beside the register's record
    batch = services.import_upload(
        kind="members",
        file_name="so.csv",
        data=path.read_bytes(),
        org=commune.commune,
        actor=SYSTEM,
        user=None,
    )
    services.import_stage(batch=batch)
    [(row, member)] = selectors.duplicates_side_by_side(batch)
    assert row.outcome == Outcome.DUPLICATE and member == existing


def test_a_row_with_a_number_of_a_member_outside_the_subtree_is_refused_without_naming_them(
    tree, frozen_today, make_member, tmp_path, capsys
):
    frozen_today(TODAY)
    make_member(tree.agency, national_id="001185012345", gender="F", birth_date=date(1985, 4, 12))
    path = tmp_path / "so.csv"
    header = ["Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc", "Tôn giáo", "Ngày vào Đảng", "Số CCCD"]
    path.write_bytes(
        csv_bytes(
            header, [["Trần Thị Hương", "12/04/1985", "Nữ", "Kinh", "Không", "15/03/2010", "001185012345"]]
        )
    )
    code, report = run(capsys, "members", str(path), "--org", "X1A")
    assert code == 0  # the exit status is 0 when the rows that could be accepted were written
    row = report["rows"][0]
    assert row["outcome"] == "rejected"
    assert "ngoài phạm vi" in row["reasons"][0]["message"]
    assert "Cơ quan" not in json.dumps(row, ensure_ascii=False)


def test_missing_columns_are_named_and_a_mapping_fixes_them(commune, tmp_path, capsys):
    path = tmp_path / "so.csv"
    header = ["Họ và tên", "Sinh nhật", "Giới tính", "Dân tộc", "Tôn giáo", "Ngày vào Đảng", "Chi bộ"]
    path.write_bytes(
        csv_bytes(header, [["Lê Văn Nam", "20/01/1990", "Nam", "Kinh", "Không", "01/09/2025", "X1B"]])
    )
    assert dangbo(["import", "members", str(path), "--org", "X1"]) == 2
    err = capsys.readouterr().err
    assert "Ngày sinh" in err and "«Sinh nhật»" in err
    assert dangbo(["import", "members", str(path), "--org", "X1", "--map", "Sinh nhật=Ngày sinh"]) == 0
    assert Member.objects.get().birth_date == date(1990, 1, 20)


def test_a_file_that_is_not_a_spreadsheet_is_refused_and_nothing_is_kept(commune):
    with pytest.raises(RuleViolation) as refused:
        services.import_upload(
            kind="members",
            file_name="so.xlsx",
            data=b"%PDF-1.7 not a book",
            org=commune.commune,
            actor=SYSTEM,
            user=None,
        )
    assert "không phải" in refused.value.violations[0].message.lower()
    assert not ImportBatch.objects.exists()


def test_an_import_outside_the_users_scope_is_refused(commune, django_user_model):
    from dangbo.accounts.scope import Scope

    sibling = Scope(
        user_id=1, username="h2", write_paths=(commune.district2.path,), read_paths=(commune.district2.path,)
    )
    data = csv_bytes(["Họ và tên"], [["A"]])
    with pytest.raises(NotInScope):
        services.import_upload(
            kind="members", file_name="so.csv", data=data, org=commune.commune, actor=sibling, user=None
        )
    assert not ImportBatch.objects.exists()


def test_a_commit_cut_short_leaves_the_register_as_before_and_can_run_again(commune, tmp_path, monkeypatch):
    from dangbo.imports import commit as committing

    path = tmp_path / "so.xlsx"
    path.write_bytes(member_book(book_rows()[:2]))
    batch = services.import_upload(
        kind="members",
        file_name="so.xlsx",
        data=path.read_bytes(),
        org=commune.commune,
        actor=SYSTEM,
        user=None,
    )
    services.import_stage(batch=batch)
    monkeypatch.setattr(committing, "CHUNK", 1)
    calls = []
    real = committing.hooks.ledger_changed

    def dies_on_the_second(ids):
        calls.append(ids)
        if len(calls) == 2:
            raise SystemExit("killed")
        real(ids)

    monkeypatch.setattr(committing.hooks, "ledger_changed", dies_on_the_second)
    with pytest.raises(SystemExit):
        services.import_commit(batch=batch, user=None)
    assert Member.objects.count() == 0 and MemberEvent.objects.count() == 0
    batch.refresh_from_db()
    assert batch.state == BatchState.STAGED
    monkeypatch.setattr(committing.hooks, "ledger_changed", real)
    assert services.import_commit(batch=batch, user=None) == {"created": 2, "updated": 0}
    assert Member.objects.count() == 2
    batch.refresh_from_db()
    assert batch.state == BatchState.COMMITTED


def test_the_same_person_twice_in_the_file_by_name_birth_and_hamlet(commune, tmp_path, capsys):
    header = [
        "Họ và tên",
        "Ngày sinh",
        "Giới tính",
        "Dân tộc",
        "Tôn giáo",
        "Ngày vào Đảng",
        "Chi bộ",
        "Thôn",
        "Số CCCD",
    ]
    base = ["Trần Thị Hương", "12/04/1985", "Nữ", "Kinh", "Không", "15/03/2010", "X1A", "Thôn A"]
    rows = [
        [*base, ""],
        [*base, ""],  # the same person again: a suspected duplicate of row 2
        [*base[:-1], "Thôn B", ""],  # another hamlet: another person
        [*base, "001185012345"],  # a number row 2 has not: nothing tells them apart, suspected
    ]
    path = tmp_path / "so.csv"
    path.write_bytes(csv_bytes(header, rows))
    code, report = run(capsys, "members", str(path), "--org", "X1", "--dry-run")
    assert code == 0
    outcome = {row["row"]: row["outcome"] for row in report["rows"]}
    assert outcome == {2: "accepted", 3: "duplicate", 4: "accepted", 5: "duplicate"}
    assert "dòng 2" in report["rows"][1]["reasons"][0]["message"]


def test_a_list_with_the_birth_date_under_nam_or_nu(commune, tmp_path, capsys):
    """Old lists write the birth date in a «Nam» or a «Nữ» column under «Ngày sinh»."""
    import io

    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.merge_range(0, 0, 1, 0, "Họ và tên")
    sheet.merge_range(0, 1, 0, 2, "Ngày, tháng, năm sinh")
    sheet.write(1, 1, "Nam")
    sheet.write(1, 2, "Nữ")
    for col, title in enumerate(["Dân tộc", "Tôn giáo", "Ngày vào Đảng", "Chi bộ"], start=3):
        sheet.merge_range(0, col, 1, col, title)
    sheet.write_row(2, 0, ["Lê Văn Nam", "20/01/1990", "", "Kinh", "Không", "01/09/2020", "X1A"])
    sheet.write_row(3, 0, ["Hà Thị Mai", "", "03/03/1992", "Mường", "Không", "01/09/2020", "X1A"])
    sheet.write_row(4, 0, ["Ngô Văn Hai", "03/03/1992", "03/03/1992", "Kinh", "Không", "01/09/2020", "X1A"])
    book.close()
    path = tmp_path / "danh-sach.xlsx"
    path.write_bytes(out.getvalue())
    code, report = run(capsys, "members", str(path), "--org", "X1")
    assert code == 0
    assert [row["outcome"] for row in report["rows"]] == ["accepted", "accepted", "rejected"]
    assert "cả cột Nam và cột Nữ" in report["rows"][2]["reasons"][0]["message"]
    nam, mai = Member.objects.get(given_name="Nam"), Member.objects.get(given_name="Mai")
    assert (nam.gender, nam.birth_date, mai.gender, mai.birth_date) == (
        "M",
        date(1990, 1, 20),
        "F",
        date(1992, 3, 3),
    )


def test_the_7_hsdv_cell_of_education_profession_and_theory(commune, tmp_path, capsys):
    header = [
        "Họ và tên",
        "Ngày sinh",
        "Giới tính, dân tộc, tôn giáo",
        "Trình độ giáo dục phổ thông, chuyên môn, lý luận chính trị, ngoại ngữ",
        "Ngày vào Đảng",
        "Chi bộ",
    ]
    rows = [
        [
            "Lê Văn Nam",
            "20/01/1990",
            "Nam, Kinh, Không",
            "12/12, Đại học, Trung cấp, Anh B",
            "01/09/2020",
            "X1A",
        ],
        ["Hà Thị Mai", "03/03/1992", "Nữ, Mường, Không", "9/12; -; Sơ cấp", "01/09/2020", "X1A"],
        ["Ngô Văn Ba", "03/03/1992", "Nam, Kinh, Không", "12/12, Phó giáo sư", "01/09/2020", "X1A"],
    ]
    path = tmp_path / "so.csv"
    path.write_bytes(csv_bytes(header, rows))
    code, report = run(capsys, "members", str(path), "--org", "X1")
    assert code == 0
    assert [row["outcome"] for row in report["rows"]] == ["accepted", "accepted", "rejected"]
    assert "Phó giáo sư" in report["rows"][2]["reasons"][0]["value"]
    nam, mai = Member.objects.get(given_name="Nam"), Member.objects.get(given_name="Mai")
    assert (nam.general_education_id, nam.professional_level_id, nam.theory_level_id) == (
        "upper_secondary",
        "bachelor",
        "intermediate",
    )
    assert (mai.general_education_id, mai.professional_level_id, mai.theory_level_id) == (
        "lower_secondary",
        None,
        "elementary",
    )
