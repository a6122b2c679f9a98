"""Free text has a maximum length at the service layer, refused in Vietnamese; the API's own
validation speaks Vietnamese too (issue 18, ASVS 2.2.1, 2.2.2)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from dangbo.accounts.models import AccessRole
from dangbo.accounts.services import role_grant
from dangbo.core.kinds import OrgKind
from dangbo.core.lengths import TEXT_MAX_LENGTH, text_limit
from dangbo.core.violations import RuleViolation
from dangbo.discipline.models import DisciplineCase
from dangbo.discipline.services import discipline_open
from dangbo.orgs import services as org_services
from dangbo.orgs.models import Locality, Org
from dangbo.restructuring.plans import COLUMNS, plan_run, rows_from_dicts

HUGE = "Đ" * 100_000
SAID = "dài 100.000 ký tự, quá giới hạn 255 ký tự"


def test_a_huge_organization_name_is_refused_by_the_services(tree):
    with pytest.raises(RuleViolation) as refused:
        org_services.org_rename(org=tree.cell_a, name=HUGE, effective_on=date(2025, 1, 1))
    assert refused.value.violations[0].field == "name" and SAID in refused.value.violations[0].message
    with pytest.raises(RuleViolation, match=SAID):
        org_services.org_establish(
            code="MOI", name=HUGE, kind=OrgKind.CELL, parent=tree.commune, established_on=date(2025, 1, 1)
        )
    assert not Org.objects.filter(code="MOI").exists()
    assert len(Org.objects.get(pk=tree.cell_a.pk).name) < 255


def test_a_hamlet_and_a_decision_number_are_limited_too(tree):
    with pytest.raises(RuleViolation, match="quá giới hạn 200 ký tự"):
        org_services.locality_create(commune=tree.commune, kind=Locality.Kind.THON, name=HUGE, code="T9")
    with pytest.raises(RuleViolation, match="quá giới hạn"):
        org_services.locality_create(
            commune=tree.commune, kind=Locality.Kind.THON, name="Thôn 9", code="T9", decision_no=HUGE
        )


def _plan(*rows: dict) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS))
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in COLUMNS})
    return out.getvalue().encode()


RENAME = {"thao_tac": "doi_ten", "ma_to_chuc": "X1A", "ten": HUGE, "ngay_hieu_luc": "01/07/2025"}


def test_a_plan_renaming_to_a_huge_name_is_refused_and_nothing_changes(tree):
    report = plan_run(rows_from_dicts([RENAME]), apply=True)
    assert not report.ok
    assert any(SAID in str(problem) for _, problem in report.problems)
    assert Org.objects.get(pk=tree.cell_a.pk).name == tree.cell_a.name


def test_the_plan_page_shows_the_refusal_in_vietnamese(client, tree):
    officer = User.objects.create_user("canbo-tinh", password="mat-khau-dai-du-1")
    role_grant(user=officer, role=AccessRole.OFFICER, org=tree.province)
    client.force_login(officer)
    response = client.post("/sap-xep-to-chuc/", {"plan_file": SimpleUploadedFile("a.csv", _plan(RENAME))})
    assert response.status_code == 302
    assert SAID in client.get(response["Location"]).content.decode()
    assert Org.objects.get(pk=tree.cell_a.pk).name == tree.cell_a.name


def test_a_discipline_summary_is_refused_not_cut(tree, make_member):
    member = make_member(tree.cell_a, admitted_on=date(2010, 1, 1))
    with pytest.raises(RuleViolation, match=r"Nội dung vi phạm dài 100\.000 ký tự, quá giới hạn 500 ký tự"):
        discipline_open(member=member, act_on=date(2025, 1, 2), summary=HUGE, opened_on=date(2025, 1, 10))
    assert not DisciplineCase.objects.exists()


def test_every_row_of_the_guarded_apps_is_checked_before_the_database(tree, make_member):
    """A service that forgets the check (members, candidates) is still refused, in Vietnamese."""
    member = make_member(tree.cell_a)
    member.family_name = HUGE
    with pytest.raises(RuleViolation, match=r"dài 100\.000 ký tự"):
        member.save()


def test_text_fields_have_a_cap():
    assert text_limit(Org._meta.get_field("name")) == 255
    from django.db import models

    assert text_limit(models.TextField()) == TEXT_MAX_LENGTH


# --- the API ---------------------------------------------------------------------------------------


@pytest.fixture
def officer_client(client, tree):
    officer = User.objects.create_user("canbo", password="mat-khau-dai-du-1")
    role_grant(user=officer, role=AccessRole.OFFICER, org=tree.commune)
    client.force_login(officer)
    return client


def _post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_the_api_refuses_a_huge_text_in_vietnamese(officer_client, tree, make_member):
    member = make_member(tree.cell_a, admitted_on=date(2010, 1, 1))
    response = _post(
        officer_client,
        f"/api/members/{member.pk}/discipline",
        {"act_on": "2025-01-02", "summary": HUGE, "opened_on": "2025-01-10"},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["errors"]["summary"] == ["Nhiều nhất 500 ký tự."]
    assert body["detail"][0]["loc"][-1] == "summary" and body["detail"][0]["type"] == "string_too_long"
    candidate = {
        "family_name": HUGE,
        "given_name": "Mai",
        "gender": "F",
        "birth_date": "2001-02-03",
        "ethnicity": "01",
        "general_education": "upper_secondary",
        "listed_on": "2025-01-06",
    }
    response = _post(officer_client, f"/api/orgs/{tree.cell_a.pk}/candidates", candidate)
    assert response.status_code == 422 and response.json()["errors"]["family_name"] == [
        "Nhiều nhất 60 ký tự."
    ]


def test_framework_validation_messages_are_vietnamese_and_keep_the_field(officer_client, tree, make_member):
    member = make_member(tree.cell_a, admitted_on=date(2010, 1, 1))
    response = _post(officer_client, f"/api/members/{member.pk}/discipline", {"act_on": "ngày mai"})
    assert response.status_code == 422
    body = response.json()
    assert body["errors"]["act_on"] == ["Phải là ngày (YYYY-MM-DD)."]
    assert body["errors"]["summary"] == ["Thiếu trường bắt buộc."]
    assert body["errors"]["opened_on"] == ["Thiếu trường bắt buộc."]
    text = json.dumps(body)
    assert "Field required" not in text and "Input should" not in text
    response = officer_client.get("/api/members/", {"page": "mot"})
    assert response.status_code == 422 and response.json()["errors"]["page"] == ["Phải là số nguyên."]
