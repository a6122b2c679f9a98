"""Routes of ``orgs``: Editing organizations and hamlets. Included by ``dangbo.urls`` at the site root, so
the addresses stay as users know them; names are ``orgs:<name>``."""

from django.urls import path

from dangbo.orgs import views as org_views

app_name = "orgs"

urlpatterns = [
    path("to-chuc/chon/", org_views.org_pick_view, name="org_pick"),
    path("to-chuc/<uuid:org_id>/doi-ten/", org_views.org_rename_view, name="org_rename"),
    path("to-chuc/<uuid:org_id>/them-thon/", org_views.locality_create_view, name="locality_create"),
    path("thon/<uuid:locality_id>/sua/", org_views.locality_edit_view, name="locality_edit"),
]
