"""The server's logs: one JSON object per line (docs/operators.md, "Logs").

``JsonFormatter`` writes any record as one line: ``time`` (UTC, ISO 8601, milliseconds),
``level``, ``logger``, ``message``, every field the caller passed in ``extra``, and an
exception's traceback as ``exception``. ``settings.LOGGING`` puts it on the console handler,
so Django's own records, waitress's and the worker's come out the same way.

Two loggers carry one line per unit of work:

* ``dangbo.requests``: one line per request (``audit.middleware.RequestLogMiddleware``).
* ``dangbo.jobs``: one line per background job that ends, from django-tasks' signals
  (``task_started``/``task_finished``, sent by the database worker and by the immediate
  backend alike): task, job id, queue, duration, outcome, and the error when it failed.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime

from django_tasks.signals import task_finished, task_started

_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (newlines inside values are escaped)."""

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _RECORD_FIELDS and not key.startswith("_"):
                payload[key] = value
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            payload["stack"] = self.formatStack(record.stack_info)
        return json.dumps(payload, ensure_ascii=False, default=str)


# --- background jobs ---------------------------------------------------------------------------

job_log = logging.getLogger("dangbo.jobs")
_started: dict[str, float] = {}  # job id → when this process started it (monotonic)


def _job_started(sender, task_result, **kwargs) -> None:
    _started[str(task_result.id)] = time.perf_counter()


def _job_finished(sender, task_result, **kwargs) -> None:
    begun = _started.pop(str(task_result.id), None)
    if begun is not None:
        duration_ms = round((time.perf_counter() - begun) * 1000, 1)
    elif task_result.started_at and task_result.finished_at:
        duration_ms = round((task_result.finished_at - task_result.started_at).total_seconds() * 1000, 1)
    else:
        duration_ms = None
    status = str(task_result.status)
    outcome = {"SUCCESSFUL": "succeeded", "FAILED": "failed"}.get(status, status.lower())
    task = task_result.task
    fields = {
        "event": "job",
        "task": task.module_path,
        "job_id": str(task_result.id),
        "queue": task.queue_name,
        "backend": task_result.backend,
        "attempt": len(task_result.worker_ids) or 1,
        "duration_ms": duration_ms,
        "outcome": outcome,
    }
    level = logging.INFO
    if outcome == "failed":
        level = logging.ERROR
        if task_result.errors:
            fields["error"] = task_result.errors[-1].exception_class_path
            fields["traceback"] = task_result.errors[-1].traceback
    job_log.log(level, "job %s %s", task.module_path, outcome, extra=fields)


def connect_job_logging() -> None:
    """Hook the job lines to django-tasks' signals (called once, from an AppConfig.ready)."""
    task_started.connect(_job_started, dispatch_uid="dangbo.core.logs.job_started")
    task_finished.connect(_job_finished, dispatch_uid="dangbo.core.logs.job_finished")
