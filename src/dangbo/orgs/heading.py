"""The heading of an organization's papers (Hướng dẫn 36-HD/VPTW): who issues them and where.

The upper-left block of a Party document names the superior organization in regular capitals
and the issuing body in bold under it ("ĐẢNG BỘ TỈNH LÀO CAI" / "ĐẢNG ỦY XÃ BẢO THẮNG"); the
date line on the right opens with the place, the name of the nearest territorial organization
without its prefixes ("Bảo Thắng, ngày 05 tháng 3 năm 2026"). The generated documents
(members', meetings' and ratings' ``documents`` modules) and the printed pages (the
``party_document`` template tags) read them here, so the wording lives once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dangbo.core import paths
from dangbo.core.kinds import CELL_KINDS, GRASSROOTS_KINDS, OrgKind
from dangbo.orgs.models import Org

TERRITORIAL_SECTORS = frozenset({"commune", "ward", "townlet", "special_zone", "territorial"})
_NAME_PREFIX = re.compile(r"^(Đảng bộ|Đảng ủy|Chi bộ|Huyện ủy|Thị ủy|Thành ủy|Tỉnh ủy)\s+", re.IGNORECASE)
_PLACE_PREFIX = re.compile(
    r"^(xã|phường|thị trấn|đặc khu|huyện|thị xã|thành phố|tỉnh|cơ sở)\s+", re.IGNORECASE
)


def place_name(org_name: str) -> str:
    """ "Đảng bộ xã Bảo Thắng" → "Bảo Thắng" (the place in the date line)."""
    return _PLACE_PREFIX.sub("", _NAME_PREFIX.sub("", org_name.strip())).strip()


_LEVEL_COMMITTEES = (
    ("tỉnh ", "Tỉnh ủy "),
    ("thành phố ", "Thành ủy "),
    ("thị xã ", "Thị ủy "),
    ("huyện ", "Huyện ủy "),
)


def committee_name(org_name: str) -> str:
    """The committee of an organization: "Đảng bộ xã X" → "Đảng ủy xã X", "Đảng bộ huyện X" →
    "Huyện ủy X", "Đảng bộ tỉnh X" → "Tỉnh ủy X"; a cell's and other names unchanged."""
    name = org_name.strip()
    if not name.lower().startswith("đảng bộ "):
        return name
    rest = name[len("đảng bộ ") :]
    for level, committee in _LEVEL_COMMITTEES:
        if rest.lower().startswith(level):
            return committee + rest[len(level) :]
    return "Đảng ủy " + rest


def lineage(org: Org) -> list[Org]:
    """``org``'s ancestors, root first, and ``org`` last (one query)."""
    above = Org.objects.filter(path__in=paths.ancestor_paths(org.path)).exclude(pk=org.pk).order_by("path")
    return [*above, org]


def place_of(orgs: list) -> str:
    """The place of the date line for the last of ``orgs`` (a lineage, root first): that of the
    nearest territorial organization, or of the root."""
    territorial = next((o for o in reversed(orgs) if o.sector in TERRITORIAL_SECTORS), orgs[0])
    return place_name(territorial.name)


def on_behalf(kind: str) -> str:
    """Who signs for the organization's collective: a cell, a committee, a standing committee."""
    if kind in CELL_KINDS or kind == OrgKind.GROUP:
        return "T/M CHI BỘ"
    if kind in (OrgKind.PROVINCE, OrgKind.UPPER):
        return "T/M BAN THƯỜNG VỤ"
    return "T/M ĐẢNG ỦY"


@dataclass(frozen=True)
class Heading:
    superior_name: str  # "ĐẢNG BỘ TỈNH LÀO CAI"; "" for the root
    issuer_name: str  # "ĐẢNG ỦY XÃ BẢO THẮNG"
    place: str  # "Bảo Thắng"
    on_behalf: str  # "T/M ĐẢNG ỦY"


def _heading(orgs: list[Org], *, place: str) -> Heading:
    org = orgs[-1]
    parent = orgs[-2] if len(orgs) > 1 else None
    name = org.name if org.kind in CELL_KINDS else committee_name(org.name)
    return Heading(
        superior_name=parent.name.upper() if parent else "",
        issuer_name=name.upper(),
        place=place,
        on_behalf=on_behalf(org.kind),
    )


def heading(org: Org) -> Heading:
    """The heading of the papers ``org`` issues itself (its lists, its reports): its parent
    above, its committee (a cell by its own name), the place of the nearest territorial
    organization (one query)."""
    orgs = lineage(org)
    return _heading(orgs, place=place_of(orgs))


def grassroots_heading(org: Org) -> Heading:
    """The heading of a member's papers: those of the grassroots organization above ``org``
    (a member's cell, or ``org`` itself), the place that of the nearest territorial
    organization above ``org`` (one query)."""
    orgs = lineage(org)
    at = next((i for i in range(len(orgs) - 1, -1, -1) if orgs[i].kind in GRASSROOTS_KINDS), len(orgs) - 1)
    return _heading(orgs[: at + 1], place=place_of(orgs))
