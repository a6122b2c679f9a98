"""Routes of ``exchange``: the reports received from below and one report's differences, the
page that sends a report up, the page that receives one, the keys of the organizations below.
Included by ``dangbo.urls`` at the site root; names are ``exchange:<name>``."""

from django.urls import path

from dangbo.exchange import views

app_name = "exchange"

urlpatterns = [
    path("trao-doi/", views.exchange_home, name="home"),
    path("trao-doi/gui-len/", views.send, name="send"),
    path("trao-doi/nhan/", views.receive, name="receive"),
    path("trao-doi/khoa/", views.peers, name="peers"),
    path("trao-doi/bao-cao/<uuid:report_id>/", views.report_page, name="report"),
]
