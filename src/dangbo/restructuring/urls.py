"""Routes of ``restructuring``: Restructuring: one operation or a plan. Included by ``dangbo.urls`` at the site root, so
the addresses stay as users know them; names are ``restructuring:<name>``."""

from django.urls import path

from dangbo.restructuring import views as restructuring_views

app_name = "restructuring"

urlpatterns = [
    path("to-chuc/<uuid:org_id>/thanh-lap/", restructuring_views.org_create_view, name="org_create"),
    path("to-chuc/<uuid:org_id>/chuyen-truc-thuoc/", restructuring_views.org_move_view, name="org_move"),
    path("to-chuc/<uuid:org_id>/hop-nhat/", restructuring_views.org_merge_view, name="org_merge"),
    path("to-chuc/<uuid:org_id>/giai-the/", restructuring_views.org_dissolve_view, name="org_dissolve"),
    path("to-chuc/<uuid:org_id>/chia-tach/", restructuring_views.org_split_view, name="org_split"),
    path("sap-xep-to-chuc/", restructuring_views.plan_upload_view, name="plan_upload"),
    path("sap-xep-to-chuc/mau.csv", restructuring_views.plan_template_view, name="plan_template"),
    path("sap-xep-to-chuc/<uuid:plan_id>/", restructuring_views.plan_page_view, name="plan_page"),
    path("sap-xep-to-chuc/<uuid:plan_id>/ap-dung/", restructuring_views.plan_apply_view, name="plan_apply"),
]
