"""Bad input on every route: forged identifiers, malformed and oversized query strings, HTML and
script in text fields. Refused or escaped, never a server error (issue 3, "Bad input")."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User

from dangbo.accounts.models import AccessRole
from dangbo.accounts.services import role_grant
from dangbo.audit.models import AuditEntry
from dangbo.audit.services import Action
from dangbo.jobs.models import Job
from dangbo.members.models import Member
from dangbo.orgs.models import Locality, Org
from dangbo.ratings.models import OrgRating
from dangbo.restructuring.models import RestructurePlan
from urlwalk import fill, routes

SCRIPT = "<script>alert(1)</script>"

# Query strings as a careless or hostile client sends them (raw, already percent-encoded).
MALFORMED = [
    "q=" + "x" * 5000,
    "q=%ff%fe%fd",  # not UTF-8
    "q=%00abc",  # NUL
    "q=a&q=b&q=" + "%e1%ba",  # repeated, and a cut UTF-8 sequence
    "trang=-1",
    "trang=abc",
    "trang=" + "9" * 40,
    "org=not-a-uuid",
    f"org={uuid.uuid4()}",
    "age_min=1e309&age_max=-5",
    "age_min=" + "9" * 40,
    "status=xyz&gender=%3Cb%3E&ethnicity=99&religion=%27%3B--&theory_level=../../etc",
    "dinh-dang=pdf",
    "dinh-dang=" + "x" * 300,
    "date_from=31/02/2024&date_to=99/99/9999",
    "date_from=01/01/0001",
    "date_to=" + "1" * 50,
    "subject=" + SCRIPT.replace("<", "%3C").replace(">", "%3E"),
    "actor=%25%25%25",
    "action=" + "a" * 100,
    "page=0",
    "page=" + "9" * 30,
]


@dataclass
class Accounts:
    """A member of cell A, an administrator, and an officer of the commune."""

    member: Member
    admin: User
    officer: User


@pytest.fixture
def accounts(tree, make_member) -> Accounts:
    member = make_member(tree.cell_a)
    Locality.objects.create(code="X1-T1", kind="thon", name="Một", commune=tree.commune, cell=tree.cell_a)
    admin = User.objects.create_superuser("quantri", password="mat-khau-dai-du-1")
    role_grant(user=admin, role=AccessRole.ADMIN, org=None)
    officer = User.objects.create_user("canbo", password="mat-khau-dai-du-1")
    role_grant(user=officer, role=AccessRole.OFFICER, org=tree.commune)
    return Accounts(member=member, admin=admin, officer=officer)


def _submitted_report(org):
    """A report ``org`` sent up, received here (exchange)."""
    from dangbo.accounts.scope import SYSTEM
    from dangbo.exchange import keys
    from dangbo.exchange.services import package_export, package_import, peer_trust

    peer_trust(actor=SYSTEM, user=None, org=org, public_key=keys.public_key_text())
    package = package_export(actor=SYSTEM, org=org, kind="indicators")
    return package_import(actor=SYSTEM, user=None, data=package.to_bytes()).report


def _one_url_per_route(tree, member, uploader) -> list[str]:
    from datetime import date

    from tests.conftest import hold_meeting, identity, keep_dues, review_members

    from dangbo.candidates.services import candidate_add
    from dangbo.restructuring.plan_uploads import restructure_plan_upload

    candidate = candidate_add(
        identity=identity(given_name="Cảmtình"), cell=tree.cell_a, listed_on=date(2024, 1, 2)
    )
    plan = restructure_plan_upload(
        file_name="doi-ten.csv",
        actor=uploader,
        data=(
            "thao_tac,ma_to_chuc,ten,ngay_hieu_luc,so_quyet_dinh,ngay_quyet_dinh,co_quan_quyet_dinh\n"
            f"doi_ten,{tree.cell_a.code},Chi bộ mới,01/07/2025,1-QĐ,20/06/2025,Đảng ủy\n"
        ).encode(),
    )
    from dangbo.accounts.scope import SYSTEM
    from dangbo.imports.services import import_stage, import_upload

    batch = import_upload(
        kind="members",
        file_name="nhap.csv",
        data="Họ và tên,Ngày sinh,Giới tính,Dân tộc,Tôn giáo,Ngày vào Đảng,Chi bộ\nLý Văn Nhập,01/01/1980,Nam,Kinh,Không,01/01/2010,X1A\n".encode(),
        org=tree.commune,
        actor=SYSTEM,
        user=uploader,
    )
    import_stage(batch=batch)
    meeting, document = hold_meeting(tree.cell_a, [member], held_on=date(2025, 3, 5), label="Họp")
    payment, relief = keep_dues(member)
    campaign, rating = review_members(tree.commune)
    org_rating = OrgRating.objects.filter(campaign=campaign).first()
    report = _submitted_report(tree.commune)
    urls = []
    for route in routes():
        if "<" not in route:
            urls.append("/" + route)
        if re.search(r"<(uuid:)?campaign_id>", route):  # and the commune's part of it
            for url in fill(route, "campaign_id", [campaign.pk]):
                urls += fill(url[1:], "org_id", [tree.commune.pk]) if "org_id>" in url else [url]
            continue
        ids = (
            ("org_id", tree.cell_a.pk),
            ("locality_id", Locality.objects.get().pk),
            ("member_id", member.pk),
            ("candidate_id", candidate.pk),
            ("plan_id", plan.pk),
            ("user_id", uploader.pk),
            ("job_id", Job.objects.get(subject_id=str(plan.pk)).pk),
            ("meeting_id", meeting.pk),
            ("document_id", document.pk),
            ("payment_id", payment.pk),
            ("relief_id", relief.pk),
            ("rating_id", rating.pk),
            ("batch_id", batch.pk),
            ("report_id", report.pk),
        )
        for name, pk in ids:
            if re.search(rf"<(uuid:)?{name}>", route):
                # an organization's review shares the parameter with a member's
                extra = [org_rating.pk] if name == "rating_id" else []
                urls += fill(route, name, [pk, *extra])
    return [url for url in urls if url != "/dang-xuat/"]


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", errors="replace")


def test_malformed_query_strings_never_cause_a_server_error(client, tree, accounts):
    urls = _one_url_per_route(tree, accounts.member, accounts.officer)
    assert f"/sap-xep-to-chuc/{RestructurePlan.objects.get().pk}/" in urls
    assert len(urls) > 20
    for user in (accounts.admin, accounts.officer):
        client.force_login(user)
        for url in urls:
            for query in MALFORMED:
                response = client.get(f"{url}?{query}")
                assert response.status_code < 500, (user.username, url, query[:60], response.status_code)
                assert SCRIPT not in _body(response), (url, query[:60])


def test_forged_identifiers_are_not_found_and_attempts_on_people_are_audited(
    client, tree, accounts, make_member
):
    client.force_login(accounts.officer)
    outsider = make_member(tree.agency)  # a real member outside the officer's commune
    for route in routes():
        for name in (
            "org_id",
            "locality_id",
            "member_id",
            "candidate_id",
            "user_id",
            "job_id",
            "meeting_id",
            "document_id",
            "payment_id",
            "relief_id",
            "campaign_id",
            "rating_id",
            "batch_id",
            "report_id",
        ):
            if not re.search(rf"<(uuid:)?{name}>", route):
                continue
            for forged in (uuid.uuid4(), "khong-phai-uuid", "1 OR 1=1", "..%2F..%2Fetc"):
                url = fill(route, name, [forged])[0]
                response = client.get(url)
                assert response.status_code in (404, 405, 422), (url, response.status_code)
    before = AuditEntry.objects.filter(action=Action.REFUSED, subject_id=str(outsider.pk)).count()
    for url in (
        f"/dang-vien/{outsider.pk}/",
        f"/dang-vien/{outsider.pk}/sua/",
        f"/api/members/{outsider.pk}",
    ):
        assert client.get(url).status_code == 404
    assert AuditEntry.objects.filter(action=Action.REFUSED, subject_id=str(outsider.pk)).count() == before + 3


def test_html_and_script_in_text_fields_are_kept_as_text_and_shown_escaped(client, tree, accounts):
    client.force_login(accounts.officer)
    response = client.post(
        f"/to-chuc/{tree.commune.pk}/thanh-lap/",
        {
            "code": "X1S",
            "name": f"Chi bộ {SCRIPT}",
            "kind": "sub_committee",
            "sector": "residential",
            "established_on": "01/03/2024",
            "formation_approval": "3-CV/HU",
        },
    )
    org = Org.objects.get(code="X1S")
    assert response.status_code == 302 and org.name == f"Chi bộ {SCRIPT}"
    response = client.post(
        f"/to-chuc/{tree.commune.pk}/them-thon/",
        {
            "code": "X1-T9",
            "kind": "thon",
            "name": f"<b>Nậm</b>{SCRIPT}",
            "cell": "",
            "head_name": "<img src=x onerror=alert(1)>",
        },
    )
    assert response.status_code == 302
    client.post("/khoa-api/", {"action": "create", "name": SCRIPT, "days": 30})
    pages = [
        f"/to-chuc/{tree.commune.pk}/",
        f"/to-chuc/{org.pk}/",
        "/to-chuc/",
        "/khoa-api/",
        f"/dang-vien/?org={org.pk}",
    ]
    for url in pages:
        body = _body(client.get(url))
        assert SCRIPT not in body and "<img src=x" not in body and "<b>Nậm" not in body, url
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in _body(client.get(f"/to-chuc/{tree.commune.pk}/"))
    api = client.get(f"/api/orgs/{tree.commune.pk}").json()
    assert any(
        child["org"]["name"] == f"Chi bộ {SCRIPT}" for child in api["children"]
    )  # JSON keeps the text as text
    client.force_login(accounts.admin)
    body = _body(client.get("/nhat-ky/", {"subject": "X1S"}))
    assert SCRIPT not in body and "&lt;script&gt;" in body
