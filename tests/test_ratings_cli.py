"""`dangbo ratings`: a year's review and quality rating on the command line — per member the
form, the self and cell assessments, the band decided with its decision or why not rated; per
organization its band and who rated it; per grassroots organization the cap on «excellent»
(unconfirmed under QĐ 366, and said so); JSON whose totals are the sums of its rows, read in
batches; Excel with typed cells; audited; bad input refused in Vietnamese with status 2."""

from __future__ import annotations

import datetime as dt
import json
from datetime import date

import pytest
from openpyxl import load_workbook

from dangbo.accounts.scope import SYSTEM
from dangbo.audit.models import AuditEntry
from dangbo.cli import main as dangbo
from dangbo.discipline import services as discipline
from dangbo.members.models import MemberEvent
from dangbo.members.services.standing import member_standing_start
from dangbo.orgs.services import DecisionRef
from dangbo.ratings import listing, services
from dangbo.ratings.models import MemberRating, NotRated, OrgRating
from dangbo.ratings.services import CampaignRequest, Verdict
from dangbo.rules.discipline import Authority, Form
from dangbo.rules.ratings import Band, Disqualifier, MemberForm

TODAY = date(2025, 12, 20)
DECIDED_ON = date(2025, 12, 18)


def _rating(member) -> MemberRating:
    return MemberRating.objects.get(member=member, year=2025)


@pytest.fixture
def rated(tree, make_member, frozen_today):
    """Cell A: «An» exempted, «Bình» disciplined in June (proposed and decided «not completed»),
    «Cúc» proposed but not decided, ten more decided «good»; cell B: two decided «excellent»
    (2 against 10 good: the cap holds), one waiting. Cell A rated «good» by the commune."""
    frozen_today(TODAY)
    tree.an = make_member(tree.cell_a, admitted_on=date(2010, 3, 1), given_name="An")
    tree.binh = make_member(tree.cell_a, admitted_on=date(2010, 3, 1), given_name="Bình")
    tree.cuc = make_member(tree.cell_a, admitted_on=date(2010, 3, 1), given_name="Cúc")
    tree.good = [make_member(tree.cell_a, admitted_on=date(2010, 3, 1)) for _ in range(10)]
    tree.best = [
        make_member(tree.cell_b, admitted_on=date(2012, 3, 1), given_name=n) for n in ("Giang", "Hà")
    ]
    tree.waiting = make_member(tree.cell_b, admitted_on=date(2012, 3, 1), given_name="Khánh")
    member_standing_start(
        member=tree.an,
        kind=MemberEvent.Kind.EXEMPTED,
        on=date(2025, 3, 1),
        ground="old_age_health",
        decision=DecisionRef(number="3-QĐ/ĐU", on=date(2025, 2, 25)),
    )
    case = discipline.discipline_open(
        member=tree.binh, act_on=date(2025, 4, 2), summary="Vi phạm quy định", opened_on=date(2025, 5, 1)
    )
    discipline.discipline_decide(
        case=case,
        form=Form.REPRIMAND,
        authority=Authority.CELL,
        vote_on=date(2025, 6, 5),
        approvals=9,
        decision=DecisionRef(),
    )
    services.campaign_open(
        actor=SYSTEM,
        org=tree.commune,
        request=CampaignRequest(
            year=2025,
            cutoff_on=date(2025, 11, 30),
            self_due_on=date(2025, 12, 5),
            cell_due_on=date(2025, 12, 10),
            decision_due_on=date(2025, 12, 31),
        ),
    )
    services.member_self_assess(
        actor=SYSTEM, rating=_rating(tree.good[0]), form=MemberForm.OTHER, score=82, band=Band.GOOD
    )

    def propose(member, band, score):
        services.member_cell_assess(actor=SYSTEM, rating=_rating(member), band=band, score=score)

    propose(tree.binh, Band.FAILED, 85)
    propose(tree.cuc, Band.GOOD, 75)
    for m in tree.good:
        propose(m, Band.GOOD, 80)
    for m in tree.best:
        propose(m, Band.EXCELLENT, 95)
    services.member_ratings_decide(
        actor=SYSTEM,
        grassroots=tree.commune,
        verdicts=[Verdict(_rating(m)) for m in [tree.binh, *tree.good, *tree.best]],
        decision_no="25-QĐ/ĐU",
        decided_on=DECIDED_ON,
    )
    cell_a = OrgRating.objects.get(org=tree.cell_a, year=2025)
    services.org_self_assess(actor=SYSTEM, rating=cell_a, band=Band.GOOD, score=85)
    services.org_rating_decide(
        actor=SYSTEM, rating=cell_a, band=Band.GOOD, score=85, decision_no="26-QĐ/ĐU", decided_on=DECIDED_ON
    )
    return tree


def _json(capsys, *args) -> dict:
    assert dangbo(["ratings", *args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def _by_name(report) -> dict:
    return {r["name"].split()[-1]: r for r in report["members"]}


def test_the_year_in_json_has_every_member_every_organization_and_the_cap_with_totals_of_its_rows(
    rated, capsys
):
    report = _json(capsys, "--year", "2025", "--org", rated.commune.code)
    assert (report["year"], report["period"]) == (2025, "year")
    assert report["orgs"] == [{"code": "X1", "name": "Đảng bộ xã Một"}]
    rows = _by_name(report)
    assert len(report["members"]) == 16
    an, binh, cuc, khanh = rows["An"], rows["Bình"], rows["Cúc"], rows["Khánh"]
    assert (an["not_rated"], an["not_rated_reason"], an["band"]) == (
        NotRated.EXEMPTED,
        "Được miễn công tác và sinh hoạt đảng",
        "",
    )
    assert (binh["cell_score"], binh["cell_band"], binh["score"], binh["band"]) == (
        85,
        "failed",
        85,
        "failed",
    )
    assert binh["disqualifiers"] == [Disqualifier.DISCIPLINED]
    assert binh["disqualifier_labels"] == ["Bị thi hành kỷ luật trong năm"]
    assert (binh["decision_no"], binh["decided_on"]) == ("25-QĐ/ĐU", "2025-12-18")
    assert (cuc["cell_band"], cuc["band"], cuc["decision_no"]) == ("good", "", "")  # proposed, not decided
    assert (khanh["cell_band"], khanh["band"]) == ("", "")
    self_assessed = next(r for r in report["members"] if r["self_score"] is not None)
    assert (self_assessed["form"], self_assessed["self_band"], self_assessed["band"]) == (
        "2C",
        "good",
        "good",
    )
    assert {rows[n]["cell_code"] for n in ("Giang", "Hà", "Khánh")} == {"X1B"}
    assert rows["Giang"]["band_label"] == "Hoàn thành xuất sắc nhiệm vụ"
    # the organizations: cell A rated by the commune; cell B and the commune not yet
    orgs = {o["org_code"]: o for o in report["organizations"]}
    assert set(orgs) == {"X1", "X1A", "X1B"}
    assert (orgs["X1A"]["band"], orgs["X1A"]["score"], orgs["X1A"]["authority"]) == (
        "good",
        85,
        "Đảng bộ xã Một",
    )
    assert (orgs["X1A"]["self_band"], orgs["X1A"]["decision_no"]) == ("good", "26-QĐ/ĐU")
    assert (orgs["X1"]["band"], orgs["X1"]["authority_code"]) == ("", "H1")
    # the cap: 2 excellent against 10 good — 20 % allows 2; unconfirmed under QĐ 366
    [cap] = report["grassroots"]
    assert (cap["org_code"], cap["excellent"], cap["good"], cap["allowed"], cap["holds"]) == (
        "X1",
        2,
        10,
        2,
        True,
    )
    assert cap["percent"] == 20 and cap["confirmed"] is False and "chưa xác nhận" in cap["citation"]
    # totals are the sums of the rows
    totals, members = report["totals"], report["members"]
    assert totals["members"] == len(members) == 16
    for band in Band.ORDER:
        assert totals["bands"][band] == sum(1 for r in members if r["band"] == band), band
    assert totals["bands"] == {"excellent": 2, "good": 10, "fulfilled": 0, "failed": 1}
    assert totals["decided"] == sum(1 for r in members if r["band"]) == 13
    assert totals["not_rated"] == sum(1 for r in members if r["not_rated"]) == 1
    assert totals["not_rated_reasons"]["exempted"] == 1
    assert totals["waiting"] == 2 and totals["good_or_better"] == 12
    assert (totals["orgs"], totals["orgs_decided"], totals["org_bands"]["good"]) == (3, 1, 1)
    assert (totals["grassroots"], totals["cap_exceeded"]) == (1, 0)
    entry = AuditEntry.objects.get(action="list_viewed", subject_type="rating_list")
    assert entry.data == {"org": "X1", "year": 2025, "period": "year", "rows": 16}


def test_one_cell_lists_its_own_members_and_its_grassroots_cap_counts_the_whole_organization(rated, capsys):
    report = _json(capsys, "--year", "2025", "--org", rated.cell_b.code)
    assert sorted(_by_name(report)) == ["Giang", "Hà", "Khánh"]
    assert [o["org_code"] for o in report["organizations"]] == ["X1B"]
    [cap] = report["grassroots"]
    assert (cap["org_code"], cap["excellent"], cap["good"]) == ("X1", 2, 10)
    # the whole installation: the same members (nobody is rated elsewhere)
    everything = _json(capsys, "--year", "2025")
    assert everything["orgs"] == [{"code": "T", "name": "Đảng bộ tỉnh Mẫu"}]
    assert everything["totals"]["members"] == 16
    # another period or year: nothing listed, still valid JSON with zero totals
    empty = _json(capsys, "--year", "2024", "--period", "q4")
    assert empty["members"] == [] and empty["totals"]["members"] == 0 and empty["grassroots"] == []


def test_rows_read_in_small_batches_are_the_same_rows(rated, capsys, monkeypatch):
    whole = _json(capsys, "--year", "2025")
    monkeypatch.setattr(listing, "BATCH", 3)
    batched = _json(capsys, "--year", "2025")
    assert batched["members"] == whole["members"] and batched["totals"] == whole["totals"]
    rows = listing.member_rows(actor=SYSTEM, roots=[rated.commune], year=2025, period="year")
    assert iter(rows) is rows  # a generator: rows come as they are read, not as one list


def test_the_year_as_text(rated, capsys):
    assert dangbo(["ratings", "--year", "2025", "--org", rated.commune.code]) == 0
    text = capsys.readouterr().out
    assert text.startswith(
        "Kết quả đánh giá, xếp loại chất lượng năm 2025 (cả năm) — Đảng bộ xã Một: 16 đảng viên"
    )
    assert "An (Chi bộ thôn A) — không xếp loại: Được miễn công tác và sinh hoạt đảng" in text
    assert (
        "xếp loại: Không hoàn thành nhiệm vụ (85 điểm), quyết định 25-QĐ/ĐU ngày 18/12/2025 "
        "[Bị thi hành kỷ luật trong năm]" in text
    )
    assert (
        "Cúc (Chi bộ thôn A) — mẫu 2C; chưa tự đánh giá; chi bộ 75 điểm, HTTNV; chưa quyết định xếp loại"
        in text
    )
    assert (
        "Chi bộ thôn A — tự đánh giá 85 điểm, HTTNV; xếp loại: Hoàn thành tốt nhiệm vụ (85 điểm) do Đảng bộ xã Một"
        in text
    )
    assert (
        "Đảng bộ xã Một: 2 hoàn thành xuất sắc, 10 hoàn thành tốt; được tối đa 2 (20 % số hoàn thành tốt): đạt "
        "(chưa xác nhận)" in text
    )
    assert "Cộng: 16 đảng viên trong danh sách, 13 đã xếp loại (2 HTXSNV, 10 HTTNV, 0 HTNV, 1 KHTNV)" in text


def test_the_year_as_excel_with_typed_cells(rated, capsys, tmp_path):
    out = tmp_path / "xep-loai.xlsx"
    assert dangbo(["ratings", "--year", "2025", "--format", "xlsx", "--output", str(out)]) == 0
    assert "16 đảng viên, 3 tổ chức đảng" in capsys.readouterr().out
    book = load_workbook(out)
    members = book["Đảng viên"]
    assert members["A1"].value == "Kết quả đánh giá, xếp loại chất lượng năm 2025 (cả năm)"
    header = [c.value for c in members[5]]
    assert header[:3] == ["Mã chi bộ", "Chi bộ", "Họ và tên"]
    score, band, day = header.index("Điểm"), header.index("Xếp loại"), header.index("Ngày quyết định")
    lines = [[c.value for c in row] for row in members.iter_rows(min_row=6, max_row=21)]
    binh = next(line for line in lines if line[2].endswith("Bình"))
    assert binh[score] == 85 and isinstance(binh[score], int | float)  # a number, not text
    assert binh[band] == "Không hoàn thành nhiệm vụ"
    assert isinstance(binh[day], dt.datetime) and binh[day].date() == DECIDED_ON  # a date
    an = next(line for line in lines if line[2].endswith("An"))
    assert an[score] is None and an[header.index("Không xếp loại vì")].startswith("Được miễn")
    total = [c.value for c in members[22]]
    assert total[1] == "Cộng" and total[2] == "16 đảng viên"
    caps = book["Giới hạn xuất sắc"]
    cap = [c.value for c in caps[6]]
    assert cap[:6] == ["X1", "Đảng bộ xã Một", 2, 10, 20, 2] and cap[6] == "Đạt (chưa xác nhận)"
    orgs = book["Tổ chức đảng"]
    assert [row[0].value for row in orgs.iter_rows(min_row=6, max_row=8)] == ["X1", "X1A", "X1B"]
    cell_a = [c.value for c in orgs[7]]
    assert cell_a[2:6] == [85, "HTTNV", 85, "Hoàn thành tốt nhiệm vụ"]
    assert cell_a[7:9] == ["Đảng bộ xã Một", "26-QĐ/ĐU"] and cell_a[9].date() == DECIDED_ON
    assert AuditEntry.objects.filter(action="exported", subject_type="rating_list").exists()


def test_bad_input_is_refused_in_vietnamese_with_status_2(rated, capsys, tmp_path):
    def refused(*args) -> str:
        assert dangbo(["ratings", *args]) == 2, args
        return capsys.readouterr().err

    assert "Không có tổ chức mã «KHONG-CO»" in refused("--year", "2025", "--org", "KHONG-CO")
    for year in ("2026", "1929", "3000"):
        assert f"Năm {year} ngoài phạm vi: từ 1930 đến 2025" in refused("--year", year)
    for year in ("25", "năm 2025", "2025.0"):
        assert "Năm không hợp lệ" in refused("--year", year)
    assert "Cần --year" in refused("--org", "X1")
    assert "Kỳ đánh giá «q5» không có" in refused("--year", "2025", "--period", "q5")
    assert "Định dạng «csv» không có" in refused("--year", "2025", "--format", "csv")
    assert "--output" in refused("--year", "2025", "--format", "xlsx")
    missing = tmp_path / "khong-co" / "x.xlsx"
    assert "Không có thư mục" in refused("--year", "2025", "--format", "xlsx", "--output", str(missing))
    assert not missing.exists()
    assert not AuditEntry.objects.filter(subject_type="rating_list").exists()


def test_a_committee_setting_is_recorded_and_listed_from_the_command_line(db, capsys, frozen_today):
    from datetime import date as day

    from dangbo.cli import main as dangbo_main
    from dangbo.ratings.models import RatingSetting

    frozen_today(day(2025, 12, 1))
    assert dangbo_main(["ratings", "setting"]) == 0
    out = capsys.readouterr().out
    assert "Chưa có cấu hình riêng" in out and "CHƯA XÁC NHẬN" in out
    bad = [
        "ratings",
        "setting",
        "--code",
        "excellent_cap",
        "--value",
        "150",
        "--from",
        "2025-01-01",
        "--source",
        "HD 1",
    ]
    assert dangbo_main(bad) == 2 and "từ -1 đến 100" in capsys.readouterr().err
    assert dangbo_main(["ratings", "setting", "--code", "excellent_cap", "--value", "ba"]) == 2
    assert not RatingSetting.objects.exists()
    good = ["ratings", "setting", "--code", "excellent_cap", "--value", "25", "--from", "2025-01-01"]
    assert dangbo_main([*good, "--source", "Hướng dẫn 9-HD/TU"]) == 0
    assert dangbo_main(["ratings", "setting"]) == 0
    out = capsys.readouterr().out
    assert "excellent_cap = 25 từ 01/01/2025" in out and "Hướng dẫn 9-HD/TU" in out
