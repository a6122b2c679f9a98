from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "dangbo.exchange"
    label = "exchange"
    verbose_name = "Trao đổi báo cáo giữa các cấp"

    def ready(self) -> None:
        # The package file is written by a background job; its kind is registered here.
        from dangbo.exchange.jobs import KINDS
        from dangbo.jobs import registry

        for kind in KINDS:
            registry.register(kind)
