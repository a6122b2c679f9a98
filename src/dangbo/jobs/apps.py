from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "dangbo.jobs"
    label = "jobs"
    verbose_name = "Công việc chạy nền"
