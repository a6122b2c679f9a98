from django.apps import AppConfig

from dangbo.core.logs import connect_job_logging


class AuditConfig(AppConfig):
    name = "dangbo.audit"
    label = "audit"
    verbose_name = "Nhật ký truy cập"

    def ready(self) -> None:
        # The job log lines sit beside the request log lines this app's middleware writes.
        connect_job_logging()
