"""Restructuring plans (CSV, XLSX): previewed, applied as one, or rejected whole with every problem."""

from datetime import date

import pytest

from dangbo.cli import main
from dangbo.core.kinds import OrgKind, Sector
from dangbo.members.models import Member
from dangbo.orgs import services as org_services
from dangbo.orgs.models import Locality, Org, OrgEvent
from dangbo.restructuring.plans import COLUMNS, PlanError, plan_run, read_plan, write_plan_csv
from dangbo.stats.tallies import tally_differences

DECISION = {
    "so_quyet_dinh": "15-QĐ/TU",
    "ngay_quyet_dinh": "20/06/2025",
    "co_quan_quyet_dinh": "Tỉnh ủy",
    "ngay_hieu_luc": "01/07/2025",
}


def _row(operation, code, target="", **more):
    return {"thao_tac": operation, "ma_to_chuc": code, "ma_dich": target, **DECISION, **more}


@pytest.fixture
def reformable(tree, make_member):
    commune2 = org_services.org_establish(
        code="X2",
        name="Đảng bộ xã Hai",
        kind=OrgKind.GRASSROOTS_COMMITTEE,
        parent=tree.district,
        established_on=date(2015, 1, 1),
        sector=Sector.COMMUNE,
    )
    cell_c = org_services.org_establish(
        code="X2C",
        name="Chi bộ thôn C",
        kind=OrgKind.CELL,
        parent=commune2,
        established_on=date(2015, 1, 1),
        sector=Sector.RESIDENTIAL,
    )
    org_services.locality_create(
        commune=tree.commune, kind=Locality.Kind.THON, name="Thôn A", code="TA", cell=tree.cell_a
    )
    for cell in (tree.cell_a, tree.cell_b, cell_c, tree.agency):
        make_member(cell, admitted_on=date(2016, 3, 1))
    return tree


def _reform_rows():
    return [
        _row(
            "thanh_lap",
            "XM",
            "T",
            ten="Đảng bộ xã Mới",
            loai="Đảng bộ cơ sở",
            loai_hinh="Xã",
            van_ban_dong_y="CV 1-CV/TU",
        ),
        _row("hop_nhat", "X1", "XM"),
        _row("hop_nhat", "X2", "XM"),
        _row("chuyen", "CQ1", "T"),
        _row("giai_the", "H1"),
    ]


def test_a_plan_is_previewed_without_change_then_applied_as_one(reformable, tmp_path):
    path = tmp_path / "ke-hoach.csv"
    write_plan_csv(_reform_rows(), path)
    rows = read_plan(path)
    preview = plan_run(rows, apply=False)
    assert preview.ok, preview.problems
    assert [s.operation for s in preview.steps] == ["thanh_lap", "hop_nhat", "chuyen", "giai_the"]
    assert preview.totals()["members_under"] == 4 and not preview.applied
    assert not Org.objects.filter(code="XM").exists() and Org.objects.get(code="H1").dissolved_on is None
    report = plan_run(rows, apply=True)
    assert report.ok and report.applied and report.members_before == report.members_after == 4
    new = Org.objects.get(code="XM")
    assert set(Org.objects.filter(parent=new).values_list("code", flat=True)) == {"X1A", "X1B", "X2C"}
    assert Org.objects.get(code="H1").dissolved_on == date(2025, 7, 1)
    assert Locality.objects.get(code="TA").commune_id == new.pk
    assert OrgEvent.objects.filter(decision_no="15-QĐ/TU").count() >= 5
    assert tally_differences() == []


def test_a_bad_plan_is_rejected_whole_with_every_problem(reformable, tmp_path):
    rows = [
        _row(
            "thanh_lap",
            "XM",
            "T",
            ten="Đảng bộ xã Mới",
            loai="Đảng bộ cơ sở",
            loai_hinh="Xã",
            van_ban_dong_y="CV 1",
        ),
        _row("hop_nhat", "X1", "XM"),
        _row("chuyen", "H2", "X1A"),  # under a cell: a kind that cannot hold it
        _row("chuyen", "X1A", "X1A"),  # under itself: a cycle
        _row("giai_the", "H1"),  # X2 and the agency still under it
        _row("hop_nhat", "CQ1", "H2"),  # members into a district committee: cannot hold them
        _row("doi_ten", "KHONG-CO", ten="X"),
        _row("bay_gio", "X2"),
    ]
    path = tmp_path / "sai.csv"
    write_plan_csv(rows, path)
    report = plan_run(read_plan(path), apply=True)
    messages = " | ".join(f"{where}: {v.message}" for where, v in report.problems)
    assert not report.applied
    for expected in (
        "dòng 4, 5: Không thể lập",
        "dòng 4, 5: Không thể chuyển",
        "dòng 6: «Huyện ủy Một» còn 4 đảng viên",
        "dòng 3: Đảng bộ cơ sở chỉ có 2 đảng viên chính thức",
        "sẽ không có chi bộ",
        "Không có tổ chức mã «KHONG-CO»",
        "Thao tác «bay_gio» không có",
    ):
        assert expected in messages, messages
    assert not Org.objects.filter(code="XM").exists()
    assert Org.objects.get(code="X1").dissolved_on is None
    assert Member.objects.filter(org__code="X1A").count() == 1


def test_a_plan_that_leaves_members_in_a_dissolved_organization_is_rejected(reformable, tmp_path):
    from dangbo.restructuring.plans import rows_from_table

    table = [
        list(COLUMNS),
        ["giai_the", "X1A", "", "", "", "", "01/07/2025", "1-QĐ", "20/06/2025", "Đảng ủy", ""],
    ]
    report = plan_run(rows_from_table(table), apply=True)
    assert not report.applied and any("còn 1 đảng viên" in v.message for _, v in report.problems)


def test_unreadable_plans_say_why(tmp_path):
    with pytest.raises(PlanError, match="Không tìm thấy"):
        read_plan(tmp_path / "khong-co.csv")
    (tmp_path / "a.txt").write_text("x")
    with pytest.raises(PlanError, match=r"\.csv hoặc \.xlsx"):
        read_plan(tmp_path / "a.txt")
    (tmp_path / "b.csv").write_text("ten,loai\nA,B\n", encoding="utf-8")
    with pytest.raises(PlanError, match="Thiếu cột: thao_tac"):
        read_plan(tmp_path / "b.csv")
    (tmp_path / "c.csv").write_bytes(
        b"thao_tac,ma_to_chuc,ngay_hieu_luc\nd\xf3i,X,1/1/2025\n"
    )  # Windows-1252
    with pytest.raises(PlanError, match="UTF-8"):
        read_plan(tmp_path / "c.csv")


def test_an_xlsx_plan_with_vietnamese_headers_and_real_dates(reformable, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(
        [
            "Thao tác",
            "Mã tổ chức",
            "Mã đích",
            "Ngày hiệu lực",
            "Số quyết định",
            "Ngày quyết định",
            "Cơ quan quyết định",
        ]
    )
    sheet.append(["Chuyển", "X1", "H2", date(2025, 7, 1), "9-QĐ/TU", date(2025, 6, 20), "Tỉnh ủy"])
    book.save(tmp_path / "ke-hoach.xlsx")
    report = plan_run(read_plan(tmp_path / "ke-hoach.xlsx"), apply=True)
    assert report.ok and report.applied
    assert Org.objects.get(code="X1").parent.code == "H2"


def test_the_command_line_exits_non_zero_and_applies_nothing_on_a_rejected_plan(reformable, tmp_path, capsys):
    good, bad = tmp_path / "tot.csv", tmp_path / "sai.csv"
    write_plan_csv(_reform_rows(), good)
    write_plan_csv([_row("chuyen", "X1A", "X1A")], bad)
    assert main(["restructure", "preview", str(good)]) == 0
    assert "Xem trước: kế hoạch hợp lệ" in capsys.readouterr().out
    assert not Org.objects.filter(code="XM").exists()
    assert main(["restructure", "apply", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "Kế hoạch bị từ chối" in out and "Không thể chuyển" in out
    assert main(["restructure", "apply", str(tmp_path / "khong-co.csv")]) == 2
    assert main(["restructure", "apply", str(good)]) == 0
    assert "Đã áp dụng kế hoạch" in capsys.readouterr().out and Org.objects.filter(code="XM").exists()


def test_a_breach_already_in_the_database_does_not_block_a_plan_that_does_not_add_to_it(reformable):
    """Members left in a dissolved cell by an earlier import are the compliance pages' business:
    a plan elsewhere goes through, and one that strands more is refused with the new count only."""
    from dangbo.restructuring.plans import _final_problems, _Leftovers, rows_from_dicts

    Org.objects.filter(code="X2C").update(dissolved_on=date(2020, 1, 1))
    rename = plan_run(rows_from_dicts([_row("doi_ten", "X1A", ten="Chi bộ thôn A mới")]), apply=True)
    assert rename.ok and rename.applied, rename.problems
    assert Org.objects.get(code="X1A").name == "Chi bộ thôn A mới"

    before = _Leftovers.now()
    assert before.stranded == 1
    Org.objects.filter(code="X1A").update(dissolved_on=date(2025, 7, 1))  # one more member stranded
    assert [v.message for v in _final_problems(before)] == [
        "1 đảng viên còn ở tổ chức đã giải thể (không còn tổ chức sinh hoạt)."
    ]


def test_counts_stay_exact_when_a_plan_moves_what_it_has_just_moved_into(reformable):
    """The counts a plan moves are queued and moved together (``restructuring_batched``); an
    organization that receives a subtree and then moves, or is merged, itself must carry
    what it received."""
    from dangbo.restructuring.plans import rows_from_dicts

    rows = rows_from_dicts(
        [
            _row("chuyen", "X1", "H2"),  # X1 leaves H1 for H2, with its cells
            _row("hop_nhat", "X2", "X1", van_ban_dong_y="CV 2"),  # X2's cell joins X1, now under H2
            _row("chuyen", "CQ1", "H2"),
            _row(
                "thanh_lap",
                "XM",
                "T",
                ten="Đảng bộ xã Mới",
                loai="Đảng bộ cơ sở",
                loai_hinh="Xã",
                van_ban_dong_y="CV 1",
            ),
            _row(
                "hop_nhat", "X1", "XM", so_quyet_dinh="16-QĐ/TU", van_ban_dong_y="CV 1"
            ),  # X1, with X2's cell, into XM
            _row("giai_the", "H1", so_quyet_dinh="17-QĐ/TU"),
        ]
    )
    report = plan_run(rows, apply=True)
    assert report.applied, report.problems
    assert set(Org.objects.filter(parent__code="XM").values_list("code", flat=True)) == {"X1A", "X1B", "X2C"}
    assert tally_differences() == []


def test_counts_stay_exact_when_an_organization_moves_right_after_receiving_a_merge(reformable):
    from dangbo.restructuring.plans import rows_from_dicts

    rows = rows_from_dicts(
        [
            _row("hop_nhat", "X2", "X1", van_ban_dong_y="CV 2"),
            _row("chuyen", "X1", "H2", so_quyet_dinh="16-QĐ/TU"),
        ]
    )
    report = plan_run(rows, apply=True)
    assert report.applied, report.problems
    assert Org.objects.get(code="X2C").parent.code == "X1" and Org.objects.get(code="X1").parent.code == "H2"
    assert tally_differences() == []
