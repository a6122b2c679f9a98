"""Routes of ``members``: Members, their work, and the organization pages that list them. Included by ``dangbo.urls`` at the site root, so
the addresses stay as users know them; names are ``members:<name>``."""

from django.urls import path

from dangbo.members import org_views as members_org_views
from dangbo.members import standing_views, transfer_views
from dangbo.members import views as member_views

app_name = "members"

urlpatterns = [
    path("to-chuc/", members_org_views.org_tree_view, name="org_tree"),
    path("to-chuc/<uuid:org_id>/", members_org_views.org_page_view, name="org_page"),
    path("to-chuc/<uuid:org_id>/nhanh/", members_org_views.org_children_view, name="org_children"),
    path("to-chuc/<uuid:org_id>/huy-hieu/", member_views.badge_list_view, name="org_badges"),
    path("to-chuc/<uuid:org_id>/viec-can-lam/", member_views.todo_view, name="org_todo"),
    path("to-chuc/<uuid:org_id>/chuyen-sinh-hoat/", transfer_views.org_transfers_view, name="org_transfers"),
    path(
        "to-chuc/<uuid:org_id>/chuyen-sinh-hoat/xac-nhan/",
        transfer_views.transfer_confirm_view,
        name="transfer_confirm",
    ),
    path(
        "to-chuc/<uuid:org_id>/chuyen-sinh-hoat/xu-ly-cham/",
        transfer_views.transfer_close_late_view,
        name="transfer_close_late",
    ),
    path("to-chuc/<uuid:org_id>/tiep-nhan/", standing_views.member_receive_view, name="member_receive"),
    path("viec-can-lam/", member_views.todo_view, name="todo"),
    path("to-chuc/<uuid:org_id>/chuc-vu/", member_views.position_start_view, name="position_start"),
    path("to-chuc/<uuid:org_id>/thoi-chuc-vu/", member_views.position_end_view, name="position_end"),
    path("dang-vien/", member_views.member_search_view, name="member_search"),
    path("dang-vien/xuat/", member_views.member_export_view, name="member_export"),
    path("dang-vien/<uuid:member_id>/", member_views.member_profile_view, name="member_profile"),
    path("dang-vien/<uuid:member_id>/sua/", member_views.member_edit_view, name="member_edit"),
    path("dang-vien/<uuid:member_id>/huy-hieu/", member_views.member_badge_view, name="member_badge"),
    path(
        "dang-vien/<uuid:member_id>/chuyen-sinh-hoat/",
        transfer_views.member_transfer_view,
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
]
