from django.apps import AppConfig


class RestructuringConfig(AppConfig):
    name = "dangbo.restructuring"
    label = "restructuring"
    verbose_name = "Sắp xếp tổ chức"
