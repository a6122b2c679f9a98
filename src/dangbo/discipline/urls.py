"""Routes of ``discipline``: a member's disciplinary cases. Included by ``dangbo.urls`` at the
site root, so the addresses stay as users know them; names are ``discipline:<name>``."""

from django.urls import path

from dangbo.discipline import views

app_name = "discipline"

urlpatterns = [
    path("dang-vien/<uuid:member_id>/ky-luat/", views.discipline_view, name="member_discipline"),
    path(
        "dang-vien/<uuid:member_id>/ky-luat/quyet-dinh/",
        views.discipline_decide_view,
        name="member_discipline_decide",
    ),
    path(
        "dang-vien/<uuid:member_id>/ky-luat/tam-hoan/",
        views.discipline_defer_view,
        name="member_discipline_defer",
    ),
    path(
        "dang-vien/<uuid:member_id>/ky-luat/khong-ky-luat/",
        views.discipline_drop_view,
        name="member_discipline_drop",
    ),
]
