"""The exchange pages (issue 22): a commune's secretary sends a package up through a background
job, the district's officer receives it and reads the differences; refusals are shown in
Vietnamese with nothing stored; a sibling district sees nothing; keys are registered and
revoked by those who manage accounts above the organization."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from dangbo.accounts.models import AccessRole
from dangbo.accounts.scope import SYSTEM
from dangbo.accounts.services import role_grant
from dangbo.exchange import keys
from dangbo.exchange.models import ExchangePeer, SubmittedReport
from dangbo.exchange.services import package_export, peer_trust
from dangbo.jobs.models import Job


@pytest.fixture(autouse=True)
def key_file(settings, tmp_path):
    settings.DANGBO_EXCHANGE_KEY_FILE = tmp_path / "keys" / "exchange_ed25519"


def _user(name: str, role: str, org) -> User:
    user = User.objects.create_user(name, password="mat-khau-dai-du-1")
    role_grant(user=user, role=role, org=org)
    return user


@pytest.fixture
def people(populated, frozen_today):
    frozen_today()
    return {
        "secretary": _user("canbo-xa", AccessRole.OFFICER, populated.commune),
        "leader": _user("lanhdao-huyen", AccessRole.LEADER, populated.district),
        "officer": _user("canbo-huyen", AccessRole.OFFICER, populated.district),
        "sibling": _user("canbo-huyen-hai", AccessRole.OFFICER, populated.district2),
    }


def _upload(client, data: bytes, name: str = "goi.json"):
    return client.post("/trao-doi/nhan/", {"package_file": SimpleUploadedFile(name, data)})


def test_send_receive_and_read_the_differences(client, populated, people, make_member):
    peer_trust(actor=SYSTEM, user=None, org=populated.commune, public_key=keys.public_key_text())
    client.force_login(people["secretary"])
    page = client.get("/trao-doi/gui-len/")
    assert page.status_code == 200 and keys.fingerprint(keys.public_key_text()) in page.content.decode()
    response = client.post(
        "/trao-doi/gui-len/", {"org_code": "X1", "report": "member_counts", "ngay": "20/11/2026"}
    )
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cong-viec/{job.pk}/"
    download = client.get(f"/cong-viec/{job.pk}/tai-ve/")
    data = b"".join(download.streaming_content)
    assert json.loads(data)["manifest"]["report"]["org"] == "X1"
    client.force_login(people["leader"])  # reads the district's figures, receives nothing
    assert client.get("/trao-doi/nhan/").status_code == 404
    client.force_login(people["officer"])
    response = _upload(client, data)
    report = SubmittedReport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/trao-doi/bao-cao/{report.pk}/"
    html = client.get(response["Location"]).content.decode()
    assert "Số liệu khác nhau (0)" in html and "đều khớp" in html
    make_member(populated.cell_b, admitted_on=date(2016, 3, 1), gender="F")
    html = client.get(f"/trao-doi/bao-cao/{report.pk}/").content.decode()
    assert "Số liệu khác nhau (6)" in html  # members, full, women of the cell and the commune
    assert html.index("Số liệu khác nhau") < html.index('class="late"') < html.index("Số liệu khớp")
    csv = b"".join(client.get(f"/trao-doi/bao-cao/{report.pk}/", {"dinh-dang": "csv"}).streaming_content)
    lines = csv.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Mã tổ chức") and sum(line.endswith(",Khác") for line in lines) == 6
    xlsx = client.get(f"/trao-doi/bao-cao/{report.pk}/", {"dinh-dang": "xlsx"})
    assert b"".join(xlsx.streaming_content)[:2] == b"PK"
    listing = client.get("/trao-doi/").content.decode()
    assert populated.commune.name in listing and '<strong class="late">6</strong>' in listing
    again = _upload(client, data)
    assert again.status_code == 302 and SubmittedReport.objects.count() == 1
    assert "đã được nhận" in client.get(again["Location"]).content.decode()


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"\x00\x01 not json", "không phải JSON"),
        (json.dumps({"schema": "dangbo.exchange/1"}).encode(), "Tệp không phải gói báo cáo"),
    ],
)
def test_a_bad_file_is_refused_on_the_page_and_nothing_is_stored(client, people, data, said):
    client.force_login(people["officer"])
    response = _upload(client, data)
    assert response.status_code == 400 and said in response.content.decode()
    assert SubmittedReport.objects.count() == 0


def test_a_file_above_the_limit_is_refused_unread(client, people, settings):
    settings.DANGBO_EXCHANGE_MAX_MB = 0.001
    client.force_login(people["officer"])
    response = _upload(client, b"{" + b" " * 4096 + b"}")
    assert response.status_code == 400 and "Tệp quá lớn" in response.content.decode()


def test_a_sibling_district_sees_no_report_and_cannot_receive_one(client, populated, people):
    peer_trust(actor=SYSTEM, user=None, org=populated.commune, public_key=keys.public_key_text())
    data = package_export(actor=SYSTEM, org=populated.commune, kind="indicators").to_bytes()
    client.force_login(people["officer"])
    client.get(_upload(client, data)["Location"])  # the message «received» is read here
    report = SubmittedReport.objects.get()
    client.force_login(people["sibling"])
    assert client.get(f"/trao-doi/bao-cao/{report.pk}/").status_code == 404
    assert client.get(f"/trao-doi/bao-cao/{report.pk}/", {"dinh-dang": "csv"}).status_code == 404
    assert populated.commune.name not in client.get("/trao-doi/").content.decode()
    response = _upload(client, data)
    assert response.status_code == 400 and "không thuộc phạm vi" in response.content.decode()
    sent = client.post("/trao-doi/gui-len/", {"org_code": "X1", "report": "indicators"})
    assert sent.status_code == 400 and Job.objects.count() == 0


def test_keys_are_registered_and_revoked_above_the_organization(client, populated, people):
    public = keys.public_key_text()
    client.force_login(people["sibling"])
    refused = client.post("/trao-doi/khoa/", {"org_code": "X1", "public_key": public})
    assert refused.status_code == 400 and ExchangePeer.objects.count() == 0
    assert populated.commune.name not in refused.content.decode()
    client.force_login(people["leader"])  # manages no accounts
    assert client.get("/trao-doi/khoa/").status_code == 404
    client.force_login(people["secretary"])  # the commune's own office does not vouch for its key
    assert client.post("/trao-doi/khoa/", {"org_code": "X1", "public_key": public}).status_code == 400
    client.force_login(people["officer"])
    bad = client.post("/trao-doi/khoa/", {"org_code": "X1", "public_key": "abc"})
    assert bad.status_code == 400 and "Khóa công khai không hợp lệ" in bad.content.decode()
    assert client.post("/trao-doi/khoa/", {"org_code": "X1", "public_key": public}).status_code == 302
    peer = ExchangePeer.objects.get()
    assert peer.org == populated.commune and peer.added_by == people["officer"]
    assert keys.fingerprint(public) in client.get("/trao-doi/khoa/").content.decode()
    client.force_login(people["sibling"])
    assert client.post("/trao-doi/khoa/", {"revoke": str(peer.pk)}).status_code == 404
    client.force_login(people["officer"])
    assert client.post("/trao-doi/khoa/", {"revoke": str(peer.pk)}).status_code == 302
    peer.refresh_from_db()
    assert peer.revoked_at is not None and peer.revoked_by == people["officer"]


def test_a_date_the_report_cannot_have_ends_the_job_with_the_reason_and_no_file(client, people):
    client.force_login(people["secretary"])
    response = client.post(
        "/trao-doi/gui-len/", {"org_code": "X1", "report": "statform:Mẫu 1-TCTW", "ngay": "01/01/2999"}
    )
    job = Job.objects.get()
    assert response.status_code == 302 and job.state == "failed" and not job.result
    assert "ở tương lai" in job.message
