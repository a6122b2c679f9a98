"""WCAG 2.1 AA on every page, at a laptop's 1366×768 and at a phone's width, in Debian's
Chromium: axe-core (shipped inside the axe-playwright-python test package, never served to
users) checks labels, names, contrast, landmarks and ARIA; the layout must not scroll sideways;
the keyboard reaches the skip link first."""

from django.contrib.auth.models import User
from tests.browser import BROWSER, axe_violations, sideways_scroll

from conftest import review_members
from dangbo.demo.generator import build_demo
from dangbo.demo.profiles import PROFILES
from dangbo.reference.loader import load_all

pytestmark = BROWSER

SIZES = {"laptop": (1366, 768), "phone": (375, 740)}


def _pages(admin: bool = False) -> list[str]:
    from dangbo.core.kinds import CELL_KINDS, OrgKind
    from dangbo.members.models import Member
    from dangbo.orgs.models import Org

    commune = Org.objects.filter(kind=OrgKind.GRASSROOTS_COMMITTEE).order_by("path").first()
    cell = Org.objects.filter(kind__in=CELL_KINDS, path__startswith=commune.path).order_by("path").first()
    member = Member.objects.filter(org=cell).order_by("sort_key").first()
    candidate = _a_candidate(cell)
    campaign, rating = review_members(commune)  # a review of this year, one member decided
    return [
        "/",
        "/to-chuc/",
        f"/to-chuc/{commune.pk}/",
        f"/to-chuc/{cell.pk}/",
        f"/to-chuc/{commune.pk}/thanh-lap/",
        f"/to-chuc/{commune.pk}/them-thon/",
        "/dang-vien/?q=van",
        "/dang-vien/?age_min=70&age_max=20",  # a form showing its errors
        f"/dang-vien/{member.pk}/",
        f"/dang-vien/{member.pk}/sua/",
        f"/dang-vien/{member.pk}/huy-hieu/",
        f"/to-chuc/{commune.pk}/huy-hieu/?ngay=02/09/2026",
        f"/to-chuc/{cell.pk}/chuc-vu/",
        f"/to-chuc/{commune.pk}/chuc-vu/",
        f"/to-chuc/{commune.pk}/chuyen-sinh-hoat/",
        f"/dang-vien/{member.pk}/chuyen-sinh-hoat/",
        "/khoa-api/",
        "/viec-can-lam/",
        f"/to-chuc/{commune.pk}/viec-can-lam/?ngay=10/01/2027",
        "/doi-mat-khau/",
        f"/to-chuc/{cell.pk}/cam-tinh-dang/",
        f"/to-chuc/{cell.pk}/cam-tinh-dang/them/",
        f"/cam-tinh-dang/{candidate.pk}/",
        f"/dang-vien/{member.pk}/tinh-trang/xoa-ten/",
        f"/dang-vien/{member.pk}/tinh-trang/chuyen-tam-thoi/",
        f"/dang-vien/{member.pk}/ky-luat/",
        f"/to-chuc/{commune.pk}/chi-tieu/",
        f"/to-chuc/{commune.pk}/chi-tieu/?ngay=01/01/2999",  # the form showing its error
        f"/to-chuc/{commune.pk}/chi-tieu/hamlets.with_cell_share/",
        f"/to-chuc/{commune.pk}/chi-tieu/secretaries.theory_intermediate_share/",
        f"/to-chuc/{commune.pk}/co-cau/",
        f"/to-chuc/{commune.pk}/bieu-thong-ke/",
        f"/to-chuc/{commune.pk}/kiem-tra/",
        "/to-chuc/?ngay=01/01/2021",  # the tree of a past day
        "/tai-khoan/",
        "/tai-khoan/?org=KHONG-CO",  # the filter showing its error
        "/tai-khoan/tao/",
        f"/to-chuc/{cell.pk}/sinh-hoat/",
        f"/dang-vien/{member.pk}/sinh-hoat/",
        f"/to-chuc/{cell.pk}/dang-phi/",
        f"/to-chuc/{commune.pk}/dang-phi/",
        f"/to-chuc/{commune.pk}/dang-phi/tong-hop/",
        f"/dang-vien/{member.pk}/dang-phi/",
        f"/to-chuc/{commune.pk}/danh-gia/",
        f"/danh-gia/dot/{campaign.pk}/",
        f"/danh-gia/dot/{campaign.pk}/chi-bo/{rating.cell_id}/",
        f"/danh-gia/dot/{campaign.pk}/quyet-dinh/{rating.grassroots_id}/",
        f"/danh-gia/dot/{campaign.pk}/to-chuc/",
        f"/danh-gia/xep-loai/{rating.pk}/dieu-chinh/",
        f"/dang-vien/{rating.member_id}/danh-gia/",
    ]


def _a_candidate(cell):
    from datetime import date

    from dangbo.candidates.models import Candidate
    from dangbo.candidates.services import StepInput, candidate_add, candidate_record_step
    from dangbo.members.services.records import Identity

    existing = Candidate.objects.filter(cell=cell).first()
    if existing:
        return existing
    candidate = candidate_add(
        identity=Identity(
            family_name="Giàng",
            middle_name="A",
            given_name="Páo",
            gender="M",
            birth_date=date(1999, 1, 5),
            ethnicity="01",
            general_education="lower_secondary",
        ),
        cell=cell,
        listed_on=date(2025, 1, 6),
    )
    candidate_record_step(
        candidate=candidate, kind="course", step=StepInput(done_on=date(2025, 1, 10), number="CN-1")
    )
    return candidate


def _check(page, url: str, label: str) -> list[str]:
    problems = []
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        response = page.goto(url)
        if response is None or response.status not in (200, 400):  # 400: a form showing its errors
            problems.append(f"{label} {size}: answered {response.status if response else 'nothing'}")
            continue
        if report := axe_violations(page):
            problems.append(f"{label} {size}: {report}")
        overflow = sideways_scroll(page)
        if overflow > 0:
            problems.append(f"{label} {size}: the page scrolls sideways by {overflow}px")
    return problems


def test_every_page_meets_wcag_21_aa_on_a_laptop_and_a_phone(
    live_server, page, transactional_db, monkeypatch
):
    from dangbo.demo.accounts import demo_logins
    from dangbo.members import views as member_views

    load_all()
    build_demo(PROFILES["tiny"], seed=5, progress=lambda line: None)
    logins = {login.username: login for login in demo_logins()}
    # The pages' data is written before the browser asks for anything: the overview loads its
    # panels after the page, and a write beside them would wait on SQLite's one writer.
    paths = _pages()

    problems = _check(page, live_server.url + "/dang-nhap/", "/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("canbo")
    page.get_by_label("Mật khẩu").fill(logins["canbo"].password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("heading", name="Tổng quan").wait_for()
    for path in paths:
        problems += _check(page, live_server.url + path, path)
    monkeypatch.setattr(member_views, "DUE_ITEMS_LISTED_MAX", 0)  # a province's to-do page: by child
    problems += _check(page, live_server.url + "/viec-can-lam/", "/viec-can-lam/ (theo đơn vị)")
    assert "Tổng cộng" in page.content()

    page.get_by_role("button", name="Đăng xuất").click()
    page.get_by_label("Tên đăng nhập").fill("quantri")
    page.get_by_label("Mật khẩu").fill(logins["quantri"].password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("heading", name="Tổng quan").wait_for()
    for path in (
        "/nhat-ky/",
        "/nhat-ky/?actor=canbo",
        "/nhat-ky/?date_from=32/13/2024",
        "/ngay-nghi/?nam=2026",
    ):
        problems += _check(page, live_server.url + path, path)
    assert not problems, "\n".join(problems)


def test_the_keyboard_reaches_the_skip_link_first_and_it_moves_to_the_content(
    live_server, page, transactional_db
):
    load_all()
    User.objects.create_superuser("quantri", password="mat-khau-thu-1")
    page.goto(live_server.url + "/dang-nhap/")
    assert (
        page.evaluate("document.activeElement.name") == "username"
    )  # the sign-in page starts in its first field
    page.keyboard.type("quantri")
    page.keyboard.press("Tab")
    page.keyboard.type("mat-khau-thu-1")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Tổng quan").wait_for()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Bỏ qua, đến nội dung"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#noi-dung"
