"""Run in a child process by tests/test_single_writer.py, on a SQLite file holding the tiny demo.

A second connection takes SQLite's write lock, as the background worker does while it applies a
restructuring plan, and a job of that kind is marked running. Then, as an officer, the script
reads pages and tries writes, timing each; it prints one JSON object with what it saw."""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from pathlib import Path


def main() -> None:
    from dangbo.core.setup import django_setup

    django_setup()
    from django.test import Client
    from django.urls import reverse

    from dangbo.accounts.models import RoleAssignment
    from dangbo.audit.models import AuditEntry
    from dangbo.audit.services import audit_seal
    from dangbo.audit.spool import spooled_files
    from dangbo.audit.verify import audit_verify
    from dangbo.core import clock
    from dangbo.jobs.models import Job, JobState
    from dangbo.members.models import Member
    from dangbo.orgs.models import Org
    from dangbo.restructuring.plan_uploads import APPLY_JOB, plan_preview_report, restructure_plan_upload
    from dangbo.restructuring.plans import write_plan_csv

    database = sys.argv[1]
    officer = (
        RoleAssignment.objects.filter(role="officer", revoked_at__isnull=True).select_related("org").first()
    )
    user = officer.user
    member = Member.objects.filter(org_path__startswith=officer.org.path).first()
    Job.objects.create(
        kind=APPLY_JOB,
        title="Áp dụng phương án sắp xếp tổ chức",
        owner=user,
        state=JobState.RUNNING,
        started_at=clock.now(),
        total=200,
        done=50,
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    viewed_before = AuditEntry.objects.filter(action="member_viewed", subject_id=str(member.pk)).count()

    cells = list(
        Org.objects.filter(
            kind="cell", dissolved_on__isnull=True, path__startswith=officer.org.path
        ).order_by("path")[:5]
    )
    decision = {
        "ngay_hieu_luc": "01/07/2025",
        "so_quyet_dinh": "7-QĐ/TU",
        "ngay_quyet_dinh": "20/06/2025",
        "co_quan_quyet_dinh": "Tỉnh ủy",
    }
    csv_path = Path(database).with_name("ke-hoach.csv")
    write_plan_csv(
        [
            {"thao_tac": "doi_ten", "ma_to_chuc": c.code, "ten": f"Chi bộ mới {i}", **decision}
            for i, c in enumerate(cells)
        ],
        csv_path,
    )
    plan = restructure_plan_upload(file_name="ke-hoach.csv", data=csv_path.read_bytes(), actor=user)

    writer = sqlite3.connect(database, timeout=0, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # the long writer holds the lock from here
    pages = [
        reverse("web:home"),
        reverse("members:org_page", args=[officer.org.pk]),
        reverse("members:member_search") + "?q=a",
        reverse("members:member_profile", args=[member.pk]),
        reverse("jobs:list"),
    ]
    seen = {"reads": [], "writes": []}
    for url in pages:
        started = time.perf_counter()
        response = client.get(url)
        seen["reads"].append(
            {"url": url, "status": response.status_code, "seconds": time.perf_counter() - started}
        )
    started = time.perf_counter()
    response = client.post(reverse("members:member_edit", args=[member.pk]), {"full_name": "Tên Mới"})
    seen["writes"].append(
        {
            "status": response.status_code,
            "seconds": time.perf_counter() - started,
            "retry_after": response.get("Retry-After"),
            "body": response.content.decode(),
        }
    )
    started = time.perf_counter()
    report = plan_preview_report(plan=plan, actor=user)
    seen["preview"] = {
        "seconds": time.perf_counter() - started,
        "steps": len(report.steps),
        "problems": len(report.problems),
        "applied": report.applied,
    }
    seen["spooled_while_locked"] = len(spooled_files())
    writer.execute("ROLLBACK")
    writer.close()
    seen["name_unchanged"] = Member.objects.get(pk=member.pk).full_name != "Tên Mới"
    # the job still says "running" (a worker killed mid-way): with the lock free, writes go on
    response = client.post(reverse("members:member_edit", args=[member.pk]), {"full_name": "Tên Mới"})
    seen["write_after_release"] = response.status_code

    Job.objects.filter(kind=APPLY_JOB).update(state=JobState.DONE, finished_at=clock.now())
    audit_seal()
    seen["spooled_after_seal"] = len(spooled_files())
    seen["profile_rows_added"] = (
        AuditEntry.objects.filter(action="member_viewed", subject_id=str(member.pk)).count() - viewed_before
    )
    seen["cells_unchanged"] = sorted(
        Org.objects.filter(pk__in=[c.pk for c in cells]).values_list("name", flat=True)
    ) == sorted(c.name for c in cells)
    seen["chain_ok"] = audit_verify().ok
    print(json.dumps(seen, ensure_ascii=False))


if __name__ == "__main__":
    main()
