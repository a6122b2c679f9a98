"""Routes of ``dues``: the collection book and the summary of an organization, a member's page
and the forms that record, the receipt. Included by ``dangbo.urls`` at the site root; names
are ``dues:<name>``."""

from django.urls import path

from dangbo.dues import record_views, views

app_name = "dues"

urlpatterns = [
    path("dang-phi/", views.dues_home, name="home"),
    path("dang-phi-cua-toi/", views.my_dues, name="my_dues"),
    path("to-chuc/<uuid:org_id>/dang-phi/", views.org_book, name="org_book"),
    path("to-chuc/<uuid:org_id>/dang-phi/tong-hop/", views.org_summary, name="org_summary"),
    path("dang-vien/<uuid:member_id>/dang-phi/", views.member_dues, name="member_dues"),
    path("dang-vien/<uuid:member_id>/dang-phi/can-cu/", record_views.basis_new, name="basis_new"),
    path("dang-vien/<uuid:member_id>/dang-phi/mien-giam/", record_views.relief_new, name="relief_new"),
    path("dang-vien/<uuid:member_id>/dang-phi/thu/", record_views.payment_new, name="payment_new"),
    path("dang-phi/mien-giam/<uuid:relief_id>/huy/", record_views.relief_revoke, name="relief_revoke"),
    path("dang-phi/phieu-thu/<uuid:payment_id>/", views.receipt, name="receipt"),
    path("dang-phi/phieu-thu/<uuid:payment_id>/huy/", record_views.payment_reverse, name="payment_reverse"),
]
