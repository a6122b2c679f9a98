"""Pages in a real browser: Debian's Chromium driven by Playwright."""

import re

from django.contrib.auth.models import User
from tests.browser import BROWSER, sign_in

from dangbo.core import clock
from dangbo.demo.generator import build_demo
from dangbo.demo.profiles import PROFILES
from dangbo.reference.loader import load_all

pytestmark = BROWSER


def test_sign_in_and_see_the_province_overview(live_server, page, transactional_db):
    load_all()  # an earlier transactional test's flush may have emptied the code lists
    User.objects.create_superuser("quantri", password="mat-khau-thu-1")
    summary = build_demo(PROFILES["tiny"], seed=5, progress=lambda line: None)
    page.goto(live_server.url + "/")
    assert page.get_by_role("heading", name="Đăng nhập").is_visible()
    page.get_by_label("Tên đăng nhập").fill("quantri")
    page.get_by_label("Mật khẩu").fill("mat-khau-thu-1")
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("heading", name="Tổng quan").wait_for()
    assert page.get_by_role("heading", name="Đảng bộ tỉnh Lào Cai").is_visible()
    assert str(summary.members) in page.locator(".figures").inner_text()
    page.set_viewport_size({"width": 375, "height": 740})  # a phone
    assert page.get_by_role("button", name="Đăng xuất").is_visible()
    page.get_by_role("button", name="Đăng xuất").click()
    page.get_by_role("heading", name="Đăng nhập").wait_for()


def test_secretary_finds_a_member_by_unaccented_name_and_is_refused_another_cell(
    live_server, page, transactional_db
):
    from dangbo.accounts.scope import scope_for
    from dangbo.core.text import fold
    from dangbo.demo.accounts import demo_logins
    from dangbo.members.models import Member

    load_all()
    build_demo(PROFILES["tiny"], seed=5, progress=lambda line: None)
    logins = {login.username: login for login in demo_logins()}
    scope = scope_for(User.objects.get(username="bithu"))
    own = Member.objects.filter(scope.members_q()).exclude(national_id=None).order_by("sort_key").first()
    other = Member.objects.exclude(org_path__startswith=scope.read_paths[0]).order_by("sort_key").first()

    sign_in(page, live_server.url, "bithu", logins["bithu"].password, landing=None)
    page.get_by_role("link", name="Tìm đảng viên").click()
    page.get_by_label("Họ tên, số thẻ hoặc số định danh").fill(fold(own.full_name))
    page.get_by_role("button", name="Tìm").click()
    # htmx swaps the results in, then pushes the search's address after its settle delay; a click on a
    # result in between has its navigation cancelled by that pushState. A person cannot click that fast.
    page.wait_for_url(re.compile(r"[?&]q=[^&]"))
    page.get_by_role("link", name=own.full_name).first.click()
    page.get_by_role("heading", name=own.full_name).wait_for()
    assert own.national_id not in page.content()
    page.get_by_role("button", name="Hiện số đầy đủ").click()
    page.get_by_text(own.national_id).wait_for()
    assert page.get_by_role("heading", name="Quá trình sinh hoạt đảng").is_visible()

    response = page.goto(f"{live_server.url}/dang-vien/{other.pk}/")
    assert response.status == 404 and other.full_name not in page.content()
    assert page.get_by_role("heading", name="Không tìm thấy").is_visible()

    # the export link of the filtered list (browser downloads do not work here: fetch it with the session)
    page.goto(f"{live_server.url}/dang-vien/?q={fold(own.given_name)}")
    href = page.get_by_role("link", name="CSV").get_attribute("href")
    exported = page.request.get(live_server.url + href)
    assert (
        exported.status == 200 and own.full_name in exported.text() and other.full_name not in exported.text()
    )


def test_tree_branches_open_on_demand(live_server, page, transactional_db):
    from dangbo.demo.accounts import demo_logins

    load_all()
    build_demo(PROFILES["tiny"], seed=5, progress=lambda line: None)
    logins = {login.username: login for login in demo_logins()}
    sign_in(page, live_server.url, "lanhdao", logins["lanhdao"].password, landing=None)
    page.get_by_role("link", name="Cây tổ chức").click()
    toggle = page.locator("button.toggle").first
    branch = page.locator(".sub").first
    assert toggle.get_attribute("aria-expanded") == "false" and branch.is_hidden()
    toggle.focus()
    page.keyboard.press("Enter")  # the tree opens from the keyboard
    branch.locator("li").first.wait_for()
    assert toggle.get_attribute("aria-expanded") == "true" and "Đang tải" not in branch.inner_text()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "false" and branch.is_hidden()


def test_officer_edits_a_field_and_sees_it_in_the_history(live_server, page, transactional_db):
    from dangbo.demo.accounts import demo_logins
    from dangbo.members.models import Member

    load_all()
    build_demo(PROFILES["tiny"], seed=5, progress=lambda line: None)
    logins = {login.username: login for login in demo_logins()}
    member = Member.objects.order_by("sort_key").first()
    sign_in(page, live_server.url, "canbo", logins["canbo"].password, landing=None)
    page.goto(f"{live_server.url}/dang-vien/{member.pk}/")
    page.get_by_role("link", name="Sửa hồ sơ").click()
    page.get_by_label("Nơi làm việc").fill("Trường Tiểu học Bản Vược")
    page.get_by_role("button", name="Lưu").click()
    page.get_by_text("Đã lưu hồ sơ.").wait_for()
    history = page.locator("section", has=page.get_by_role("heading", name="Chỉnh sửa hồ sơ"))
    assert "Trường Tiểu học Bản Vược" in history.inner_text() and "canbo" in history.inner_text()


def test_official_transfer_seen_from_both_sides(live_server, page, transactional_db):
    """The sender issues the letter; both sides see the case; the receiver confirms arrival."""
    from datetime import timedelta

    from dangbo.accounts.models import AccessRole
    from dangbo.accounts.services import role_grant
    from dangbo.core.kinds import CELL_KINDS
    from dangbo.members.models import Member
    from dangbo.orgs.models import Org

    load_all()
    build_demo(PROFILES["tiny"], seed=5, progress=lambda line: None)
    cells = list(
        Org.objects.filter(kind__in=CELL_KINDS, members__status__in=("full", "probationary"))
        .distinct()
        .order_by("path")[:2]
    )
    member = Member.objects.filter(org=cells[0], status="full").order_by("sort_key").first()
    sender = User.objects.create_user("noidi", password="mat-khau-dai-du-1")
    role_grant(user=sender, role=AccessRole.OFFICER, org=cells[0])
    receiver = User.objects.create_user("noiden", password="mat-khau-dai-du-1")
    role_grant(user=receiver, role=AccessRole.OFFICER, org=cells[1])
    issued = (clock.today() - timedelta(days=3)).strftime("%d/%m/%Y")

    sign_in(page, live_server.url, "noidi", "mat-khau-dai-du-1", landing=None)
    page.goto(f"{live_server.url}/dang-vien/{member.pk}/")
    page.get_by_role("link", name="Chuyển sinh hoạt đảng").click()
    page.get_by_label("Mã tổ chức nơi chuyển đến").fill(cells[1].code)
    page.get_by_label("Căn cứ chuyển sinh hoạt").select_option("new_post")
    page.get_by_label("Số quyết định làm căn cứ").fill("12/QĐ-UBND")
    page.get_by_label("Ngày của căn cứ").fill(issued)
    page.get_by_label("Ngày giới thiệu chuyển").fill(issued)
    below = page.get_by_label("Tôi đã biết chi bộ sẽ dưới 3 đảng viên chính thức")
    if below.count():  # a small demo cell: the Charter art. 21 warning must be confirmed
        below.check()
    page.get_by_role("button", name="Giới thiệu chuyển").click()
    page.get_by_text("chờ nơi đến xác nhận").wait_for()
    page.goto(f"{live_server.url}/to-chuc/{cells[0].pk}/chuyen-sinh-hoat/")
    row = page.get_by_role("row", name=member.full_name)
    assert "chuyển đi" in row.inner_text() and "Xác nhận tiếp nhận" not in row.inner_text()
    page.get_by_role("button", name="Đăng xuất").click()

    sign_in(page, live_server.url, "noiden", "mat-khau-dai-du-1", landing=None)
    soon = (clock.today() + timedelta(days=20)).strftime("%d/%m/%Y")
    page.goto(f"{live_server.url}/viec-can-lam/?ngay={soon}")  # the letter falls due within 30 days of then
    assert member.full_name in page.content()
    page.goto(f"{live_server.url}/to-chuc/{cells[1].pk}/chuyen-sinh-hoat/")
    page.get_by_role("link", name=f"Xác nhận tiếp nhận {member.full_name}").click()
    page.get_by_label("Ngày đảng viên đến sinh hoạt (xuất trình giấy giới thiệu)").fill(
        clock.today().strftime("%d/%m/%Y")
    )
    page.get_by_role("button", name="Xác nhận tiếp nhận").click()
    page.get_by_text(f"Đã tiếp nhận {member.full_name}").wait_for()
    page.goto(f"{live_server.url}/dang-vien/{member.pk}/")
    assert page.get_by_role("heading", name=member.full_name).is_visible()
    assert "Chuyển sinh hoạt đảng chính thức" in page.content()


def test_candidate_taken_from_the_register_to_full_member(live_server, page, transactional_db):
    """A cell's officer lists a candidate, records every step of the admission procedure in
    order, holds the ceremony, and after the 12 months of probation records recognition."""
    from datetime import timedelta

    from dangbo.accounts.models import AccessRole
    from dangbo.accounts.services import role_grant
    from dangbo.core.kinds import CELL_KINDS
    from dangbo.members.models import Member
    from dangbo.members.selectors.votes import vote_denominator
    from dangbo.orgs.models import Org

    load_all()
    build_demo(PROFILES["tiny"], seed=5, progress=lambda line: None)
    today = clock.today()
    ceremony = today - timedelta(days=430)
    cell = next(
        org
        for org in Org.objects.filter(kind__in=CELL_KINDS).order_by("path")
        if Member.objects.filter(org=org, status="full", full_on__lt=ceremony - timedelta(days=800)).count()
        >= 3
    )
    sponsors = list(
        Member.objects.filter(org=cell, status="full", full_on__lt=ceremony - timedelta(days=800)).order_by(
            "sort_key"
        )[:2]
    )
    for n, sponsor in enumerate(sponsors):
        sponsor.card_number = f"9900000{n}"
        sponsor.save(update_fields=["card_number"])
    officer = User.objects.create_user("chiuy", password="mat-khau-dai-du-1")
    role_grant(user=officer, role=AccessRole.OFFICER, org=cell)
    d = lambda day: day.strftime("%d/%m/%Y")  # noqa: E731
    vote_on = ceremony - timedelta(days=40)

    sign_in(page, live_server.url, "chiuy", "mat-khau-dai-du-1", landing=None)
    page.goto(f"{live_server.url}/to-chuc/{cell.pk}/")
    page.get_by_role("link", name="Quần chúng cảm tình Đảng").click()
    page.get_by_role("link", name="Thêm người vào danh sách").click()
    page.locator("#id_family_name").fill("Lò")
    page.locator("#id_middle_name").fill("Thị")
    page.locator("#id_given_name").fill("Sính")
    page.get_by_label("Giới tính").select_option("F")
    page.get_by_label("Ngày sinh").fill("12/08/1998")
    page.get_by_label("Dân tộc").select_option(label="Thái")
    page.get_by_label("Giáo dục phổ thông").select_option("upper_secondary")
    page.get_by_label("Ngày đưa vào danh sách cảm tình Đảng").fill(d(ceremony - timedelta(days=300)))
    page.get_by_role("button", name="Lưu").click()
    page.get_by_role("heading", name="Lò Thị Sính").wait_for()

    steps = [
        (
            "Ghi bước tiếp theo: Học lớp bồi dưỡng",
            {
                "Ngày cấp giấy chứng nhận": d(ceremony - timedelta(days=290)),
                "Số giấy chứng nhận": "CN-2024-07",
            },
        ),
        ("Đơn xin vào Đảng", {"Ngày viết đơn": d(ceremony - timedelta(days=200))}),
        ("Lý lịch người xin vào Đảng", {"Ngày hoàn thành lý lịch": d(ceremony - timedelta(days=190))}),
        ("Thẩm tra, xác minh lý lịch", {"Ngày có kết quả thẩm tra": d(ceremony - timedelta(days=120))}),
        (
            "Người giới thiệu",
            {
                "Ngày giới thiệu": d(ceremony - timedelta(days=100)),
                "Người giới thiệu thứ nhất (số thẻ đảng viên)": "99000000",
                "Người giới thiệu thứ hai (số thẻ đảng viên)": "99000001",
            },
        ),
        ("Nhận xét của đoàn thể", {"Ngày có đủ nhận xét": d(ceremony - timedelta(days=60))}),
        (
            "Chi bộ xét, đề nghị kết nạp",
            {
                "Ngày chi bộ họp xét": d(vote_on),
                "Số đảng viên chính thức tán thành": str(vote_denominator(org=cell, on=vote_on)),
            },
        ),
        (
            "Nghị quyết của đảng ủy cơ sở",
            {"Ngày nghị quyết": d(vote_on + timedelta(days=7)), "Số nghị quyết": "21-NQ/ĐU"},
        ),
        (
            "Quyết định kết nạp",
            {"Ngày quyết định kết nạp": d(vote_on + timedelta(days=20)), "Số quyết định": "88-QĐ/ĐU"},
        ),
        ("Lễ kết nạp", {"Ngày lễ kết nạp": d(ceremony)}),
    ]
    for heading, fields in steps:
        assert heading in page.get_by_role("heading", level=2).last.inner_text()
        for label, value in fields.items():
            page.get_by_label(label).first.fill(value)
        if heading == "Người giới thiệu":
            page.get_by_label("Cùng công tác, học tập, cư trú từ ngày").first.fill(
                d(ceremony - timedelta(days=900))
            )
            page.get_by_label("Cùng công tác, học tập, cư trú từ ngày").last.fill(
                d(ceremony - timedelta(days=900))
            )
        if heading == "Quyết định kết nạp":
            page.get_by_label("Cấp quyết định kết nạp").select_option("superior")
        page.get_by_role("button", name="Ghi nhận").click()
        page.get_by_role("status").first.wait_for()
        assert "Đã ghi" in page.get_by_role("status").first.inner_text(), page.content()

    # the ceremony created the member: the profile is shown, probationary
    page.get_by_role("heading", name="Lò Thị Sính").wait_for()
    assert "Đảng viên dự bị" in page.content() and "Kết nạp" in page.content()
    member = Member.objects.get(family_name="Lò", given_name="Sính")
    probation_end = member.ceremony_on.replace(year=member.ceremony_on.year + 1)
    page.get_by_role("link", name="Công nhận đảng viên chính thức").click()
    review = probation_end + timedelta(days=3)
    page.get_by_label("Ngày chi bộ biểu quyết").fill(d(review))
    page.get_by_label("Số đảng viên chính thức tán thành").fill(str(vote_denominator(org=cell, on=review)))
    page.get_by_label("Số quyết định").fill("120-QĐ/ĐU")
    page.get_by_label("Ngày quyết định").fill(d(review + timedelta(days=5)))
    page.get_by_role("button", name="Ghi nhận").click()
    page.get_by_text("Đã ghi nhận công nhận đảng viên chính thức").wait_for()
    assert "Đảng viên chính thức" in page.locator("dl.details").last.inner_text()
    member.refresh_from_db()
    assert member.status == "full" and member.full_on == probation_end


def test_leader_reads_the_dashboard_drills_down_and_picks_a_date(live_server, page, transactional_db):
    from django.db.models import Count, Q

    from dangbo.demo.accounts import demo_logins
    from dangbo.orgs.models import Locality

    load_all()
    build_demo(PROFILES["tiny"], seed=5, progress=lambda line: None)
    logins = {login.username: login for login in demo_logins()}
    sign_in(page, live_server.url, "lanhdao", logins["lanhdao"].password, landing=None)
    page.get_by_role("link", name="Chỉ tiêu", exact=True).click()
    page.get_by_role("heading", name="Tiến độ các chỉ tiêu có mục tiêu").wait_for()
    assert page.locator("svg.chart").first.is_visible()
    progress = _charts_read_on_a_laptop_and_a_phone(page)
    assert "Đạt mục tiêu" in progress and "Mục tiêu của từng chỉ tiêu" in progress
    dashboard = page.url
    page.get_by_role("link", name="Cơ cấu đảng viên và tổ chức").click()
    page.get_by_role("heading", name="Đảng viên theo giới tính").wait_for()
    _charts_read_on_a_laptop_and_a_phone(page)
    page.goto(dashboard)
    # down the tree: a child organization's dashboard, then the hamlets behind a gap
    page.locator("table.list tbody th a").first.click()
    page.get_by_role("link", name="Tỷ lệ thôn, tổ dân phố có chi bộ").first.click()
    page.get_by_role("heading", name="Theo tổ chức trực thuộc").or_(
        page.get_by_role("heading", name="Thôn, tổ dân phố chưa có chi bộ")
    ).first.wait_for()
    if page.locator("svg.chart").count():  # the children against one target
        _charts_read_on_a_laptop_and_a_phone(page)
    live = Locality.objects.filter(dissolved_on__isnull=True)
    shared = {
        cell
        for cell, n in live.exclude(cell__isnull=True).values_list("cell").annotate(n=Count("id"))
        if n > 1
    }
    without_own_cell = live.filter(
        Q(cell__isnull=True) | Q(cell__in=shared)
    ).count()  # none, or a cell shared (thôn ghép)
    assert f"Thôn, tổ dân phố chưa có chi bộ riêng ({without_own_cell})" in page.locator("main").inner_text()
    # a date in the future is refused in Vietnamese, on the page
    page.get_by_label("Số liệu ngày").fill("01/01/2999")
    page.get_by_role("button", name="Xem").click()
    assert "ở tương lai" in page.get_by_role("alert").first.inner_text()


# What a chart's texts measure as drawn: size (font size × the SVG's scale), and boxes relative
# to the chart, for every bar's label, value and target tick.
_CHART_GEOMETRY = """() => [...document.querySelectorAll('svg.chart')].map(svg => {
  const box = svg.getBoundingClientRect();
  const rect = el => { const r = el.getBoundingClientRect();
    return {left: r.left - box.left, right: r.right - box.left, top: r.top - box.top, bottom: r.bottom - box.top}; };
  return {
    width: box.width, right: box.right, page: document.documentElement.clientWidth,
    texts: [...svg.querySelectorAll('text')].map(t => ({
      text: t.textContent, ...rect(t),
      size: parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a})),
    bars: [...svg.querySelectorAll('g:not(.axis)')].map(g => ({
      title: g.querySelector('title').textContent,
      label: rect(g.querySelector('text.label')), value: rect(g.querySelector('text.value')),
      targets: [...g.querySelectorAll('line.target')].map(rect)})),
    legend: [...(svg.parentElement.querySelectorAll('.chart-legend li'))].map(li => ({
      text: li.textContent, size: parseFloat(getComputedStyle(li).fontSize)})),
  };
})"""


def _overlap(a, b) -> bool:
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and b["top"] < a["bottom"]
    )


def _charts_read_on_a_laptop_and_a_phone(page) -> str:
    """At 1366×768 and 390×844: every text of every chart on the page is at least 12 px as
    drawn and inside the chart, no value or target tick lies over a label, the chart fits the
    page; returns the legends' text."""
    legends = ""
    for width, height in ((1366, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        charts = page.evaluate(_CHART_GEOMETRY)
        assert charts
        for chart in charts:
            assert chart["right"] <= chart["page"], chart  # no sideways scrolling for a chart
            for text in chart["texts"]:
                assert text["size"] >= 12, (width, text)
                assert text["left"] >= -0.5 and text["right"] <= chart["width"] + 0.5, (width, text)
            for item in chart["legend"]:
                assert item["size"] >= 12, (width, item)
            labels = [bar["label"] for bar in chart["bars"]]
            for bar in chart["bars"]:
                assert bar["title"].split(":")[0].strip()  # the full name, on hover
                for label in labels:
                    assert not _overlap(bar["value"], label), (width, bar)
                    assert not any(_overlap(tick, label) for tick in bar["targets"]), (width, bar)
                assert not any(_overlap(bar["value"], tick) for tick in bar["targets"]), (width, bar)
            legends += " ".join(item["text"] for item in chart["legend"])
    page.set_viewport_size({"width": 1366, "height": 768})
    return legends
