"""Counting stops at a cap, so a broad search over a province costs what its page costs."""

from django.contrib.auth.models import User

from dangbo.accounts.models import AccessRole
from dangbo.accounts.services import role_grant
from dangbo.audit.models import AuditEntry
from dangbo.audit.services import Action
from dangbo.core.pagination import CappedPaginator
from dangbo.members.models import Member


def test_count_stops_at_the_cap_and_says_so(tree, make_member):
    for _ in range(7):
        make_member(tree.cell_a)
    members = Member.objects.order_by("sort_key", "id")
    capped = CappedPaginator(members, 2, cap=5)
    assert (capped.count, capped.capped, capped.num_pages) == (5, True, 3)
    assert len(capped.page(3).object_list) == 1  # the last page ends at the cap
    exact = CappedPaginator(members, 2, cap=7)
    assert (exact.count, exact.capped) == (7, False)
    known = CappedPaginator(members, 2, cap=5, known_count=7)
    assert (known.count, known.capped, known.num_pages) == (7, False, 4)
    # the first cap + 1 rows read at once (a search's one pass): counted and paged without a query
    head = list(members.values_list("pk", flat=True)[:6])
    listed = CappedPaginator(head, 2, cap=5)
    assert (listed.count, listed.capped, listed.num_pages) == (5, True, 3)
    assert list(listed.page(2).object_list) == head[2:4]
    few = CappedPaginator(head[:3], 2, cap=5)
    assert (few.count, few.capped, few.num_pages) == (3, False, 2)


def test_a_search_over_the_cap_says_more_than_and_audits_it(client, tree, make_member, monkeypatch):
    monkeypatch.setattr("dangbo.core.pagination.COUNT_CAP", 3)
    for _ in range(5):
        make_member(tree.cell_a, family_name="Lò")
    user = User.objects.create_user("canbo", password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.OFFICER, org=tree.commune)
    client.force_login(user)
    html = client.get("/dang-vien/", {"q": "lo"}).content.decode()
    assert "Kết quả: hơn 3 đảng viên" in html and "xuất danh sách để có đủ mọi người" in html
    entry = AuditEntry.objects.filter(action=Action.SEARCHED).order_by("-seq").first()
    assert entry.data["rows"] == 3 and entry.data["rows_capped"] is True
    body = client.get("/api/members/", {"q": "lo"}).json()
    assert body["count"] == 3 and body["count_capped"] is True
