"""A past day's stock by difference (today's tallies corrected by the members whose placements
changed since, grouped in the database: ``stats.sql.stock_changes``, issue 24) equals a count of
every placement of that day, on a demo province with years of history."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dangbo.cli import main
from dangbo.core import clock
from dangbo.core.kinds import OrgKind
from dangbo.members.models import Placement
from dangbo.orgs.models import Org
from dangbo.orgs.selectors import org_tree_unchanged_since
from dangbo.stats.figures import _stocks_by_difference, _stocks_by_recount
from dangbo.stats.frames import frame_for

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
