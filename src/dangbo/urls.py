"""The shell's routes: every app's ``urls.py`` (each with its ``app_name``), Django's sign-in
pages, the API and the health check. The apps are included at the root, so each app's
module holds its full addresses (Vietnamese, as users know them)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from dangbo.accounts.views import PasswordChangeView
from dangbo.api import api
from dangbo.web import views

admin.site.site_header = "dangbo — quản trị hệ thống"
admin.site.site_title = "dangbo"

urlpatterns = [
    # Django's own authentication views look these names up without a namespace.
    path("dang-nhap/", auth_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("doi-mat-khau/", PasswordChangeView.as_view(), name="password_change"),
    path(
        "doi-mat-khau/xong/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("", include("dangbo.web.urls")),
    path("", include("dangbo.accounts.urls")),
    path("", include("dangbo.jobs.urls")),
    path("", include("dangbo.orgs.urls")),
    path("", include("dangbo.members.urls")),
    path("", include("dangbo.candidates.urls")),
    path("", include("dangbo.discipline.urls")),
    path("", include("dangbo.meetings.urls")),
    path("", include("dangbo.dues.urls")),
    path("", include("dangbo.ratings.urls")),
    path("", include("dangbo.imports.urls")),
    path("", include("dangbo.restructuring.urls")),
    path("", include("dangbo.stats.urls")),
    path("", include("dangbo.exchange.urls")),
    path("", include("dangbo.reference.urls")),
    path("api/", api.urls),
    path("healthz", views.healthz, name="healthz"),
    path("quan-tri/", admin.site.urls),
]
