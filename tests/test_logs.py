"""Structured logs (issue 17): one JSON line per request and per background job."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.test import override_settings
from django.urls import reverse
from django_tasks import task, task_backends

from dangbo.audit.models import AuditEntry
from dangbo.core.logs import JsonFormatter


def lines(caplog, logger: str) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == logger]


def as_json(record: logging.LogRecord) -> dict:
    text = JsonFormatter().format(record)
    assert "\n" not in text
    return json.loads(text)


# --- the formatter ---------------------------------------------------------------------------


def test_the_formatter_writes_one_json_object_per_line_with_the_extra_fields():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("dangbo.test_logs")
    logger.addHandler(handler)
    try:
        logger.warning("Xóa %s dòng", 3, extra={"who": "Nguyễn Văn Đức", "when": object()})
        try:
            raise ValueError("hai\ndòng")
        except ValueError:
            logger.exception("lỗi")
    finally:
        logger.removeHandler(handler)
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "Xóa 3 dòng" and first["level"] == "WARNING"
    assert first["logger"] == "dangbo.test_logs" and first["who"] == "Nguyễn Văn Đức"
    assert first["when"].startswith("<object") and first["time"].endswith("+00:00")
    assert "args" not in first and "msg" not in first
    assert second["level"] == "ERROR" and "ValueError: hai\ndòng" in second["exception"]


def test_the_console_handler_of_the_settings_writes_json(settings):
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "json"
    assert settings.LOGGING["formatters"]["json"]["()"] == "dangbo.core.logs.JsonFormatter"


# --- requests --------------------------------------------------------------------------------


def test_a_request_is_one_line_with_the_id_its_audit_rows_carry(client, admin_user, tree, caplog):
    caplog.set_level(logging.INFO, logger="dangbo.requests")
    client.force_login(admin_user)
    response = client.get(f"/to-chuc/{tree.cell_a.pk}/", {"q": "nguyen van duc"})
    assert response.status_code == 200
    [record] = lines(caplog, "dangbo.requests")
    line = as_json(record)
    request_id = response["X-Request-ID"]
    assert line["event"] == "request" and line["request_id"] == request_id
    assert line["user"] == admin_user.username and line["user_id"] == admin_user.pk
    assert line["method"] == "GET" and line["path"] == f"/to-chuc/{tree.cell_a.pk}/"
    assert line["status"] == 200 and isinstance(line["duration_ms"], float) and line["duration_ms"] > 0
    assert "nguyen" not in json.dumps(line)  # the query string is not logged
    # the same id as the audit rows the request wrote
    assert AuditEntry.objects.filter(request_id=request_id, subject_id=str(tree.cell_a.pk)).exists()


def test_an_anonymous_request_and_an_incoming_request_id(client, db, caplog):
    """The server makes every request id; a client's well-formed X-Request-ID is only kept
    beside it (issue 18), a malformed one is dropped."""
    caplog.set_level(logging.INFO, logger="dangbo.requests")
    response = client.get(reverse("web:home"), HTTP_X_REQUEST_ID="proxy-1234567890")
    client.get("/khong-co-trang-nay/", HTTP_X_REQUEST_ID="x")  # malformed: not kept
    first, second = (as_json(r) for r in lines(caplog, "dangbo.requests"))
    assert response["X-Request-ID"] == first["request_id"] != "proxy-1234567890"
    assert len(first["request_id"]) == 32 and first["client_request_id"] == "proxy-1234567890"
    assert first["user"] is None and first["status"] == 302
    assert second["status"] == 404 and second["request_id"] != "x" and len(second["request_id"]) == 32
    assert second["client_request_id"] is None


def test_a_client_request_id_is_kept_apart_in_the_audit_row(client, admin_user, tree):
    """A client cannot give its audit rows the id of another request: the row's request_id is
    the server's, and what the client sent is its own column, covered by the hash."""
    client.force_login(admin_user)
    response = client.get(f"/to-chuc/{tree.cell_a.pk}/", HTTP_X_REQUEST_ID="someone-elses-id-42")
    row = AuditEntry.objects.filter(subject_id=str(tree.cell_a.pk)).order_by("-seq").first()
    assert row.request_id == response["X-Request-ID"] != "someone-elses-id-42"
    assert row.client_request_id == "someone-elses-id-42"
    assert "someone-elses-id-42" in row.chained_content().decode()
    # the audit page and its export show it apart from the server's id
    page = client.get("/nhat-ky/", {"subject": str(tree.cell_a.pk)}).content.decode()
    assert "máy khách: <code>someone-elses-id-42</code>" in page
    export = client.get("/nhat-ky/xuat/", {"subject": str(tree.cell_a.pk), "dinh-dang": "csv"})
    body = (b"".join(export.streaming_content) if export.streaming else export.content).decode("utf-8-sig")
    assert "Mã yêu cầu của máy khách" in body and "someone-elses-id-42" in body


def test_a_sign_in_is_logged_as_the_user_who_signed_in(client, db, caplog):
    from django.contrib.auth.models import User

    User.objects.create_user("canbo", password="mat-khau-dai-du-1")
    caplog.set_level(logging.INFO, logger="dangbo.requests")
    client.post(reverse("login"), {"username": "canbo", "password": "mat-khau-dai-du-1"})
    [line] = [as_json(r) for r in lines(caplog, "dangbo.requests")]
    assert line["method"] == "POST" and line["status"] == 302 and line["user"] == "canbo"
    sign_in = AuditEntry.objects.get(action="sign_in", actor_name="canbo")
    assert sign_in.request_id == line["request_id"]


# --- background jobs -------------------------------------------------------------------------


@task()
def add(a: int, b: int) -> int:
    return a + b


@task()
def fail() -> None:
    raise ValueError("không được")


DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@override_settings(TASKS=IMMEDIATE)
def test_a_job_is_one_line_with_its_name_id_duration_and_outcome(caplog):
    caplog.set_level(logging.INFO, logger="dangbo.jobs")
    result = add.enqueue(2, 3)
    assert result.return_value == 5
    [record] = lines(caplog, "dangbo.jobs")
    line = as_json(record)
    assert line["event"] == "job" and line["task"].endswith(".add") and line["job_id"] == str(result.id)
    assert line["outcome"] == "succeeded" and line["level"] == "INFO" and line["queue"] == "default"
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0


@override_settings(TASKS=IMMEDIATE)
def test_a_failed_job_is_logged_as_an_error_with_its_exception(caplog):
    caplog.set_level(logging.INFO, logger="dangbo.jobs")
    result = fail.enqueue()
    [line] = [as_json(r) for r in lines(caplog, "dangbo.jobs")]
    assert line["outcome"] == "failed" and line["level"] == "ERROR" and line["job_id"] == str(result.id)
    assert line["error"] == "builtins.ValueError" and "không được" in line["traceback"]


@pytest.mark.django_db(transaction=True)  # the worker commits, and closes connections in a transaction
def test_a_job_run_by_the_database_worker_is_logged(caplog, settings):
    """The configured backend (django-tasks-db) and its worker, as `dangbo worker` runs it."""
    from django.core.management import call_command

    settings.TASKS = DATABASE_TASKS  # the tests run jobs at once (conftest); this one queues them
    caplog.set_level(logging.INFO, logger="dangbo.jobs")
    assert type(task_backends["default"]).__name__ == "DatabaseBackend"
    result = add.enqueue(20, 22)
    assert not lines(caplog, "dangbo.jobs")
    call_command("db_worker", batch=True, interval=0, verbosity=0)
    [line] = [as_json(r) for r in lines(caplog, "dangbo.jobs")]
    assert line["job_id"] == str(result.id) and line["outcome"] == "succeeded"
    assert line["backend"] == "default" and line["duration_ms"] >= 0
    result.refresh()
    assert result.return_value == 42
