"""Leaders' indicators on a past date read that date's tree: an organization moved into a
branch later is not counted there backwards in time (issue: 742 secretaries counted in the
agencies bloc on 31/10/2021 where 190 held office then)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db.models import Q

from dangbo.core.kinds import GRASSROOTS_KINDS
from dangbo.core.roles import COMMITTEE_ROLES, Role
from dangbo.members.models import Position
from dangbo.members.services.positions import member_position_start
from dangbo.orgs import services as org_services
from dangbo.orgs.models import OrgVersion
from dangbo.restructuring import operations
from dangbo.stats.drilldown import DRILLS
from dangbo.stats.frames import frame_for
from dangbo.stats.indicators import BY_CODE, SECRETARY_ROLES, context_for, evaluate

MOVED_ON = date(2025, 7, 1)
BEFORE, AFTER = date(2024, 12, 31), date(2025, 8, 1)


def _value(root, code, day):
    ctx = context_for(frame_for(root=root, as_of=day))
    return evaluate(ctx, BY_CODE[code], root).value


def _recount(root, roles, day) -> tuple[int, int]:
    """Independently: every position held on ``day``, placed by its organization's version of
    that day, counted when that version is a grassroots organization under ``root``'s version."""
    versions = {
        v.org_id: v
        for v in OrgVersion.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=day), valid_from__lte=day
        )
    }
    root_path = versions[root.pk].path
    total = trained = 0
    for position in Position.objects.filter(role__in=list(roles)).select_related("member"):
        if not (position.started_on <= day and (position.ended_on is None or position.ended_on > day)):
            continue
        version = versions.get(position.org_id)
        if version is None or version.kind not in GRASSROOTS_KINDS or version.has_upper_rights:
            continue
        if not version.path.startswith(root_path):
            continue
        total += 1
        trained += position.member.theory_level_id in ("intermediate", "advanced", "bachelor")
    return trained, total


@pytest.fixture
def bloc(tree, make_member, agency2):
    """A grassroots cell in the second district (the «bloc») with its secretary since 2020;
    the commune committee of the first district with a secretary and a committee member since
    2021, moved into the bloc on 1/7/2025."""
    agency = agency2
    staff = [make_member(agency, theory_level="intermediate") for _ in range(3)]
    commune = [make_member(tree.cell_a) for _ in range(3)]
    member_position_start(member=staff[0], org=agency, role=Role.SECRETARY, started_on=date(2020, 1, 1))
    member_position_start(
        member=commune[0], org=tree.commune, role=Role.SECRETARY, started_on=date(2021, 1, 1)
    )
    member_position_start(
        member=commune[1], org=tree.commune, role=Role.COMMITTEE_MEMBER, started_on=date(2021, 1, 1)
    )
    operations.org_move(
        org=tree.commune,
        new_parent=tree.district2,
        effective_on=MOVED_ON,
        decision=org_services.DecisionRef(number="5-QĐ/TU", on=MOVED_ON, body="Tỉnh ủy"),
    )
    return agency


def test_secretaries_before_a_move_stay_in_their_branch(tree, bloc):
    secretaries = "secretaries.theory_intermediate_share"
    assert (
        _value(tree.district2, secretaries, BEFORE).denominator == 1
    )  # only the agency's secretary held office there
    assert (
        _value(tree.district, secretaries, BEFORE).denominator == 1
    )  # the commune's was counted in its own district
    assert _value(tree.district2, secretaries, AFTER).denominator == 2
    assert _value(tree.province, secretaries, BEFORE).denominator == 2


@pytest.mark.parametrize(
    "code, roles",
    [
        ("secretaries.theory_intermediate_share", SECRETARY_ROLES),
        ("committee.theory_intermediate_share", COMMITTEE_ROLES),
    ],
)
@pytest.mark.parametrize("day", [date(2019, 12, 31), BEFORE, MOVED_ON, AFTER])
def test_leaders_equal_an_independent_recount_across_the_move(tree, bloc, code, roles, day):
    for root in (tree.province, tree.district, tree.district2):
        if not OrgVersion.objects.filter(org=root, valid_from__lte=day).exists():
            continue
        value = _value(root, code, day)
        trained, total = _recount(root, roles, day)
        assert (value.numerator or 0, value.denominator or 0) == (trained, total), (root.code, day)


def test_the_drill_down_of_a_past_date_lists_that_dates_secretaries(tree, bloc):
    ctx = context_for(frame_for(root=tree.district2, as_of=BEFORE))
    rows = DRILLS["secretaries_below_theory"](ctx, tree.district2).rows
    assert rows == []  # the agency's secretary has intermediate theory; the commune's was elsewhere then
    ctx = context_for(frame_for(root=tree.district2, as_of=AFTER))
    rows = DRILLS["secretaries_below_theory"](ctx, tree.district2).rows
    assert [row[2].text for row in rows] == ["Đảng bộ xã Một"]
