"""Walk every URL as a user of a sibling subtree and as a member, and prove that nothing from
outside their scope appears: no name, code or identifier of an organization or member,
upward or sideways (DESIGN.md decision 4)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User
from tests.conftest import hold_meeting, keep_dues, review_members

from conftest import Tree
from dangbo.accounts.models import AccessRole
from dangbo.accounts.services import role_grant
from dangbo.candidates.models import Candidate
from dangbo.core.decisions import DecisionRef
from dangbo.core.kinds import OrgKind, Sector
from dangbo.core.text import fold
from dangbo.dues.models import DuesPayment, DuesRelief
from dangbo.exchange.models import SubmittedReport
from dangbo.imports.models import ImportBatch
from dangbo.jobs.models import Job
from dangbo.meetings.models import Meeting, MeetingDocument
from dangbo.members.models import Member, TransferCase
from dangbo.orgs import services as org_services
from dangbo.orgs.models import Locality, Org
from dangbo.ratings.models import MemberRating, OrgRating, ReviewCampaign
from dangbo.restructuring.models import RestructurePlan
from urlwalk import fill, routes


def _urls(orgs, members) -> list[str]:
    """Every page and API endpoint, with every organization, locality and member id there is."""
    urls = []
    for route in routes():
        if re.search(r"<(uuid:)?campaign_id>", route):  # and an organization's part of it
            for url in fill(route, "campaign_id", ReviewCampaign.objects.values_list("pk", flat=True)):
                urls += fill(url[1:], "org_id", [org.pk for org in orgs]) if "org_id>" in url else [url]
        elif re.search(r"<(uuid:)?org_id>", route):
            urls += fill(route, "org_id", [org.pk for org in orgs])
        elif re.search(r"<(uuid:)?locality_id>", route):
            urls += fill(route, "locality_id", Locality.objects.values_list("pk", flat=True))
        elif re.search(r"<(uuid:)?member_id>", route):
            urls += fill(route, "member_id", [m.pk for m in members])
        elif re.search(r"<(uuid:)?candidate_id>", route):
            urls += fill(route, "candidate_id", Candidate.objects.values_list("pk", flat=True))
        elif re.search(r"<(uuid:)?plan_id>", route):
            urls += fill(route, "plan_id", RestructurePlan.objects.values_list("pk", flat=True))
        elif re.search(r"<(uuid:)?job_id>", route):
            urls += fill(route, "job_id", Job.objects.values_list("pk", flat=True))
        elif re.search(r"<(uuid:)?case_id>", route):
            urls += fill(route, "case_id", TransferCase.objects.values_list("pk", flat=True))
        elif re.search(r"<(uuid:)?meeting_id>", route):
            urls += fill(route, "meeting_id", Meeting.objects.values_list("pk", flat=True))
        elif re.search(r"<(uuid:)?document_id>", route):
            urls += fill(route, "document_id", MeetingDocument.objects.values_list("pk", flat=True))
        elif re.search(r"<(uuid:)?payment_id>", route):
            urls += fill(route, "payment_id", DuesPayment.objects.values_list("pk", flat=True))
        elif re.search(r"<(uuid:)?relief_id>", route):
            urls += fill(route, "relief_id", DuesRelief.objects.values_list("pk", flat=True))
        elif re.search(r"<(uuid:)?report_id>", route):
            urls += fill(route, "report_id", SubmittedReport.objects.values_list("pk", flat=True))
        elif re.search(r"<(uuid:)?rating_id>", route):
            urls += fill(
                route,
                "rating_id",
                [
                    *MemberRating.objects.values_list("pk", flat=True),
                    *OrgRating.objects.values_list("pk", flat=True),
                ],
            )
        elif re.search(r"<(uuid:)?batch_id>", route):
            urls += fill(route, "batch_id", ImportBatch.objects.values_list("pk", flat=True))
        elif "<str:import_kind>" in route:  # no id: the route for each kind of import
            urls += fill(route, "no_id", [None])
        elif re.search(r"<(int:)?user_id>", route):
            urls += fill(route, "user_id", User.objects.values_list("pk", flat=True))
        else:
            assert "<" not in route, f"a new URL parameter needs walking: {route}"
            urls.append("/" + route)
    # list and search URLs with every organization as a filter, and every export format
    for org in orgs:
        urls += [
            f"/dang-vien/?org={org.pk}",
            f"/dang-vien/xuat/?org={org.pk}&dinh-dang=csv",
            f"/api/members/?org={org.pk}",
        ]
    # the accounts and roles list filtered by every organization's code, and its export
    for org in orgs:
        urls += [f"/tai-khoan/?org={org.code}", f"/tai-khoan/xuat/?org={org.code}&dinh-dang=csv"]
    urls += ["/tai-khoan/?q=nguyen", "/tai-khoan/xuat/?dinh-dang=csv", "/tai-khoan/xuat/?dinh-dang=xlsx"]
    urls += [
        "/api/members/?q=van",
        "/dang-vien/?q=nguyen",
        "/dang-vien/xuat/?dinh-dang=csv",
        "/dang-vien/xuat/?dinh-dang=xlsx",
    ]
    # the audit trail (administrators only) by every subject, and its export
    for subject in [org.pk for org in orgs] + [m.pk for m in members]:
        urls += [f"/nhat-ky/?subject={subject}", f"/nhat-ky/xuat/?subject={subject}&dinh-dang=csv"]
    urls += ["/nhat-ky/?subject=nguyen", "/nhat-ky/xuat/?dinh-dang=csv", "/nhat-ky/xuat/?dinh-dang=xlsx"]
    # the organization pickers, asked for every organization by its name without accents and by
    # its code in lower case, within each kind of scope
    for org in orgs:
        for within in ("doc", "sua", "quan-ly"):
            urls.append(f"/to-chuc/chon/?{urlencode({'q': fold(org.name), 'pham-vi': within})}")
        urls += [f"/to-chuc/chon/?q={org.code.lower()}", f"/to-chuc/chon/?q={org.code.lower()}&loai=chi-bo"]
    return urls


@dataclass
class World:
    """``tree`` and a commune with a cell under its second district; members ``outside`` the
    second district (in ``tree``'s cells) and ``inside`` it (in ``cell2``)."""

    tree: Tree
    commune2: Org
    cell2: Org
    outside: list[Member]
    inside: list[Member]


@pytest.fixture
def world(tree, make_member) -> World:
    """Members with distinctive names in each subtree; a sibling district with its own cell."""
    commune2 = org_services.org_establish(
        code="X2",
        name="Đảng bộ xã Hai",
        kind=OrgKind.GRASSROOTS_COMMITTEE,
        parent=tree.district2,
        established_on=tree.province.created_on,
        sector=Sector.COMMUNE,
    )
    cell2 = org_services.org_establish(
        code="X2A",
        name="Chi bộ thôn Hai A",
        kind=OrgKind.CELL,
        parent=commune2,
        established_on=tree.province.created_on,
    )
    outside = [
        make_member(tree.cell_a, family_name="Phạm", given_name="Ngoàiphạmvi", national_id=""),
        make_member(tree.cell_b, family_name="Lê", given_name="Khácxóm"),
        make_member(tree.agency, family_name="Trần", given_name="Cơquanxa"),
    ]
    inside = [
        make_member(cell2, family_name="Hoàng", given_name="Trongphạmvi"),
        make_member(cell2, given_name="Đồngchí"),
    ]
    from datetime import date

    from tests.conftest import identity

    from dangbo.candidates.services import candidate_add

    candidate_add(
        identity=identity(family_name="Vũ", given_name="Cảmtìnhngoài"),
        cell=tree.cell_a,
        listed_on=date(2024, 1, 2),
    )
    candidate_add(
        identity=identity(family_name="Đỗ", given_name="Cảmtìnhtrong"), cell=cell2, listed_on=date(2024, 1, 2)
    )
    # an official transfer between two cells outside the sibling's subtree, its letter late
    from dangbo.members.services.transfers import Trigger, transfer_issue

    transfer_issue(
        member=outside[0],
        to_org=tree.cell_b,
        issued_on=date(2024, 9, 2),
        decision=DecisionRef(number="9-QĐ/ĐU"),
        trigger=Trigger(kind="residence", on=date(2024, 2, 1)),
        late_reason="other",
        late_note="Chậm",
        accept_below_minimum=True,
    )
    org_services.locality_create(
        code="X1-T9",
        kind="ban",
        name="Bản Ngoàixa",
        commune=tree.commune,
        cell=tree.cell_a,
        head_name="Trưởngbản Ngoài",
    )
    org_services.locality_create(
        code="X2-T1", kind="thon", name="Thôn Tronghai", commune=commune2, cell=cell2
    )
    # restructuring plans (previewed, not applied) naming organizations of each side
    from dangbo.restructuring.plan_uploads import restructure_plan_upload

    admin = User.objects.create_superuser("quantri-ke-hoach", password="mat-khau-dai-du-1")
    decision = "01/07/2025,15-QĐ/TU,20/06/2025,Tỉnh ủy"
    header = (
        "thao_tac,ma_to_chuc,ma_dich,ten,ngay_hieu_luc,so_quyet_dinh,ngay_quyet_dinh,co_quan_quyet_dinh\n"
    )
    restructure_plan_upload(
        file_name="Phuonganngoai.csv", data=(header + f"chuyen,X1,H2,,{decision}\n").encode(), actor=admin
    )
    restructure_plan_upload(
        file_name="Phuongantrong.csv",
        data=(header + f"doi_ten,X2A,,Chi bộ thôn Hai A mới,{decision}\n").encode(),
        actor=admin,
    )
    # files being imported, staged on each side (a batch is its uploader's alone)
    from dangbo.accounts.scope import SYSTEM
    from dangbo.imports.services import import_stage, import_upload

    columns = "Họ và tên,Ngày sinh,Giới tính,Dân tộc,Tôn giáo,Ngày vào Đảng,Chi bộ\n"
    for org, cell, name in ((tree.commune, "X1A", "Nhậpngoài"), (commune2, "X2A", "Nhậptrong")):
        row = f"Lý Văn {name},01/01/1980,Nam,Kinh,Không,01/01/2010,{cell}\n"
        batch = import_upload(
            kind="members",
            file_name=f"{name}.csv",
            data=(columns + row).encode(),
            org=org,
            actor=SYSTEM,
            user=admin,
        )
        import_stage(batch=batch)
    hold_meeting(tree.cell_a, outside[:1], held_on=date(2025, 3, 5), label="Họpngoài")
    hold_meeting(cell2, inside, held_on=date(2025, 3, 5), label="Họptrong")
    keep_dues(outside[1], note="Phíngoài")
    keep_dues(inside[0], note="Phítrong")
    review_members(tree.commune, note="Xếploạingoài")
    review_members(commune2, note="Xếploạitrong")
    # a report each commune sent up, received by the installation (its rows name the cells)
    from dangbo.accounts.scope import SYSTEM
    from dangbo.exchange import keys as exchange_keys
    from dangbo.exchange.services import package_export, package_import, peer_trust

    for commune in (tree.commune, commune2):
        peer_trust(actor=SYSTEM, user=None, org=commune, public_key=exchange_keys.public_key_text())
        package = package_export(actor=SYSTEM, org=commune, kind="member_counts")
        package_import(actor=SYSTEM, user=None, data=package.to_bytes())
    return World(tree=tree, commune2=commune2, cell2=cell2, outside=outside, inside=inside)


def _walk(client, urls, forbidden: list[str]) -> int:
    """Request every URL with GET and POST; return how many answered 200 (signed in throughout)."""
    ok = 0
    for url in urls:
        if url == "/dang-xuat/":
            continue  # signing out would turn the rest of the walk into redirects
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code < 500, (method, url, response.status_code)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            body = body.decode("utf-8", errors="replace")
            for needle in forbidden:
                assert needle not in body, f"{method.upper()} {url} shows «{needle}» from outside the scope"
            assert not (response.status_code == 302 and "/dang-nhap/" in response["Location"]), (
                f"signed out at {url}"
            )
            ok += response.status_code == 200
    return ok


def _forbidden(orgs, members) -> list[str]:
    needles = []
    for org in orgs:
        needles += [org.name, str(org.pk)]
    for member in members:
        needles += [member.given_name, str(member.pk)] + ([member.national_id] if member.national_id else [])
    return needles


def test_officer_of_a_sibling_subtree_sees_nothing_of_the_others(client, world):
    tree, cell2, outside = world.tree, world.cell2, world.outside
    officer = User.objects.create_user("canbo2", password="mat-khau-dai-du-1")
    role_grant(user=officer, role=AccessRole.OFFICER, org=tree.district2)
    role_grant(user=User.objects.create_user("bithungoai"), role=AccessRole.SECRETARY, org=tree.cell_a)
    inside_account = User.objects.create_user("bithutrong")
    role_grant(user=inside_account, role=AccessRole.SECRETARY, org=cell2)
    client.force_login(officer)
    out_orgs = [tree.province, tree.district, tree.commune, tree.cell_a, tree.cell_b, tree.agency]
    out_orgs.append(type("L", (), {"name": "Ngoàixa", "pk": Locality.objects.get(code="X1-T9").pk})())
    urls = _urls(Org.objects.all(), Member.objects.all())
    candidate_out = Candidate.objects.get(given_name="Cảmtìnhngoài")
    plan_out = RestructurePlan.objects.get(file_name="Phuonganngoai.csv")
    assert (
        _walk(
            client,
            urls,
            [
                *_forbidden(out_orgs, outside),
                "Cảmtìnhngoài",
                str(candidate_out.pk),
                "Phuonganngoai",
                str(plan_out.pk),
                "bithungoai",
                "Họpngoài",
                "Phíngoài",
                "Xếploạingoài",
                *(
                    str(pk)
                    for pk in ReviewCampaign.objects.filter(org=tree.commune).values_list("pk", flat=True)
                ),
                *(
                    str(pk)
                    for pk in MemberRating.objects.filter(member__in=outside).values_list("pk", flat=True)
                ),
                *(
                    str(pk)
                    for pk in Meeting.objects.filter(org__in=out_orgs[:6]).values_list("pk", flat=True)
                ),
                *(
                    str(pk)
                    for pk in DuesPayment.objects.filter(member__in=outside).values_list("pk", flat=True)
                ),
                *(
                    str(pk)
                    for pk in DuesRelief.objects.filter(member__in=outside).values_list("pk", flat=True)
                ),
                *(
                    str(pk)
                    for pk in SubmittedReport.objects.filter(org=tree.commune).values_list("pk", flat=True)
                ),
            ],
        )
        > 10
    )
    plan_in = RestructurePlan.objects.get(file_name="Phuongantrong.csv")
    assert "Đổi tên «Chi bộ thôn Hai A»" in client.get(f"/sap-xep-to-chuc/{plan_in.pk}/").content.decode()
    assert (
        plan_in.applied_at is None and RestructurePlan.objects.filter(applied_at__isnull=False).count() == 0
    )
    assert "Cảmtìnhtrong" in client.get(f"/to-chuc/{cell2.pk}/cam-tinh-dang/").content.decode()
    # and it does see its own
    assert "Trongphạmvi" in client.get(f"/dang-vien/?org={cell2.pk}").content.decode()
    assert client.get(f"/dang-vien/{outside[0].pk}/").status_code == 404
    assert "bithutrong" in client.get("/tai-khoan/").content.decode()  # the accounts of its own subtree
    assert client.get(f"/tai-khoan/{inside_account.pk}/").status_code == 200
    assert User.objects.get(username="bithutrong").is_active  # the walk's empty POSTs changed nothing
    assert client.get(f"/to-chuc/{tree.district.pk}/").status_code == 404
    own_report = SubmittedReport.objects.get(org=world.commune2)
    assert cell2.name in client.get(f"/trao-doi/bao-cao/{own_report.pk}/").content.decode()


def test_member_sees_only_their_own_record(client, world):
    tree, commune2, cell2 = world.tree, world.commune2, world.cell2
    outside, inside = world.outside, world.inside
    own = inside[0]
    account = User.objects.create_user("dv", password="mat-khau-dai-du-1")
    role_grant(user=account, role=AccessRole.MEMBER, member=own)
    client.force_login(account)
    all_orgs = [
        tree.province,
        tree.district,
        tree.commune,
        tree.cell_a,
        tree.cell_b,
        tree.agency,
        tree.district2,
        commune2,
    ]
    urls = _urls(Org.objects.all(), Member.objects.all())
    assert (
        _walk(
            client,
            urls,
            [
                *_forbidden(all_orgs, outside + inside[1:]),
                "Cảmtìnhngoài",
                "Cảmtìnhtrong",
                "Phuongan",
                "Họpngoài",
                "Phíngoài",
                "Xếploạingoài",
            ],
        )
        >= 2
    )
    page = client.get(f"/dang-vien/{own.pk}/").content.decode()
    assert own.given_name in page and cell2.name in page  # their own record and cell


def test_a_user_with_no_role_sees_nothing(client, world):
    tree, commune2, cell2 = world.tree, world.commune2, world.cell2
    outside, inside = world.outside, world.inside
    client.force_login(User.objects.create_user("khach", password="mat-khau-dai-du-1"))
    everything = [
        tree.province,
        tree.district,
        tree.commune,
        tree.cell_a,
        tree.cell_b,
        tree.agency,
        tree.district2,
        commune2,
        cell2,
    ]
    _walk(
        client,
        _urls(Org.objects.all(), Member.objects.all()),
        [
            *_forbidden(everything, outside + inside),
            "Cảmtìnhngoài",
            "Cảmtìnhtrong",
            "Phuongan",
            "Họp",
            "Phíngoài",
            "Phítrong",
        ],
    )


def test_signed_out_visitor_is_sent_to_sign_in(client, world):
    for url in _urls(Org.objects.all(), Member.objects.all()):
        if url.startswith(("/dang-nhap", "/healthz", "/dang-xuat", "/api/docs", "/api/openapi.json")):
            continue
        response = client.get(url)
        if url.startswith("/api/"):
            assert response.status_code in (401, 404, 405), url  # 405: POST only; 404: the bare prefix
            continue
        assert response.status_code == 302 and re.search(r"/dang-nhap/", response["Location"]), url
