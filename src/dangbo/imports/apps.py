from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "dangbo.imports"
    label = "imports"
    verbose_name = "Nhập dữ liệu từ tệp"

    def ready(self) -> None:
        from dangbo.imports.jobs import KINDS
        from dangbo.jobs import registry

        for kind in KINDS:  # reading a file and writing its rows run in the background
            registry.register(kind)
