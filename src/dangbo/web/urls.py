"""Routes of ``web``: Home and the audit log. Included by ``dangbo.urls`` at the site root, so
the addresses stay as users know them; names are ``web:<name>``."""

from django.urls import path

from dangbo.web import audit_views
from dangbo.web import views as web_views

app_name = "web"

urlpatterns = [
    path("", web_views.home, name="home"),
    path("tong-quan/<uuid:org_id>/chi-tieu/", web_views.home_targets, name="home_targets"),
    path("tong-quan/<uuid:org_id>/viec-can-lam/", web_views.home_todo, name="home_todo"),
    path("nhat-ky/", audit_views.audit_search_view, name="audit_search"),
    path("nhat-ky/xuat/", audit_views.audit_export_view, name="audit_export"),
]
