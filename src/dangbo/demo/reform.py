"""The July 2025 reform of the demo province, as a restructuring plan.

From the official mapping of old communes to new ones (``reform2025``, generated from the
``vietnamadminunits`` data and checked against Nghị quyết 1673/NQ-UBTVQH15), the plan:

1. establishes a Party committee for every new commune or ward directly under the
   provincial committee (``thanh_lap``);
2. merges the committees of the old communes into it (``hop_nhat``): their village and
   agency cells move with their members, their hamlets pass to it, their committees'
   positions end;
3. renames the cells that would otherwise share a name in their new committee (``doi_ten``):
   the residential groups numbered from 1 in each old ward, «Chi bộ Tổ dân phố số 1 (phường
   Cốc Lếu cũ)»; the hamlets of those names are renamed alike, after the plan
   (``locality_update``: a plan carries no hamlet renames);
4. moves the other grassroots organizations of each district to the provincial police
   (the district police), the provincial military (the district military command) or the
   agencies-and-enterprises bloc (agencies, schools, health centres ...) (``chuyen``) — a
   simplification: in the real reform they went to the new communes' committees or to
   the provincial committees of agencies, case by case, by decisions the seeds do not give;
5. dissolves the district committees (``giai_the``), whose positions end;
6. gives every new commune committee its leaders on the same day, as the real reform did:
   a secretary, deputy secretaries, standing and committee members appointed by the
   provincial standing committee from the members of the merged communes' committees,
   whose positions there ended on the day (``appoint_new_committees``).

All effective 1/7/2025. The establishing and dissolving decisions' numbers are the demo's
own (the real ones are not in the seeds); the legal basis named is the Resolution.
"""

from __future__ import annotations

from datetime import date
from functools import reduce
from operator import or_

from django.db import transaction

from dangbo.core import paths
from dangbo.core.decisions import DecisionRef
from dangbo.core.formats import format_number
from dangbo.core.kinds import OrgKind, Sector
from dangbo.core.roles import Role
from dangbo.demo.profiles import Profile
from dangbo.demo.reform2025 import EFFECTIVE_DATE, RESOLUTION_NUMBER, new_commune_sector, old_to_new
from dangbo.members import ledger
from dangbo.members.models import ACTIVE_STATUSES, Member, MemberEvent, MemberStatus, Position
from dangbo.orgs.models import Locality, Org
from dangbo.orgs.services import locality_update
from dangbo.restructuring.cli import describe
from dangbo.restructuring.plans import plan_run, rows_from_dicts, write_plan_csv
from dangbo.rules import positions as position_rules
from dangbo.rules.orgs import GRASSROOTS_COMMITTEE_THRESHOLD

DECIDED_ON = date(2025, 6, 30)
BODY = "Ban Thường vụ Tỉnh ủy"
BLOC_CODE = "LCI-KCQ"
# where a district's organization of a sector goes, when the profile has that upper organization
RECEIVER_BY_SECTOR: dict[str, str] = {Sector.POLICE: "LCI-CA", Sector.MILITARY: "LCI-QS"}
COMMUNE_SECTORS = (Sector.COMMUNE, Sector.WARD, Sector.TOWNLET)


def _any(qs):
    return reduce(or_, qs)


class ReformError(Exception):
    """The demo's tree does not match the mapping (a commune the Resolution does not name)."""


def _commune_name(org: Org) -> str:
    """«Đảng bộ xã Tả Van» → «Xã Tả Van», as the mapping spells the commune."""
    rest = org.name.removeprefix("Đảng bộ ")
    for prefix in ("thị trấn ", "phường ", "xã "):
        if rest.startswith(prefix):
            return prefix.capitalize() + rest[len(prefix) :]
    return rest


def _former(old: Org) -> str:
    """«Đảng bộ phường Cốc Lếu» → «phường Cốc Lếu cũ», as the place is named after it merged."""
    return old.name.removeprefix("Đảng bộ ") + " cũ"


def twin_cells(olds: list[Org]) -> list[tuple[Org, str]]:
    """The live cells of the committees ``olds`` (merged into one) whose name another of them
    also uses, each with its name qualified by its old commune: «Chi bộ Tổ dân phố số 1
    (phường Cốc Lếu cũ)»."""
    found: dict[str, list[tuple[Org, Org]]] = {}
    for old in olds:
        for cell in Org.objects.filter(parent=old, dissolved_on__isnull=True).order_by("path"):
            found.setdefault(cell.name, []).append((cell, old))
    return [
        (cell, f"{name} ({_former(old)})")
        for name, pairs in found.items()
        if len({old.pk for _, old in pairs}) > 1
        for cell, old in pairs
    ]


def twin_hamlets(olds: list[Org]) -> list[tuple[Locality, str]]:
    """The live hamlets of the committees ``olds`` (merged into one) whose kind and name
    another of them also has, each with its name qualified by its old commune: «số 1
    (phường Cốc Lếu cũ)», read «Tổ dân phố số 1 (phường Cốc Lếu cũ)»."""
    found: dict[tuple[str, str], list[tuple[Locality, Org]]] = {}
    for old in olds:
        for hamlet in Locality.objects.filter(commune=old, dissolved_on__isnull=True).order_by("code"):
            found.setdefault((hamlet.kind, hamlet.name), []).append((hamlet, old))
    return [
        (hamlet, f"{name} ({_former(old)})")
        for (_kind, name), pairs in found.items()
        if len({old.pk for _, old in pairs}) > 1
        for hamlet, old in pairs
    ]


def _merged_sources(profile: Profile) -> tuple[dict[str, list[Org]], list[Org]]:
    """The old commune committees by the new commune they merge into, and the districts' other
    organizations, from the province as it stands."""
    mapping = old_to_new()
    sources: dict[str, list[Org]] = {}
    others: list[Org] = []
    for spec in profile.uppers:
        if not spec.district:
            continue
        district = Org.objects.get(code=spec.code)
        for child in Org.objects.filter(parent=district, dissolved_on__isnull=True).order_by("path"):
            if child.kind == OrgKind.GRASSROOTS_COMMITTEE and child.sector in COMMUNE_SECTORS:
                key = (spec.district, _commune_name(child))
                if key not in mapping:
                    raise ReformError(
                        f"«{child.name}» ({spec.district}) không có trong Nghị quyết {RESOLUTION_NUMBER}."
                    )
                sources.setdefault(mapping[key], []).append(child)
            else:
                others.append(child)
    return sources, others


def reform_plan_rows(profile: Profile) -> list[dict[str, str]]:
    """The plan for the province as it stands (the demo of ``profile``, possibly after years of
    simulated history), in the columns of ``orgs.plans``."""
    province = Org.objects.get(code="LCI")
    on = EFFECTIVE_DATE.strftime("%d/%m/%Y")
    decided = DECIDED_ON.strftime("%d/%m/%Y")
    districts = [spec for spec in profile.uppers if spec.district]
    sources, others = _merged_sources(profile)
    rows: list[dict[str, str]] = []
    number = 100

    def decision() -> dict[str, str]:
        nonlocal number
        number += 1
        return {
            "ngay_hieu_luc": on,
            "so_quyet_dinh": f"{number}-QĐ/TU",
            "ngay_quyet_dinh": decided,
            "co_quan_quyet_dinh": BODY,
        }

    codes = {}
    for index, new_name in enumerate(sorted(sources), start=1):
        code = f"LCI-XP{index:02d}"
        codes[new_name] = code
        sector = new_commune_sector(new_name)
        rows.append(
            {
                "thao_tac": "thanh_lap",
                "ma_to_chuc": code,
                "ma_dich": province.code,
                "ten": "Đảng bộ " + new_name[0].lower() + new_name[1:],
                "loai": OrgKind.GRASSROOTS_COMMITTEE,
                "loai_hinh": sector,
                **decision(),
            }
        )
    threshold = GRASSROOTS_COMMITTEE_THRESHOLD.value(EFFECTIVE_DATE)
    for new_name in sorted(sources):
        merge = decision()
        members = Member.objects.filter(
            _any(paths.subtree_q(old.path, "org_path") for old in sources[new_name]),
            status__in=ACTIVE_STATUSES,
        ).count()
        if members < threshold:  # as the generator does for small demos: the approval art. 21 asks for
            merge["van_ban_dong_y"] = "Văn bản đồng ý của Ban Thường vụ Tỉnh ủy (dữ liệu mẫu)"
        for old in sources[new_name]:
            rows.append({"thao_tac": "hop_nhat", "ma_to_chuc": old.code, "ma_dich": codes[new_name], **merge})
    twins = [pair for new_name in sorted(sources) for pair in twin_cells(sources[new_name])]
    if twins:
        rename = decision()
        for cell, name in twins:
            rows.append({"thao_tac": "doi_ten", "ma_to_chuc": cell.code, "ten": name, **rename})
    uppers = {spec.code for spec in profile.uppers}
    move = decision()
    for org in others:
        receiver = RECEIVER_BY_SECTOR.get(org.sector, BLOC_CODE)
        receiver = receiver if receiver in uppers else BLOC_CODE
        rows.append({"thao_tac": "chuyen", "ma_to_chuc": org.code, "ma_dich": receiver, **move})
    for spec in districts:
        rows.append({"thao_tac": "giai_the", "ma_to_chuc": spec.code, **decision()})
    return rows


_ROLE_RANK: dict[str, int] = {
    Role.SECRETARY: 0,
    Role.DEPUTY_SECRETARY: 1,
    Role.STANDING_COMMITTEE_MEMBER: 2,
    Role.COMMITTEE_MEMBER: 3,
}


def _committee_roles(pool: int, merged: int) -> list[Role]:
    """A new commune committee's roles: larger the more communes it merges, never more than
    the people available (the merged committees' members)."""
    size = min(pool, max(9, min(25, 6 * merged)))
    deputies = 2 if size >= 9 else 1
    standing = min(5, max(0, size - 1 - deputies) // 3)
    roles = (
        [Role.SECRETARY] + [Role.DEPUTY_SECRETARY] * deputies + [Role.STANDING_COMMITTEE_MEMBER] * standing
    )
    return (roles + [Role.COMMITTEE_MEMBER] * size)[:size]


def appoint_new_committees(rows: list[dict[str, str]], *, on: date = EFFECTIVE_DATE) -> int:
    """Leaders of each commune committee the plan ``rows`` establishes, from the members of
    the committees it merges whose positions ended on ``on``, secretaries first; written to
    the ledger as the position service writes them. Returns the positions started."""
    merged: dict[str, list[str]] = {}
    for row in rows:
        if row["thao_tac"] == "hop_nhat":
            merged.setdefault(row["ma_dich"], []).append(row["ma_to_chuc"])
    version = position_rules.POSITION_KINDS.at(on)
    pairs = []
    for number, (code, old_codes) in enumerate(sorted(merged.items()), start=1):
        new = Org.objects.get(code=code)
        ended = (
            Position.objects.filter(org__code__in=old_codes, ended_on=on, member__status=MemberStatus.FULL)
            .filter(paths.subtree_q(new.path, "member__org_path"))
            .values_list("member_id", "role", "org__code")
        )
        best: dict = {}
        for member_id, role, old_code in ended:
            rank = (_ROLE_RANK.get(role, 9), old_codes.index(old_code))
            best[member_id] = min(best.get(member_id, rank), rank)
        people = sorted(best, key=lambda m: (best[m], str(m)))
        holders: dict[str, int] = {}
        decision = DecisionRef(number=f"{300 + number}-QĐ/TU", on=DECIDED_ON, body=BODY)
        for member_id, role in zip(people, _committee_roles(len(people), len(old_codes)), strict=False):
            if position_rules.check_position(
                role=role,
                org_kind=new.kind,
                on=on,
                holder_is_full=True,
                holder_in_org=True,
                current_holders=holders,
            ):
                continue
            holders[role] = holders.get(role, 0) + 1
            pairs.append(
                (
                    Member(pk=member_id),
                    MemberEvent(
                        kind=MemberEvent.Kind.POSITION_STARTED,
                        effective_on=on,
                        position_org=new,
                        role=role,
                        rule_version=version.ref,
                        data={"basis": "chỉ định khi thành lập đảng bộ xã, phường mới"},
                        **decision.fields(),
                    ),
                )
            )
    if pairs:
        ledger.append_many(pairs)
    return len(pairs)


def apply_reform(profile: Profile, *, plan_path=None, progress=print):
    """Build the plan, write it to ``plan_path`` (CSV) if given, and apply it as one."""
    rows = reform_plan_rows(profile)
    if plan_path is not None:
        write_plan_csv(rows, plan_path)
    sources, _ = _merged_sources(profile)
    hamlets = [pair for olds in sources.values() for pair in twin_hamlets(olds)]
    with transaction.atomic():
        report = plan_run(rows_from_dicts(rows), apply=True)
        if not report.ok:
            raise ReformError("\n".join(describe(report)))
        appointed = appoint_new_committees(rows)
        for hamlet, name in hamlets:
            hamlet = Locality.objects.get(pk=hamlet.pk)
            locality_update(
                locality=hamlet,
                expected_version=hamlet.version,
                kind=hamlet.kind,
                name=name,
                cell=hamlet.cell,
                head_member=hamlet.head_member,
                head_name=hamlet.head_name,
                effective_on=EFFECTIVE_DATE,
                note=f"Trùng tên trong đơn vị hành chính mới sau sắp xếp theo Nghị quyết {RESOLUTION_NUMBER}",
            )
    if hamlets:
        progress(
            f"  {format_number(len(hamlets))} thôn, tổ dân phố trùng tên trong xã, phường mới được ghi kèm tên cũ."
        )
    progress(
        f"  {format_number(appointed)} chức vụ trong cấp ủy các đảng bộ xã, phường mới (chỉ định từ ngày {EFFECTIVE_DATE:%d/%m/%Y})."
    )
    return report
