"""`dangbo exchange`: key, trust, export, import, compare from the command line (issue 22)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from dangbo.cli import main as dangbo
from dangbo.exchange import keys
from dangbo.exchange.cli import period_bounds
from dangbo.exchange.models import ExchangePeer, SubmittedReport


@pytest.fixture(autouse=True)
def key_file(settings, tmp_path):
    settings.DANGBO_EXCHANGE_KEY_FILE = tmp_path / "keys" / "exchange_ed25519"


def test_periods_are_quarters_or_two_dates():
    assert period_bounds("2026-Q3") == (date(2026, 7, 1), date(2026, 9, 30))
    assert period_bounds("2026-Q4") == (date(2026, 10, 1), date(2026, 12, 31))
    assert period_bounds("2026-01-01..2026-03-31") == (date(2026, 1, 1), date(2026, 3, 31))


def test_export_import_compare_from_the_command_line(populated, frozen_today, make_member, tmp_path, capsys):
    frozen_today()
    assert dangbo(["exchange", "key"]) == 0
    out = capsys.readouterr().out
    public = keys.public_key_text()
    assert public in out and keys.fingerprint(public) in out
    assert dangbo(["exchange", "trust", "--org", "X1", "--key", public]) == 0
    assert ExchangePeer.objects.get().org == populated.commune
    target = tmp_path / "goi.json"
    args = [
        "exchange",
        "export",
        "--org",
        "X1",
        "--on",
        "2026-11-20",
        "--period",
        "2026-Q3",
        "-o",
        str(target),
    ]
    assert dangbo([*args[:4], "--report", "statform:1", *args[4:]]) == 0
    assert json.loads(target.read_bytes())["manifest"]["report"]["form"] == "Mẫu 1-TCTW"
    assert dangbo([*args[:4], "--report", "member_counts", *args[4:]]) == 0
    manifest = json.loads(target.read_bytes())["manifest"]
    assert manifest["report"]["period"] == {"from": "2026-07-01", "to": "2026-09-30"}
    capsys.readouterr()
    assert dangbo(["exchange", "import", str(target)]) == 0
    assert "0 số liệu khác" in capsys.readouterr().out
    assert dangbo(["exchange", "import", str(target)]) == 0
    assert "không lưu lại" in capsys.readouterr().out
    assert SubmittedReport.objects.count() == 1
    assert dangbo(["exchange", "compare", manifest["package_id"]]) == 0
    make_member(populated.cell_b, admitted_on=date(2016, 3, 1))
    capsys.readouterr()
    assert dangbo(["exchange", "compare", manifest["package_id"]]) == 1
    lines = capsys.readouterr().out.splitlines()[2:]
    assert {tuple(line.split("\t")[:1] + line.split("\t")[2:]) for line in lines} == {
        (code, label, "1", "2", "-1")
        for code in ("X1B",)
        for label in ("Tổng số đảng viên", "Đảng viên chính thức", "Nam")
    } | {
        (code, label, "3", "4", "-1")
        for code in ("X1",)
        for label in ("Tổng số đảng viên", "Đảng viên chính thức", "Nam")
    }


def test_bad_input_ends_with_status_2_and_a_vietnamese_message(populated, frozen_today, tmp_path, capsys):
    frozen_today()
    out = str(tmp_path / "x.json")
    assert dangbo(["exchange", "export", "--org", "X1", "--report", "statform:9", "-o", out]) == 2
    assert "Không có biểu «9»" in capsys.readouterr().err
    assert dangbo(["exchange", "export", "--org", "X1", "--report", "tien", "-o", out]) == 2
    assert (
        dangbo(
            ["exchange", "export", "--org", "X1", "--report", "member_counts", "--period", "Q9", "-o", out]
        )
        == 2
    )
    assert dangbo(["exchange", "export", "--org", "KHONG", "--report", "member_counts", "-o", out]) == 2
    assert "Không có tổ chức đảng mã «KHONG»" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text("không phải json")
    assert dangbo(["exchange", "import", str(bad)]) == 2
    assert "không phải JSON" in capsys.readouterr().err
    assert dangbo(["exchange", "trust", "--org", "X1", "--key", "abc"]) == 2
    assert dangbo(["exchange", "compare", "abc"]) == 2
