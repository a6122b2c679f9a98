from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "dangbo.audit"
    label = "audit"
    verbose_name = "Nhật ký truy cập"

    def ready(self) -> None:
        from dangbo.core.logs import connect_job_logging

        # The job log lines sit beside the request log lines this app's middleware writes.
        connect_job_logging()
