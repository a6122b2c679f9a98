"""The administration of accounts and roles (``/tai-khoan/``), for administrators and officers, and
each user's own API keys (``/khoa-api/``). Included at the site root; names are ``accounts:<name>``."""

from django.urls import path

from dangbo.accounts import twofactor_views, views
from dangbo.accounts.views import api_tokens_view

app_name = "accounts"

urlpatterns = [
    path("khoa-api/", api_tokens_view, name="api_tokens"),
    path("xac-thuc/", twofactor_views.second_factor_view, name="second_factor"),
    path("xac-thuc/dang-ky/", twofactor_views.enrol_view, name="enrol"),
    path("bao-mat/", twofactor_views.security_view, name="security"),
    path("tai-khoan/", views.account_list_view, name="list"),
    path("tai-khoan/xuat/", views.account_export_view, name="export"),
    path("tai-khoan/tao/", views.account_create_view, name="create"),
    path("tai-khoan/<int:user_id>/", views.account_page_view, name="account"),
    path("tai-khoan/<int:user_id>/cap-quyen/", views.role_grant_view, name="grant"),
    path("tai-khoan/<int:user_id>/thu-hoi/", views.role_revoke_view, name="revoke"),
    path("tai-khoan/<int:user_id>/khoa/", views.account_deactivate_view, name="deactivate"),
    path("tai-khoan/<int:user_id>/ket-thuc-phien/", views.sessions_end_view, name="sessions_end"),
    path("tai-khoan/<int:user_id>/dat-lai-mat-khau/", views.password_reset_view, name="password_reset"),
    path(
        "tai-khoan/<int:user_id>/dat-lai-xac-thuc/",
        twofactor_views.second_factor_reset_view,
        name="second_factor_reset",
    ),
]
