"""The cross-subtree probe (issue 18): every URL pattern of the site and every operation of the
REST API, requested by the officer, secretary, leader and member accounts of subtree A
(``tree.district``, «Huyện ủy Một») with the identifiers of subtree B (``tree.district2``,
«Huyện ủy Hai») in the URL, and with A's own identifiers in the URL and B's codes, numbers and
ids in the body (a destination, a sponsor, a lookup). GET everything; POST every page with a
plausible body (the fields of its own form, filled in); call every API operation with a body
built from its schema (each value of an enumeration). Nothing of B's people may appear in an
answer (names, national IDs, card numbers; and, for B's own URLs, B's organizations and ids),
no answer is a server error, and no row of B changes (a snapshot after every unsafe request).

A URL parameter or API path parameter the probe does not know fails the test: a new route
must say here which of B's (and A's) objects it takes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from urllib.parse import unquote_plus, urlencode

import pytest
from django.contrib.auth.models import User
from django.db.models import Q
from django.test import Client
from tests.conftest import hold_meeting, identity, keep_dues, review_members

from dangbo.accounts.models import AccessRole, ApiToken, RoleAssignment
from dangbo.accounts.scope import SYSTEM
from dangbo.accounts.services import role_grant
from dangbo.candidates.models import Candidate, CandidateStep
from dangbo.candidates.services import StepInput, candidate_add, candidate_record_step
from dangbo.core import paths
from dangbo.core.decisions import DecisionRef
from dangbo.core.kinds import OrgKind, Sector
from dangbo.core.text import fold
from dangbo.discipline.models import DisciplineCase
from dangbo.discipline.services import discipline_open
from dangbo.dues.models import DuesBasis, DuesMonth, DuesPayment, DuesRelief
from dangbo.exchange.models import ExchangePeer, SubmittedReport
from dangbo.jobs.models import Job
from dangbo.jobs.services import job_start
from dangbo.meetings.models import (
    Attendance,
    Body,
    Meeting,
    MeetingDocument,
    MeetingKind,
    MeetingVisitor,
    MeetingVote,
    Minutes,
    MinutesAmendment,
)
from dangbo.meetings.services import MeetingDetails, meeting_schedule
from dangbo.members.models import Member, MemberEvent, Placement, Position, TransferCase
from dangbo.members.services.standing import member_resign
from dangbo.members.services.transfers import Trigger, transfer_issue
from dangbo.orgs import services as org_services
from dangbo.orgs.models import Locality, Org, OrgVersion
from dangbo.ratings.models import MemberRating, OrgRating, RatingDecision, ReviewCampaign
from dangbo.restructuring.models import RestructurePlan
from dangbo.restructuring.plan_uploads import restructure_plan_upload
from urlwalk import _expand, routes

PASSWORD = "mat-khau-dai-du-1"
ON = date(2015, 1, 1)


@dataclass
class Side:
    """One subtree's objects, by the URL parameter that names them."""

    root: Org
    orgs: list[Org]
    cells: list[Org]
    members: list[Member]
    ids: dict[str, list] = field(default_factory=dict)
    accounts: list[User] = field(default_factory=list)
    label: str = ""

    def codes(self) -> list[str]:
        return [o.code for o in self.orgs]


@dataclass
class World:
    a: Side
    b: Side
    actors: dict[str, User]


def _cell(code, name, parent, kind=OrgKind.CELL):
    return org_services.org_establish(
        code=code, name=name, kind=kind, parent=parent, established_on=ON, sector=Sector.RESIDENTIAL
    )


def _numbered(make_member, cell, names, prefix):
    members = []
    for n, given in enumerate(names):
        member = make_member(
            cell, given_name=given, national_id=f"0010900{prefix}{n:03d}", admitted_on=date(2016, 3, 1)
        )
        Member.objects.filter(pk=member.pk).update(card_number=f"{prefix}{n:03d}000"[:8])
        member.refresh_from_db()
        members.append(member)
    return members


def _side(tree, make_member, *, root, commune, cells, prefix, names, label) -> Side:
    members = _numbered(make_member, cells[0], names[:5], prefix)
    members += _numbered(make_member, cells[1], names[5:], str(int(prefix) + 1))
    leaving = members[-1]
    member_resign(
        member=leaving, on=date(2020, 1, 10), decision=DecisionRef(number="1-QĐ", on=date(2020, 1, 10))
    )
    candidate = candidate_add(
        identity=identity(given_name=f"Cảmtình{label}", family_name="Vũ", national_id=f"001090{prefix}9999"),
        cell=cells[0],
        listed_on=date(2025, 1, 6),
    )
    for kind, on, extra in (
        (CandidateStep.Kind.COURSE, date(2025, 1, 10), {"number": "CN-1"}),
        (CandidateStep.Kind.APPLICATION, date(2025, 2, 3), {}),
        (CandidateStep.Kind.HISTORY, date(2025, 2, 10), {}),
        (CandidateStep.Kind.BACKGROUND_CHECK, date(2025, 3, 3), {}),
    ):
        candidate_record_step(candidate=candidate, kind=kind, step=StepInput(done_on=on, **extra))
    discipline_open(
        member=members[1], act_on=date(2025, 1, 2), summary="Vi phạm thử", opened_on=date(2025, 2, 1)
    )
    case = transfer_issue(
        member=members[2],
        to_org=cells[1],
        issued_on=date(2025, 3, 2),
        decision=DecisionRef(number="9-QĐ/ĐU"),
        trigger=Trigger(kind="residence", on=date(2025, 2, 1)),
        accept_below_minimum=True,
    )
    locality = org_services.locality_create(
        code=f"{commune.code}-T1", kind="thon", name=f"Thôn {label}", commune=commune, cell=cells[0]
    )
    officer = User.objects.create_user(f"canbo{label.lower()}", password=PASSWORD)
    role_grant(user=officer, role=AccessRole.OFFICER, org=root)
    secretary = User.objects.create_user(f"bithu{label.lower()}", password=PASSWORD)
    role_grant(user=secretary, role=AccessRole.SECRETARY, org=cells[0])
    header = "thao_tac,ma_to_chuc,ten,ngay_hieu_luc,so_quyet_dinh,ngay_quyet_dinh,co_quan_quyet_dinh\n"
    plan = restructure_plan_upload(
        file_name=f"Phuongan{label}.csv",
        actor=officer,
        data=(
            header + f"doi_ten,{cells[1].code},Chi bộ {label} mới,01/07/2025,1-QĐ,20/06/2025,Huyện ủy\n"
        ).encode(),
    )
    from dangbo.imports.services import import_stage, import_upload

    columns = "Họ và tên,Ngày sinh,Giới tính,Dân tộc,Tôn giáo,Ngày vào Đảng,Chi bộ\n"
    batch = import_upload(
        kind="members",
        file_name=f"Nhap{label}.csv",
        data=(
            columns + f"Lý Văn Nhập{label},01/01/1980,Nam,Kinh,Không,01/01/2010,{cells[0].code}\n"
        ).encode(),
        org=commune,
        actor=SYSTEM,
        user=officer,
    )
    import_stage(batch=batch)
    job = job_start(
        kind="members.export",
        owner=officer,
        params={"query": f"org={commune.pk}", "format": "csv"},
        title=f"Danh sách {label}",
    )
    meeting, document = hold_meeting(cells[0], members[:3], held_on=date(2025, 3, 5), label=f"Họp{label}")
    open_meeting = meeting_schedule(
        actor=SYSTEM,
        org=cells[1],
        details=MeetingDetails(body=Body.CHI_BO, kind=MeetingKind.REGULAR, held_on=date(2025, 4, 5)),
    )
    payment, relief = keep_dues(members[0], note=f"Phí{label}")
    campaign, rating = review_members(commune, note=f"Xếploại{label}")
    orgs = list(Org.objects.filter(paths.subtree_q(root.path, "path")).order_by("path"))
    # a report the commune sent up, received by the installation (exchange)
    from dangbo.exchange import keys as exchange_keys
    from dangbo.exchange.services import package_export, package_import, peer_trust

    peer_trust(actor=SYSTEM, user=None, org=commune, public_key=exchange_keys.public_key_text())
    package = package_export(actor=SYSTEM, org=commune, kind="member_counts")
    report = package_import(actor=SYSTEM, user=None, data=package.to_bytes()).report
    side = Side(
        root=root, orgs=orgs, cells=cells, members=members, accounts=[officer, secretary], label=label
    )
    side.ids = {
        "org_id": [commune.pk, cells[0].pk],
        "locality_id": [locality.pk],
        "member_id": [members[0].pk, members[1].pk, leaving.pk],
        "candidate_id": [candidate.pk],
        "plan_id": [plan.pk],
        "job_id": [job.pk, Job.objects.get(subject_id=str(plan.pk)).pk],
        "case_id": [case.pk],
        "user_id": [officer.pk, secretary.pk],
        "meeting_id": [meeting.pk, open_meeting.pk],  # signed minutes; still open
        "document_id": [document.pk],
        "payment_id": [payment.pk],
        "relief_id": [relief.pk],
        "campaign_id": [campaign.pk],
        "batch_id": [batch.pk],
        # a member's review and an organization's (the organizations' pages share the parameter)
        "rating_id": [
            rating.pk,
            *OrgRating.objects.filter(campaign=campaign).values_list("pk", flat=True)[:2],
        ],
        "report_id": [report.pk],
    }
    return side


@pytest.fixture
def world(tree, make_member) -> World:
    """Subtree A: the district «Huyện ủy Một» of ``tree`` (its commune, cells A and B), with
    members, a candidate, a discipline case, a transfer, a hamlet, a plan, a job and accounts.
    Subtree B: the sibling district «Huyện ủy Hai», with a commune, two cells and the same."""
    commune_b = org_services.org_establish(
        code="X2",
        name="Đảng bộ xã Bêhai",
        kind=OrgKind.GRASSROOTS_COMMITTEE,
        parent=tree.district2,
        established_on=ON,
        sector=Sector.COMMUNE,
    )
    cells_b = [_cell("X2A", "Chi bộ thôn Bêmột", commune_b), _cell("X2B", "Chi bộ thôn Bêhai", commune_b)]
    names_b = ["Bêan", "Bêbình", "Bêchâu", "Bêdung", "Bêgiang", "Bêhải", "Bêkhoa", "Bêlan"]
    names_a = ["Aan", "Abình", "Achâu", "Adung", "Agiang", "Ahải", "Akhoa", "Alan"]
    a = _side(
        tree,
        make_member,
        root=tree.district,
        commune=tree.commune,
        cells=[tree.cell_a, tree.cell_b],
        prefix="51",
        names=names_a,
        label="A",
    )
    b = _side(
        tree,
        make_member,
        root=tree.district2,
        commune=commune_b,
        cells=cells_b,
        prefix="61",
        names=names_b,
        label="B",
    )
    leader = User.objects.create_user("lanhdaoa", password=PASSWORD)
    role_grant(user=leader, role=AccessRole.LEADER, org=tree.district)
    member = User.objects.create_user("dangviena", password=PASSWORD)
    role_grant(user=member, role=AccessRole.MEMBER, member=a.members[0])
    actors = {"officer": a.accounts[0], "secretary": a.accounts[1], "leader": leader, "member": member}
    return World(a=a, b=b, actors=actors)


# --- what B holds, and what must never change or show --------------------------------------


def _snapshot(b: Side) -> dict:
    """Every row of B: its organizations and their versions, hamlets, members and their ledger,
    placements and positions, candidates and their steps, discipline and transfer cases, plans,
    jobs, accounts, roles and API keys, meetings and all they hold; and any row of any of these that
    names one of B's organizations or members (a write into B from outside)."""
    org_ids = list(Org.objects.filter(paths.subtree_q(b.root.path, "path")).values_list("pk", flat=True))
    org_ids += [o.pk for o in b.orgs]
    member_ids = [m.pk for m in b.members] + list(
        Member.objects.filter(paths.subtree_q(b.root.path, "org_path")).values_list("pk", flat=True)
    )
    users = [u.pk for u in b.accounts]
    queries = {
        "org": Org.objects.filter(Q(pk__in=org_ids) | paths.subtree_q(b.root.path, "path")),
        "orgversion": OrgVersion.objects.filter(Q(org_id__in=org_ids) | Q(parent_id__in=org_ids)),
        "locality": Locality.objects.filter(Q(commune_id__in=org_ids) | Q(cell_id__in=org_ids)),
        "member": Member.objects.filter(Q(pk__in=member_ids) | Q(org_id__in=org_ids)),
        "event": MemberEvent.objects.filter(
            Q(member_id__in=member_ids)
            | Q(to_org_id__in=org_ids)
            | Q(from_org_id__in=org_ids)
            | Q(position_org_id__in=org_ids)
            | Q(authority_org_id__in=org_ids)
        ),
        "placement": Placement.objects.filter(Q(member_id__in=member_ids) | Q(org_id__in=org_ids)),
        "position": Position.objects.filter(Q(member_id__in=member_ids) | Q(org_id__in=org_ids)),
        "candidate": Candidate.objects.filter(cell_id__in=org_ids),
        "step": CandidateStep.objects.filter(candidate__cell_id__in=org_ids),
        "discipline": DisciplineCase.objects.filter(member_id__in=member_ids),
        "transfer": TransferCase.objects.filter(member_id__in=member_ids),
        "plan": RestructurePlan.objects.filter(uploaded_by_id__in=users),
        "job": Job.objects.filter(owner_id__in=users).exclude(state="running"),
        "user": User.objects.filter(pk__in=users),
        "role": RoleAssignment.objects.filter(Q(user_id__in=users) | Q(org_id__in=org_ids)),
        "token": ApiToken.objects.filter(user_id__in=users),
        "meeting": Meeting.objects.filter(org_id__in=org_ids),
        "attendance": Attendance.objects.filter(Q(meeting__org_id__in=org_ids) | Q(member_id__in=member_ids)),
        "visitor": MeetingVisitor.objects.filter(Q(meeting__org_id__in=org_ids) | Q(org_id__in=org_ids)),
        "meeting_document": MeetingDocument.objects.filter(meeting__org_id__in=org_ids),
        "meeting_vote": MeetingVote.objects.filter(meeting__org_id__in=org_ids),
        "minutes": Minutes.objects.filter(meeting__org_id__in=org_ids),
        "minutes_amendment": MinutesAmendment.objects.filter(minutes__meeting__org_id__in=org_ids),
        "dues_basis": DuesBasis.objects.filter(member_id__in=member_ids),
        "dues_relief": DuesRelief.objects.filter(member_id__in=member_ids),
        "dues_payment": DuesPayment.objects.filter(Q(member_id__in=member_ids) | Q(org_id__in=org_ids)),
        "dues_month": DuesMonth.objects.filter(Q(member_id__in=member_ids) | Q(org_id__in=org_ids)),
        "review_campaign": ReviewCampaign.objects.filter(org_id__in=org_ids),
        "member_rating": MemberRating.objects.filter(member_id__in=member_ids),
        "org_rating": OrgRating.objects.filter(Q(org_id__in=org_ids) | Q(authority_id__in=org_ids)),
        "rating_decision": RatingDecision.objects.filter(
            Q(member_rating__member_id__in=member_ids) | Q(org_rating__org_id__in=org_ids)
        ),
        "submitted_report": SubmittedReport.objects.filter(org_id__in=org_ids),
        "exchange_peer": ExchangePeer.objects.filter(org_id__in=org_ids),
    }
    rows = {}
    for name, queryset in queries.items():
        for row in queryset.values():
            row.pop("last_login", None)
            rows[(name, str(row.get("id") or row.get("pk")))] = repr(sorted(row.items()))
    return rows


def _changed(before: dict, after: dict) -> list:
    return sorted({k for k in before.keys() | after.keys() if before.get(k) != after.get(k)})


def _people_of(b: Side) -> list[str]:
    needles = []
    for member in Member.objects.filter(pk__in=[m.pk for m in b.members]):
        needles += [member.given_name, member.full_name, member.national_id, member.card_number]
    for candidate in Candidate.objects.filter(cell_id__in=[o.pk for o in b.orgs]):
        needles += [candidate.given_name, candidate.national_id]
    needles += [u.username for u in b.accounts]
    needles.append(f"Họp{b.label}")  # in the agenda, document, vote, minutes of B's meeting
    needles.append(f"Phí{b.label}")  # the note on B's dues payment
    needles.append(f"Xếploại{b.label}")  # the cell's remark on B's member's review
    return [n for n in needles if n]


def _own_of(b: Side) -> list[str]:
    """B's organizations and identifiers: not to appear where a URL names B's objects."""
    needles = [o.name for o in b.orgs]
    for values in b.ids.values():
        needles += [str(v) for v in values if not isinstance(v, int)]
    return needles


# --- pages: every URL pattern, with B's ids, and with A's ids and a body naming B -------------


class _Forms(HTMLParser):
    """The fields of every POST form of a page (name → first value), as a browser would send them."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}
        self.required: set[str] = set()
        self.in_post = False
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.in_post = (a.get("method") or "").lower() == "post" and "dang-xuat" not in (
                a.get("action") or ""
            )
        elif not self.in_post:
            return
        if tag in ("input", "select", "textarea") and a.get("name") and "required" in a:
            self.required.add(a["name"])
        if tag == "input" and a.get("name") and a.get("name") != "csrfmiddlewaretoken":
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                self.fields.setdefault(a["name"], a.get("value") or "on")
            elif kind not in ("submit", "button", "file"):
                self.fields.setdefault(a["name"], a.get("value") or "")
        if tag == "select" and a.get("name"):
            self.select = a["name"]
        elif tag == "option" and self.select and a.get("value"):
            self.fields.setdefault(self.select, a["value"])
        elif tag == "textarea" and a.get("name"):
            self.textarea = a["name"]
            self.fields.setdefault(a["name"], "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_post = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def _form_fields(html: str) -> tuple[dict[str, str], set[str]]:
    parser = _Forms()
    parser.feed(html)
    return parser.fields, parser.required


def _aimed_at(form: tuple[dict[str, str], set[str]], b: Side) -> dict[str, str]:
    """A form's fields filled in as a plausible submission that names B's objects wherever a
    field names an organization, a member or a number (a destination, a sponsor, a holder, a
    lookup); other required fields get plausible values, optional ones stay as shown."""
    fields, required = form
    cell, member = b.cells[0], b.members[0]
    body = {}
    for name, value in fields.items():
        lowered = name.lower()
        if lowered.endswith("_code") or lowered in ("code", "org_code", "to_code"):
            value = cell.code
        elif lowered.endswith("_codes"):
            value = ", ".join(b.codes())
        elif lowered.startswith("sponsor") or lowered in (
            "numbers",
            "member_numbers",
            "card_number",
            "holder",
        ):
            value = member.card_number
        elif lowered in ("q", "national_id"):
            value = member.national_id
        elif lowered in ("member", "member_id", "absent_exempted", "org"):
            value = str(member.pk) if lowered != "org" else str(cell.pk)
        elif not value and name not in required:
            pass
        elif not value:
            if re.search(r"(until|_to)$", lowered):
                value = "01/08/2025"
            elif re.search(r"(_on|_from|ngay|date)$", lowered):
                value = "01/03/2025"
            elif re.search(r"(approvals|count|years|requests_made|denominator)", lowered):
                value = "5"
            else:
                value = "Thăm dò từ phạm vi khác"
        body[name] = value
    return body


def _page_urls(side: Side) -> list[str]:
    """Each page route with ``side``'s ids (every value of its slugs). Fails on a parameter
    the probe does not know."""
    urls = []
    for route in routes():
        if route.startswith("api/") and route not in ("api/", "api/docs", "api/openapi.json"):
            continue  # the API: by its operations, below
        names = re.findall(r"<(?:\w+:)?(\w+)>", route)
        plain = [
            n
            for n in names
            if n not in ("action", "kind", "code", "paper", "fmt", "import_kind", "file_format")
        ]
        assert all(n in side.ids for n in plain), f"the probe does not know the parameter of {route}"
        candidates = ["/" + route]
        for name in plain:
            candidates = [
                re.sub(rf"<(?:\w+:)?{name}>", str(value), url)
                for url in candidates
                for value in side.ids[name]
            ]
        urls += [u for url in candidates for u in _expand(url)]
    return [u for u in urls if u not in ("/dang-xuat/",)]


def _queries(side: Side, b: Side) -> list[str]:
    """Lists and searches filtered by B's organizations and looked up by B's numbers and names."""
    urls = []
    for org in b.orgs:
        urls += [
            f"/dang-vien/?org={org.pk}",
            f"/dang-vien/xuat/?org={org.pk}&dinh-dang=csv",
            f"/tai-khoan/?org={org.code}",
        ]
    for member in b.members[:2]:
        for q in (member.national_id, member.card_number, member.given_name):
            urls += [
                f"/dang-vien/?{urlencode({'q': q})}",
                f"/dang-vien/xuat/?{urlencode({'q': q, 'dinh-dang': 'csv'})}",
            ]
    urls += [f"/nhat-ky/?subject={b.members[0].pk}", f"/tai-khoan/?q={b.accounts[0].username}"]
    # the organization pickers, asked for B's organizations by name (without accents) and code
    for org in b.orgs:
        for within in ("doc", "sua", "quan-ly"):
            urls.append(f"{PICKER}?{urlencode({'q': fold(org.name), 'pham-vi': within})}")
        urls.append(f"{PICKER}?{urlencode({'q': org.code.lower(), 'loai': 'chi-bo'})}")
    return urls


PICKER = "/to-chuc/chon/"  # its answers name organizations: none of B's may appear


# --- the API: every operation of the OpenAPI schema ------------------------------------------


def _schema():
    from dangbo.api import api

    return api.get_openapi_schema(path_prefix="/api/")


def _resolve(schema, node):
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _value(schema, name: str, prop: dict, b: Side):
    """A plausible value of one property, aimed at B where it names something."""
    prop = _resolve(schema, prop)
    if "anyOf" in prop:
        prop = next(_resolve(schema, p) for p in prop["anyOf"] if p.get("type") != "null")
    kind = prop.get("type")
    if name in ("member_id",):
        return str(b.members[0].pk)
    if name.endswith("_code") or name == "org_code":
        return b.cells[0].code
    if name in ("national_id",):
        return b.members[0].national_id
    if kind == "array":
        item = _resolve(schema, prop.get("items", {}))
        if name == "absent_exempted":
            return [str(m.pk) for m in b.members[:2]]
        if item.get("type") == "object":
            return [{k: _value(schema, k, v, b) for k, v in item.get("properties", {}).items()}]
        return []
    if prop.get("format") == "date":
        return {"until": "2025-08-01", "date_to": "2025-08-01", "known_since": "2023-01-01"}.get(
            name, "2025-03-01"
        )
    if prop.get("format") == "uuid":
        return str(b.members[0].pk)
    if kind == "integer":
        return 5
    if kind == "boolean":
        return True
    if "enum" in prop or "const" in prop:
        return (prop.get("enum") or [prop.get("const")])[0]
    listed = re.search(r"(\w+) \|", prop.get("description", ""))  # "work | residence | study"
    return listed.group(1) if listed else "Thăm dò"


# Optional dates a plausible body gives (others, such as the day a conviction was expunged,
# would make the request implausible).
DATES = {"until", "vote_on", "decision_on", "trigger_on", "known_since", "arrived_on", "closed_on"}
# Body properties that name something of B: always sent.
AIMED = {
    "member_id",
    "org_code",
    "to_code",
    "national_id",
    "absent_exempted",
    "sponsors",
    "provincial_consent",
}


def _is_date(prop: dict) -> bool:
    return prop.get("format") == "date" or any(p.get("format") == "date" for p in prop.get("anyOf", []))


def _bodies(schema, op, b: Side) -> list[dict]:
    """One body per value of the body's first enumerated property (each action, each step)."""
    ref = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    if ref is None:
        return [{}]
    body_schema = _resolve(schema, ref)
    props = body_schema.get("properties", {})
    wanted = set(body_schema.get("required", [])) | {
        k for k in props if k in AIMED or k in DATES or not _is_date(_resolve(schema, props[k]))
    }
    base = {k: _value(schema, k, v, b) for k, v in props.items() if k in wanted}
    for k, v in props.items():
        resolved = _resolve(schema, v)
        if "enum" in resolved:
            return [{**base, k: value} for value in resolved["enum"]]
        if k == "kind":
            listed = resolved.get("description", "").partition(":")[2]  # "bước tiếp theo: course, ..."
            kinds = re.findall(r"\b([a-z_]{4,})\b", listed)
            return [{**base, k: value} for value in kinds or ["x"]]
    return [base]


def _api_requests(side: Side, b: Side) -> list[tuple[str, str, dict | None]]:
    schema = _schema()
    out = []
    for path, ops in schema["paths"].items():
        names = re.findall(r"{(\w+)}", path)
        assert all(n in side.ids for n in names), f"the probe does not know the parameter of {path}"
        urls = [path]
        for name in names:
            urls = [u.replace("{" + name + "}", str(v)) for u in urls for v in side.ids[name]]
        for method, op in ops.items():
            queries = [p["name"] for p in op.get("parameters", []) if p["in"] == "query"]
            for url in urls:
                if method == "get":
                    out.append(("get", url, None))
                    if "q" in queries:
                        for q in (
                            b.members[0].national_id,
                            b.members[0].card_number,
                            b.members[0].given_name,
                        ):
                            out.append(("get", f"{url}?{urlencode({'q': q})}", None))
                    if "org" in queries:
                        out += [("get", f"{url}?org={o.pk}", None) for o in b.orgs]
                else:
                    out += [(method, url, body) for body in _bodies(schema, op, b)]
    return out


# --- the walk -----------------------------------------------------------------------------------


def _text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", errors="replace")


def _check(response, label: str, needles: list[str], sent: object = "") -> None:
    """No server error, and none of ``needles`` in the answer, except what the request itself
    sent (a form shows back what was typed into it: that discloses nothing)."""
    assert response.status_code < 500, f"{label}: {response.status_code}"
    body = _text(response)
    sent_text = json.dumps(sent, ensure_ascii=False, default=str) + unquote_plus(label)
    for needle in needles:
        if needle in sent_text:
            continue
        assert needle not in body, f"{label} shows «{needle}» of subtree B"


def _probe(world: World, actor: str, phase: str) -> int:
    a, b = world.a, world.b
    admin = Client()
    admin.force_login(User.objects.create_superuser("quantri-do", password=PASSWORD))
    client = Client()
    client.force_login(world.actors[actor])
    people, own, b_urls = _people_of(b), _own_of(b), set(_page_urls(b))
    before = _snapshot(b)
    requests = 0

    def unsafe(label):
        nonlocal before
        after = _snapshot(b)
        changed = _changed(before, after)
        assert not changed, f"{label} changed rows of subtree B: {changed[:5]}"

    # 1. B's ids in the URL (and B's objects in the body): nothing of B, nothing changed
    for url in _page_urls(b) + _queries(a, b) if phase == "pages" else []:
        own_url = _page_urls_of_a.get(url)
        response = client.get(url)
        _check(response, f"GET {url}", people + (own if url in b_urls or url.startswith(PICKER) else []))
        html = _text(admin.get(own_url)) if own_url else ""
        body = _aimed_at(_form_fields(html), b) if html else {}
        response = client.post(url, body)
        _check(response, f"POST {url}", people + (own if url in b_urls else []), body)
        unsafe(f"POST {url}")
        requests += 2
    # 2. A's ids in the URL, a plausible body of the page's own form naming B's objects
    for url in _page_urls(a) if phase == "forms" else []:
        form = _form_fields(_text(admin.get(url)))
        if not form[0]:
            continue
        body = _aimed_at(form, b)
        response = client.post(url, body)
        _check(response, f"POST {url} (naming B)", people, body)
        unsafe(f"POST {url} (naming B)")
        requests += 1
    # 3. the API, with B's ids in the path, and with A's ids and a body naming B
    for side in (b, a) if phase == "api" else ():
        for method, url, body in _api_requests(side, b):
            if method == "get":
                response = client.get(url)
            else:
                response = getattr(client, method)(
                    url, data=json.dumps(body or {}, default=str), content_type="application/json"
                )
            _check(response, f"{method.upper()} {url}", people + (own if side is b else []), body)
            if method != "get":
                unsafe(f"{method.upper()} {url} {json.dumps(body, ensure_ascii=False)[:300]}")
            requests += 1
    return requests


_page_urls_of_a: dict[str, str] = {}


def _pair_urls(world: World) -> None:
    """Each of B's page URLs with A's URL of the same route (whose form gives the body): both
    sides name as many objects for each parameter, so the two lists pair one to one."""
    _page_urls_of_a.clear()
    _page_urls_of_a.update(zip(_page_urls(world.b), _page_urls(world.a), strict=True))


@pytest.mark.parametrize("phase", ["pages", "forms", "api"])
@pytest.mark.parametrize("actor", ["officer", "secretary", "leader", "member"])
def test_sibling_subtree_probe_finds_nothing(world, actor, phase):
    """Each phase on a fresh world: B's URLs (GET, and POST with the body of A's same form);
    A's pages' forms submitted naming B; the API both ways."""
    _pair_urls(world)
    assert _page_urls_of_a, "A and B must offer the same pages"
    assert _probe(world, actor, phase) > 50
