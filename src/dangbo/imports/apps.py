from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "dangbo.imports"
    label = "imports"
    verbose_name = "Nhập dữ liệu từ tệp"
