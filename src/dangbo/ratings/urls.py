"""Routes of ``ratings``: the campaigns of the annual review, a campaign's progress, a cell's
sheet, a member's steps, the grassroots committee's decision, corrections and a member's years;
and (``org_urls``) the organizations' ratings, the old levels and the printable documents.
Included by ``dangbo.urls`` at the site root; names are ``ratings:<name>``."""

from django.urls import path

from dangbo.ratings import org_urls, views

app_name = "ratings"

urlpatterns = [
    path("danh-gia/", views.ratings_home, name="home"),
    path("danh-gia-cua-toi/", views.my_ratings, name="my_ratings"),
    path("to-chuc/<uuid:org_id>/danh-gia/", views.org_campaigns, name="org_campaigns"),
    path("to-chuc/<uuid:org_id>/danh-gia/mo-dot/", views.campaign_new, name="campaign_new"),
    path("danh-gia/dot/<uuid:campaign_id>/", views.campaign_page, name="campaign"),
    path("danh-gia/dot/<uuid:campaign_id>/chi-bo/<uuid:org_id>/", views.cell_sheet, name="cell_sheet"),
    path("danh-gia/dot/<uuid:campaign_id>/quyet-dinh/<uuid:org_id>/", views.decide, name="decide"),
    path("danh-gia/xep-loai/<uuid:rating_id>/tu-danh-gia/", views.self_assess, name="self_assess"),
    path("danh-gia/xep-loai/<uuid:rating_id>/chi-bo-danh-gia/", views.cell_assess, name="cell_assess"),
    path("danh-gia/xep-loai/<uuid:rating_id>/dieu-chinh/", views.correct, name="correct"),
    path("dang-vien/<uuid:member_id>/danh-gia/", views.member_ratings, name="member_ratings"),
]
urlpatterns += org_urls.urlpatterns
