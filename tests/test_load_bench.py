"""bench/load.py's accounts and addresses (pick_targets) on a small tree: every address is
within the account's scope, every level of it is there, the searches come with and without
diacritics, and each page answers the account. No timing here (bench/results/load.md)."""

from __future__ import annotations

import importlib.util
import random
import sys
import unicodedata
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.auth import get_user_model

from dangbo.core import paths, text
from dangbo.core.kinds import OrgKind
from dangbo.members.models import Member
from dangbo.orgs.models import Org

BENCH = Path(__file__).resolve().parent.parent / "bench" / "load.py"


@pytest.fixture(scope="module")
def load():
    spec = importlib.util.spec_from_file_location("bench_load", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_load"] = module  # its dataclass looks its module up
    spec.loader.exec_module(module)
    yield module
    del sys.modules["bench_load"]


@pytest.fixture
def province(populated, make_member):
    for cell in (populated.cell_a, populated.cell_b, populated.agency):
        make_member(cell, admitted_on=date(2018, 5, 1), family_name="Lò", given_name="Thị Hà")
    return populated


def _org_ids(urls: list[str], suffix: str) -> set[str]:
    return {u.removeprefix("/to-chuc/").removesuffix(suffix).rstrip("/") for u in urls}


def test_accounts_are_leaders_of_the_province_and_officers_of_the_upper_committees(load, province):
    accounts = load.ensure_accounts(5)
    roles = [(a.username, a.role, a.org_id) for a in accounts]
    assert roles[0] == ("bench-lanhdao-01", "leader", str(province.province.pk))
    officers = [r for r in roles if r[1] == "officer"]
    assert {r[2] for r in officers} == {str(province.district.pk), str(province.district2.pk)}
    assert len(officers) == 4
    # a second run reuses them
    assert [a.username for a in load.ensure_accounts(5)] == [r[0] for r in roles]
    assert get_user_model().objects.filter(username__startswith="bench-").count() == 5


def test_addresses_stay_in_scope_cover_every_level_and_answer(load, province, client):
    leader, officer = load.ensure_accounts(2)
    for account in (leader, officer):
        urls = load.pick_targets(account, random.Random(3))
        assert set(urls) == set(load.WEIGHTS)
        in_scope = set(
            map(
                str,
                Org.objects.filter(paths.subtree_q(account.org_path)).values_list("pk", flat=True),
            )
        )
        pages = _org_ids(urls["org_page"], "")
        assert account.org_id in pages and pages <= in_scope
        assert _org_ids(urls["dashboard"], "chi-tieu/") == pages
        kinds = set(Org.objects.filter(pk__in=pages).values_list("kind", flat=True))
        assert kinds == set(Org.objects.filter(pk__in=in_scope).values_list("kind", flat=True))
        member_ids = {u.split("/")[2] for u in urls["profile"]}
        assert member_ids
        assert {str(m.org_id) for m in Member.objects.filter(pk__in=member_ids)} <= in_scope
        plain = [parse_qs(urlparse(u).query)["q"][0] for u in urls["search_plain"]]
        accented = [parse_qs(urlparse(u).query)["q"][0] for u in urls["search_accented"]]
        assert plain and accented
        assert all(q == text.fold(q) for q in plain)
        assert all(
            q != text.fold(q) and any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", q))
            for q in accented
        )
        # each is a name of a member in scope, as typed
        names = [
            set(text.fold(m.full_name).split())
            for m in Member.objects.filter(paths.subtree_q(account.org_path, "org_path"))
        ]
        assert all(any(set(q.split()) <= name for name in names) for q in plain)

        signed_in = client.post("/dang-nhap/", {"username": account.username, "password": load.PASSWORD})
        assert signed_in.status_code == 302 and signed_in.url == "/"  # no password change asked
        for kind, addresses in urls.items():
            for url in addresses:
                assert client.get(url).status_code == 200, (kind, url)
        client.logout()
    assert {
        o.kind
        for o in Org.objects.filter(
            pk__in=_org_ids(load.pick_targets(leader, random.Random(1))["org_page"], "")
        )
    } >= {
        OrgKind.PROVINCE,
        OrgKind.UPPER,
        OrgKind.GRASSROOTS_COMMITTEE,
        OrgKind.CELL,
        OrgKind.GRASSROOTS_CELL,
    }


def test_figures_leave_the_sign_in_out_of_the_overall(load):
    records = [["org_page", 100.0, True, None, 0.0], ["org_page", 300.0, False, "500", 1.0]]
    records += [["sign_in", 2000.0, True, None, 0.5], ["search_plain", 50.0, True, None, 2.0]]
    result = load.figures(records, seconds=99)
    assert result["overall"]["requests"] == 3 and result["overall"]["errors"] == 1
    assert result["overall"]["max_ms"] == 300.0
    assert result["overall"]["per_second"] == 1.5  # 3 pages over the 2 s from first to last
    assert result["kinds"]["sign_in"]["p50_ms"] == 2000.0
    assert result["error_kinds"] == {"org_page: 500": 1}
