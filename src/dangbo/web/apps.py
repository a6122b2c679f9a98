from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "dangbo.web"
    verbose_name = "Giao diện"
