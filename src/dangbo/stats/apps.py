from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "dangbo.stats"
    verbose_name = "Chỉ tiêu, báo cáo thống kê"
