"""Routes of ``jobs``: my background jobs, one job, its file. Names are ``jobs:<name>``."""

from django.urls import path

from dangbo.jobs import views as job_views

app_name = "jobs"

urlpatterns = [
    path("cong-viec/", job_views.job_list_view, name="list"),
    path("cong-viec/<uuid:job_id>/", job_views.job_view, name="job"),
    path("cong-viec/<uuid:job_id>/tai-ve/", job_views.job_download_view, name="download"),
]
