from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dangbo.core"
    verbose_name = "Lõi"

    def ready(self) -> None:
        from dangbo.core import checks  # noqa: F401  (registers the deployment checks)
