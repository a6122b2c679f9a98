"""Routes of ``meetings``: calendars, a meeting, its attendance sheet and minutes, and the
member's own page. Included by ``dangbo.urls`` at the site root; names are ``meetings:<name>``."""

from django.urls import path

from dangbo.meetings import minutes_views, sheet_views, views

app_name = "meetings"

urlpatterns = [
    path("sinh-hoat/", views.meetings_home, name="home"),
    path("sinh-hoat-cua-toi/", sheet_views.my_meetings, name="my_meetings"),
    path("to-chuc/<uuid:org_id>/sinh-hoat/", views.org_meetings, name="org_meetings"),
    path("to-chuc/<uuid:org_id>/sinh-hoat/them/", views.meeting_new, name="meeting_new"),
    path("dang-vien/<uuid:member_id>/sinh-hoat/", sheet_views.member_meetings, name="member_meetings"),
    path("sinh-hoat/<uuid:meeting_id>/", views.meeting_detail, name="meeting_detail"),
    path("sinh-hoat/<uuid:meeting_id>/sua/", views.meeting_edit, name="meeting_edit"),
    path("sinh-hoat/<uuid:meeting_id>/noi-dung/", views.meeting_agenda, name="meeting_agenda"),
    path("sinh-hoat/<uuid:meeting_id>/tai-lieu/", views.meeting_document_add, name="document_add"),
    path("sinh-hoat/tai-lieu/<uuid:document_id>/", views.meeting_document, name="document"),
    path(
        "sinh-hoat/tai-lieu/<uuid:document_id>/go/",
        views.meeting_document_withdraw,
        name="document_withdraw",
    ),
    path("sinh-hoat/<uuid:meeting_id>/diem-danh/", sheet_views.meeting_attendance, name="attendance"),
    path("sinh-hoat/<uuid:meeting_id>/can-bo-du/", minutes_views.visitor_add, name="visitor_add"),
    path("sinh-hoat/<uuid:meeting_id>/bieu-quyet/", minutes_views.vote_add, name="vote_add"),
    path("sinh-hoat/<uuid:meeting_id>/bien-ban/", minutes_views.minutes_edit, name="minutes_edit"),
    path("sinh-hoat/<uuid:meeting_id>/bien-ban/ky/", minutes_views.minutes_sign, name="minutes_sign"),
    path(
        "sinh-hoat/<uuid:meeting_id>/bien-ban/dinh-chinh/", minutes_views.minutes_amend, name="minutes_amend"
    ),
    path(
        "sinh-hoat/<uuid:meeting_id>/van-ban/<str:paper>/",
        minutes_views.minutes_download,
        name="document_download",
    ),
]
