"""The organization tree: stable identities, dated versions, events; and localities.

``Org`` holds the current state (a projection of its open ``OrgVersion``) so that
today's lists are one range scan; ``OrgVersion`` holds what the organization was
during each period, so any date's tree can be drawn. Both are written only by
``orgs.services`` (``orgs.services.tree`` for restructuring) and, for the paths of a moved
subtree, ``orgs.sql``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dangbo.core.fields import BinaryCharField
from dangbo.core.kinds import OrgKind, Sector
from dangbo.core.models import Decision, UUIDModel
from dangbo.core.text import fold, org_sort_key


class Org(UUIDModel):
    code = models.CharField("mã", max_length=40, unique=True)
    created_on = models.DateField("ngày thành lập")
    # Current state: equal to the open version's fields.
    name = models.CharField("tên", max_length=255)
    kind = models.CharField("loại", max_length=24, choices=OrgKind.choices)
    sector = models.CharField("loại hình", max_length=24, choices=Sector.choices, blank=True)
    has_upper_rights = models.BooleanField("được giao quyền cấp trên cơ sở", default=False)
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="children")
    path = BinaryCharField(max_length=255, unique=True)
    depth = models.PositiveSmallIntegerField()
    # Highest segment number given to a child; segments are never reused.
    child_seq = models.PositiveIntegerField(default=0)
    # Written approval for a formation exception (Charter art. 21: <30 committee, >30 cell).
    formation_approval = models.CharField("văn bản đồng ý của cấp trên", max_length=200, blank=True)
    dissolved_on = models.DateField("ngày giải thể", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)  # optimistic locking
    # Written with the name and code (``Org.keys``, by ``orgs.services``): the name in
    # Vietnamese order, numbers by value (``core.text.org_sort_key``), and the code and name
    # folded for the organization pickers (``core.text.fold``: no accents, lower case).
    sort_key = BinaryCharField(max_length=800, default="")
    search_key = BinaryCharField(max_length=320, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # What a list shows after the name: the grassroots organization this one belongs to (and
    # any organization between), as far as the reader may see. Set in bulk for a list by
    # ``orgs.labels.org_labels_attach``; None when not set (the name is shown alone).
    label_context: str | None = None

    class Meta:
        verbose_name = "tổ chức đảng"
        verbose_name_plural = "tổ chức đảng"
        ordering = ["path"]
        indexes = [models.Index(fields=["parent", "sort_key"], name="org_children_order")]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def keys(*, code: str, name: str) -> dict[str, str]:
        """The ``sort_key`` and ``search_key`` of an organization with this code and name."""
        return {"sort_key": org_sort_key(name), "search_key": fold(f"{code} {name}")}

    @property
    def label(self) -> str:
        """The name and, when labelled (``label_context``), what it belongs to: «Chi bộ Tổ dân
        phố số 1 · Đảng bộ phường Kim Tân»."""
        return f"{self.name} · {self.label_context}" if self.label_context else self.name

    @property
    def is_active(self) -> bool:
        return self.dissolved_on is None

    def version_state(self) -> dict:
        """What a version (``OrgVersion``) keeps of the organization as it stands."""
        return {
            "parent_id": self.parent_id,
            "path": self.path,
            "name": self.name,
            "kind": self.kind,
            "sector": self.sector,
            "has_upper_rights": self.has_upper_rights,
        }


class OrgEvent(UUIDModel, Decision):
    class Kind(models.TextChoices):
        ESTABLISHED = "established", "Thành lập"
        RENAMED = "renamed", "Đổi tên"
        MOVED = "moved", "Chuyển trực thuộc"
        MERGED = "merged", "Hợp nhất, sáp nhập"
        SPLIT = "split", "Chia tách"
        DISSOLVED = "dissolved", "Giải thể"
        KIND_CHANGED = "kind_changed", "Đổi loại tổ chức"
        RIGHTS_CHANGED = "rights_changed", "Giao, thu hồi quyền cấp trên cơ sở"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    org = models.ForeignKey(Org, models.PROTECT, related_name="events")
    effective_on = models.DateField("ngày hiệu lực")
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Other organizations in the operation (merged from, split into) and before/after values.
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["effective_on", "recorded_at"]
        indexes = [
            models.Index(fields=["org", "effective_on"]),
            # the tree's last change of place or kind (orgs.selectors.org_tree_last_change): the
            # few events of those kinds, not every organization's establishment
            models.Index(fields=["kind", "effective_on"], name="orgevent_kind_day"),
        ]


class OrgVersion(UUIDModel):
    """What an organization was from ``valid_from`` until the day before ``valid_to``."""

    org = models.ForeignKey(Org, models.PROTECT, related_name="versions")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)  # exclusive; null = still valid
    parent = models.ForeignKey(Org, models.PROTECT, null=True, blank=True, related_name="+")
    path = BinaryCharField(max_length=255)
    name = models.CharField(max_length=255)
    kind = models.CharField(max_length=24, choices=OrgKind.choices)
    sector = models.CharField(max_length=24, choices=Sector.choices, blank=True)
    has_upper_rights = models.BooleanField(default=False)
    event = models.ForeignKey(OrgEvent, models.PROTECT, null=True, blank=True, related_name="versions")

    class Meta:
        ordering = ["org", "valid_from"]
        indexes = [
            models.Index(fields=["path", "valid_from"]),
            models.Index(fields=["org", "valid_from"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["org"], condition=models.Q(valid_to__isnull=True), name="one_open_version_per_org"
            ),
        ]


class Locality(UUIDModel):
    """A hamlet or residential group that a cell should cover (thôn, bản, tổ dân phố ...)."""

    class Kind(models.TextChoices):
        THON = "thon", "Thôn"
        BAN = "ban", "Bản"
        AP = "ap", "Ấp"
        LANG = "lang", "Làng"
        BUON = "buon", "Buôn"
        TO_DAN_PHO = "to_dan_pho", "Tổ dân phố"
        KHU_PHO = "khu_pho", "Khu phố"
        TIEU_KHU = "tieu_khu", "Tiểu khu"

    code = models.CharField("mã", max_length=40, unique=True)
    kind = models.CharField("loại", max_length=12, choices=Kind.choices)
    name = models.CharField("tên", max_length=200)
    commune = models.ForeignKey(
        Org, models.PROTECT, related_name="localities", verbose_name="đảng bộ xã, phường"
    )
    commune_path = BinaryCharField(max_length=255, db_index=True)
    cell = models.ForeignKey(
        Org, models.PROTECT, null=True, blank=True, related_name="covered_localities", verbose_name="chi bộ"
    )
    # The head is either a member record (``head_member``; whether they count as a member on
    # a day is that member's standing on the day) or a person outside the Party named in
    # ``head_name``; never both.
    head_name = models.CharField("trưởng thôn, tổ trưởng (người ngoài Đảng)", max_length=120, blank=True)
    head_member = models.ForeignKey(
        "members.Member", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="đảng viên"
    )
    # Set by migration 0003 when a head ticked "is a member" could not be matched to one
    # member record; cleared when the head is next recorded (docs/architecture.md).
    head_unmatched_note = models.CharField("ghi chú trưởng thôn chưa khớp hồ sơ", max_length=300, blank=True)
    dissolved_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "thôn, tổ dân phố"
        verbose_name_plural = "thôn, tổ dân phố"
        ordering = ["commune_path", "name"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"

    @property
    def head_is_member(self) -> bool:
        """Whether the head is a member today: linked to a member record that is probationary
        or full (``members.models.ACTIVE_STATUSES``; orgs does not import members)."""
        return self.head_member is not None and self.head_member.status in ("probationary", "full")

    @property
    def head_display(self) -> str:
        """The head's name: the member record's when linked (select_related it), else the name typed."""
        return self.head_member.full_name if self.head_member is not None else self.head_name


class LocalityVersion(UUIDModel):
    """What a hamlet was from ``valid_from`` until the day before ``valid_to``: its name,
    kind, commune, covering cell and head. One open version per live hamlet; written only
    by ``orgs.locality_versions`` (called by ``orgs.services`` and ``restructuring``)."""

    locality = models.ForeignKey(Locality, models.PROTECT, related_name="versions")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)  # exclusive; null = still valid
    kind = models.CharField(max_length=12, choices=Locality.Kind.choices)
    name = models.CharField(max_length=200)
    commune = models.ForeignKey(Org, models.PROTECT, related_name="+")
    cell = models.ForeignKey(Org, models.PROTECT, null=True, blank=True, related_name="+")
    head_member = models.ForeignKey("members.Member", models.PROTECT, null=True, blank=True, related_name="+")
    head_name = models.CharField(max_length=120, blank=True)
    decision_no = models.CharField("số quyết định", max_length=60, blank=True)
    note = models.CharField("ghi chú", max_length=300, blank=True)

    class Meta:
        ordering = ["locality", "valid_from"]
        indexes = [
            models.Index(fields=["commune", "valid_from"]),
            models.Index(fields=["locality", "valid_from"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["locality"],
                condition=models.Q(valid_to__isnull=True),
                name="one_open_version_per_locality",
            ),
        ]
