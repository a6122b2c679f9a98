from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "dangbo.orgs"
    verbose_name = "Tổ chức đảng"
