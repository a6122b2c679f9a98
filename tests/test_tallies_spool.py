"""Bulk work whose counts are spooled and summed at its end (``stats.tallies.spool``, what an
import uses): the stored counts then equal a recount — the flags and the hamlets with members
judged from the summed change included — and nothing moves when the work fails."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction

from conftest import identity
from dangbo.members import ledger
from dangbo.members.models import Member, MemberEvent
from dangbo.members.services.records import check_identity
from dangbo.orgs import services as org_services
from dangbo.orgs.models import Locality
from dangbo.stats.tallies import keys, tallies_spooled, tally_differences, tally_read

pytestmark = pytest.mark.django_db


def _counts(org, dimension):
    return dict(tally_read([org.pk], [dimension])[org.pk][dimension])


def _new_full_members(cell, n, *, hamlet=None, prefix="Bulk"):
    pairs = []
    for i in range(n):
        values, problems = check_identity(identity(given_name=f"{prefix}{i}", residence_locality=hamlet))
        assert problems == []
        member = Member(org=cell, org_path=cell.path, **values)
        events = [
            MemberEvent(kind="admitted", effective_on=date(2018, 3, 1), to_org=cell, seq=1),
            MemberEvent(kind="recognized", effective_on=date(2019, 3, 1), seq=2),
        ]
        pairs.append((member, events))
    return pairs


def test_spooled_counts_reach_the_register_at_the_end_and_equal_a_recount(tree, make_member):
    hamlet = org_services.locality_create(
        commune=tree.commune, kind=Locality.Kind.THON, name="Thôn B", code="TB", cell=tree.cell_b
    )
    for _ in range(7):
        make_member(tree.cell_a)  # 7 full members: two short of electing a committee
    assert _counts(tree.cell_a, keys.CELL_COMMITTEE_FLAG) == {}
    with transaction.atomic(), tallies_spooled():
        ledger.bulk_write(_new_full_members(tree.cell_a, 3, hamlet=hamlet))
        ledger.bulk_write(_new_full_members(tree.cell_b, 2, prefix="Other"))
        # inside the block the stored counts have not moved yet
        assert _counts(tree.province, "total") == {"": 7}
    assert _counts(tree.province, "total") == {"": 12}
    assert _counts(tree.province, "status") == {"full": 12}
    assert _counts(tree.cell_a, keys.CELL_COMMITTEE_FLAG) == {"": 1}  # 10 full members now
    assert _counts(tree.commune, keys.HAMLETS_WITH_MEMBERS) == {"": 1}  # Thôn B's first residents
    assert _counts(tree.commune, keys.HAMLET) == {str(hamlet.pk): 3}
    assert _counts(tree.commune, keys.FLOW + "admitted") == {"2016-03-01": 7, "2018-03-01": 5}
    assert _counts(tree.district, keys.FLOW + "recognized")["2019-03-01"] == 5
    assert tally_differences() == []


def test_spooled_work_that_fails_moves_no_count(tree, make_member):
    make_member(tree.cell_a)
    with pytest.raises(RuntimeError), transaction.atomic(), tallies_spooled():
        ledger.bulk_write(_new_full_members(tree.cell_a, 2))
        raise RuntimeError("stopped")
    assert _counts(tree.province, "total") == {"": 1}
    assert Member.objects.count() == 1
    assert tally_differences() == []
    # and the next bulk work is counted as usual
    with transaction.atomic(), tallies_spooled():
        ledger.bulk_write(_new_full_members(tree.cell_b, 2))
    assert _counts(tree.province, "total") == {"": 3}
    assert tally_differences() == []
