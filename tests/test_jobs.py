"""Background jobs: long work queued by a page, run by the worker as the user who asked,
its progress shown while it runs, its file kept for that user only (dangbo.jobs)."""

from __future__ import annotations

import csv
import io
import os
from datetime import timedelta

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.db import connections, transaction
from django_tasks_db.models import DBTaskResult
from tests.test_restructure_pages import GOOD_PLAN, _csv, _upload, _user

from dangbo import cli
from dangbo.accounts.models import AccessRole
from dangbo.accounts.services import role_revoke
from dangbo.audit.models import AuditEntry
from dangbo.core import clock
from dangbo.core.violations import RuleViolation, input_violation
from dangbo.jobs import registry
from dangbo.jobs.models import Job, JobState
from dangbo.jobs.progress import Progress
from dangbo.jobs.selectors import job_get
from dangbo.jobs.services import job_purge, job_start
from dangbo.members import views as member_views
from dangbo.members.models import ACTIVE_STATUSES, Member
from dangbo.restructuring.models import RestructurePlan

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def officer(client, populated):
    user = _user("canbo-tinh", AccessRole.OFFICER, populated.province)
    client.force_login(user)
    return user


def _run_worker() -> None:
    """Run the queued tasks as the worker would. (db_worker itself closes the connection
    between tasks, which would end the test's transaction on PostgreSQL.)"""
    for queued in DBTaskResult.objects.ready().order_by("enqueued_at"):
        assert queued.task_path == "dangbo.jobs.services.run_job"
        queued.task.call(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"])
        queued.delete()


def test_a_plan_preview_waits_for_the_worker_and_its_page_follows_it(client, officer, settings):
    settings.TASKS = DATABASE_TASKS
    response = _upload(client, _csv(GOOD_PLAN))
    plan, job = RestructurePlan.objects.get(), Job.objects.get()
    assert response["Location"] == f"/sap-xep-to-chuc/{plan.pk}/"
    assert (job.kind, job.state, job.owner) == ("restructuring.plan_preview", JobState.QUEUED, officer)
    assert plan.reported_at is None  # nothing previewed during the request

    page = client.get(f"/sap-xep-to-chuc/{plan.pk}/").content.decode()
    assert f'hx-get="/cong-viec/{job.pk}/"' in page and "Đang chờ" in page
    assert "Áp dụng phương án</button>" not in page and "đang được xem trước" in page
    poll = client.get(f"/cong-viec/{job.pk}/", HTTP_HX_REQUEST="true")
    assert 'id="job-status"' in poll.content.decode() and "HX-Refresh" not in poll

    _run_worker()
    job.refresh_from_db()
    plan.refresh_from_db()
    assert job.state == JobState.DONE and job.message.startswith("Xem trước hợp lệ (4 thao tác")
    assert plan.report["ok"] and plan.applied_at is None
    poll = client.get(f"/cong-viec/{job.pk}/", HTTP_HX_REQUEST="true")
    assert poll["HX-Refresh"] == "true"  # the page reloads and shows the result
    page = client.get(f"/sap-xep-to-chuc/{plan.pk}/").content.decode()
    assert "Xem trước hợp lệ, chưa áp dụng" in page and "Áp dụng phương án</button>" in page
    assert "hx-trigger" not in page
    # the preview's own changes were rolled back, its audit rows with them: the upload and the
    # preview's outcome are recorded, as the officer, from the upload's request
    rows = AuditEntry.objects.filter(subject_type="restructure_plan").order_by("seq")
    assert [(r.action, r.actor_id) for r in rows] == [("created", officer.pk), ("updated", officer.pk)]
    assert rows[1].request_id == rows[0].request_id


def test_apply_is_refused_while_the_preview_runs(client, officer, settings):
    settings.TASKS = DATABASE_TASKS
    _upload(client, _csv(GOOD_PLAN))
    plan = RestructurePlan.objects.get()
    response = client.post(f"/sap-xep-to-chuc/{plan.pk}/ap-dung/", {"sha256": plan.sha256}, follow=True)
    assert "đang được xem trước hoặc áp dụng" in response.content.decode()
    assert Job.objects.count() == 1


def test_a_job_whose_owner_lost_the_right_is_refused_not_run(client, officer, settings, populated):
    settings.TASKS = DATABASE_TASKS
    _upload(client, _csv(GOOD_PLAN))
    role_revoke(assignment=officer.role_assignments.get())
    _run_worker()
    job = Job.objects.get()
    assert job.state == JobState.FAILED and "không còn quyền" in job.message
    assert RestructurePlan.objects.get().reported_at is None


def test_progress_is_read_while_the_job_holds_its_transaction(db, django_user_model):
    owner = django_user_model.objects.create_user("chu")
    job = Job.objects.create(kind="x", title="Việc dài", owner=owner, state=JobState.RUNNING)
    progress = Progress(job.pk, Job._meta.db_table)
    actor = type("Actor", (), {"is_admin": False, "user_id": owner.pk})()
    try:
        with transaction.atomic():
            progress(3, 10, "Thao tác 3/10")
            if connections["default"].vendor == "sqlite":  # the file beside the database
                seen = job_get(actor=actor, job_id=job.pk)
                assert (seen.done, seen.total, seen.step, seen.percent) == (3, 10, "Thao tác 3/10", 30)
    finally:
        progress.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_progress_on_postgresql_commits_on_its_own_connection(django_user_model):
    owner = django_user_model.objects.create_user("chu")
    job = Job.objects.create(kind="x", title="Việc dài", owner=owner, state=JobState.RUNNING)
    progress = Progress(job.pk, Job._meta.db_table)
    reader = connections.create_connection("default")
    try:
        with transaction.atomic():  # the job's own transaction, open and not committed
            django_user_model.objects.create_user("chua-luu")  # the job's uncommitted work
            progress(7, 20, "Thao tác 7/20")
            with reader.cursor() as cursor:
                cursor.execute("SELECT done, total, step FROM jobs_job WHERE id = %s", [job.pk])
                assert cursor.fetchone() == (7, 20, "Thao tác 7/20")
                cursor.execute("SELECT count(*) FROM auth_user WHERE username = 'chua-luu'")
                assert cursor.fetchone() == (0,)
            transaction.set_rollback(True)
    finally:
        progress.close()
        reader.close()


def test_statistical_forms_file_is_a_job_for_its_owner_only(client, officer, populated):
    response = client.post(f"/to-chuc/{populated.province.pk}/bieu-thong-ke/tai-ve/", {"dinh-dang": "xlsx"})
    job = Job.objects.get()
    assert response["Location"] == f"/cong-viec/{job.pk}/"
    assert job.state == JobState.DONE and job.result_name.startswith(
        f"bieu-thong-ke-{populated.province.code}-"
    )
    page = client.get(f"/cong-viec/{job.pk}/").content.decode()
    assert f'href="/cong-viec/{job.pk}/tai-ve/"' in page and "hx-get" not in page
    download = client.get(f"/cong-viec/{job.pk}/tai-ve/")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert book.sheetnames  # a real workbook
    assert (
        AuditEntry.objects.filter(action="exported", subject_type="job", subject_id=str(job.pk)).count() == 1
    )

    other = _user("bithu", AccessRole.SECRETARY, populated.cell_a)
    client.force_login(other)
    assert client.get(f"/cong-viec/{job.pk}/").status_code == 404
    assert client.get(f"/cong-viec/{job.pk}/tai-ve/").status_code == 404
    assert job.title not in client.get("/cong-viec/").content.decode()
    client.force_login(User.objects.create_superuser("quantri", password="mat-khau-dai-du-1"))
    assert job.title in client.get("/cong-viec/").content.decode()
    assert client.get(f"/cong-viec/{job.pk}/tai-ve/").status_code == 200


def test_forms_file_refuses_a_bad_format_or_an_org_out_of_scope(client, populated):
    _user_in_cell = _user("bithu", AccessRole.SECRETARY, populated.cell_a)
    client.force_login(_user_in_cell)
    response = client.post(f"/to-chuc/{populated.cell_a.pk}/bieu-thong-ke/tai-ve/", {"dinh-dang": "exe"})
    assert response.status_code == 302 and not Job.objects.exists()
    response = client.post(f"/to-chuc/{populated.province.pk}/bieu-thong-ke/tai-ve/", {"dinh-dang": "pdf"})
    assert response.status_code == 404 and not Job.objects.exists()
    assert client.get(f"/to-chuc/{populated.cell_a.pk}/bieu-thong-ke/tai-ve/").status_code == 405


def test_a_long_member_list_is_written_by_a_job(client, officer, populated, monkeypatch):
    monkeypatch.setattr(member_views, "EXPORT_IN_REQUEST_MAX", 2)
    listed = Member.objects.filter(status__in=ACTIVE_STATUSES).count()
    page = client.get("/dang-vien/xuat/?q=&dinh-dang=csv")
    assert page.status_code == 200 and "Tạo tệp</button>" in page.content.decode()
    assert f"<strong>{listed}</strong>" in page.content.decode() and not Job.objects.exists()
    response = client.post("/dang-vien/xuat/?q=&dinh-dang=csv")
    job = Job.objects.get()
    assert response["Location"] == f"/cong-viec/{job.pk}/"
    assert job.state == JobState.DONE and job.result_name.endswith(".csv")
    assert job.message == f"Đã tạo danh sách {listed} đảng viên."
    text = b"".join(client.get(f"/cong-viec/{job.pk}/tai-ve/").streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][1] == "Họ và tên" and len(rows) == 1 + listed
    exported = AuditEntry.objects.filter(action="exported", subject_type="").get()
    assert exported.data["rows"] == listed and exported.actor_id == officer.pk


def test_a_short_member_list_is_still_downloaded_at_once(client, officer, populated):
    response = client.get("/dang-vien/xuat/?dinh-dang=csv")
    assert response["Content-Type"].startswith("text/csv") and not Job.objects.exists()


@pytest.fixture
def kinds():
    registered = []

    def add(name, run):
        registry.register(registry.JobKind(name, "Việc thử", run))
        registered.append(name)

    yield add
    for name in registered:
        registry._kinds.pop(name, None)


def test_a_job_that_breaks_or_is_refused_says_so(officer, kinds):
    def broken(run):
        raise ZeroDivisionError

    def refused(run):
        raise RuleViolation([input_violation(None, "Không đủ điều kiện.")])

    kinds("test.broken", broken)
    kinds("test.refused", refused)
    broke = job_start(kind="test.broken", owner=officer, params={})
    refuse = job_start(kind="test.refused", owner=officer, params={})
    broke.refresh_from_db()
    refuse.refresh_from_db()
    assert (
        broke.state == JobState.FAILED and str(broke.pk) in broke.message and "lỗi hệ thống" in broke.message
    )
    assert (refuse.state, refuse.message) == (JobState.FAILED, "Không đủ điều kiện.")


def test_purge_removes_old_finished_jobs_and_their_files(officer, capsys):
    def make(run):
        run.progress(1, 1, "xong")
        return registry.JobOutcome(message="Xong.", file_name="a.csv", file=io.BytesIO(b"x,y\n"))

    registry.register(registry.JobKind("test.file", "Việc có tệp", make))
    try:
        old = job_start(kind="test.file", owner=officer, params={})
        recent = job_start(kind="test.file", owner=officer, params={})
    finally:
        registry._kinds.pop("test.file")
    old.refresh_from_db()
    path = old.result.path
    Job.objects.filter(pk=old.pk).update(finished_at=clock.now() - timedelta(days=8))
    assert cli.main(["jobs", "list"]) == 0
    assert "Việc có tệp" in capsys.readouterr().out
    assert job_purge() == 1
    assert list(Job.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not os.path.exists(path)
    assert cli.main(["jobs", "purge", "--days", "0"]) == 0
    assert not Job.objects.exists()


def test_worker_options_reach_the_worker(monkeypatch):
    passed = []
    monkeypatch.setattr(cli, "_setup", lambda: None)
    monkeypatch.setattr("django.core.management.call_command", lambda *args: passed.append(args))
    assert cli.main(["worker", "--batch", "--no-startup-delay", "--no-reload"]) == 0
    assert passed == [("db_worker", "--batch", "--no-startup-delay", "--no-reload")]
    with pytest.raises(SystemExit):
        cli.main(["todo", "--khong-co"])
