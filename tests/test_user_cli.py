"""`dangbo user add|list|revoke`."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User

from dangbo import cli
from dangbo.accounts.models import AccessRole
from dangbo.accounts.scope import scope_for
from dangbo.audit.models import AuditEntry
from dangbo.audit.services import Action


def test_user_add_prints_a_password_that_must_be_changed(populated, capsys):
    assert (
        cli.main(["user", "add", "canbo", "--role", "officer", "--org", "H1", "--full-name", "Cán bộ Một"])
        == 0
    )
    out = capsys.readouterr().out
    password = next(
        line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("Mật khẩu ban đầu")
    )
    user = User.objects.get(username="canbo")
    assert user.check_password(password) and user.account.must_change_password and "phải đổi mật khẩu" in out
    assert scope_for(user).grant_paths == (populated.district.path,)
    assert AuditEntry.objects.filter(action=Action.USER_CREATED, subject_id=str(user.pk)).exists()


def test_user_add_takes_a_password_and_links_a_member(populated, capsys):
    from dangbo.members.models import Member

    member = Member.objects.filter(org=populated.cell_a).first()
    assert (
        cli.main(
            [
                "user",
                "add",
                "dv",
                "--role",
                "member",
                "--member",
                str(member.pk),
                "--password",
                "mot-mat-khau-dai-du",
            ]
        )
        == 0
    )
    assert "Mật khẩu ban đầu" not in capsys.readouterr().out
    user = User.objects.get(username="dv")
    assert user.check_password("mot-mat-khau-dai-du") and scope_for(user).own_member_id == member.pk
    assert (
        cli.main(["user", "add", "dv", "--role", "leader", "--org", "X1"]) == 0
    )  # a second role for an existing account
    assert "cấp thêm vai trò" in capsys.readouterr().out
    assert set(user.role_assignments.values_list("role", flat=True)) == {"member", "leader"}


@pytest.mark.parametrize(
    "argv, message",
    [
        (
            ["user", "add", "x", "--role", "secretary", "--org", "X1"],
            "Vai trò bí thư chi bộ chỉ gắn với một chi bộ.",
        ),
        (["user", "add", "x", "--role", "officer", "--org", "KHONG"], "Không có tổ chức mã «KHONG»."),
        (["user", "add", "x", "--role", "admin", "--org", "T"], "không gắn với tổ chức"),
        (["user", "add", "x", "--role", "member"], "Vai trò đảng viên cần --member"),
        (["user", "add", "x", "--role", "member", "--member", "12345678"], "Không có đảng viên"),
        (["user", "add", "x", "--role", "officer"], "phải gắn với một tổ chức đảng"),
        (
            ["user", "add", "x", "--role", "leader", "--org", "H1", "--password", "123"],
            "Mật khẩu chưa đạt yêu cầu",
        ),
        (["user", "revoke", "khongco", "--org", "H1"], "Không có tài khoản «khongco»."),
    ],
)
def test_refusals_exit_non_zero_with_the_vietnamese_message(populated, capsys, argv, message):
    assert cli.main(argv) != 0
    assert message in capsys.readouterr().err
    assert not User.objects.filter(username="x").exists()


def test_user_list_and_revoke(populated, capsys):
    assert cli.main(["user", "add", "canbo", "--role", "officer", "--org", "H1"]) == 0
    assert cli.main(["user", "add", "bithu", "--role", "secretary", "--org", "X1A"]) == 0
    assert cli.main(["user", "add", "canbo2", "--role", "officer", "--org", "H2"]) == 0
    assert cli.main(["user", "add", "qt", "--role", "admin"]) == 0
    capsys.readouterr()
    assert cli.main(["user", "list", "--org", "X1", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(r["username"], r["role"], r["org"]) for r in listed["roles"]] == [("bithu", "secretary", "X1A")]
    assert cli.main(["user", "list"]) == 0
    text = capsys.readouterr().out
    assert "canbo2" in text and "Quản trị hệ thống" in text and "Tổng: 4 vai trò" in text
    assert cli.main(["user", "revoke", "bithu", "--org", "X1"]) != 0  # the role is on X1A, not X1
    assert "không có vai trò nào" in capsys.readouterr().err
    assert cli.main(["user", "revoke", "bithu", "--org", "X1A"]) == 0
    assert scope_for(User.objects.get(username="bithu")).is_empty
    assert AuditEntry.objects.filter(action=Action.ROLE_REVOKED).count() == 1
    assert cli.main(["user", "revoke", "qt", "--role", "admin"]) == 0
    assert not scope_for(User.objects.get(username="qt")).is_admin
    assert User.objects.get(username="canbo").role_assignments.get().role == AccessRole.OFFICER


def test_createuser_goes_through_the_audited_service(db, monkeypatch, capsys):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("mot-mat-khau-dai-du\n"))
    assert cli.main(["createuser", "quantri", "--password-stdin", "--full-name", "Quản trị"]) == 0
    user = User.objects.get(username="quantri")
    assert user.is_superuser and scope_for(user).is_admin and not user.account.must_change_password
    entry = AuditEntry.objects.get(action=Action.USER_CREATED, subject_id=str(user.pk))
    assert entry.data["superuser"] is True
