from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from dangbo.accounts.views import PasswordChangeView
from dangbo.web import views

admin.site.site_header = "dangbo — quản trị hệ thống"
admin.site.site_title = "dangbo"

urlpatterns = [
    path("", views.home, name="home"),
    path("dang-nhap/", auth_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("doi-mat-khau/", PasswordChangeView.as_view(), name="password_change"),
    path(
        "doi-mat-khau/xong/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("healthz", views.healthz, name="healthz"),
    path("quan-tri/", admin.site.urls),
]
