"""Property: for any valid sequence of events, the stored projection equals the replay."""

import itertools
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangbo.core.roles import Role
from dangbo.members import ledger
from dangbo.members.models import MemberEvent
from dangbo.stats.tallies import tally_differences

ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "transfer",
                "start",
                "end",
                "recognize",
                "die",
                "badge",
                "posthumous_badge",
                "temp",
                "temp_return",
                "exempt",
                "suspend",
                "standing_end",
                "discipline",
                "strike_off",
                "resign",
                "readmit",
                "restore",
                "move_away",
            ]
        ),
        st.integers(min_value=0, max_value=400),  # days after the previous event
        st.integers(min_value=0, max_value=10),  # which org / role to pick
    ),
    max_size=16,
)


def _valid_events(actions, cells, orgs):
    """Turn random actions into a sequence the ledger accepts, using the pure ``step``."""
    day = date(2010, 1, 1)
    state = ledger.State()
    seq = 0
    events = []

    def emit(**fields):
        nonlocal state, seq
        seq += 1
        event = MemberEvent(seq=seq, effective_on=day, **fields)
        state = ledger.step(state, event)
        events.append(event)

    emit(kind="admitted", to_org=cells[0], decision_on=day, data={"ceremony_on": day.isoformat()})
    for action, gap, pick in actions:
        day = day + timedelta(days=gap)
        if state.status in ("struck_off", "resigned", "expelled"):
            if action == "readmit":
                emit(
                    kind="readmitted",
                    to_org=cells[pick % len(cells)],
                    decision_on=day,
                    data={"ceremony_on": day.isoformat()},
                )
            elif action == "restore":
                emit(kind="restored")
            continue
        if state.status == "moved_away":
            continue
        if state.status == "died":
            if action == "posthumous_badge" and (state.badge_years or 0) < 90:
                emit(
                    kind="badge_awarded",
                    data={"years": (state.badge_years or 20) + 10, "ground": "posthumous"},
                )
            continue
        if action == "recognize" and state.status == "probationary":
            emit(kind="recognized")
        elif action == "transfer":
            target = cells[pick % len(cells)]
            if target.pk != state.org_id:
                emit(kind="transferred", from_org_id=state.org_id, to_org=target)
        elif action == "start":
            org, role = orgs[pick % len(orgs)], list(Role)[pick % len(Role)]
            if (org.pk, role) not in state.open_positions:
                emit(kind="position_started", position_org=org, role=role)
        elif action == "end" and state.open_positions:
            (org_id, role) = sorted(state.open_positions, key=str)[pick % len(state.open_positions)]
            emit(kind="position_ended", position_org_id=org_id, role=role)
        elif action == "die":
            emit(kind="died")
        elif action == "temp" and state.standing == "":
            host = cells[pick % len(cells)]
            emit(
                kind="temp_transfer",
                to_org=None if host.pk == state.org_id else host,
                data={"host_name": "nơi khác"},
            )
        elif action == "temp_return" and state.standing == "temp_away":
            emit(kind="temp_returned")
        elif action in ("exempt", "suspend") and state.standing == "":
            emit(kind="exempted" if action == "exempt" else "suspended")
        elif action == "standing_end" and state.standing in ("exempted", "suspended"):
            emit(kind="standing_ended")
        elif action == "discipline":
            emit(kind="disciplined", data={"badge_deferred_until": (day + timedelta(days=180)).isoformat()})
        elif action in ("strike_off", "resign"):
            emit(kind="struck_off" if action == "strike_off" else "resigned")
        elif action == "move_away":
            emit(kind="moved_away", data={"to_name": "Đảng bộ ngoài"})
        elif action == "badge" and (state.badge_years or 0) < 90:
            emit(kind="badge_awarded", data={"years": (state.badge_years or 20) + 10, "ground": "regular"})
    return events


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=ACTIONS)
def test_projection_equals_replay_for_random_histories(tree, make_member, frozen_today, actions):
    today = (
        frozen_today()
    )  # the histories reach into 2027: which days are past does not depend on the real date
    cells = [tree.cell_a, tree.cell_b, tree.agency]
    orgs = [tree.cell_a, tree.cell_b, tree.commune, tree.district]
    events = _valid_events(actions, cells, orgs)
    member = make_member(tree.cell_a, full=False, admitted_on=date(2010, 1, 1))
    # record in an order the officer might: mostly in date order, sometimes a later entry backdated
    for event in events[1:]:
        fresh = MemberEvent(
            kind=event.kind,
            effective_on=event.effective_on,
            to_org_id=event.to_org_id,
            from_org_id=event.from_org_id,
            position_org_id=event.position_org_id,
            role=event.role,
            decision_on=event.decision_on,
            data=event.data,
        )
        ledger.append(member, fresh)
    assert ledger.projection_matches_replay(member)
    expected = ledger.replay(events)
    member.refresh_from_db()
    assert member.status == expected.status and member.org_id == expected.org_id
    assert ledger.stored_state(member).placements == expected.placements
    # never counted twice: the counted spans follow one another without overlapping
    counted = [p for p in expected.placements if p.counted]
    for before, after in itertools.pairwise(counted):
        assert before.valid_to is not None and before.valid_to <= after.valid_from
    assert all(not p.counted for p in expected.host_placements)
    # the pre-aggregated counts followed every event: equal to a recount
    assert tally_differences() == []
    # and a past day computed from today's counts and the changes since equals a full count
    from dangbo.stats.figures import _stocks_by_difference, _stocks_by_recount
    from dangbo.stats.frames import frame_for

    for event in events[:: max(1, len(events) // 3)]:
        day = max(event.effective_on, tree.province.created_on)
        if day > today:
            continue
        frame = frame_for(root=tree.province, as_of=day)
        orgs = [tree.province, tree.district, tree.commune, tree.agency]
        by_difference, by_recount = (
            _stocks_by_difference(day, frame, orgs),
            _stocks_by_recount(day, frame, orgs),
        )
        assert all(by_difference[o.pk].dims == by_recount[o.pk].dims for o in orgs), day
