"""A background job in a real browser: the plan page waits for the worker, follows the job's
progress by itself, and shows the result when the job ends; the jobs pages are accessible."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User
from tests.browser import BROWSER, axe_violations, sign_in
from tests.test_restructure_pages import GOOD_PLAN, _csv

from dangbo.audit.context import acting, system_context
from dangbo.jobs.models import Job, JobState
from dangbo.jobs.services import job_run
from dangbo.orgs import services as org_services
from dangbo.orgs.models import Locality
from dangbo.reference.loader import load_all
from dangbo.restructuring.plan_uploads import restructure_plan_upload

pytestmark = BROWSER

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def populated(live_server, transactional_db, tree, make_member):
    load_all()  # an earlier transactional test's flush may have emptied the code lists
    org_services.locality_create(
        commune=tree.commune, kind=Locality.Kind.THON, name="Thôn A", code="TA", cell=tree.cell_a
    )
    for cell in (tree.cell_a, tree.cell_a, tree.cell_b, tree.agency):
        make_member(cell, admitted_on=date(2016, 3, 1))
    return tree


def test_the_plan_page_follows_its_preview_until_the_result_shows(live_server, page, populated, settings):
    settings.TASKS = DATABASE_TASKS  # queued, not run: the test plays the worker
    admin = User.objects.create_superuser("quantri", password="mat-khau-thu-1")
    with acting(system_context("test")):
        plan = restructure_plan_upload(file_name="phuong-an.csv", data=_csv(GOOD_PLAN), actor=admin)
    job = Job.objects.get()
    sign_in(page, live_server.url, "quantri")

    page.goto(f"{live_server.url}/sap-xep-to-chuc/{plan.pk}/")
    page.get_by_text("Đang chờ").wait_for()
    assert page.get_by_text("Phương án đang được xem trước").is_visible()
    assert page.get_by_role("button", name="Áp dụng phương án").count() == 0
    assert not axe_violations(page)

    assert job_run(str(job.pk)) == JobState.DONE  # the worker's turn
    # the status box polls every two seconds; when the job has ended the page reloads itself
    page.get_by_text("Xem trước hợp lệ, chưa áp dụng").first.wait_for(timeout=15_000)
    assert page.get_by_role("button", name="Áp dụng phương án").is_visible()
    assert page.get_by_text("Xem trước hợp lệ (4 thao tác").is_visible()

    page.goto(f"{live_server.url}/cong-viec/")
    page.get_by_role("link", name="Xem trước phương án «phuong-an.csv»").click()
    page.get_by_role("heading", name="Xem trước phương án «phuong-an.csv»").wait_for()
    assert page.get_by_text("Đã xong").is_visible()
    assert not axe_violations(page)
