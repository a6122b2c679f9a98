"""TEMPORARY (branch rorgs): replaced at merge by the ratings pages' own urls.py, which adds
``urlpatterns += org_urls.urlpatterns``."""

from dangbo.ratings import org_urls

app_name = "ratings"

urlpatterns = [*org_urls.urlpatterns]
