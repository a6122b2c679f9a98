"""Organizations told apart (issue 23): every list names an organization with the grassroots
organization it belongs to and its code on hover (``orgs.labels``, the ``org_label`` tag); every
field that takes an organization is a picker searched by name or code, accents and case aside,
within the user's scope (``orgs.selectors.org_pick``, ``/to-chuc/chon/``); codes typed by hand
are matched in any case; lists of organizations are in Vietnamese order (``Org.sort_key``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from importlib import import_module

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext

from dangbo.accounts.models import AccessRole
from dangbo.accounts.scope import SYSTEM, scope_for
from dangbo.accounts.services import role_grant
from dangbo.core.kinds import OrgKind, Sector
from dangbo.core.text import org_sort_key
from dangbo.orgs import services as org_services
from dangbo.orgs.labels import org_labels, org_labels_attach, org_tree_sorted
from dangbo.orgs.models import Org
from dangbo.orgs.selectors import PickScope, org_find_code, org_pick, org_writable_by_code

ON = date(2015, 1, 1)
PASSWORD = "mat-khau-dai-du-1"


def _org(code, name, parent, kind=OrgKind.CELL, **extra):
    return org_services.org_establish(
        code=code,
        name=name,
        kind=kind,
        parent=parent,
        established_on=ON,
        sector=extra.pop("sector", Sector.RESIDENTIAL),
        **extra,
    )


@dataclass
class Wards:
    """Two grassroots committees under ``tree.district``, each with a «Chi bộ Tổ dân phố số 1»;
    the ward has a partial committee with a cell of its own."""

    ward: Org
    ward_cell: Org
    commune_cell: Org
    block: Org
    block_cell: Org


@pytest.fixture
def wards(tree) -> Wards:
    ward = _org(
        "KT", "Đảng bộ phường Kim Tân", tree.district, OrgKind.GRASSROOTS_COMMITTEE, sector=Sector.WARD
    )
    block = _org("KT-K1", "Đảng bộ bộ phận Khối 1", ward, OrgKind.SUB_COMMITTEE, formation_approval="5-CV/ĐU")
    return Wards(
        ward=ward,
        ward_cell=_org("KT-01", "Chi bộ Tổ dân phố số 1", ward),
        commune_cell=_org("X1-01", "Chi bộ Tổ dân phố số 1", tree.commune),
        block=block,
        block_cell=_org("KT-K1-02", "Chi bộ Tổ dân phố số 2", block),
    )


def _user(username: str, role: str, org: Org | None) -> User:
    user = User.objects.create_user(username, password=PASSWORD)
    role_grant(user=user, role=role, org=org)
    return user


# --- the label ---------------------------------------------------------------------------------


def test_a_label_names_the_grassroots_organization_above(tree, wards):
    orgs = [wards.ward_cell, wards.commune_cell, wards.block_cell, wards.ward, tree.province, tree.agency]
    org_labels_attach(actor=SYSTEM, orgs=[*orgs, None])
    assert wards.ward_cell.label == "Chi bộ Tổ dân phố số 1 · Đảng bộ phường Kim Tân"
    assert wards.commune_cell.label == "Chi bộ Tổ dân phố số 1 · Đảng bộ xã Một"
    # through the partial committee, up to the grassroots committee and no further
    assert (
        wards.block_cell.label == "Chi bộ Tổ dân phố số 2 · Đảng bộ bộ phận Khối 1 · Đảng bộ phường Kim Tân"
    )
    # a grassroots organization (committee or cell) is named with the one directly above it
    assert wards.ward.label == "Đảng bộ phường Kim Tân · Huyện ủy Một"
    assert tree.agency.label == "Chi bộ Cơ quan Một · Huyện ủy Một"
    assert tree.province.label == "Đảng bộ tỉnh Mẫu" and tree.province.label_context == ""


def test_a_label_names_only_what_the_reader_may_see(tree, wards):
    secretary = scope_for(_user("bithu", AccessRole.SECRETARY, wards.ward_cell))
    org_labels_attach(actor=secretary, orgs=[wards.ward_cell])
    assert wards.ward_cell.label == "Chi bộ Tổ dân phố số 1"  # the ward is above their scope
    officer = scope_for(_user("canbo-phuong", AccessRole.OFFICER, wards.ward))
    org_labels_attach(actor=officer, orgs=[wards.ward_cell, wards.block_cell, wards.ward])
    assert wards.ward_cell.label_context == "Đảng bộ phường Kim Tân"
    assert wards.block_cell.label_context == "Đảng bộ bộ phận Khối 1 · Đảng bộ phường Kim Tân"
    assert wards.ward.label_context == ""  # not «Huyện ủy Một»
    member_scope = scope_for(User.objects.create_user("khach"))
    assert (
        org_labels(actor=member_scope, org_ids=[wards.ward_cell.pk])[wards.ward_cell.pk].label_context == ""
    )


def test_labelling_a_whole_list_takes_one_query(tree, wards, django_assert_num_queries):
    communes = [
        _org(
            f"X{n}", f"Đảng bộ xã Số {n}", tree.district, OrgKind.GRASSROOTS_COMMITTEE, sector=Sector.COMMUNE
        )
        for n in range(2, 6)
    ]
    cells = [
        _org(f"X{n}-{k}", f"Chi bộ thôn {k}", commune) for n, commune in enumerate(communes) for k in range(6)
    ]
    cells += [wards.block_cell, wards.ward_cell]
    fresh = list(Org.objects.filter(pk__in=[c.pk for c in cells]))
    with django_assert_num_queries(1):
        org_labels_attach(actor=SYSTEM, orgs=fresh)
    assert {org.label_context for org in fresh} >= {f"Đảng bộ xã Số {n}" for n in range(2, 6)}
    with django_assert_num_queries(2):  # by id: the organizations, then their ancestors
        labels = org_labels(actor=SYSTEM, org_ids=[c.pk for c in cells])
    assert labels[wards.ward_cell.pk].label == "Chi bộ Tổ dân phố số 1 · Đảng bộ phường Kim Tân"
    with django_assert_num_queries(1):
        ordered = org_tree_sorted(fresh)
    assert ordered.index(next(o for o in fresh if o.code == "X2-0")) < ordered.index(
        next(o for o in fresh if o.code == "X3-0")
    )


def test_the_tag_shows_the_code_on_hover_and_escapes(tree, wards):
    org_labels_attach(actor=SYSTEM, orgs=[wards.ward_cell])
    html = Template("{% load vn %}{% org_label org link %}").render(
        Context({"org": wards.ward_cell, "link": "/x/"})
    )
    assert html == (
        '<a href="/x/" title="Mã KT-01">Chi bộ Tổ dân phố số 1</a>'
        '<span class="org-context"> · Đảng bộ phường Kim Tân</span>'
    )
    evil = _org("X1-S", "Chi bộ <script>x</script>", tree.commune)
    html = Template("{% load vn %}{% org_label org %}").render(Context({"org": evil}))
    assert (
        html == '<span title="Mã X1-S">Chi bộ &lt;script&gt;x&lt;/script&gt;</span>'
    )  # unlabelled: the name


def test_lists_name_each_cell_with_its_commune(client, tree, wards, make_member):
    officer = _user("canbo", AccessRole.OFFICER, tree.district)
    client.force_login(officer)
    make_member(wards.ward_cell, given_name="Phường")
    make_member(wards.commune_cell, given_name="Xã")
    html = client.get("/dang-vien/").content.decode()
    assert (
        'title="Mã KT-01">Chi bộ Tổ dân phố số 1</span><span class="org-context"> · Đảng bộ phường Kim Tân'
        in html
    )
    assert 'title="Mã X1-01">Chi bộ Tổ dân phố số 1</span><span class="org-context"> · Đảng bộ xã Một' in html

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/dang-vien/").status_code == 200
        return len(captured)

    before = queries()
    for n, cell in enumerate([_org(f"X1-{n:02d}", f"Chi bộ thôn {n}", tree.commune) for n in range(2, 8)]):
        make_member(cell, given_name=f"Thêm{n}")
    assert queries() == before  # no query per row


def test_home_lists_of_cells_are_labelled_and_in_the_trees_order(client, tree, wards):
    client.force_login(_user("canbo", AccessRole.OFFICER, tree.district))
    html = client.get("/sinh-hoat/").content.decode()
    assert 'Chi bộ Tổ dân phố số 1</a><span class="org-context"> · Đảng bộ phường Kim Tân' in html
    # each committee followed by its cells; committees, and cells, in Vietnamese order
    # («phường» before «xã»; «thôn» before «Tổ»)
    codes = ['Mã KT"', "Mã KT-01", "Mã KT-K1-02", 'Mã X1"', "Mã X1A", "Mã X1-01"]
    assert [html.index(code) for code in codes] == sorted(html.index(code) for code in codes)


# --- the picker -----------------------------------------------------------------------------------


def _pick(client, q, **params) -> list[dict]:
    response = client.get("/to-chuc/chon/", {"q": q, **params})
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    return response.json()["results"]


def test_the_picker_finds_by_name_without_accents_and_by_code_in_any_case(client, tree, wards):
    client.force_login(_user("canbo", AccessRole.OFFICER, tree.district))
    found = _pick(client, "to dan pho so 1")
    # the same name twice, told apart (not «số 2», though its code holds a «1»: words begin)
    assert [(r["code"], r["context"]) for r in found] == [
        ("X1-01", "Đảng bộ xã Một"),
        ("KT-01", "Đảng bộ phường Kim Tân"),
    ]
    block = _pick(client, "to dan pho so")[2]
    assert (block["code"], block["context"]) == (
        "KT-K1-02",
        "Đảng bộ bộ phận Khối 1 · Đảng bộ phường Kim Tân",
    )
    assert _pick(client, "an pho") == []  # not inside a word
    assert found[1]["label"] == "Chi bộ Tổ dân phố số 1 · Đảng bộ phường Kim Tân"
    assert found[1]["name"] == "Chi bộ Tổ dân phố số 1" and found[1]["kind"] == "Chi bộ trực thuộc"
    assert [r["code"] for r in _pick(client, "KIM TÂN")] == ["KT"]
    assert [r["code"] for r in _pick(client, "ĐẢNG BỘ PHƯỜNG kim tan")] == ["KT"]
    assert _pick(client, "x1a")[0]["code"] == "X1A"  # the code typed, first
    assert [r["code"] for r in _pick(client, "thon a")] == ["X1A"]
    assert {r["code"] for r in _pick(client, "phuong", loai="chi-bo")} == set()  # no cell in its name
    assert {r["code"] for r in _pick(client, "kt", loai="chi-bo")} == {"KT-01", "KT-K1-02"}
    assert _pick(client, " ") == [] and _pick(client, "\x00") == []


def test_the_picker_keeps_to_the_scope(client, tree, wards):
    other = _org("X2", "Đảng bộ xã Hai", tree.district2, OrgKind.GRASSROOTS_COMMITTEE, sector=Sector.COMMUNE)
    _org("X2-01", "Chi bộ Tổ dân phố số 1", other)
    client.force_login(_user("canbo2", AccessRole.OFFICER, tree.district2))
    assert [r["code"] for r in _pick(client, "to dan pho")] == ["X2-01"]
    assert _pick(client, "kim tan") == [] and _pick(client, "x1a") == [] and _pick(client, "thon a") == []
    body = client.get("/to-chuc/chon/", {"q": "chi bo"}).content.decode()
    assert "Kim Tân" not in body and "Đảng bộ xã Một" not in body
    # a leader reads but changes nothing: nothing to choose where a field changes the tree
    client.force_login(_user("lanhdao", AccessRole.LEADER, tree.district))
    assert {r["code"] for r in _pick(client, "kim tan")} == {"KT"}
    assert _pick(client, "kim tan", **{"pham-vi": "sua"}) == []
    assert _pick(client, "kim tan", **{"pham-vi": "quan-ly"}) == []
    assert {r["code"] for r in _pick(client, "kim tan", **{"pham-vi": "khac"})} == {"KT"}  # read, the default
    # a secretary of a cell finds it, and nothing else
    client.force_login(_user("bithu", AccessRole.SECRETARY, wards.ward_cell))
    assert [(r["code"], r["context"]) for r in _pick(client, "chi bo", **{"pham-vi": "sua"})] == [
        ("KT-01", "")
    ]
    client.logout()
    assert client.get("/to-chuc/chon/", {"q": "chi bo"}).status_code == 302  # to the sign-in page


def test_the_picker_selector_orders_by_name_after_the_exact_code(tree, wards):
    found = org_pick(actor=SYSTEM, query="chi bo to dan pho")
    assert [o.code for o in found] == sorted(
        [o.code for o in found], key=lambda c: Org.objects.get(code=c).sort_key
    )
    assert [o.code for o in org_pick(actor=SYSTEM, query="kt-k1")][:1] == ["KT-K1"]
    assert len(org_pick(actor=SYSTEM, query="chi", limit=3)) == 3
    dissolved = _org("X1-GT", "Chi bộ Giải Thể", tree.commune)
    Org.objects.filter(pk=dissolved.pk).update(dissolved_on=date(2020, 1, 1))
    assert org_pick(actor=SYSTEM, query="giai the") == []
    assert org_pick(actor=SYSTEM, query="kim tan", within=PickScope.WRITE)  # an administrator


def test_fields_that_take_an_organization_are_pickers(client, tree, wards, make_member):
    client.force_login(_user("canbo", AccessRole.OFFICER, tree.province))
    member = make_member(wards.ward_cell)
    pages = {
        f"/to-chuc/{wards.ward.pk}/chuyen-truc-thuoc/": 'name="parent_code"',
        f"/to-chuc/{wards.ward.pk}/hop-nhat/": 'name="source_codes"',
        f"/to-chuc/{wards.ward.pk}/chia-tach/": 'name="target_codes"',
        "/nhap-du-lieu/": 'name="org_code"',
        f"/dang-vien/{member.pk}/chuyen-sinh-hoat/": 'name="to_code"',
        f"/to-chuc/{tree.district.pk}/chi-tieu/": 'name="to-chuc"',
        "/tai-khoan/": 'name="org"',
    }
    for url, field in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        tag = next(t for t in html.split("<input")[1:] if field in t.split(">")[0])
        assert 'data-org-picker="/to-chuc/chon/?pham-vi=' in tag and 'autocomplete="off"' in tag, url
    assert "dangbo/orgpicker.js" in html


# --- codes typed by hand ---------------------------------------------------------------------------


def test_a_code_typed_by_hand_is_matched_in_any_case(tree, wards):
    assert org_find_code(" x1a ") == tree.cell_a and org_find_code("kt-k1-02") == wards.block_cell
    assert org_find_code("") is None and org_find_code("khong-co") is None
    twin = _org("x1a", "Chi bộ chữ thường", tree.commune)  # codes differing only in case: exact wins
    assert (
        org_find_code("x1a") == twin and org_find_code("X1A") == tree.cell_a and org_find_code("X1a") is None
    )
    officer = scope_for(_user("canbo", AccessRole.OFFICER, tree.commune))
    assert org_writable_by_code(actor=officer, code="x1b") == tree.cell_b


def test_the_report_scope_is_chosen_by_code_in_any_case(client, tree, wards):
    client.force_login(_user("canbo", AccessRole.OFFICER, tree.district))
    response = client.get(f"/to-chuc/{tree.district.pk}/chi-tieu/", {"to-chuc": "kt", "ngay": "01/01/2025"})
    assert response.status_code == 302
    assert response["Location"] == f"/to-chuc/{wards.ward.pk}/chi-tieu/?ngay=01/01/2025"
    response = client.get(f"/to-chuc/{tree.district.pk}/co-cau/", {"to-chuc": "x1"})
    assert response["Location"] == f"/to-chuc/{tree.commune.pk}/co-cau/"
    response = client.get(f"/to-chuc/{tree.district.pk}/chi-tieu/members.total/", {"to-chuc": "X1A"})
    assert response["Location"] == f"/to-chuc/{tree.cell_a.pk}/chi-tieu/members.total/"
    refused = client.get(f"/to-chuc/{tree.district.pk}/chi-tieu/", {"to-chuc": "h2"})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "Không có tổ chức mã «h2» trong phạm vi của anh/chị." in html and "Huyện ủy Hai" not in html


def test_a_transfer_destination_typed_in_lower_case(tree, wards):
    from dangbo.members.forms import TransferIssueForm

    form = TransferIssueForm(
        {
            "to_code": "kt-01",
            "trigger_kind": "residence",
            "trigger_on": "01/02/2025",
            "issued_on": "02/02/2025",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["to_org"] == wards.ward_cell


# --- Vietnamese order ------------------------------------------------------------------------------


def test_organization_names_sort_the_vietnamese_way():
    names = ["Chi bộ Dương Quỳ", "Chi bộ Dền Sáng", "Đảng bộ xã Ngũ Chỉ Sơn", "Đảng bộ xã Nậm Chày"]
    assert sorted(names, key=org_sort_key) == [
        "Chi bộ Dền Sáng",
        "Chi bộ Dương Quỳ",
        "Đảng bộ xã Nậm Chày",
        "Đảng bộ xã Ngũ Chỉ Sơn",
    ]
    numbered = ["Chi bộ Tổ dân phố số 10", "Chi bộ Tổ dân phố số 2", "Chi bộ Tổ dân phố số 1"]
    assert sorted(numbered, key=org_sort_key) == [numbered[2], numbered[1], numbered[0]]
    assert org_sort_key("A" * 255 + " 1" * 200).isdigit() and len(org_sort_key("1 " * 300)) <= 800


def test_children_are_listed_in_vietnamese_order(client, tree):
    # established in the order a code-point sort gives: «Dương» before «Dền», «Ngũ» before «Nậm»
    _org("X1-DQ", "Chi bộ Dương Quỳ", tree.commune)
    _org("X1-DS", "Chi bộ Dền Sáng", tree.commune)
    _org(
        "H1-NCS", "Đảng bộ xã Ngũ Chỉ Sơn", tree.district, OrgKind.GRASSROOTS_COMMITTEE, sector=Sector.COMMUNE
    )
    _org("H1-NC", "Đảng bộ xã Nậm Chày", tree.district, OrgKind.GRASSROOTS_COMMITTEE, sector=Sector.COMMUNE)
    client.force_login(_user("canbo", AccessRole.OFFICER, tree.district))
    for url in (f"/to-chuc/{tree.commune.pk}/", f"/to-chuc/{tree.commune.pk}/nhanh/"):
        html = client.get(url).content.decode()
        assert html.index("Chi bộ Dền Sáng") < html.index("Chi bộ Dương Quỳ"), url
    for url in (
        f"/to-chuc/{tree.district.pk}/",
        f"/to-chuc/{tree.district.pk}/nhanh/",
        f"/to-chuc/{tree.district.pk}/chi-tieu/",
        f"/to-chuc/{tree.district.pk}/chi-tieu/members.total/",
        f"/to-chuc/{tree.district.pk}/nhanh/?ngay=01/01/2024",
    ):
        html = client.get(url).content.decode()
        assert html.index("Nậm Chày") < html.index("Ngũ Chỉ Sơn"), url
    # a rename moves the organization to its new place
    org_services.org_rename(
        org=Org.objects.get(code="X1-DS"), name="Chi bộ Xà Phìn", effective_on=date(2025, 1, 1)
    )
    html = client.get(f"/to-chuc/{tree.commune.pk}/").content.decode()
    assert html.index("Chi bộ Dương Quỳ") < html.index("Chi bộ Xà Phìn")
    found = org_pick(actor=SYSTEM, query="chi bo")
    assert [o.name for o in found].index("Chi bộ Dương Quỳ") < [o.name for o in found].index("Chi bộ Xà Phìn")


def test_the_migration_fills_the_keys_of_existing_organizations(tree):
    Org.objects.update(sort_key="", search_key="")
    import_module("dangbo.orgs.migrations.0006_org_sort_and_search_keys").fill_keys(apps, None)
    cell = Org.objects.get(code="X1A")
    assert cell.sort_key == org_sort_key("Chi bộ thôn A") and cell.search_key == "x1a chi bo thon a"
    assert not Org.objects.filter(sort_key="").exists()
