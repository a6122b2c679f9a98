"""Shared fixtures: a small tree and members made through the services, as users make them."""

from __future__ import annotations

import itertools
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dangbo.core import clock
from dangbo.core.kinds import OrgKind, Sector
from dangbo.members.services.recognition import member_recognize
from dangbo.members.services.records import Identity, member_admit
from dangbo.orgs import services as org_services
from dangbo.orgs.models import Org

_counter = itertools.count(1)


def pytest_collection_modifyitems(config, items):
    from django.db import connection

    on_postgres = connection.vendor == "postgresql"
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(
                pytest.mark.skip(reason="cần PostgreSQL (chạy trong lượt PostgreSQL của make test)")
            )


# The day ``frozen_today()`` fixes when called without one: a weekday, after every date the
# fixtures and tests write, and the day the to-do and compliance tests take as "today".
FROZEN_DAY = date(2026, 11, 20)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """On SQLite the test database is a file (one per xdist worker), as in production, not
    Django's shared in-memory database. With the in-memory one the live server's request threads
    share the test's own connection (pytest-django's ``live_server``), so a page still loading
    its panels after a test had moved on and the next test's setup met on that one connection:
    «database table is locked», at once and without the busy timeout (CI, SQLite leg, twice). On
    a file each thread has its own connection, WAL and the 20-second busy timeout."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        yield
        return
    # In memory where the machine has a memory file system: the file's syncs cost nothing there.
    folder = Path(
        tempfile.mkdtemp(prefix="dangbo-test-", dir="/dev/shm" if Path("/dev/shm").is_dir() else None)
    )
    database.setdefault("TEST", {})["NAME"] = str(folder / "test.sqlite3")
    yield
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def frozen_today(time_machine) -> Callable[..., date]:
    """Fix what ``core.clock`` answers, for the rest of the test (time-machine; the real clock
    comes back at teardown). ``frozen_today()`` fixes :data:`FROZEN_DAY`, ``frozen_today(day)``
    that day, at 09:00 in Vietnam, and returns it; ``frozen_today(moment)`` fixes an aware
    datetime and returns its Vietnamese date. Called again, it moves the clock. The clock stands
    still (``clock.now()`` gives the same instant until moved) unless ``tick=True``.

    It freezes the process: the code under test, Django's ``timezone.now()`` and a live server's
    threads see the same date. A browser does not (its own clock is the real one).
    """

    def freeze(when: date | datetime = FROZEN_DAY, *, tick: bool = False) -> date:
        if isinstance(when, datetime):
            assert when.tzinfo is not None, "a frozen instant needs its time zone"
            moment = when
        else:
            from django.conf import settings

            moment = datetime.combine(when, time(9, 0), tzinfo=ZoneInfo(settings.TIME_ZONE))
        time_machine.move_to(moment, tick=tick)
        return clock.today()

    return freeze


@dataclass
class Tree:
    """The organizations of the ``tree`` fixture. Not frozen: a test's own fixture may add the
    organizations it establishes (``tree.commune2``)."""

    province: Org
    district: Org
    commune: Org
    cell_a: Org
    cell_b: Org
    agency: Org
    district2: Org


@pytest.fixture
def tree(db) -> Tree:
    """Province → district → commune committee → two cells; and a grassroots cell of an agency."""
    on = date(2015, 1, 1)
    province = org_services.org_establish(
        code="T", name="Đảng bộ tỉnh Mẫu", kind=OrgKind.PROVINCE, parent=None, established_on=on
    )
    district = org_services.org_establish(
        code="H1",
        name="Huyện ủy Một",
        kind=OrgKind.UPPER,
        parent=province,
        established_on=on,
        sector=Sector.TERRITORIAL,
    )
    commune = org_services.org_establish(
        code="X1",
        name="Đảng bộ xã Một",
        kind=OrgKind.GRASSROOTS_COMMITTEE,
        parent=district,
        established_on=on,
        sector=Sector.COMMUNE,
    )
    cell_a = org_services.org_establish(
        code="X1A",
        name="Chi bộ thôn A",
        kind=OrgKind.CELL,
        parent=commune,
        established_on=on,
        sector=Sector.RESIDENTIAL,
    )
    cell_b = org_services.org_establish(
        code="X1B",
        name="Chi bộ thôn B",
        kind=OrgKind.CELL,
        parent=commune,
        established_on=on,
        sector=Sector.RESIDENTIAL,
    )
    agency = org_services.org_establish(
        code="CQ1",
        name="Chi bộ Cơ quan Một",
        kind=OrgKind.GRASSROOTS_CELL,
        parent=district,
        established_on=on,
        sector=Sector.AGENCY,
    )
    district2 = org_services.org_establish(
        code="H2",
        name="Huyện ủy Hai",
        kind=OrgKind.UPPER,
        parent=province,
        established_on=on,
        sector=Sector.TERRITORIAL,
    )
    return Tree(
        province=province,
        district=district,
        commune=commune,
        cell_a=cell_a,
        cell_b=cell_b,
        agency=agency,
        district2=district2,
    )


@pytest.fixture
def agency2(tree) -> Org:
    """A grassroots cell of an agency under ``tree.district2``: where a member of district 1 moves
    to, in tests of what each side sees afterwards."""
    return org_services.org_establish(
        code="CQ2",
        name="Chi bộ Cơ quan Hai",
        kind=OrgKind.GRASSROOTS_CELL,
        parent=tree.district2,
        established_on=date(2015, 1, 1),
        sector=Sector.AGENCY,
    )


def refused_on(refused) -> list[tuple[str, str | None]]:
    """The (rule code, field) of each violation of a refusal: what a test compares, rather than
    the wording. ``refused``: what ``pytest.raises(RuleViolation)`` gives, a RuleViolation, or
    a list of violations. Input problems all have the code ``input``; their field tells them
    apart."""
    error = getattr(refused, "value", refused)
    return [(v.rule, v.field) for v in getattr(error, "violations", error)]


def identity(**overrides) -> Identity:
    values = {
        "family_name": "Nguyễn",
        "middle_name": "Văn",
        "given_name": "Đức",
        "gender": "M",
        "birth_date": date(1990, 5, 17),
        "ethnicity": "01",
        "religion": "00",
        "general_education": "upper_secondary",
        "theory_level": "elementary",
    }
    values.update(overrides)
    return Identity(**values)


def admit(cell, *, admitted_on=date(2016, 3, 1), full=True, **identity_fields):
    """A member admitted to ``cell`` (and recognized a year after the ceremony unless ``full=False``)."""
    n = next(_counter)
    fields = {"given_name": f"Đức{n}"}
    fields.update(identity_fields)
    member = member_admit(
        identity=identity(**fields),
        cell=cell,
        decision=org_services.DecisionRef(number=f"{n}-QĐ/ĐU", on=admitted_on, body="Đảng ủy"),
        ceremony_on=admitted_on,
    )
    if full:
        member_recognize(
            member=member, decision=org_services.DecisionRef(number=f"{n}b-QĐ/ĐU", on=admitted_on)
        )
        member.refresh_from_db()
    return member


@pytest.fixture
def make_member():
    return admit


@pytest.fixture(scope="session")
def browser_type_launch_args():
    """pytest-playwright launches Debian's Chromium (tests/browser.py), for every browser test."""
    from tests.browser import LAUNCH_ARGS  # only when a browser test runs: it loads axe

    return LAUNCH_ARGS


@pytest.fixture
def populated(tree, make_member):
    """``tree`` with members: two in cell A, one in cell B, one in the agency; hamlet «Thôn A»
    of the commune, covered by cell A (the restructuring tests' starting point)."""
    from dangbo.orgs.models import Locality

    org_services.locality_create(
        commune=tree.commune, kind=Locality.Kind.THON, name="Thôn A", code="TA", cell=tree.cell_a
    )
    for cell in (tree.cell_a, tree.cell_a, tree.cell_b, tree.agency):
        make_member(cell, admitted_on=date(2016, 3, 1))
    return tree


IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def jobs_run_at_once(settings):
    """Background jobs run as soon as they are queued, inside the test (the worker's place);
    tests of the queue itself set TASKS back to the database backend."""
    settings.TASKS = IMMEDIATE_TASKS


@pytest.fixture(autouse=True)
def second_factor_not_required(settings):
    """Tests sign in with ``force_login`` or the demo's passwords alone: two-step verification
    is not required of them. ``tests/test_two_factor.py`` turns it back on (the production
    default, DANGBO_REQUIRE_2FA) and proves a password alone then reaches no page."""
    settings.DANGBO_REQUIRE_2FA = False


@pytest.fixture(autouse=True)
def audit_sealed_at_commit(settings):
    """Rows are sealed when their transaction commits, as in a command: a test that runs the server
    or the worker in-process does not start the background sealer (``audit.sealer``), whose thread
    would work on the test database beside the test. ``tests/test_audit_background_seal.py``
    enables it itself."""
    from dangbo.audit.services import sealer

    settings.DANGBO_AUDIT_SEAL_SECONDS = 0
    yield
    if sealer.enabled:
        sealer.disable()


@pytest.fixture(autouse=True)
def fresh_cache():
    """The API's rate counters (Django's cache) start at zero in every test."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def meeting_files(settings, tmp_path_factory):
    """Documents posted for meetings, and files uploaded for import, go to the test run's temporary
    folder, not ``var/``."""
    settings.STORAGES = {
        **settings.STORAGES,
        "meetings": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path_factory.getbasetemp() / "meetings"},
        },
        "imports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path_factory.getbasetemp() / "imports"},
        },
    }


def hold_meeting(cell, members, *, held_on: date, label: str):
    """A cell's regular meeting on ``held_on`` with everything a meeting holds, named by
    ``label``: its agenda posted, a document, attendance of ``members``, a visitor, a vote and
    signed minutes. Returns (meeting, document)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dangbo.accounts.scope import SYSTEM
    from dangbo.meetings import services as meeting_services
    from dangbo.meetings.models import Body, MeetingKind

    details = meeting_services.MeetingDetails(body=Body.CHI_BO, kind=MeetingKind.REGULAR, held_on=held_on)
    meeting = meeting_services.meeting_schedule(actor=SYSTEM, org=cell, details=details)
    meeting_services.meeting_agenda_post(actor=SYSTEM, meeting=meeting, agenda=f"Nội dung {label}")
    document = meeting_services.meeting_document_add(
        actor=SYSTEM,
        meeting=meeting,
        title=f"Tài liệu {label}",
        upload=SimpleUploadedFile(f"tai-lieu-{label}.pdf", b"%PDF-1.4 " + label.encode()),
    )
    meeting_services.attendance_record(
        actor=SYSTEM, meeting=meeting, entries={m.pk: ("present", "") for m in members}
    )
    meeting_services.visitor_add(actor=SYSTEM, meeting=meeting, name=f"Cán bộ {label}")
    meeting_services.meeting_vote_record(
        actor=SYSTEM, meeting=meeting, subject=f"Biểu quyết {label}", approvals=len(members)
    )
    meeting_services.minutes_write(actor=SYSTEM, meeting=meeting, content=f"Biên bản {label}")
    meeting_services.minutes_sign(actor=SYSTEM, meeting=meeting)
    return meeting, document


def keep_dues(member, *, note: str = ""):
    """Dues of ``member`` as a cell keeps them: a basis from January 2026, a payment for
    January and February (its receipt; ``note`` on it) and an exemption for March and April
    with its decision. Returns (payment, relief)."""
    from dangbo.accounts.scope import SYSTEM
    from dangbo.dues import services as dues_services

    dues_services.dues_basis_record(
        actor=SYSTEM,
        member=member,
        category="insured",
        income=8_000_000,
        valid_from=date(2026, 1, 1),
        source="Bảng lương",
    )
    payment = dues_services.dues_payment_record(
        actor=SYSTEM,
        member=member,
        request=dues_services.PaymentRequest(
            first_month=date(2026, 1, 1),
            last_month=date(2026, 2, 1),
            amount=160_000,
            paid_on=date(2026, 2, 10),
            note=note,
        ),
    )
    relief = dues_services.dues_relief_grant(
        actor=SYSTEM,
        member=member,
        request=dues_services.ReliefRequest(
            kind="exemption",
            ground="hardship",
            first_month=date(2026, 3, 1),
            last_month=date(2026, 4, 1),
            decision_no="3-QĐ/ĐU",
            decision_on=date(2026, 2, 20),
            decision_body="Đảng ủy",
        ),
    )
    return payment, relief


def review_members(org, *, note: str = ""):
    """A review campaign of this year on ``org``'s subtree, its list cut today, and the first
    member listed proposed «good» by the cell (``note`` as the cell's remark) and so decided by
    their grassroots committee. Returns (campaign, that member's review)."""
    from dangbo.accounts.scope import SYSTEM
    from dangbo.core import clock
    from dangbo.ratings import services as ratings_services
    from dangbo.ratings.models import MemberRating

    today = clock.today()
    campaign = ratings_services.campaign_open(
        actor=SYSTEM,
        org=org,
        request=ratings_services.CampaignRequest(
            year=today.year,
            cutoff_on=today,
            self_due_on=today + timedelta(days=7),
            cell_due_on=today + timedelta(days=14),
            decision_due_on=today + timedelta(days=28),
        ),
    )
    rating = (
        MemberRating.objects.filter(campaign=campaign, not_rated="")
        .select_related("grassroots")
        .order_by("member__sort_key")
        .first()
    )
    assert rating is not None, "no member to rate"
    ratings_services.member_cell_assess(actor=SYSTEM, rating=rating, band="good", score=80, note=note)
    ratings_services.member_ratings_decide(
        actor=SYSTEM,
        grassroots=rating.grassroots,
        verdicts=[ratings_services.Verdict(rating)],
        decision_no="7-QĐ/ĐU",
        decided_on=today,
    )
    rating.refresh_from_db()
    return campaign, rating


def assert_due_counts_equal_the_list(*, actor, org, as_of: date) -> dict:
    """The to-do counts (``members.selectors.todo_counts.due_counts``, what the overview shows)
    equal the to-do list (``due_items``) counted by kind and lateness, and so do the counts by
    child (``due_counts_by_branch``, a large subtree's to-do page) the list's items grouped by
    the child of ``org`` they are listed under; returns the counts."""
    from dangbo.core import paths
    from dangbo.members.selectors.todo import due_items
    from dangbo.members.selectors.todo_counts import due_counts, due_counts_by_branch

    listed: dict[str, list[int]] = {}
    by_branch: dict[str, dict[str, list[int]]] = {}
    child_len = paths.child_branch_length(org.path)
    for item in due_items(actor=actor, org=org, as_of=as_of, audit=False):
        for totals in (listed, by_branch.setdefault(item.org.path[:child_len], {})):
            entry = totals.setdefault(item.kind, [0, 0])
            entry[0] += 1
            entry[1] += 1 if item.overdue else 0
    counted = {row.kind: [row.count, row.overdue] for row in due_counts(actor=actor, org=org, as_of=as_of)}
    assert counted == listed, (org.code, as_of)
    branches = {
        branch: {row.kind: [row.count, row.overdue] for row in rows}
        for branch, rows in due_counts_by_branch(actor=actor, org=org, as_of=as_of).items()
    }
    assert branches == by_branch, (org.code, as_of)
    return counted
