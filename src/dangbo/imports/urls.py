"""Routes of ``imports``: names are ``imports:<name>``."""

from django.urls import path

from dangbo.imports import views

app_name = "imports"

urlpatterns = [
    path("nhap-du-lieu/", views.import_home_view, name="home"),
    path("nhap-du-lieu/mau/<str:import_kind>.xlsx", views.template_view, name="template"),
    path("nhap-du-lieu/<uuid:batch_id>/", views.batch_view, name="batch"),
    path("nhap-du-lieu/<uuid:batch_id>/chon-cot/", views.batch_map_view, name="map"),
    path("nhap-du-lieu/<uuid:batch_id>/xac-nhan/", views.batch_commit_view, name="commit"),
    path("nhap-du-lieu/<uuid:batch_id>/huy/", views.batch_cancel_view, name="cancel"),
    path(
        "nhap-du-lieu/<uuid:batch_id>/tu-choi.<str:file_format>",
        views.batch_rejections_view,
        name="rejections",
    ),
]
