"""The full recount part by part (issue 24, ``stats.tallies.parts``): whatever the cut, the
parts' counts together are the one recount of everything, and the check and the rebuild that
use them find and mend what the stored counts got wrong."""

from __future__ import annotations

import pytest

from dangbo.cli import main
from dangbo.members.models import MemberEvent
from dangbo.stats.models import OrgTally
from dangbo.stats.tallies import tally_differences, tally_rebuild, tally_recount
from dangbo.stats.tallies.parallel import recount_workers
from dangbo.stats.tallies.parts import plan_parts, recount_parts
from dangbo.stats.tallies.recount import org_table

pytestmark = pytest.mark.django_db


@pytest.fixture
def province(db, capsys):
    """The tiny demo with its history (transfers between cells), meetings, dues and ratings."""
    assert main(["demo", "--no-serve", "--members", "120", "--profile", "tiny"]) == 0
    capsys.readouterr()


def _together(limit: int) -> dict:
    together: dict = {}
    for part in recount_parts(limit):
        assert not set(part.counts) & set(together), "an organization counted in two parts"
        together.update(part.counts)
    return together


@pytest.mark.parametrize("limit", [1, 7, 40])
def test_the_parts_together_are_the_recount_of_everything(province, limit):
    plan = plan_parts(org_table(), limit)
    assert plan.upper and len(plan.ranges) > 1  # the cut is real: upper organizations and several runs
    assert MemberEvent.objects.filter(kind="transferred").exists()
    assert _together(limit) == tally_recount()


def test_a_recount_of_many_parts_says_how_far_it_has_gone(province):
    lines: list[str] = []
    parts = list(recount_parts(7, progress=lines.append))
    runs = len([part for part in parts if not part.upper_ids])
    uppers = [part.upper_ids for part in parts[runs:]]  # then the upper organizations', one each
    assert runs >= 10 and uppers and all(len(ids) == 1 for ids in uppers)
    assert len({ids[0] for ids in uppers}) == len(uppers)
    assert lines[-1].startswith("  các cấp trên")
    tenths = lines[:-1]
    assert len(tenths) == 10 and tenths[-1] == f"  đã đếm {runs}/{runs} phần (100%)"
    assert [int(line.rsplit("(", 1)[1].rstrip("%)")) for line in tenths] == list(range(10, 101, 10))


def test_one_part_when_everything_fits(province):
    [only] = list(recount_parts(10**9))
    assert only.lo is None and not only.upper_ids
    assert only.counts == tally_recount()


def test_the_check_finds_a_wrong_count_in_a_run_and_in_an_upper_organization_and_the_rebuild_mends_them(
    province, monkeypatch
):
    from dangbo.stats.tallies import parts

    monkeypatch.setattr(parts, "PART_MEMBERS", 7)
    assert tally_differences() == []
    plan = plan_parts(org_table(), 7)
    table = org_table()
    upper_id = next(iter(plan.upper.values()))
    lo, hi = plan.ranges[len(plan.ranges) // 2]
    in_run = next(iter(table.ids_in(lo, hi).values()))
    wrong_upper = OrgTally.objects.filter(org_id=upper_id, dimension="total").get()
    wrong_upper.count += 3
    wrong_upper.save()
    OrgTally.objects.create(org_id=in_run, dimension="gender", value="X", count=2)
    found = {(d.org_id, d.dimension, d.value, d.stored, d.recounted) for d in tally_differences()}
    assert found == {
        (upper_id, "total", "", wrong_upper.count, wrong_upper.count - 3),
        (in_run, "gender", "X", 2, 0),
    }
    tally_rebuild()
    assert tally_differences() == []
    assert {
        (org_id, dim, value): n
        for org_id, dim, value, n in OrgTally.objects.exclude(count=0).values_list(
            "org_id", "dimension", "value", "count"
        )
    } == tally_recount()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_runs_counted_by_worker_processes_give_the_same_counts(capsys, settings):
    """On committed data (the workers read through connections of their own), the runs counted
    by two worker processes are the same parts as counted in this process; the check finds a
    wrong count through them and the rebuild mends it."""
    assert main(["demo", "--no-serve", "--members", "120", "--profile", "tiny"]) == 0
    capsys.readouterr()
    settings.DANGBO_RECOUNT_WORKERS = 2
    assert recount_workers() == 2
    here = [(part.lo, part.hi, part.upper_ids, part.counts) for part in recount_parts(7)]
    lines: list[str] = []
    by_workers = [
        (part.lo, part.hi, part.upper_ids, part.counts)
        for part in recount_parts(7, progress=lines.append, workers=2)
    ]
    assert len(here) > 10 and by_workers == here
    assert lines[-1].startswith("  các cấp trên") and "(100%)" in lines[-2]
    row = OrgTally.objects.filter(dimension="total").order_by("org__path").last()
    OrgTally.objects.filter(pk=row.pk).update(count=row.count + 5)
    [difference] = tally_differences()
    assert (difference.org_id, difference.stored, difference.recounted) == (
        row.org_id,
        row.count + 5,
        row.count,
    )
    tally_rebuild()
    assert tally_differences() == []


@pytest.mark.postgres
def test_no_workers_inside_a_transaction_nor_on_request(settings):
    """Inside a transaction the workers could not see its changes: the recount stays here. And
    ``DANGBO_RECOUNT_WORKERS=1`` keeps it here everywhere."""
    assert recount_workers() == 1  # the test runs in a transaction
    settings.DANGBO_RECOUNT_WORKERS = 1
    assert recount_workers() == 1


def test_a_worker_that_could_not_start_says_so_at_its_first_run(monkeypatch):
    from dangbo.stats import recount_worker

    monkeypatch.setattr(recount_worker, "_failed", ValueError("no database"))
    with pytest.raises(RuntimeError, match="no database"):
        recount_worker.count(("0001", "0002"))
