"""Kinds and sectors of Party organizations (GLOSSARY: Organizations; RULES.md §1.2)."""

from django.db import models


class OrgKind(models.TextChoices):
    PROVINCE = "province", "Đảng bộ tỉnh"
    UPPER = "upper", "Đảng bộ cấp trên cơ sở"
    GRASSROOTS_COMMITTEE = "grassroots_committee", "Đảng bộ cơ sở"
    GRASSROOTS_CELL = "grassroots_cell", "Chi bộ cơ sở"
    SUB_COMMITTEE = "sub_committee", "Đảng bộ bộ phận"
    CELL = "cell", "Chi bộ trực thuộc"
    GROUP = "group", "Tổ đảng"


GRASSROOTS_KINDS = frozenset({OrgKind.GRASSROOTS_COMMITTEE, OrgKind.GRASSROOTS_CELL})
CELL_KINDS = frozenset({OrgKind.GRASSROOTS_CELL, OrgKind.CELL})
# Organizations that hold hamlets and residential groups (commune level).
COMMUNE_LEVEL_KINDS = frozenset({OrgKind.GRASSROOTS_COMMITTEE, OrgKind.GRASSROOTS_CELL})
# Organizations that hold meetings of their own (RULES.md §3): cells and grassroots committees.
MEETING_KINDS = CELL_KINDS | {OrgKind.GRASSROOTS_COMMITTEE}


class Sector(models.TextChoices):
    COMMUNE = "commune", "Xã"
    WARD = "ward", "Phường"
    TOWNLET = "townlet", "Thị trấn"
    SPECIAL_ZONE = "special_zone", "Đặc khu"
    TERRITORIAL = "territorial", "Địa phương (huyện, thị, thành phố)"
    AGENCY = "agency", "Cơ quan"
    PUBLIC_UNIT = "public_unit", "Đơn vị sự nghiệp"
    STATE_ENTERPRISE = "state_enterprise", "Doanh nghiệp nhà nước"
    PRIVATE_ENTERPRISE = "private_enterprise", "Doanh nghiệp ngoài nhà nước"
    COOPERATIVE = "cooperative", "Hợp tác xã"
    MILITARY = "military", "Quân đội"
    POLICE = "police", "Công an"
    OVERSEAS = "overseas", "Ở nước ngoài"
    BLOC = "bloc", "Khối cơ quan, doanh nghiệp"
    RESIDENTIAL = "residential", "Thôn, bản, tổ dân phố"
