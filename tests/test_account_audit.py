"""Changes of users, roles, permissions and second factors are audited wherever they are made
(issue 18): Django's admin edits none of them, and a change made outside accounts' services
(the shell, Django's commands, a data fix) is recorded from the models' signals."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.models import Group, Permission, User
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from dangbo.accounts.models import AccessRole, ApiToken, RecoveryCode, RecoveryCodes, RoleAssignment
from dangbo.accounts.services import role_grant, user_create_superuser
from dangbo.audit.models import AuditEntry
from dangbo.audit.services import Action

PASSWORD = "mat-khau-dai-du-1"


def direct(**filters):
    return AuditEntry.objects.filter(action=Action.ACCOUNT_CHANGED_DIRECTLY, **filters).order_by("seq")


def test_django_admin_edits_no_account_role_or_second_factor(client, db):
    for model in (User, Group, Permission, RoleAssignment, ApiToken, TOTPDevice, RecoveryCodes, RecoveryCode):
        assert not admin.site.is_registered(model), model
    client.force_login(user_create_superuser(username="quantri", password=PASSWORD))
    assert client.get("/quan-tri/otp_totp/totpdevice/").status_code == 404
    assert client.get("/quan-tri/auth/user/").status_code == 404


def test_changes_outside_the_services_are_audited(tree):
    user = User.objects.create_user("canbo", password=PASSWORD)
    assert list(direct(subject_id=str(user.pk)).values_list("data__change", flat=True)) == ["created"]
    user.is_staff = True
    user.save()
    assert direct(subject_id=str(user.pk)).last().data == {"table": "auth.User", "change": "saved"}

    group = Group.objects.create(name="Ban Tổ chức")
    user.groups.add(group)
    permission = Permission.objects.get(codename="view_member")
    group.permissions.add(permission)
    assignment = RoleAssignment.objects.create(user=user, role=AccessRole.OFFICER, org=tree.commune)
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    device.delete()
    rows = list(direct().values_list("data__table", "data__change"))
    assert ("auth.Group", "created") in rows
    assert ("auth.User", "add") in rows  # the user joined the group
    assert ("auth.Group", "add") in rows  # the group was given a permission
    assert ("accounts.RoleAssignment", "created") in rows
    assert ("otp_totp.TOTPDevice", "created") in rows and ("otp_totp.TOTPDevice", "deleted") in rows
    row = direct(data__table="accounts.RoleAssignment").get()
    assert row.subject_id == str(user.pk)
    assert all("mat-khau" not in str(r.data) for r in direct())  # no value, only names
    assignment.refresh_from_db()


def test_a_password_set_directly_is_audited(db):
    user = User.objects.create_user("canbo", password=PASSWORD)
    user.set_password("mot-cau-rat-dai-de-nho-7")
    user.save(update_fields=["password"])
    assert direct(subject_id=str(user.pk)).last().data["fields"] == ["password"]


def test_the_services_and_signing_in_write_no_direct_change_row(client, tree):
    user = User.objects.create_user("canbo", password=PASSWORD)
    start = direct().count()
    role_grant(user=user, role=AccessRole.OFFICER, org=tree.commune)
    client.post(reverse("login"), {"username": "canbo", "password": PASSWORD})  # writes last_login
    assert direct().count() == start
    assert AuditEntry.objects.filter(action=Action.ROLE_GRANTED, subject_id=str(user.pk)).exists()
