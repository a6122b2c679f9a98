"""Issue 18, exports: a list above ``DANGBO_EXPORT_PURPOSE_ROWS`` rows needs a stated purpose,
runs as a background job and is audited with its row count and purpose; a leader exports
lists of people only with ``RoleAssignment.may_export_personal``, aggregate reports always."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from dangbo.accounts.models import AccessRole, RoleAssignment
from dangbo.accounts.services import role_grant
from dangbo.audit.models import AuditEntry
from dangbo.audit.services import Action
from dangbo.jobs.models import Job, JobState
from dangbo.members.models import ACTIVE_STATUSES, Member

PURPOSE = "Rà soát đảng viên cao tuổi để đề nghị miễn sinh hoạt năm 2026"


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", errors="replace")


@pytest.fixture
def leader(client, populated):
    user = User.objects.create_user("lanhdao", password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.LEADER, org=populated.commune)
    client.force_login(user)
    return user


def _personal_exports(tree) -> list[str]:
    """Every download that lists people, for the commune."""
    org = tree.commune.pk
    return [
        f"/dang-vien/xuat/?org={org}&dinh-dang=csv",
        f"/dang-vien/xuat/?org={org}&dinh-dang=xlsx",
        f"/to-chuc/{tree.cell_a.pk}/cam-tinh-dang/?dinh-dang=csv",
        f"/to-chuc/{org}/huy-hieu/?dinh-dang=csv",
        f"/to-chuc/{org}/viec-can-lam/?dinh-dang=csv",
        "/viec-can-lam/?dinh-dang=xlsx",
        f"/to-chuc/{org}/kiem-tra/?dinh-dang=csv",
        f"/to-chuc/{org}/chi-tieu/secretaries.theory_intermediate_share/?dinh-dang=csv",
        f"/to-chuc/{org}/chi-tieu/committee.theory_intermediate_share/?dinh-dang=xlsx",
    ]


def test_a_leader_without_the_grant_exports_no_list_of_people(client, populated, leader):
    names = list(Member.objects.values_list("given_name", flat=True))
    for url in _personal_exports(populated):
        response = client.get(url)
        assert response.status_code == 403, url
        body = _body(response)
        assert not any(name in body for name in names), url
        assert "quyền xuất danh sách" in body, url
    refused = AuditEntry.objects.filter(action=Action.REFUSED, actor_id=leader.pk)
    assert refused.count() == len(_personal_exports(populated))
    assert not AuditEntry.objects.filter(action=Action.EXPORTED).exists()
    # aggregate reports stay open to the leader
    response = client.get(f"/to-chuc/{populated.commune.pk}/chi-tieu/?dinh-dang=xlsx")
    assert response.status_code == 200
    response = client.post(f"/to-chuc/{populated.commune.pk}/bieu-thong-ke/tai-ve/", {"dinh-dang": "xlsx"})
    assert response.status_code == 302 and Job.objects.get().state == JobState.DONE


def test_a_leader_with_the_grant_exports_lists(client, populated, leader):
    RoleAssignment.objects.filter(user=leader).update(may_export_personal=True)
    for url in _personal_exports(populated):
        assert client.get(url).status_code == 200, url
    assert AuditEntry.objects.filter(action=Action.EXPORTED, actor_id=leader.pk).count() == len(
        _personal_exports(populated)
    )


@pytest.fixture
def officer(client, populated):
    user = User.objects.create_user("canbo-tinh", password="mat-khau-dai-du-1")
    role_grant(user=user, role=AccessRole.OFFICER, org=populated.province)
    client.force_login(user)
    return user


def test_a_list_above_the_threshold_needs_a_purpose_and_runs_as_an_audited_job(
    client, populated, officer, monkeypatch, settings
):
    settings.DANGBO_EXPORT_PURPOSE_ROWS = 2
    listed = Member.objects.filter(status__in=ACTIVE_STATUSES).count()
    assert listed > 2
    page = client.get("/dang-vien/xuat/?dinh-dang=csv")
    assert page.status_code == 200 and 'name="purpose"' in _body(page) and not Job.objects.exists()
    for purpose in ("", "để xem"):
        response = client.post("/dang-vien/xuat/?dinh-dang=csv", {"purpose": purpose})
        assert response.status_code == 400 and not Job.objects.exists()
        assert "Mục đích" in _body(response)
    response = client.post("/dang-vien/xuat/?dinh-dang=csv", {"purpose": PURPOSE})
    job = Job.objects.get()
    assert response["Location"] == f"/cong-viec/{job.pk}/"
    assert job.params["purpose"] == PURPOSE and job.state == JobState.DONE
    exported = AuditEntry.objects.get(action=Action.EXPORTED, subject_type="")
    assert exported.data["rows"] == listed and exported.data["purpose"] == PURPOSE
    # below the threshold: no purpose asked, downloaded at once
    settings.DANGBO_EXPORT_PURPOSE_ROWS = 5000
    response = client.get("/dang-vien/xuat/?dinh-dang=csv")
    assert response["Content-Type"].startswith("text/csv")


def test_a_job_queued_before_the_grant_was_lost_is_refused(client, populated, leader, monkeypatch, settings):
    settings.DANGBO_EXPORT_PURPOSE_ROWS = 1
    RoleAssignment.objects.filter(user=leader).update(may_export_personal=True)
    from django.test import override_settings

    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    ):
        response = client.post(
            f"/dang-vien/xuat/?org={populated.commune.pk}&dinh-dang=csv", {"purpose": PURPOSE}
        )
        assert response.status_code == 302
    RoleAssignment.objects.filter(user=leader).update(may_export_personal=False)
    from dangbo.jobs.services import job_run

    job = Job.objects.get()
    job_run(str(job.pk))
    job.refresh_from_db()
    assert job.state == JobState.FAILED and not job.result_name


def test_an_officer_grants_a_leader_the_export_right_on_the_account_page(client, populated, officer):
    """The grant is a checkbox of the role form, for the leader role only; it is audited and the
    account page says who holds it."""
    account = User.objects.create_user("lanhdao-moi", password="mat-khau-dai-du-1")
    role_grant(user=account, role=AccessRole.SECRETARY, org=populated.cell_a)  # an account of the officer's
    url = f"/tai-khoan/{account.pk}/cap-quyen/"
    refused = client.post(
        url, {"role": "officer", "org": populated.commune.code, "may_export_personal": "on"}
    )
    assert refused.status_code == 400
    assert "Chỉ vai trò lãnh đạo" in refused.content.decode()
    assert not RoleAssignment.objects.filter(user=account, role=AccessRole.OFFICER).exists()

    granted = client.post(url, {"role": "leader", "org": populated.commune.code, "may_export_personal": "on"})
    assert granted.status_code == 302
    assignment = RoleAssignment.objects.get(user=account, role=AccessRole.LEADER)
    assert assignment.role == AccessRole.LEADER and assignment.may_export_personal
    row = AuditEntry.objects.filter(action=Action.ROLE_GRANTED, subject_id=str(account.pk)).order_by("-seq")[
        0
    ]
    assert row.data["may_export_personal"] is True
    assert "được xuất danh sách cá nhân" in client.get(f"/tai-khoan/{account.pk}/").content.decode()
