from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "dangbo.exchange"
    label = "exchange"
    verbose_name = "Trao đổi báo cáo giữa các cấp"
