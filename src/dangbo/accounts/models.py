"""Role assignments: who may read and write which subtree (DESIGN.md decision 4).

A user's access is the union of their open assignments. Deny by default: a signed-in
user with no assignment sees nothing but a page that says so.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_otp.models import Device, ThrottlingMixin

from dangbo.core import clock
from dangbo.core.models import UUIDModel


class AccessRole(models.TextChoices):
    ADMIN = "admin", "Quản trị hệ thống"
    OFFICER = "officer", "Cán bộ tổ chức"
    SECRETARY = "secretary", "Bí thư chi bộ"
    LEADER = "leader", "Lãnh đạo"
    MEMBER = "member", "Đảng viên"


class RoleAssignment(UUIDModel):
    """``user`` holds ``role`` on ``org``'s subtree (admin: the whole installation, no org;
    member: their own record, ``member``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="role_assignments")
    role = models.CharField("vai trò", max_length=16, choices=AccessRole.choices)
    org = models.ForeignKey(
        "orgs.Org", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="tổ chức"
    )
    member = models.ForeignKey(
        "members.Member", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="đảng viên"
    )
    granted_at = models.DateTimeField(auto_now_add=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    # A leader reads reports of their subtree; exporting lists of people (birth dates, ethnicity,
    # religion) needs this grant (issue 18). Officers and secretaries export without it.
    may_export_personal = models.BooleanField("được xuất danh sách cá nhân", default=False)

    class Meta:
        verbose_name = "phân quyền"
        verbose_name_plural = "phân quyền"
        constraints = [
            models.CheckConstraint(
                name="role_assignment_target",
                condition=(
                    models.Q(role="admin", org__isnull=True, member__isnull=True)
                    | models.Q(role="member", org__isnull=True, member__isnull=False)
                    | models.Q(
                        role__in=["officer", "secretary", "leader"], org__isnull=False, member__isnull=True
                    )
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"


class Account(models.Model):
    """What dangbo keeps about a user beyond Django's ``User``: the folded name that the list of
    accounts searches, and whether the password must be changed at the next sign-in (set when
    an account is created or its password reset by someone else; cleared when the user changes
    it). Written only by ``accounts.services``. A user without this row (one made by
    ``dangbo createuser`` or the demo) has nothing to change and is found by user name."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, primary_key=True, related_name="account"
    )
    search_key = models.CharField(max_length=300, blank=True, default="")
    must_change_password = models.BooleanField(default=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    deactivated_at = models.DateTimeField(null=True, blank=True)
    # Sessions signed in before this moment are ended at their next request (an administrator
    # or officer ended them: accounts.services.sessions_end). Works whatever the session store.
    sessions_ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "tài khoản"
        verbose_name_plural = "tài khoản"

    def __str__(self) -> str:
        return f"account of user {self.user_id}"


class TokenAccess(models.TextChoices):
    READ = "read", "Chỉ đọc"
    WRITE = "write", "Đọc và ghi"


class ApiToken(UUIDModel):
    """A key for programs calling the API as ``user``. Only its SHA-256 is stored; the key is
    shown once when created. It expires, it can be revoked, and it carries an access level:
    a read-only key is refused on every unsafe method."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="api_tokens")
    name = models.CharField("tên gợi nhớ", max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)  # the key's first characters, to tell keys apart
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField("hết hạn")
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    access = models.CharField("quyền", max_length=8, choices=TokenAccess.choices, default=TokenAccess.READ)

    class Meta:
        verbose_name = "khóa API"
        verbose_name_plural = "khóa API"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class RecoveryCodes(ThrottlingMixin, Device):
    """A user's recovery codes (mã khôi phục), a django-otp device beside their authenticator
    app: ten codes of 12 letters and digits, each usable once, shown once when made. Only a
    salted hash of each code's secret part is kept (Django's password hasher), found by its
    first four characters, so a stolen copy of the database gives no usable code (ASVS 5.0
    6.5.2). Wrong codes slow the next attempt down as for the app (django-otp's throttling)."""

    class Meta:
        verbose_name = "bộ mã khôi phục"
        verbose_name_plural = "bộ mã khôi phục"

    def get_throttle_factor(self) -> int:
        return 1

    def verify_token(self, token) -> bool:
        from dangbo.accounts.recovery import code_matches, normalise

        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        code = normalise(str(token))
        row = self.codes.filter(lookup=code[:4], used_at__isnull=True).first() if code else None
        if row is not None and code_matches(code, row.code_hash):
            row.used_at = clock.now()
            row.save(update_fields=["used_at"])
            self.throttle_reset(commit=False)
            self.save()
            return True
        self.throttle_increment(commit=True)
        return False


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodes, models.CASCADE, related_name="codes")
    lookup = models.CharField(max_length=4)  # the code's first characters: which row to check
    code_hash = models.CharField(max_length=256)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["device", "lookup"], name="recovery_code_lookup")]

    def __str__(self) -> str:
        return f"recovery code {self.lookup}… of device {self.device_id}"
