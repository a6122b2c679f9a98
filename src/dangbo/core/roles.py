"""Positions a member holds in an organization (GLOSSARY: committee, secretary, ...)."""

from django.db import models


class Role(models.TextChoices):
    SECRETARY = "secretary", "Bí thư"
    DEPUTY_SECRETARY = "deputy_secretary", "Phó Bí thư"
    STANDING_COMMITTEE_MEMBER = "standing_committee_member", "Ủy viên Ban Thường vụ"
    COMMITTEE_MEMBER = "committee_member", "Cấp ủy viên"
    GROUP_LEADER = "group_leader", "Tổ trưởng tổ đảng"


# Roles that sit on the organization's committee (cấp ủy / chi ủy).
COMMITTEE_ROLES = frozenset(
    {Role.SECRETARY, Role.DEPUTY_SECRETARY, Role.STANDING_COMMITTEE_MEMBER, Role.COMMITTEE_MEMBER}
)
