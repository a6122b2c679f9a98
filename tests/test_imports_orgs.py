"""Importing organizations and hamlets (issue 22): rows tried through the services an officer
uses by hand, in file order; re-runs add nothing; a renamed organization is renamed; legacy
TCVN3 text converted."""

from __future__ import annotations

import json
import unicodedata
from datetime import date

import pytest
from tests.import_files import csv_bytes

from dangbo.cli import main as dangbo
from dangbo.core.legacy_text import TCVN3_TABLE
from dangbo.members.models import Member
from dangbo.orgs.models import Locality, Org, OrgVersion

pytestmark = pytest.mark.django_db

ORG_HEADER = ["Mã tổ chức", "Tên tổ chức", "Loại tổ chức", "Trực thuộc", "Ngày thành lập", "Loại hình"]


def run(capsys, *args) -> tuple[int, dict]:
    code = dangbo(["import", *args, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def to_tcvn3(text: str) -> str:
    """``text`` as a TCVN3 (ABC) book holds it, read as cp1252 (capitals without a code of
    their own take the small letter's, as the .VnTimeH font did)."""
    reverse = {unicode: legacy for legacy, unicode in TCVN3_TABLE.items()}
    out = []
    for char in unicodedata.normalize("NFC", text):
        out.append(reverse.get(char) or reverse.get(char.lower()) or char)
    return "".join(out)


def test_organizations_are_established_in_file_order_and_a_rerun_changes_nothing(
    tree, frozen_today, tmp_path, capsys
):
    frozen_today(date(2026, 6, 1))
    rows = [
        ["X2", "Đảng bộ xã Hai", "Đảng bộ cơ sở", "H1", "01/01/2020", "Xã"],
        ["X2A", "Chi bộ thôn Hai A", "Chi bộ trực thuộc", "X2", "02/01/2020", ""],  # under the row above
        ["X2B", "Chi bộ thôn Hai B", "Chi bộ", "Đảng bộ xã Hai", "02/01/2020", ""],  # by name
        ["X2C", "Chi bộ thôn Hai C", "Tổ đảng", "H1", "02/01/2020", ""],  # a group under a district: refused
        ["", "Không mã", "Chi bộ trực thuộc", "X2", "02/01/2020", ""],
        ["X9", "Không rõ cấp trên", "Chi bộ trực thuộc", "H9", "02/01/2020", ""],  # no H9 anywhere
    ]
    path = tmp_path / "to-chuc.csv"
    path.write_bytes(csv_bytes(ORG_HEADER, rows))
    code, report = run(capsys, "orgs", str(path), "--org", "H1")
    assert code == 0
    outcome = {row["row"]: row["outcome"] for row in report["rows"]}
    assert outcome == {
        2: "accepted",
        3: "accepted",
        4: "accepted",
        5: "rejected",
        6: "rejected",
        7: "rejected",
    }
    by_row = {row["row"]: row for row in report["rows"]}
    assert all(reason["rule"] for reason in by_row[5]["reasons"])
    assert "Không có tổ chức «H9»" in by_row[7]["reasons"][0]["message"]
    assert report["written"] == {"created": 3, "updated": 0}
    x2 = Org.objects.get(code="X2")
    assert x2.parent == tree.district and x2.sector == "commune"
    assert Org.objects.get(code="X2A").parent == x2 and Org.objects.get(code="X2B").parent == x2
    assert not Org.objects.filter(code__in=["X2C", "X9"]).exists()

    code, report = run(capsys, "orgs", str(path), "--org", "H1")
    assert [row["outcome"] for row in report["rows"][:3]] == ["unchanged"] * 3
    assert Org.objects.filter(code__startswith="X2").count() == 3

    rows[1][1] = "Chi bộ thôn Hai A mới"
    path.write_bytes(csv_bytes(ORG_HEADER, rows[:3]))
    code, report = run(capsys, "orgs", str(path), "--org", "H1")
    assert report["rows"][1]["changes"] == {"name": ["Chi bộ thôn Hai A", "Chi bộ thôn Hai A mới"]}
    assert Org.objects.get(code="X2A").name == "Chi bộ thôn Hai A mới"
    assert OrgVersion.objects.filter(org__code="X2A").count() == 2  # the rename is a dated version


def test_hamlets_in_tcvn3_are_converted_and_recorded_for_the_commune(tree, frozen_today, tmp_path, capsys):
    frozen_today(date(2026, 6, 1))
    header = ["Tên thôn, tổ dân phố", "Chi bộ", "Trưởng thôn"]
    names = ["Thôn Bản Lầu", "Thôn Mường Khương", "Tổ dân phố Số 1"]
    rows = [[to_tcvn3(name), "X1A", to_tcvn3("Nguyễn Văn Đức")] for name in names]
    path = tmp_path / "thon.csv"
    path.write_bytes(csv_bytes([to_tcvn3(h) for h in header], rows, encoding="cp1252"))
    assert dangbo(["import", "hamlets", str(path), "--org", "X1"]) == 0
    out = capsys.readouterr().out
    assert "TCVN3" in out
    recorded = {loc.name: loc for loc in Locality.objects.filter(commune=tree.commune)}
    assert set(recorded) == set(names)
    assert recorded["Tổ dân phố Số 1"].kind == Locality.Kind.TO_DAN_PHO
    assert (
        recorded["Thôn Bản Lầu"].cell == tree.cell_a
        and recorded["Thôn Bản Lầu"].head_name == "Nguyễn Văn Đức"
    )
    assert dangbo(["import", "hamlets", str(path), "--org", "X1"]) == 0
    assert "3 không thay đổi" in capsys.readouterr().out
    assert Locality.objects.filter(commune=tree.commune).count() == 3


def test_members_in_tcvn3_get_their_names_in_unicode(tree, frozen_today, tmp_path, capsys):
    frozen_today(date(2026, 6, 1))
    header = ["Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc", "Tôn giáo", "Ngày vào Đảng", "Chi bộ"]
    rows = [
        [to_tcvn3("Nguyễn Văn Đức"), "17/05/1990", "Nam", "Kinh", to_tcvn3("Không"), "01/02/2015", "X1A"],
        [
            to_tcvn3("Ánh Thị Ước"),
            "01/01/1988",
            to_tcvn3("Nữ"),
            to_tcvn3("Tày"),
            to_tcvn3("Không"),
            "01/02/2015",
            "X1A",
        ],
    ]
    path = tmp_path / "dv.csv"
    path.write_bytes(csv_bytes([to_tcvn3(h) for h in header], rows, encoding="cp1252"))
    assert dangbo(["import", "members", str(path), "--org", "X1"]) == 0
    names = sorted(m.full_name for m in Member.objects.all())
    assert names == ["Nguyễn Văn Đức", "Ánh Thị Ước"]
    assert Member.objects.get(given_name="Ước").ethnicity.name == "Tày"


def test_an_organizations_file_longer_than_a_chunk_names_parents_from_any_row_above(
    tree, frozen_today, tmp_path, capsys, monkeypatch
):
    from dangbo.imports import staging

    monkeypatch.setattr(staging, "CHUNK", 2)  # rows 2–3, 4–5, …: each cell's commune in another chunk
    frozen_today(date(2026, 6, 1))
    rows = [["X5", "Đảng bộ xã Năm", "Đảng bộ cơ sở", "H1", "01/01/2020", "Xã"]]
    rows += [
        [f"X5{n}", f"Chi bộ thôn Năm {n}", "Chi bộ trực thuộc", "X5", "02/01/2020", ""] for n in range(5)
    ]
    path = tmp_path / "to-chuc.csv"
    path.write_bytes(csv_bytes(ORG_HEADER, rows))
    code, report = run(capsys, "orgs", str(path), "--org", "H1")
    assert code == 0 and [row["outcome"] for row in report["rows"]] == ["accepted"] * 6
    assert Org.objects.filter(parent__code="X5").count() == 5


def test_an_organizations_file_naming_a_superior_outside_the_subtree_is_refused_whole(
    tree, frozen_today, tmp_path, capsys
):
    frozen_today(date(2026, 6, 1))
    rows = [
        ["X6", "Đảng bộ xã Sáu", "Đảng bộ cơ sở", "H1", "01/01/2020", "Xã"],
        ["X7", "Đảng bộ xã Bảy", "Đảng bộ cơ sở", "H2", "01/01/2020", "Xã"],  # H2 is outside H1
    ]
    path = tmp_path / "to-chuc.csv"
    path.write_bytes(csv_bytes(ORG_HEADER, rows))
    assert dangbo(["import", "orgs", str(path), "--org", "H1"]) == 2
    assert "dòng 3 («H2»)" in capsys.readouterr().err
    assert not Org.objects.filter(code__in=["X6", "X7"]).exists()
