from django.apps import AppConfig


class RestructuringConfig(AppConfig):
    name = "dangbo.restructuring"
    label = "restructuring"
    verbose_name = "Sắp xếp tổ chức"

    def ready(self) -> None:
        # The plan's preview and apply run as background jobs; their kinds are registered here.
        from dangbo.jobs import registry
        from dangbo.restructuring.jobs import KINDS

        for kind in KINDS:
            registry.register(kind)
