"""The `dangbo` command."""

import io

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from dangbo import cli
from dangbo.demo.models import DemoDataset
from dangbo.members.models import Member
from dangbo.reference.loader import load_all
from dangbo.reference.models import Ethnicity


def test_createuser_reads_the_password_and_refuses_weak_ones(db, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("123\n"))
    assert cli.main(["createuser", "bithu", "--password-stdin"]) == 2
    assert "chưa đạt yêu cầu" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("mot-mat-khau-dai-du\n"))
    assert cli.main(["createuser", "bithu", "--password-stdin", "--full-name", "Lò Văn Sính"]) == 0
    user = User.objects.get(username="bithu")
    assert user.check_password("mot-mat-khau-dai-du") and user.password.startswith("argon2")
    assert cli.main(["createuser", "bithu", "--password-stdin"]) == 2


def test_demo_builds_once_and_reuses_it(db, capsys):
    assert cli.main(["demo", "--profile", "tiny", "--members", "60", "--no-serve"]) == 0
    first = capsys.readouterr().out
    assert "Tạo dữ liệu mẫu" in first and "quantri" in first
    assert cli.main(["demo", "--profile", "tiny", "--members", "60", "--no-serve"]) == 0
    again = capsys.readouterr().out
    # when it was built, on the installation's clock (Asia/Ho_Chi_Minh), not UTC
    built_at = timezone.localtime(DemoDataset.objects.get().created_at)
    assert f"Dùng lại dữ liệu mẫu «tiny» đã tạo lúc {built_at:%d/%m/%Y %H:%M}." in again
    assert DemoDataset.objects.count() == 1
    assert Member.objects.filter(status__in=["full", "probationary"]).count() == 60


def test_demo_reform_2025_restructures_the_2021_province(db, capsys, settings, tmp_path):
    from dangbo.orgs.models import Org, OrgEvent

    settings.VAR_DIR = tmp_path
    assert cli.main(["demo", "--profile", "tiny", "--reform-2025", "--no-serve"]) == 0
    out = capsys.readouterr().out
    assert "Sắp xếp tổ chức theo Nghị quyết 1673/NQ-UBTVQH15" in out and "đảng viên trước 300, sau 300" in out
    # the figures printed are the pages': the dissolved district is not a direct child any more
    province = Org.objects.get(code="LCI")
    live = Org.objects.filter(parent=province, dissolved_on__isnull=True).count()
    assert live < Org.objects.filter(parent=province).count()
    [done] = [line for line in out.splitlines() if line.startswith("Xong trong")]
    assert f": {live} tổ chức trực thuộc, 1 tổ chức cơ sở đảng, 300 đảng viên" in done
    assert (tmp_path / "ke-hoach-sap-xep-2025.csv").exists()
    district = Org.objects.get(code="LCI-SP")
    assert district.dissolved_on is not None
    commune = Org.objects.get(name="Đảng bộ xã Tả Van", dissolved_on__isnull=True)
    assert commune.parent.code == "LCI" and commune.code.startswith("LCI-XP")
    assert OrgEvent.objects.filter(kind=OrgEvent.Kind.MERGED, decision_no__endswith="-QĐ/TU").exists()
    assert Member.objects.filter(status__in=["full", "probationary"]).count() == 300
    assert DemoDataset.objects.get().profile == "tiny+reform-2025"


def test_demo_with_other_parameters_asks_for_reset(db, capsys):
    assert cli.main(["demo", "--profile", "tiny", "--members", "60", "--no-serve"]) == 0
    assert cli.main(["demo", "--profile", "tiny", "--members", "80", "--no-serve"]) == 2
    assert "--reset" in capsys.readouterr().err


def test_manage_runs_django_commands(capsys):
    assert cli.main(["manage", "check", "--fail-level", "ERROR"]) == 0
    assert "no issues" in capsys.readouterr().out
    with pytest.raises(SystemExit):  # an unknown command is reported, not ignored
        cli.main(["manage", "no-such-command"])


def test_the_parser_knows_every_command():
    parser = cli.build_parser()
    for command in ("demo", "serve", "worker", "createuser", "manage"):
        assert parser.parse_args([command] + (["x"] if command == "createuser" else [])).command == command


def test_demo_reset_rebuilds_with_the_code_lists_intact(transactional_db, capsys):
    load_all()  # an earlier transactional test's flush may have emptied them
    assert cli.main(["demo", "--profile", "tiny", "--members", "60", "--no-serve"]) == 0
    assert cli.main(["demo", "--profile", "tiny", "--members", "80", "--no-serve", "--reset"]) == 0
    assert Member.objects.filter(status__in=["full", "probationary"]).count() == 80
    assert Ethnicity.objects.count() == 54
    assert DemoDataset.objects.get().members == 80
