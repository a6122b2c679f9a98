"""The demo's history after 2021 (demo.history) on the small profile: the counts it reports are
the ledger's, every projection matches its replay, the tallies match a recount, probation ends
in recognition, and a seed gives the same history."""

from dataclasses import dataclass
from datetime import date

import pytest
from django.db import transaction

from dangbo.demo.generator import build_demo
from dangbo.demo.history import HistorySummary, simulate_history
from dangbo.demo.profiles import PROFILES
from dangbo.members import ledger
from dangbo.members.models import ACTIVE_STATUSES, Member, MemberEvent, MemberStatus, Position
from dangbo.members.roles import Role
from dangbo.orgs.kinds import CELL_KINDS
from dangbo.rules.admission import check_admission_age
from dangbo.rules.probation import probation_end

START, END = date(2021, 11, 1), date(2023, 12, 31)
BUILT_ON = PROFILES["tiny"].as_of
Kind = MemberEvent.Kind
EXITS = (Kind.STRUCK_OFF, Kind.RESIGNED, Kind.EXPELLED)


def quiet(line):
    pass


@dataclass
class Before:
    active: int
    probationary: dict  # member id -> ceremony date
    holders: set
    secretaries: set


def _before() -> Before:
    return Before(
        active=Member.objects.filter(status__in=ACTIVE_STATUSES).count(),
        probationary=dict(Member.objects.filter(status=MemberStatus.PROBATIONARY).values_list("id", "ceremony_on")),
        holders=set(Position.objects.filter(ended_on__isnull=True).values_list("member_id", flat=True)),
        secretaries=set(Position.objects.filter(ended_on__isnull=True, role=Role.SECRETARY).values_list("member_id", flat=True)),
    )


@pytest.fixture
def history(db):
    build_demo(PROFILES["tiny"], seed=1, progress=quiet)
    before = _before()
    summary = simulate_history(start=START, end=END, seed=1, progress=quiet)
    return before, summary


def _window():
    return MemberEvent.objects.filter(effective_on__gt=BUILT_ON)


def test_the_counts_are_the_ledger_events_of_the_window(history):
    before, summary = history
    assert isinstance(summary, HistorySummary)
    for kind, count in summary.by_kind().items():
        assert _window().filter(kind=kind).count() == count, kind
    assert not _window().exclude(kind__in=list(summary.by_kind())).exists()
    assert not _window().filter(effective_on__lt=START).exists()
    assert not MemberEvent.objects.filter(effective_on__gt=END).exists()
    assert not MemberEvent.objects.filter(decision_on__gt=END).exists()
    assert summary.admitted > 0 and summary.recognized > 0 and summary.transferred > 0


def test_members_after_are_those_before_plus_admitted_less_deaths_and_exits(history):
    before, summary = history
    after = Member.objects.filter(status__in=ACTIVE_STATUSES).count()
    assert summary.members_before == before.active
    assert after == summary.members_after == before.active + summary.admitted - summary.died - summary.exits
    assert Member.objects.filter(status=MemberStatus.DIED, died_on__gte=START).count() == summary.died
    for kind in EXITS:
        assert Member.objects.filter(status=kind).count() == getattr(summary, kind)


def test_every_projection_matches_its_replay_and_the_tallies_a_recount(history):
    from dangbo.stats.tallies import tally_differences

    for member in Member.objects.all():
        assert ledger.projection_matches_replay(member), member.full_name
    assert tally_differences() == []


def test_probation_ends_in_recognition_twelve_months_after_the_ceremony(history):
    before, summary = history
    assert before.probationary, "the 2021 build has probationary members"
    for member in Member.objects.filter(pk__in=list(before.probationary)):
        if member.status in ACTIVE_STATUSES:
            assert member.status == MemberStatus.FULL, member.full_name
            assert member.full_on == probation_end(member.ceremony_on).on
    assert not Member.objects.filter(status=MemberStatus.PROBATIONARY, admitted_on__lt=date(2022, 12, 1)).exists()
    for event in _window().filter(kind=Kind.RECOGNIZED).select_related("member"):
        assert event.effective_on == probation_end(event.member.ceremony_on).on
        assert event.effective_on <= event.decision_on <= END
        assert event.decision_no and event.decision_body


def test_new_members_are_admitted_by_the_rules_into_live_cells(history):
    events = _window().filter(kind=Kind.ADMITTED).select_related("member", "to_org")
    assert events.exists()
    for event in events:
        member = event.member
        assert check_admission_age(birth_date=member.birth_date, vote_on=event.effective_on) == []
        assert event.to_org.kind in CELL_KINDS and event.to_org.dissolved_on is None
        assert event.decision_no and event.decision_on == event.effective_on and event.decision_body
        assert START <= date.fromisoformat(event.data["ceremony_on"]) <= END
        assert member.ledger_seq == member.events.count()


def test_transfers_and_exits_spare_position_holders_and_secretaries_do_not_die(history):
    before, _ = history
    for event in _window().filter(kind=Kind.TRANSFERRED):
        assert event.member_id not in before.holders
        assert event.from_org_id != event.to_org_id
        admitted_on = event.member.events.filter(kind=Kind.ADMITTED).get().effective_on
        assert event.decision_no and admitted_on <= event.decision_on <= event.effective_on
    assert not _window().filter(kind__in=EXITS, member_id__in=before.holders).exists()
    assert not _window().filter(kind=Kind.DIED, member_id__in=before.secretaries).exists()
    for event in _window().filter(kind__in=EXITS):
        assert event.decision_no and event.decision_on == event.effective_on and event.rule_version


def test_exits_and_deaths_are_recorded_as_the_services_record_them(db, monkeypatch):
    """With many more deaths and exits than the real rates give, to see each path taken."""
    from django.db.models import Count, Q

    from dangbo.demo import history as module
    from dangbo.members.models import DisciplineCase
    from dangbo.orgs.models import Org
    from dangbo.rules import exits as exit_rules

    monkeypatch.setattr(module, "EXIT_RATE", 0.15)
    monkeypatch.setattr(module, "DEATH_RATE", 0.1)
    build_demo(PROFILES["tiny"], seed=2, progress=quiet)
    full_cells = lambda: {  # noqa: E731
        org.pk for org in Org.objects.filter(kind__in=CELL_KINDS).annotate(
            full=Count("members", filter=Q(members__status=MemberStatus.FULL))
        ) if org.full >= 3
    }
    cells_before = full_cells()
    summary = simulate_history(start=START, end=END, seed=2, progress=quiet)
    assert summary.struck_off and summary.expelled and summary.died > 20
    assert cells_before <= full_cells(), "a cell was left with fewer than three full members"
    for event in _window().filter(kind=Kind.EXPELLED):
        case = DisciplineCase.objects.get(pk=event.data["case"])
        assert (case.member_id, case.state, case.form) == (event.member_id, DisciplineCase.State.DECIDED, "expulsion")
        assert case.effective_on == event.effective_on and case.decision_no == event.decision_no
        assert event.data["proposal_approvals"] * 3 >= event.data["proposal_denominator"] * 2
        assert event.data["approvals"] * 2 > event.data["denominator"]
    for event in _window().filter(kind=Kind.STRUCK_OFF):
        assert exit_rules.check_strike_off(event.data["ground"], event.effective_on) == []
    died = dict(_window().filter(kind=Kind.DIED).values_list("member_id", "effective_on"))
    assert not Position.objects.filter(member_id__in=list(died), ended_on__isnull=True).exists()
    closed = Position.objects.filter(member_id__in=list(died), ended_on__gte=START)
    assert closed.count() == summary.positions_closed
    for position in closed:
        assert position.ended_on == died[position.member_id]
    for member in Member.objects.filter(pk__in=list(died)):
        assert ledger.projection_matches_replay(member)


def test_a_history_in_two_runs_like_the_demo_around_the_reform(db):
    """The demo runs it before and after the 2025 reform, with the same seed."""
    build_demo(PROFILES["tiny"], seed=3, progress=quiet)
    before = Member.objects.filter(status__in=ACTIVE_STATUSES).count()
    first = simulate_history(start=START, end=date(2022, 6, 30), seed=3, progress=quiet)
    second = simulate_history(start=date(2022, 7, 1), end=END, seed=3, progress=quiet)
    assert second.members_before == first.members_after
    after = Member.objects.filter(status__in=ACTIVE_STATUSES).count()
    assert after == before + sum(s.admitted - s.died - s.exits for s in (first, second))
    for kind in first.by_kind():
        assert _window().filter(kind=kind).count() == first.by_kind()[kind] + second.by_kind()[kind]
    for member in Member.objects.filter(events__effective_on__gt=BUILT_ON).distinct():
        assert ledger.projection_matches_replay(member)


def test_inside_a_callers_deferred_tallies_the_caller_recounts_once(db):
    from dangbo.stats.tallies import tallies_deferred, tally_differences

    build_demo(PROFILES["tiny"], seed=4, progress=quiet)
    lines = []
    with tallies_deferred():
        simulate_history(start=START, end=date(2022, 6, 30), seed=4, progress=lines.append)
        simulate_history(start=date(2022, 7, 1), end=END, seed=4, progress=lines.append)
    assert not [line for line in lines if line.startswith("Đếm số liệu")]
    assert lines[0].startswith("Mô phỏng biến động đảng viên 11/2021–6/2022")
    assert tally_differences() == []


class _Rollback(Exception):
    pass


def test_the_same_seed_gives_the_same_history(db):
    runs = []
    for _ in range(2):
        try:
            with transaction.atomic():
                build_demo(PROFILES["tiny"], seed=5, members=80, progress=quiet)
                summary = simulate_history(start=START, end=END, seed=5, progress=quiet)
                events = sorted(
                    _window().values_list("kind", "effective_on", "member__search_key", "member__birth_date", "to_org__code")
                )
                runs.append((summary.by_kind(), events))
                raise _Rollback
        except _Rollback:
            pass
    assert runs[0] == runs[1]
    assert runs[0][1]
