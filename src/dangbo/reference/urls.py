"""Routes of ``reference``: Code lists and the holiday calendar. Included by ``dangbo.urls`` at the site root, so
the addresses stay as users know them; names are ``reference:<name>``."""

from django.urls import path

from dangbo.reference import views as reference_views

app_name = "reference"

urlpatterns = [
    path("ngay-nghi/", reference_views.holidays_view, name="holidays"),
]
