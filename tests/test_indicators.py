"""The indicator registry: values from the ledger (today and on past dates), targets and their
status, drill-downs, the command line and the dashboard pages, and bad input."""

import io
import json
import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from openpyxl import load_workbook

from conftest import FROZEN_DAY
from dangbo import cli
from dangbo.accounts.models import AccessRole
from dangbo.accounts.services import role_grant
from dangbo.core.roles import Role
from dangbo.jobs.models import Job
from dangbo.members.models import Member
from dangbo.members.services.positions import member_position_start
from dangbo.members.services.recognition import member_recognize
from dangbo.members.services.records import Identity, member_record_death, member_update_identity
from dangbo.members.services.transfers import member_transfer
from dangbo.orgs import services as org_services
from dangbo.orgs.models import Locality
from dangbo.stats.charts import COLOURS
from dangbo.stats.drilldown import DRILLS
from dangbo.stats.frames import ReportInputError, frame_for
from dangbo.stats.indicators import (
    ABOVE,
    BREAKDOWNS,
    BY_CODE,
    INDICATORS,
    MET,
    NO_DATA,
    NOT_MET,
    context_for,
    evaluate,
    evaluate_all,
)

STABLE_CODES = (
    "members.total",
    "members.women_share",
    "members.ethnic_minority_share",
    "orgs.direct_children",
    "orgs.grassroots",
    "admissions.rate_year",
    "hamlets.with_members_share",
    "hamlets.with_cell_share",
    "hamlets.head_member_share",
    "secretaries.theory_intermediate_share",
)
TODAY = FROZEN_DAY  # the tests count back from it; the clock is fixed to it (_frozen_clock)


@pytest.fixture(autouse=True)
def _frozen_clock(frozen_today):
    frozen_today(TODAY)


def _value(root, code, **frame):
    ctx = context_for(frame_for(root=root, **frame))
    return evaluate(ctx, BY_CODE[code], root)


@dataclass
class Province:
    """The ``province`` fixture: its members by short name (a1, a2, b1, g1) and its two hamlets."""

    people: dict[str, Member]
    hamlet_a: Locality
    hamlet_b: Locality


@pytest.fixture
def province(tree, make_member) -> Province:
    """Members in two cells and an agency, hamlets with and without a cell, grassroots leaders."""
    people = {
        "a1": make_member(tree.cell_a, gender="F", ethnicity="02", admitted_on=date(2016, 3, 1)),
        "a2": make_member(tree.cell_a, admitted_on=date(2016, 3, 1)),
        "b1": make_member(tree.cell_b, gender="F", admitted_on=date(2020, 6, 1), theory_level="intermediate"),
        "g1": make_member(tree.agency, admitted_on=date(2018, 1, 1)),
    }
    hamlet_a = org_services.locality_create(
        commune=tree.commune, kind=Locality.Kind.THON, name="Thôn A", code="TA", cell=tree.cell_a
    )
    hamlet_b = org_services.locality_create(
        commune=tree.commune, kind=Locality.Kind.THON, name="Thôn B", code="TB"
    )
    org_services.locality_set_head(locality=hamlet_a, head_name="", head_member=people["a1"])
    member = people["a2"]
    member.refresh_from_db()
    member_update_identity(
        member=member,
        identity=Identity(
            family_name=member.family_name,
            middle_name=member.middle_name,
            given_name=member.given_name,
            gender="M",
            birth_date=member.birth_date,
            ethnicity="01",
            religion="00",
            general_education="upper_secondary",
            theory_level="elementary",
            residence_locality=hamlet_a,
        ),
        expected_version=member.version,
    )
    member_position_start(
        member=people["b1"], org=tree.commune, role=Role.SECRETARY, started_on=date(2021, 1, 1)
    )
    member_position_start(
        member=people["a2"], org=tree.commune, role=Role.DEPUTY_SECRETARY, started_on=date(2021, 1, 1)
    )
    return Province(people=people, hamlet_a=hamlet_a, hamlet_b=hamlet_b)


def test_every_stable_code_is_declared_with_a_name_and_unit():
    for code in STABLE_CODES:
        assert code in BY_CODE
    for indicator in INDICATORS:
        assert indicator.name and indicator.unit and indicator.section
        if indicator.drill:
            assert indicator.drill in DRILLS
    assert len({b.code for b in BREAKDOWNS}) == len(BREAKDOWNS)


def test_member_shares_today(tree, province):
    total = _value(tree.province, "members.total")
    assert total.value.value == 4
    women = _value(tree.province, "members.women_share")
    assert (women.value.numerator, women.value.denominator) == (2, 4)
    minority = _value(tree.commune, "members.ethnic_minority_share")
    assert (minority.value.numerator, minority.value.denominator) == (1, 3)
    assert _value(tree.district2, "members.women_share").status == NO_DATA  # no members: no share, not 0 %


def test_organizations_counted_from_the_versions(tree, province):
    assert _value(tree.province, "orgs.direct_children").value.value == 2
    assert (
        _value(tree.province, "orgs.grassroots").value.value == 2
    )  # the commune committee and the agency cell
    assert _value(tree.district, "orgs.direct_children").value.value == 2
    before = _value(tree.province, "orgs.grassroots", as_of=date(2015, 6, 1))
    assert before.value.value == 2
    org_services.org_establish(
        code="X9",
        name="Chi bộ mới",
        kind="grassroots_cell",
        parent=tree.district2,
        established_on=TODAY - timedelta(days=3),
    )
    assert _value(tree.province, "orgs.grassroots").value.value == 3
    # the day before it was established, the tree of that day had two
    assert _value(tree.province, "orgs.grassroots", as_of=TODAY - timedelta(days=4)).value.value == 2


def test_hamlet_targets_and_their_drill_down(tree, province):
    with_cell = _value(tree.province, "hamlets.with_cell_share")
    assert (with_cell.value.numerator, with_cell.value.denominator) == (1, 2)
    assert with_cell.status == NOT_MET and with_cell.target.year == 2030 and "21-NQ/TW" in with_cell.citation
    heads = _value(tree.commune, "hamlets.head_member_share")
    assert (heads.value.numerator, heads.value.denominator) == (1, 2)
    with_members = _value(tree.commune, "hamlets.with_members_share")
    assert (with_members.value.numerator, with_members.value.denominator) == (1, 2)  # a2 lives in Thôn A
    ctx = context_for(frame_for(root=tree.province))
    drill = DRILLS["hamlets_without_cell"](ctx, tree.province)
    assert [row[0].text for row in drill.rows] == ["Thôn Thôn B"]
    drill = DRILLS["hamlets_without_members"](ctx, tree.province)
    assert [row[0].text for row in drill.rows] == ["Thôn Thôn B"]


def test_secretaries_theory_target_and_the_secretaries_behind_the_gap(tree, province):
    result = _value(tree.province, "secretaries.theory_intermediate_share")
    assert (result.value.numerator, result.value.denominator) == (1, 2)
    assert result.status == NOT_MET and result.target.value == 0.9 and not result.confirmed
    ctx = context_for(frame_for(root=tree.province))
    rows = DRILLS["secretaries_below_theory"](ctx, tree.province).rows
    assert [(row[0].text, row[1].text) for row in rows] == [(province.people["a2"].full_name, "Phó Bí thư")]
    # before the positions began there were no grassroots secretaries on record
    assert (
        _value(tree.province, "secretaries.theory_intermediate_share", as_of=date(2020, 12, 31)).status
        == NO_DATA
    )


def test_past_dates_come_from_the_ledger(tree, province):
    member = province.people["g1"]
    member_record_death(member=member, died_on=TODAY - timedelta(days=10))
    assert _value(tree.province, "members.total").value.value == 3
    assert _value(tree.province, "members.total", as_of=TODAY - timedelta(days=11)).value.value == 4
    # b1 was admitted on 1/6/2020: not yet a member at the end of 2019
    assert _value(tree.province, "members.total", as_of=date(2019, 12, 31)).value.value == 3
    assert _value(tree.province, "members.probationary", as_of=date(2020, 12, 31)).value.value == 1
    deaths = _value(tree.province, "deaths.count", start=TODAY - timedelta(days=30), end=TODAY)
    assert deaths.value.value == 1
    assert (
        _value(tree.district2, "deaths.count", start=TODAY - timedelta(days=30), end=TODAY).value.value == 0
    )


def test_admission_rate_divides_by_the_members_at_the_start_of_the_period(tree, province, make_member):
    make_member(tree.cell_a, admitted_on=date(2020, 1, 1))
    rate = _value(
        tree.province,
        "admissions.rate_year",
        as_of=date(2020, 12, 31),
        start=date(2020, 1, 1),
        end=date(2020, 12, 31),
    )
    # admitted in 2020: b1 (1/6) and the new one (1/1); members on 31/12/2019 (the period opens): a1, a2, g1
    assert (rate.value.numerator, rate.value.denominator) == (2, 3)
    assert rate.value.value == pytest.approx(2 / 3 * 365 / 366)
    # far above the 3–4 % band: shown as above it, not hidden as «met»
    assert rate.status == ABOVE and rate.target.high == 0.04
    assert rate.as_dict()["status"] == "above_range"
    count = _value(
        tree.province,
        "admissions.count",
        as_of=date(2020, 12, 31),
        start=date(2020, 1, 1),
        end=date(2020, 12, 31),
    )
    assert count.value.value == 2


@pytest.mark.parametrize("admitted, status", [(0, NOT_MET), (1, MET), (2, ABOVE)])
def test_the_admission_band_is_three_to_four_percent(tree, make_member, admitted, status):
    for _ in range(30):
        make_member(tree.cell_a, admitted_on=date(2010, 1, 1))
    for n in range(admitted):
        make_member(tree.cell_b, admitted_on=date(2021, 3, 1 + n))
    rate = _value(
        tree.province,
        "admissions.rate_year",
        as_of=date(2021, 12, 31),
        start=date(2021, 1, 1),
        end=date(2021, 12, 31),
    )
    assert rate.value.denominator == 30 and rate.status == status  # 1/30 = 3.3 %, 2/30 = 6.7 %


def test_every_indicator_states_its_definition(tree, province):
    report = [r.as_dict() for r in evaluate_all(context_for(frame_for(root=tree.province)))]
    assert all(row["definition"].startswith(("Tử số:", "Số được đếm:")) for row in report)
    rate = next(row for row in report if row["code"] == "admissions.rate_year")
    assert "ngày trước ngày đầu kỳ" in rate["definition"] and "3–4 %" in rate["definition"]
    flows = next(row for row in report if row["code"] == "deaths.count")
    assert "từ ngày đầu đến ngày cuối kỳ" in flows["definition"]


def test_transfers_across_the_subtree_edge_are_flows_inside_are_not(tree, province):
    member = province.people["a1"]
    on = TODAY - timedelta(days=5)
    member_transfer(member=member, to_org=tree.agency, effective_on=on)
    period = {"start": on, "end": TODAY}
    assert _value(tree.commune, "transfers_out.count", **period).value.value == 1
    assert (
        _value(tree.district, "transfers_out.count", **period).value.value == 0
    )  # both cells are under the district
    assert _value(tree.province, "transfers_in.count", **period).value.value == 0


@pytest.mark.parametrize(
    "frame, message",
    [
        ({"as_of": TODAY + timedelta(days=1)}, "ở tương lai"),
        ({"as_of": date(2000, 1, 1)}, "trước ngày có dữ liệu đầu tiên"),
        ({"start": date(2021, 5, 1), "end": date(2021, 1, 1)}, "trước ngày đầu kỳ"),
        ({"start": date(2021, 5, 1)}, "cả ngày đầu kỳ và ngày cuối kỳ"),
    ],
)
def test_bad_frames_are_refused_in_vietnamese(tree, frame, message):
    with pytest.raises(ReportInputError, match=message):
        frame_for(root=tree.province, **frame)


def test_report_command_json_and_files(tree, province, capsys, tmp_path):
    assert cli.main(["report", "indicators", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["org"]["code"] == "T"
    by_code = {i["code"]: i for i in report["indicators"]}
    assert set(STABLE_CODES) <= set(by_code)
    assert by_code["members.total"]["value"] == 4
    assert by_code["hamlets.with_cell_share"] == {
        **by_code["hamlets.with_cell_share"],
        "numerator": 1,
        "denominator": 2,
        "status": "not_met",
        "value": 0.5,
    }
    assert by_code["hamlets.with_cell_share"]["target"]["year"] == 2030
    assert (
        cli.main(
            ["report", "indicators", "--org", "X1", "--format", "xlsx", "--output", str(tmp_path / "x.xlsx")]
        )
        == 0
    )
    from openpyxl import load_workbook

    book = load_workbook(tmp_path / "x.xlsx")
    assert "Các chỉ tiêu" in book.sheetnames
    values = [c.value for row in book["Các chỉ tiêu"].iter_rows() for c in row if c.value]
    assert "hamlets.head_member_share" in values
    assert cli.main(["report", "indicators", "--format", "pdf", "--output", str(tmp_path / "x.pdf")]) == 0
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(tmp_path / "x.pdf").pages)
    assert "Tỷ lệ thôn, tổ dân phố có chi bộ" in text and "Đảng bộ tỉnh Mẫu" in text


@pytest.mark.parametrize(
    "args, message",
    [
        (["--org", "KHONGCO"], "Không có tổ chức đảng mã «KHONGCO»"),
        (["--as-of", "2999-01-01"], "ở tương lai"),
        (["--as-of", "1990-01-01"], "trước ngày có dữ liệu đầu tiên"),
        (["--from", "2024-05-01", "--to", "2024-01-01"], "trước ngày đầu kỳ"),
        (["--as-of", "31/12/2024"], "không hợp lệ"),
    ],
)
def test_report_command_refuses_bad_input(tree, capsys, args, message):
    assert cli.main(["report", "indicators", "--format", "json", *args]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and captured.out == ""


def test_check_aggregates_command(tree, province, capsys):
    assert cli.main(["check", "--aggregates"]) == 0
    assert "khớp" in capsys.readouterr().out
    from dangbo.stats.models import OrgTally

    OrgTally.objects.filter(org=tree.commune, dimension="total").update(count=99)
    assert cli.main(["check", "--aggregates"]) == 1
    assert "Đảng bộ xã Một" in capsys.readouterr().err
    assert cli.main(["check", "--aggregates", "--repair"]) == 0
    assert cli.main(["check", "--aggregates"]) == 0


@pytest.fixture
def officer(tree):
    user = User.objects.create_user("canbo", password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.OFFICER, org=tree.district)
    return user


def test_dashboard_page_shows_values_targets_charts_and_children(client, tree, province, officer):
    client.force_login(officer)
    response = client.get(f"/to-chuc/{tree.district.pk}/chi-tieu/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tỷ lệ thôn, tổ dân phố có chi bộ" in html and "50,0 %" in html and "Chưa đạt" in html
    assert "<svg" in html and 'role="img"' in html
    # the progress chart: bars coloured by status, a legend, each indicator's target ticked
    chart = html[html.index('<figure class="chart">') : html.index("</figure>")]
    assert 'class="chart-legend"' in chart and "Chưa đạt mục tiêu" in chart
    assert f'fill="{COLOURS["not_achieved"]}"' in chart and 'class="target"' in chart
    assert "<title>Tỷ lệ thôn, tổ dân phố có chi bộ riêng: 50,0 % — chưa đạt</title>" in chart
    assert "Đảng bộ xã Một" in html and f"/to-chuc/{tree.commune.pk}/chi-tieu/" in html
    assert "Nghị quyết 21-NQ/TW" in html
    # outside the officer's scope: not found, not a leak
    assert client.get(f"/to-chuc/{tree.province.pk}/chi-tieu/").status_code == 404
    assert client.get(f"/to-chuc/{tree.district2.pk}/chi-tieu/").status_code == 404


def _children_rows(html: str) -> list[str]:
    """The rows of a dashboard's children table, as printed."""
    table = html[html.index('id="truc-thuoc"') :]
    body = table[table.index("<tbody>") + len("<tbody>") : table.index("</tbody>")]
    return re.findall(r"<tr>.*?</tr>", body)


def test_dashboard_children_table_is_paged_and_its_rows_are_those_of_the_whole_table(
    client, tree, province, officer, monkeypatch
):
    from dangbo.core.kept import forget
    from dangbo.stats import views

    client.force_login(officer)
    url = f"/to-chuc/{tree.district.pk}/chi-tieu/"
    whole = _children_rows(client.get(url).content.decode())
    assert len(whole) >= 2 and "Trang 1 /" not in client.get(url).content.decode()
    monkeypatch.setattr(views, "CHILDREN_PER_PAGE", 1)
    forget()
    pages = []
    for number in range(1, len(whole) + 1):
        html = client.get(url, {"trang": number}).content.decode()
        assert f"Theo tổ chức trực thuộc ({len(whole)})" in html
        assert f"Trang {number} / {len(whole)}" in html
        pages += _children_rows(html)
    # each page's row is the whole table's row at its place: same child, same figures
    assert pages == whole
    # a number beyond the last, or not a number: the last page, the first
    assert _children_rows(client.get(url, {"trang": 99}).content.decode()) == whole[-1:]
    assert _children_rows(client.get(url, {"trang": "x"}).content.decode()) == whole[:1]
    # the frame's dates are carried to the next page
    html = client.get(url, {"ngay": "01/01/2024"}).content.decode()
    assert "ngay=01/01/2024&amp;trang=2" in html
    # the spreadsheet holds every child
    response = client.get(url, {"dinh-dang": "xlsx"})
    data = b"".join(response.streaming_content)

    names = {
        c.value for ws in load_workbook(io.BytesIO(data)).worksheets for row in ws.iter_rows() for c in row
    }
    assert {"Đảng bộ xã Một", "Chi bộ Cơ quan Một"} <= names


def test_dashboard_page_bad_dates_and_exports(client, tree, province, officer):
    client.force_login(officer)
    url = f"/to-chuc/{tree.district.pk}/chi-tieu/"
    response = client.get(url, {"ngay": "01/01/2999"})
    assert response.status_code == 400 and "ở tương lai" in response.content.decode()
    response = client.get(url, {"tu": "01/05/2024", "den": "01/01/2024"})
    assert response.status_code == 400 and "trước ngày đầu kỳ" in response.content.decode()
    response = client.get(url, {"ngay": "32/13/2024"})
    assert response.status_code == 400
    response = client.get(url, {"dinh-dang": "pdf"})
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")


def test_drill_down_page_lists_the_secretaries_and_is_audited(client, tree, province, officer):
    from dangbo.audit.models import AuditEntry

    client.force_login(officer)
    response = client.get(f"/to-chuc/{tree.district.pk}/chi-tieu/secretaries.theory_intermediate_share/")
    html = response.content.decode()
    assert response.status_code == 200
    assert province.people["a2"].full_name in html and province.people["b1"].full_name not in html
    # the children against the one target: its caption in the legend, its tick across each bar
    chart = html[html.index('<figure class="chart">') : html.index("</figure>")]
    assert "Mục tiêu ≥ 90 %</li>" in chart and chart.count('class="target"') == 2
    assert "<title>Đảng bộ xã Một: 50,0 % — chưa đạt</title>" in chart
    assert "<title>Chi bộ Cơ quan Một: chưa có số liệu</title>" in chart
    assert AuditEntry.objects.filter(
        action="list_viewed", data__list="secretaries.theory_intermediate_share"
    ).exists()
    response = client.get(
        f"/to-chuc/{tree.district.pk}/chi-tieu/secretaries.theory_intermediate_share/", {"dinh-dang": "csv"}
    )
    assert province.people["a2"].full_name in b"".join(response.streaming_content).decode("utf-8-sig")
    assert client.get(f"/to-chuc/{tree.district.pk}/chi-tieu/khong.co/").status_code == 404


def test_structure_page_draws_each_breakdown_with_its_table(client, tree, province, officer):
    client.force_login(officer)
    response = client.get(f"/to-chuc/{tree.commune.pk}/co-cau/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Đảng viên theo giới tính" in html and "Đảng viên theo tuổi đời" in html
    assert html.count("<svg") >= 10
    assert ">Nữ<" in html and ">Nam<" in html
    # counts on their own scale: no percentage in a breakdown's chart (the shares are in its table)
    charts = re.findall(r'<svg class="chart".*?</svg>', html)
    assert charts and not any(re.search(r">[^<]*%<", chart) for chart in charts)
    assert client.get(f"/to-chuc/{tree.commune.pk}/co-cau/", {"ngay": "01/01/1990"}).status_code == 400
    assert client.get(f"/to-chuc/{tree.district2.pk}/co-cau/").status_code == 404


def test_forms_page_shows_the_forms_and_their_checks(client, tree, province, officer):
    client.force_login(officer)
    url = f"/to-chuc/{tree.district.pk}/bieu-thong-ke/"
    response = client.get(url, {"ngay": "31/12/2024", "tu": "01/01/2024", "den": "31/12/2024"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Mẫu 1-TCTW" in html and "Kiểm tra chéo" in html and "Mọi phép kiểm tra chéo đều đạt" in html
    assert 'name="dinh-dang" value="xlsx"' in html and 'value="31/12/2024"' in html  # the file keeps the day
    response = client.post(url + "tai-ve/", {"dinh-dang": "xlsx", "ngay": "31/12/2024"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cong-viec/{job.pk}/"
    assert job.params["as_of"] == "2024-12-31" and job.result_name.endswith("-20241231.xlsx")
    download = client.get(f"/cong-viec/{job.pk}/tai-ve/")
    assert download.status_code == 200 and b"".join(download.streaming_content)[:2] == b"PK"
    assert client.get(url, {"ngay": "01/01/2999"}).status_code == 400
    assert client.get(f"/to-chuc/{tree.province.pk}/bieu-thong-ke/").status_code == 404


def test_forms_and_check_commands(tree, province, capsys, tmp_path):
    out = tmp_path / "forms.pdf"
    assert (
        cli.main(["report", "forms", "--as-of", "2024-12-31", "--format", "pdf", "--output", str(out)]) == 0
    )
    assert out.read_bytes().startswith(b"%PDF")
    assert cli.main(["report", "forms", "--org", "NOPE", "--as-of", "2024-12-31"]) == 2
    assert "Không có tổ chức đảng mã «NOPE»" in capsys.readouterr().err
    assert cli.main(["report", "forms", "--as-of", "2999-12-31"]) == 2
    assert cli.main(["check", "--format", "json"]) == 1  # the fixture's cells have fewer than 3 full members
    report = json.loads(capsys.readouterr().out)
    checks = {f["check"] for f in report["findings"]}
    assert "org.min_full_members" in checks and "target.hamlets_without_cell" in checks
    assert cli.main(["check", "--org", "H2"]) == 1
    out = capsys.readouterr().out
    assert "Huyện ủy Hai (H2): Đảng bộ cấp trên cơ sở chưa có bí thư" in out and "Chi bộ thôn A" not in out
    assert cli.main(["check", "--org", "H2", "--format", "xlsx", "--output", str(tmp_path / "c.xlsx")]) == 1
    assert (tmp_path / "c.xlsx").read_bytes()[:2] == b"PK"
    assert cli.main(["check", "--org", "NOPE"]) == 2


def test_indicator_and_compliance_api(client, tree, province, officer):
    client.force_login(officer)
    response = client.get(f"/api/orgs/{tree.district.pk}/indicators", {"children": "true"})
    assert response.status_code == 200
    body = response.json()
    by_code = {i["code"]: i for i in body["indicators"]}
    assert (
        by_code["hamlets.with_cell_share"]["numerator"] == 1
        and by_code["hamlets.with_cell_share"]["status"] == "not_met"
    )
    # in Vietnamese order of the names: «Chi bộ Cơ quan Một», «Đảng bộ xã Một»
    assert [c["code"] for c in body["children"]] == ["CQ1", "X1"]
    response = client.get(f"/api/orgs/{tree.district.pk}/indicators", {"as_of": "2999-01-01"})
    assert response.status_code == 422 and "ở tương lai" in response.json()["detail"]
    response = client.get(
        f"/api/orgs/{tree.district.pk}/indicators", {"date_from": "2024-05-01", "date_to": "2024-01-01"}
    )
    assert response.status_code == 422
    assert client.get(f"/api/orgs/{tree.province.pk}/indicators").status_code == 404
    response = client.get(f"/api/orgs/{tree.district.pk}/compliance")
    assert response.status_code == 200
    assert {f["check"] for f in response.json()} >= {"org.min_full_members", "target.hamlets_without_cell"}


def test_each_child_gets_its_own_flows_on_the_indicator_page(client, tree, province, officer):
    member_record_death(member=province.people["g1"], died_on=TODAY - timedelta(days=2))
    client.force_login(officer)
    html = client.get(f"/to-chuc/{tree.district.pk}/chi-tieu/deaths.count/").content.decode()
    # the agency cell (CQ1) lost its member; the commune did not
    ctx = context_for(frame_for(root=tree.district))
    values = {child.code: evaluate(ctx, BY_CODE["deaths.count"], child).value.value for child in ctx.children}
    assert values == {"X1": 0, "CQ1": 1}
    assert evaluate(ctx, BY_CODE["deaths.count"], tree.district).value.value == 1
    assert "Chi bộ Cơ quan Một" in html


def test_a_past_day_by_difference_equals_a_full_recount(tree, province, make_member):
    from dangbo.stats.figures import _stocks_by_difference, _stocks_by_recount

    make_member(tree.cell_b, full=False, admitted_on=TODAY - timedelta(days=400))
    member_record_death(member=province.people["g1"], died_on=TODAY - timedelta(days=100))
    member_transfer(member=province.people["a1"], to_org=tree.agency, effective_on=TODAY - timedelta(days=50))
    for days_back in (1, 60, 99, 100, 101, 380, 2000):
        day = TODAY - timedelta(days=days_back)
        frame = frame_for(root=tree.province, as_of=day)
        orgs = [tree.province, tree.district, tree.commune, tree.agency, tree.district2]
        by_difference = _stocks_by_difference(day, frame, orgs)
        by_recount = _stocks_by_recount(day, frame, orgs)
        for org in orgs:
            assert by_difference[org.pk].dims == by_recount[org.pk].dims, (days_back, org.code)
    assert (
        _stocks_by_recount(
            TODAY - timedelta(days=101),
            frame_for(root=tree.province, as_of=TODAY - timedelta(days=101)),
            [tree.province],
        )[tree.province.pk].total
        == 5
    )


def test_a_past_days_totals_by_difference_equal_a_recount(tree, province, make_member):
    """The opening totals of a period are today's tallies less the counted members' changes kept
    by day since; they must equal a count of every placement valid that day, through every kind
    of change: admission, recognition (no change), transfers inside and across subtrees, a
    temporary transfer (counted at home), death, an exit undone by restoration, readmission and a
    move out of the installation."""
    from dangbo.members.services import standing
    from dangbo.rules import exits as exit_rules
    from dangbo.stats.indicators.loads import _totals_by_difference, _totals_by_recount
    from dangbo.stats.tallies import tally_differences

    decision = org_services.DecisionRef(number="2-QĐ", on=date(2023, 8, 20))
    make_member(tree.cell_a, admitted_on=date(2022, 5, 1))
    newcomer = make_member(tree.cell_b, admitted_on=date(2023, 2, 1), full=False)
    member_transfer(
        member=province.people["a1"], to_org=tree.agency, effective_on=date(2023, 9, 1), decision=decision
    )
    member_transfer(
        member=province.people["a2"], to_org=tree.cell_b, effective_on=date(2023, 9, 1), decision=decision
    )
    member_record_death(member=province.people["g1"], died_on=date(2024, 4, 2))
    member_recognize(member=newcomer, decision=org_services.DecisionRef(number="3-QĐ", on=date(2024, 2, 10)))
    guest = make_member(tree.cell_a, admitted_on=date(2020, 1, 1))
    standing.member_temp_transfer(
        member=guest, purpose="work", starts_on=date(2024, 1, 1), until=date(2024, 12, 31), host=tree.agency
    )
    struck = make_member(tree.cell_b, admitted_on=date(2018, 1, 1))
    standing.member_strike_off(
        member=struck,
        on=date(2023, 1, 10),
        ground=exit_rules.StrikeOffGround.RETURNED_CARD,
        decision=decision,
    )
    standing.member_restore(member=Member.objects.get(pk=struck.pk), on=date(2024, 2, 1), decision=decision)
    gone = make_member(tree.agency, admitted_on=date(2016, 1, 1))
    standing.member_move_away(
        member=gone, on=date(2024, 6, 1), to_name="Đảng bộ tỉnh Khác", decision=decision
    )
    assert tally_differences() == []  # the kept changes by day equal a recount of them
    for day in (
        date(2019, 12, 31),
        date(2021, 6, 30),
        date(2022, 12, 31),
        date(2023, 1, 10),
        date(2023, 8, 31),
        date(2023, 9, 1),
        date(2024, 4, 1),
        date(2024, 12, 31),
    ):
        for root in (tree.province, tree.district, tree.commune, tree.agency):
            ctx = context_for(frame_for(root=root))
            assert _totals_by_difference(ctx, day) == _totals_by_recount(ctx, day), (root.code, day)


def test_a_dashboard_reads_its_dues_meetings_and_ratings_for_the_root_alone(tree, province):
    """The dashboard prints no child's dues, meetings or ratings: they are read for the root
    alone, and equal what the grouped read of the root and every child gives the root."""
    frame = frame_for(root=tree.district)
    alone = context_for(frame)
    values = [(r.indicator.code, r.value) for r in evaluate_all(alone)]
    assert "child_paths" not in alone._cache  # no child's path read, so no child's figures
    grouped = context_for(frame)
    evaluate_all(grouped, grouped.children[0])  # a child first: every child's at once
    assert "child_paths" in grouped._cache
    assert [(r.indicator.code, r.value) for r in evaluate_all(grouped)] == values
