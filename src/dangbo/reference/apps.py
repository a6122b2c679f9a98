from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "dangbo.reference"
    verbose_name = "Danh mục"
