"""A past day's stock by difference (today's tallies corrected by the members whose placements
changed since, grouped in the database: ``stats.sql.stock_changes``, issue 24) equals a count of
every placement of that day, on a demo province with years of history."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dangbo.cli import main
from dangbo.core import clock, paths
from dangbo.core.kinds import OrgKind
from dangbo.members.models import Placement
from dangbo.orgs.models import Org
from dangbo.orgs.selectors import org_tree_unchanged_since
from dangbo.stats.figures import _stocks_by_difference, _stocks_by_recount
from dangbo.stats.frames import Frame, frame_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def province(db, capsys):
    assert main(["demo", "--no-serve", "--members", "120", "--profile", "tiny"]) == 0
    capsys.readouterr()
    return Org.objects.get(parent__isnull=True)


def test_a_past_day_by_difference_equals_a_full_count_for_every_level(province):
    today = clock.today()
    commune = Org.objects.filter(kind=OrgKind.GRASSROOTS_COMMITTEE, dissolved_on__isnull=True).first()
    changed_days = sorted(
        {p.valid_from for p in Placement.objects.filter(valid_from__lt=today).order_by("-valid_from")[:400]}
    )
    days = [today - timedelta(days=1), changed_days[len(changed_days) // 2], changed_days[0]]
    checked = 0
    for root in (province, commune):
        orgs = [root, *Org.objects.filter(parent=root, dissolved_on__isnull=True)]
        for day in days:
            if day < root.created_on or not org_tree_unchanged_since(day):
                continue
            frame = frame_for(root=root, as_of=day)
            by_difference = _stocks_by_difference(day, frame, orgs)
            by_recount = _stocks_by_recount(day, frame, orgs)
            for org in orgs:
                assert by_difference[org.pk].dims == by_recount[org.pk].dims, (root.code, day, org.code)
            assert by_recount[root.pk].total > 0 and by_recount[root.pk].hamlets()
            checked += 1
    assert checked >= 4


def test_a_past_days_member_counts_by_organization_by_difference_equal_a_full_count(province, monkeypatch):
    """What the flags of a past day (cells that must elect a committee, large grassroots
    committees) count: every organization's members on the day, by difference and by a count of
    every placement, and the flags themselves both ways."""
    from django.db.models import Q

    from dangbo.members.models import ACTIVE_STATUSES
    from dangbo.orgs.models import OrgVersion
    from dangbo.stats import sql
    from dangbo.stats.indicators import loads
    from dangbo.stats.tallies.keys import FLAGS

    today = clock.today()
    changed_days = sorted(
        {p.valid_from for p in Placement.objects.filter(valid_from__lt=today).order_by("-valid_from")[:400]}
    )
    checked, flagged = 0, dict.fromkeys(FLAGS, 0)
    for day in (today - timedelta(days=1), changed_days[len(changed_days) // 2], changed_days[0]):
        if day < province.created_on or not org_tree_unchanged_since(day, kinds_too=True):
            continue
        versions = OrgVersion.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=day),
            valid_from__lte=day,
            path__startswith=province.path,
        )
        path_of = dict(versions.values_list("org_id", "path"))
        placed = Placement.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=day), valid_from__lte=day, counted=True
        ).values_list("org_id", "status")
        for dimension, value in (("status", "full"), ("status", "probationary"), ("total", "")):
            expected = dict.fromkeys(path_of.values(), 0)
            for org_id, status in placed:
                if status in ACTIVE_STATUSES and (dimension == "total" or status == value):
                    for ancestor in paths.ancestor_paths(path_of[org_id]):
                        expected[ancestor] += 1
            changes = sql.status_changes(day=day, root_path=province.path, statuses=ACTIVE_STATUSES)
            got = loads._member_counts_by_difference(changes, versions, dimension, value)
            assert got == expected, (day, dimension, value)
            assert max(got.values()) > 0
        for flag, spec in FLAGS.items():  # at a low minimum, so that some organizations carry it
            for minimum in (3, spec.rule.value(day)):
                by_difference = _flagged_by_branch(province, day, flag, spec, minimum)
                with monkeypatch.context() as patched:
                    patched.setattr(Frame, "tree_unchanged_since", lambda self, day, kinds_too=False: False)
                    assert by_difference == _flagged_by_branch(province, day, flag, spec, minimum), (
                        day,
                        flag,
                    )
                flagged[flag] += by_difference.get(province.path, 0)
        checked += 1
    assert checked >= 2
    assert all(flagged.values()), flagged


def _flagged_by_branch(root, day, flag, spec, minimum) -> dict:
    from dangbo.stats.indicators import loads
    from dangbo.stats.indicators.context import context_for

    ctx = context_for(frame_for(root=root, as_of=day))
    return loads._orgs_with_members(ctx, spec.kinds, spec.dimension, spec.value, minimum, flag)
