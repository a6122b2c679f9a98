"""Routes of ``stats``: Indicators, statistical forms and compliance. Included by ``dangbo.urls`` at the site root, so
the addresses stay as users know them; names are ``stats:<name>``."""

from django.urls import path

from dangbo.stats import compliance_views
from dangbo.stats import views as stats_views

app_name = "stats"

urlpatterns = [
    path("chi-tieu/", stats_views.dashboard_home_view, name="dashboard_home"),
    path("to-chuc/<uuid:org_id>/chi-tieu/", stats_views.dashboard_view, name="dashboard"),
    path("to-chuc/<uuid:org_id>/chi-tieu/<str:code>/", stats_views.indicator_view, name="indicator"),
    path("to-chuc/<uuid:org_id>/co-cau/", stats_views.structure_view, name="structure"),
    path("to-chuc/<uuid:org_id>/bieu-thong-ke/", stats_views.forms_view, name="stat_forms"),
    path("to-chuc/<uuid:org_id>/bieu-thong-ke/tai-ve/", stats_views.forms_file_view, name="stat_forms_file"),
    path("to-chuc/<uuid:org_id>/kiem-tra/", compliance_views.compliance_page, name="compliance"),
]
