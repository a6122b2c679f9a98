"""The administration of accounts and roles (``/tai-khoan/``), for administrators and officers."""

from django.urls import path

from dangbo.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.account_list_view, name="list"),
    path("xuat/", views.account_export_view, name="export"),
    path("tao/", views.account_create_view, name="create"),
    path("<int:user_id>/", views.account_page_view, name="account"),
    path("<int:user_id>/cap-quyen/", views.role_grant_view, name="grant"),
    path("<int:user_id>/thu-hoi/", views.role_revoke_view, name="revoke"),
    path("<int:user_id>/khoa/", views.account_deactivate_view, name="deactivate"),
    path("<int:user_id>/dat-lai-mat-khau/", views.password_reset_view, name="password_reset"),
]
