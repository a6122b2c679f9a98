"""Routes of the organizations' ratings pages and the review's printed papers, merged into
``ratings.urls`` (``urlpatterns += org_urls.urlpatterns``); names are ``ratings:<name>``."""

from django.urls import path

from dangbo.ratings import org_views

urlpatterns = [
    path("danh-gia/dot/<uuid:campaign_id>/to-chuc/", org_views.org_ratings, name="org_ratings"),
    path("danh-gia/to-chuc/<uuid:rating_id>/tu-danh-gia/", org_views.org_self_assess, name="org_self_assess"),
    path("danh-gia/to-chuc/<uuid:rating_id>/quyet-dinh/", org_views.org_decide, name="org_decide"),
    path(
        "dang-vien/<uuid:member_id>/danh-gia/nam-cu/",
        org_views.legacy_member_new,
        name="legacy_member_new",
    ),
    path("to-chuc/<uuid:org_id>/danh-gia/nam-cu/", org_views.legacy_org_new, name="legacy_org_new"),
    path(
        "danh-gia/xep-loai/<uuid:rating_id>/ban-tu-kiem-diem.<str:fmt>",
        org_views.self_form,
        name="self_form",
    ),
    path(
        "danh-gia/dot/<uuid:campaign_id>/danh-sach/<uuid:org_id>.<str:fmt>",
        org_views.summary_list,
        name="summary_list",
    ),
    path("danh-gia/dot/<uuid:campaign_id>/to-chuc.<str:fmt>", org_views.org_list, name="org_list"),
]
