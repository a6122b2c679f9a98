"""Routes of ``candidates``: the register of candidates and the admission steps. Included by
``dangbo.urls`` at the site root, so the addresses stay as users know them; names are
``candidates:<name>``."""

from django.urls import path

from dangbo.candidates import views

app_name = "candidates"

urlpatterns = [
    path("to-chuc/<uuid:org_id>/cam-tinh-dang/", views.candidate_list_view, name="org_candidates"),
    path("to-chuc/<uuid:org_id>/cam-tinh-dang/them/", views.candidate_add_view, name="candidate_add"),
    path("cam-tinh-dang/<uuid:candidate_id>/", views.candidate_page_view, name="candidate_page"),
    path(
        "cam-tinh-dang/<uuid:candidate_id>/thoi-xem-xet/",
        views.candidate_withdraw_view,
        name="candidate_withdraw",
    ),
]
