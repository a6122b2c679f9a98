"""The demo's history after 2021 (demo.history) on the small profile: the counts it reports are
the ledger's, every projection matches its replay, the tallies match a recount, probation ends
in recognition, and a seed gives the same history."""

import itertools
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.db import transaction
from django.db.models import Q

from conftest import assert_due_counts_equal_the_list
from dangbo.core.kinds import CELL_KINDS
from dangbo.core.roles import Role
from dangbo.demo.generator import build_demo
from dangbo.demo.history import HistorySummary, simulate_history
from dangbo.demo.profiles import PROFILES
from dangbo.members import ledger
from dangbo.members.models import ACTIVE_STATUSES, Member, MemberEvent, MemberStatus, Position
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
        probationary=dict(
            Member.objects.filter(status=MemberStatus.PROBATIONARY).values_list("id", "ceremony_on")
        ),
        holders=set(Position.objects.filter(ended_on__isnull=True).values_list("member_id", flat=True)),
        secretaries=set(
            Position.objects.filter(ended_on__isnull=True, role=Role.SECRETARY).values_list(
                "member_id", flat=True
            )
        ),
    )


@dataclass
class History:
    """The tiny demo as built (``before``) and what its history from START to END reported."""

    before: Before
    summary: HistorySummary


@pytest.fixture
def history(db) -> History:
    build_demo(PROFILES["tiny"], seed=1, progress=quiet)
    before = _before()
    summary = simulate_history(start=START, end=END, seed=1, progress=quiet)
    return History(before=before, summary=summary)


def _window():
    return MemberEvent.objects.filter(effective_on__gt=BUILT_ON)


def test_the_counts_are_the_ledger_events_of_the_window(history):
    summary = history.summary
    assert isinstance(summary, HistorySummary)
    for kind, count in summary.by_kind().items():
        assert _window().filter(kind=kind).count() == count, kind
    assert not _window().exclude(kind__in=list(summary.by_kind())).exists()
    assert not _window().filter(effective_on__lt=START).exists()
    assert not MemberEvent.objects.filter(effective_on__gt=END).exists()
    assert not MemberEvent.objects.filter(decision_on__gt=END).exists()
    assert summary.admitted > 0 and summary.recognized > 0 and summary.transferred > 0


def test_members_after_are_those_before_plus_admitted_less_deaths_and_exits(history):
    before, summary = history.before, history.summary
    after = Member.objects.filter(status__in=ACTIVE_STATUSES).count()
    assert summary.members_before == before.active
    joined = summary.admitted + summary.transferred_in + summary.readmitted + summary.restored
    assert (
        after
        == summary.members_after
        == before.active + joined - summary.died - summary.exits - summary.moved_away
    )
    assert Member.objects.filter(status=MemberStatus.DIED, died_on__gte=START).count() == summary.died
    for kind in EXITS:
        assert _window().filter(kind=kind).count() == getattr(summary, kind)


def test_every_projection_matches_its_replay_and_the_tallies_a_recount(history):
    from dangbo.stats.tallies import tally_differences

    for member in Member.objects.all():
        assert ledger.projection_matches_replay(member), member.full_name
    assert tally_differences() == []


def test_probation_ends_in_recognition_twelve_months_after_the_ceremony(history):
    before = history.before
    assert before.probationary, "the 2021 build has probationary members"
    for member in Member.objects.filter(pk__in=list(before.probationary)):
        if member.status in ACTIVE_STATUSES:
            assert member.status == MemberStatus.FULL, member.full_name
            assert member.full_on == probation_end(member.ceremony_on).on
    assert not Member.objects.filter(
        status=MemberStatus.PROBATIONARY, admitted_on__lt=date(2022, 12, 1)
    ).exists()
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


def _held_on(event, roles=None) -> bool:
    """Whether the event's member held a position on its day (one ended by the event itself included)."""
    held = Position.objects.filter(member_id=event.member_id, started_on__lte=event.effective_on).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=event.effective_on)
    )
    return held.filter(role__in=roles).exists() if roles else held.exists()


def test_transfers_and_exits_spare_position_holders_and_secretaries_do_not_die(history):
    for event in _window().filter(kind=Kind.TRANSFERRED):
        assert not _held_on(event)
        assert event.from_org_id != event.to_org_id
        assert event.decision_no and event.member.admitted_on <= event.decision_on <= event.effective_on
    for event in _window().filter(kind__in=[*EXITS, Kind.MOVED_AWAY]):
        assert not _held_on(event), event.kind
    for event in _window().filter(kind=Kind.DIED):
        assert not _held_on(event, [Role.SECRETARY])
    for event in _window().filter(kind__in=EXITS):
        assert event.decision_no and event.decision_on == event.effective_on and event.rule_version


def test_exits_and_deaths_are_recorded_as_the_services_record_them(db, monkeypatch):
    """With many more deaths and exits than the real rates give, to see each path taken."""
    from django.db.models import Count, Q

    from dangbo.demo.history import simulation as module
    from dangbo.discipline.models import DisciplineCase
    from dangbo.orgs.models import Org
    from dangbo.rules import exits as exit_rules

    monkeypatch.setattr(module, "EXIT_RATE", 0.15)
    monkeypatch.setattr(module, "DEATH_RATE", 0.1)
    build_demo(PROFILES["tiny"], seed=2, progress=quiet)
    full_cells = lambda: {  # noqa: E731
        org.pk
        for org in Org.objects.filter(kind__in=CELL_KINDS).annotate(
            full=Count("members", filter=Q(members__status=MemberStatus.FULL))
        )
        if org.full >= 3
    }
    cells_before = full_cells()
    summary = simulate_history(start=START, end=END, seed=2, progress=quiet)
    assert summary.struck_off and summary.expelled and summary.died > 20
    assert cells_before <= full_cells(), "a cell was left with fewer than three full members"
    for event in _window().filter(kind=Kind.EXPELLED):
        case = DisciplineCase.objects.get(pk=event.data["case"])
        assert (case.member_id, case.state, case.form) == (
            event.member_id,
            DisciplineCase.State.DECIDED,
            "expulsion",
        )
        assert case.effective_on == event.effective_on and case.decision_no == event.decision_no
        assert event.data["proposal_approvals"] * 3 >= event.data["proposal_denominator"] * 2
        assert event.data["approvals"] * 2 > event.data["denominator"]
    for event in _window().filter(kind=Kind.STRUCK_OFF):
        assert exit_rules.check_strike_off(event.data["ground"], event.effective_on) == []
    died = dict(_window().filter(kind=Kind.DIED).values_list("member_id", "effective_on"))
    assert not Position.objects.filter(member_id__in=list(died), ended_on__isnull=True).exists()
    # closed by the death (an earlier position may have ended before, by a successor's election)
    closed = [
        p
        for p in Position.objects.filter(member_id__in=list(died), ended_on__gte=START)
        if p.ended_on == died[p.member_id]
    ]
    assert len(closed) == summary.positions_closed
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
    assert after == before + sum(
        s.admitted + s.joined - s.died - s.exits - s.moved_away for s in (first, second)
    )
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
                    _window().values_list(
                        "kind", "effective_on", "member__search_key", "member__birth_date", "to_org__code"
                    )
                )
                runs.append((summary.by_kind(), events))
                raise _Rollback
        except _Rollback:
            pass
    assert runs[0] == runs[1]
    assert runs[0][1]


LONG_END = date(2026, 6, 30)


def _system_scope():
    from dangbo.accounts.scope import Scope

    return Scope(user_id=None, username="kiểm thử", is_admin=True)


def test_the_history_writes_every_event_kind_by_the_rules(db, monkeypatch):
    """Over four and a half years, with the rare flows made frequent enough to be seen on 300
    members: every kind of ledger event, each as the rules allow it."""
    from dangbo.demo.history import departures, lifecycle
    from dangbo.demo.history import simulation as module
    from dangbo.members.models import Placement
    from dangbo.rules import badges as badge_rules
    from dangbo.rules import exits as exit_rules
    from dangbo.rules.probation import add_months
    from dangbo.stats.tallies import tally_differences

    monkeypatch.setattr(module, "EXIT_RATE", 0.04)
    monkeypatch.setattr(departures, "READMISSION_MONTHLY", 0.5)
    monkeypatch.setattr(departures, "RESTORATION_MONTHLY", 0.02)
    monkeypatch.setattr(
        lifecycle,
        "STANDING_RATES",
        ((Kind.EXEMPTED, 0.02), (Kind.WORKING_AWAY, 0.02), (Kind.SUSPENDED, 0.01)),
    )
    monkeypatch.setattr(lifecycle, "TRANSFERRED_IN_RATE", 0.02)
    build_demo(PROFILES["tiny"], seed=6, progress=quiet)
    summary = simulate_history(start=START, end=LONG_END, seed=6, progress=quiet)
    kinds = set(_window().values_list("kind", flat=True))
    # every kind but the reform's re-homing, the yearly ratings and an import's corrections
    # (not the history's to write)
    others = {Kind.REHOMED, Kind.RATED, Kind.CORRECTED}
    assert kinds == set(Kind.values) - others, set(Kind.values) - kinds - others
    for kind, count in summary.by_kind().items():
        assert _window().filter(kind=kind).count() == count, kind
    for member in Member.objects.all():
        assert ledger.projection_matches_replay(member), member.full_name
    assert tally_differences() == []
    # counted placements never overlap: a temporary host sees the member, uncounted
    for member_id in _window().filter(kind=Kind.TEMP_TRANSFER).values_list("member_id", flat=True):
        spans = sorted(
            Placement.objects.filter(member_id=member_id, counted=True).values_list("valid_from", "valid_to")
        )
        assert all(
            a_to is not None and a_to <= b_from for (_, a_to), (b_from, _) in itertools.pairwise(spans)
        )
        assert Placement.objects.filter(member_id=member_id, counted=False).exists()
    for event in _window().filter(kind=Kind.TEMP_TRANSFER):
        until = date.fromisoformat(event.data["until"])
        assert exit_rules.check_temporary_transfer(event.data["purpose"], event.effective_on, until) == []
        assert event.to_org_id and event.to_org_id != event.from_org_id
    for event in _window().filter(kind=Kind.READMITTED).select_related("member"):
        exit_event = event.member.events.filter(kind__in=EXITS, effective_on__lt=event.effective_on).latest(
            "effective_on"
        )
        vote_on = date.fromisoformat(event.data["vote_on"])
        assert vote_on >= add_months(exit_event.effective_on, 36)
        assert (
            exit_event.kind != Kind.RESIGNED
            and exit_event.data.get("ground") != exit_rules.StrikeOffGround.MISSED_MEETINGS_OR_DUES
        )
        assert event.member.events.filter(kind=Kind.READMITTED).count() == 1
    for event in _window().filter(kind=Kind.BADGE_AWARDED).select_related("member"):
        assert badge_rules.is_award_day(event.effective_on) and event.data[
            "years"
        ] in badge_rules.BADGE_MILESTONES.value(event.effective_on)
    for event in _window().filter(kind=Kind.RESTORED):
        assert event.effective_on >= date(2023, 8, 18)  # QĐ 117-QĐ/TW
    # one standing at a time: the ledger refuses a second, so the replay above is the proof;
    # and a working-away spell is under three months (longer is a temporary transfer)
    for event in _window().filter(kind=Kind.STANDING_ENDED, data__ended="working_away"):
        started = event.member.events.filter(
            kind=Kind.WORKING_AWAY, effective_on__lt=event.effective_on
        ).latest("effective_on")
        assert event.effective_on < add_months(started.effective_on, 3) + timedelta(days=31)


def test_the_day_the_history_ends_has_work_in_flight(db):
    """The last run ends with work open: on its last day the to-do list has items of every
    kind it knows, some overdue (31/8/2023: the badge day 2/9 falls within the 30 days)."""
    from dangbo.candidates.models import CANDIDATE_STEPS, Candidate
    from dangbo.discipline.models import DisciplineCase
    from dangbo.members.models import TransferCase
    from dangbo.members.selectors.todo import due_items
    from dangbo.orgs.models import Org

    end = date(2023, 8, 31)
    build_demo(
        PROFILES["tiny"], seed=8, members=900, progress=quiet
    )  # enough admissions to be reviewed on the day
    summary = simulate_history(start=START, end=end, seed=8, progress=quiet, in_flight=True)
    items = due_items(actor=_system_scope(), org=Org.objects.get(code="LCI"), as_of=end, audit=False)
    kinds = {item.kind for item in items}
    # and a transfer letter recorded late whose handling is not yet recorded; a cell a transfer
    # leaves below three full members when the tiny province has one of exactly three
    assert {
        "admission_decision",
        "ceremony",
        "recognition",
        "transfer",
        "transfer_letter_late",
        "badge",
    } <= kinds, kinds
    assert kinds <= {
        "admission_decision",
        "ceremony",
        "recognition",
        "transfer",
        "transfer_letter_late",
        "badge",
        "cell_below_minimum",
    }
    overdue = {item.kind for item in items if item.overdue}
    assert {"admission_decision", "ceremony", "transfer"} <= overdue
    assert set(Candidate.objects.filter(state="active").values_list("stage", flat=True)) == set(
        CANDIDATE_STEPS[:-1]
    )
    assert TransferCase.objects.filter(state="open").count() == summary.in_flight["transfers"] >= 3
    assert DisciplineCase.objects.filter(state="open").count() == summary.in_flight["discipline"] >= 2
    for member in Member.objects.filter(status=MemberStatus.PROBATIONARY, ceremony_on__lt=date(2022, 8, 1)):
        assert probation_end(member.ceremony_on).on <= end  # left for the cell to review
    assert summary.in_flight.get("recognition", 0) > 0
    # candidates' steps are in order, each on or after the one before
    from dangbo.candidates.models import CandidateStep

    for candidate in Candidate.objects.all()[:50]:
        steps = list(CandidateStep.objects.filter(candidate=candidate).order_by("done_on"))
        assert [s.kind for s in steps] == list(CANDIDATE_STEPS[: len(steps)])
        assert steps[-1].kind == candidate.stage and steps[-1].done_on == candidate.stage_on <= end
    # the overview's counts equal the list, for the province, its districts and communes, on
    # the day and on days around it (past and coming deadlines, the badge day in and out)
    orgs = Org.objects.filter(kind__in=["province", "upper", "grassroots_committee"]).order_by("path")[:12]
    for org in orgs:
        assert_due_counts_equal_the_list(actor=_system_scope(), org=org, as_of=end)
    province = Org.objects.get(code="LCI")
    for day in (date(2023, 6, 30), date(2023, 8, 1), date(2023, 9, 5)):
        assert_due_counts_equal_the_list(actor=_system_scope(), org=province, as_of=day)


def test_secretaries_are_replaced_one_at_a_time(db, monkeypatch):
    """With a high turnover (the same organization drawn twice in a month): each position ends
    once, and every grassroots organization and cell keeps exactly one secretary."""
    from dangbo.core.kinds import GRASSROOTS_KINDS
    from dangbo.demo.history import succession
    from dangbo.orgs.models import Org

    monkeypatch.setattr(succession, "SECRETARY_TURNOVER", 3.0)
    build_demo(PROFILES["tiny"], seed=9, progress=quiet)
    summary = simulate_history(start=START, end=date(2022, 12, 31), seed=9, progress=quiet)
    assert summary.position_ended > 5
    for org in Org.objects.filter(kind__in=GRASSROOTS_KINDS | CELL_KINDS):
        assert Position.objects.filter(org=org, role=Role.SECRETARY, ended_on__isnull=True).count() == 1, (
            org.name
        )
    for member in Member.objects.filter(events__kind=Kind.POSITION_ENDED).distinct():
        assert ledger.projection_matches_replay(member)
