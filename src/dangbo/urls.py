from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from dangbo.accounts.views import PasswordChangeView, api_tokens_view
from dangbo.api import api
from dangbo.members import candidate_views, discipline_views, standing_views
from dangbo.members import org_views as members_org_views
from dangbo.members import views as member_views
from dangbo.orgs import views as org_views
from dangbo.reference import views as reference_views
from dangbo.restructuring import views as restructuring_views
from dangbo.stats import compliance_views
from dangbo.stats import views as stats_views
from dangbo.web import audit_views as audit_views
from dangbo.web import views

admin.site.site_header = "dangbo — quản trị hệ thống"
admin.site.site_title = "dangbo"

urlpatterns = [
    path("", views.home, name="home"),
    path("dang-nhap/", auth_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("doi-mat-khau/", PasswordChangeView.as_view(), name="password_change"),
    path(
        "doi-mat-khau/xong/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("khoa-api/", api_tokens_view, name="api_tokens"),
    path("tai-khoan/", include("dangbo.accounts.urls")),
    path("to-chuc/", members_org_views.org_tree_view, name="org_tree"),
    path("to-chuc/<uuid:org_id>/", members_org_views.org_page_view, name="org_page"),
    path("to-chuc/<uuid:org_id>/nhanh/", members_org_views.org_children_view, name="org_children"),
    path("to-chuc/<uuid:org_id>/thanh-lap/", restructuring_views.org_create_view, name="org_create"),
    path("to-chuc/<uuid:org_id>/doi-ten/", org_views.org_rename_view, name="org_rename"),
    path("to-chuc/<uuid:org_id>/them-thon/", org_views.locality_create_view, name="locality_create"),
    path("to-chuc/<uuid:org_id>/chuyen-truc-thuoc/", restructuring_views.org_move_view, name="org_move"),
    path("to-chuc/<uuid:org_id>/hop-nhat/", restructuring_views.org_merge_view, name="org_merge"),
    path("to-chuc/<uuid:org_id>/giai-the/", restructuring_views.org_dissolve_view, name="org_dissolve"),
    path("to-chuc/<uuid:org_id>/chia-tach/", restructuring_views.org_split_view, name="org_split"),
    path("sap-xep-to-chuc/", restructuring_views.plan_upload_view, name="plan_upload"),
    path("sap-xep-to-chuc/mau.csv", restructuring_views.plan_template_view, name="plan_template"),
    path("sap-xep-to-chuc/<uuid:plan_id>/", restructuring_views.plan_page_view, name="plan_page"),
    path("sap-xep-to-chuc/<uuid:plan_id>/ap-dung/", restructuring_views.plan_apply_view, name="plan_apply"),
    path("to-chuc/<uuid:org_id>/huy-hieu/", member_views.badge_list_view, name="org_badges"),
    path("to-chuc/<uuid:org_id>/viec-can-lam/", member_views.todo_view, name="org_todo"),
    path("to-chuc/<uuid:org_id>/chuyen-sinh-hoat/", member_views.org_transfers_view, name="org_transfers"),
    path(
        "to-chuc/<uuid:org_id>/chuyen-sinh-hoat/xac-nhan/",
        member_views.transfer_confirm_view,
        name="transfer_confirm",
    ),
    path(
        "to-chuc/<uuid:org_id>/chuyen-sinh-hoat/xu-ly-cham/",
        member_views.transfer_close_late_view,
        name="transfer_close_late",
    ),
    path("to-chuc/<uuid:org_id>/cam-tinh-dang/", candidate_views.candidate_list_view, name="org_candidates"),
    path(
        "to-chuc/<uuid:org_id>/cam-tinh-dang/them/", candidate_views.candidate_add_view, name="candidate_add"
    ),
    path("cam-tinh-dang/<uuid:candidate_id>/", candidate_views.candidate_page_view, name="candidate_page"),
    path(
        "cam-tinh-dang/<uuid:candidate_id>/thoi-xem-xet/",
        candidate_views.candidate_withdraw_view,
        name="candidate_withdraw",
    ),
    path("to-chuc/<uuid:org_id>/tiep-nhan/", standing_views.member_receive_view, name="member_receive"),
    path("viec-can-lam/", member_views.todo_view, name="todo"),
    path("chi-tieu/", stats_views.dashboard_home_view, name="dashboard_home"),
    path("to-chuc/<uuid:org_id>/chi-tieu/", stats_views.dashboard_view, name="dashboard"),
    path("to-chuc/<uuid:org_id>/chi-tieu/<str:code>/", stats_views.indicator_view, name="indicator"),
    path("to-chuc/<uuid:org_id>/co-cau/", stats_views.structure_view, name="structure"),
    path("to-chuc/<uuid:org_id>/bieu-thong-ke/", stats_views.forms_view, name="stat_forms"),
    path("to-chuc/<uuid:org_id>/kiem-tra/", compliance_views.compliance_page, name="compliance"),
    path("ngay-nghi/", reference_views.holidays_view, name="holidays"),
    path("to-chuc/<uuid:org_id>/chuc-vu/", member_views.position_start_view, name="position_start"),
    path("to-chuc/<uuid:org_id>/thoi-chuc-vu/", member_views.position_end_view, name="position_end"),
    path("thon/<uuid:locality_id>/sua/", org_views.locality_edit_view, name="locality_edit"),
    path("dang-vien/", member_views.member_search_view, name="member_search"),
    path("dang-vien/xuat/", member_views.member_export_view, name="member_export"),
    path("dang-vien/<uuid:member_id>/", member_views.member_profile_view, name="member_profile"),
    path("dang-vien/<uuid:member_id>/sua/", member_views.member_edit_view, name="member_edit"),
    path("dang-vien/<uuid:member_id>/huy-hieu/", member_views.member_badge_view, name="member_badge"),
    path(
        "dang-vien/<uuid:member_id>/chuyen-sinh-hoat/",
        member_views.member_transfer_view,
        name="member_transfer",
    ),
    path(
        "dang-vien/<uuid:member_id>/cong-nhan-chinh-thuc/",
        member_views.member_recognize_view,
        name="member_recognize",
    ),
    path(
        "dang-vien/<uuid:member_id>/tinh-trang/<slug:action>/",
        standing_views.member_standing_view,
        name="member_standing",
    ),
    path("dang-vien/<uuid:member_id>/ky-luat/", discipline_views.discipline_view, name="member_discipline"),
    path(
        "dang-vien/<uuid:member_id>/ky-luat/quyet-dinh/",
        discipline_views.discipline_decide_view,
        name="member_discipline_decide",
    ),
    path(
        "dang-vien/<uuid:member_id>/ky-luat/tam-hoan/",
        discipline_views.discipline_defer_view,
        name="member_discipline_defer",
    ),
    path(
        "dang-vien/<uuid:member_id>/ky-luat/khong-ky-luat/",
        discipline_views.discipline_drop_view,
        name="member_discipline_drop",
    ),
    path(
        "dang-vien/<uuid:member_id>/van-ban/<slug:kind>/",
        member_views.member_document_view,
        name="member_document",
    ),
    path(
        "dang-vien/<uuid:member_id>/so-dinh-danh/",
        member_views.member_reveal_id_view,
        name="member_reveal_id",
    ),
    path("nhat-ky/", audit_views.audit_search_view, name="audit_search"),
    path("nhat-ky/xuat/", audit_views.audit_export_view, name="audit_export"),
    path("api/", api.urls),
    path("healthz", views.healthz, name="healthz"),
    path("quan-tri/", admin.site.urls),
]
