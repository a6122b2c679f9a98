"""The to-do list as a spreadsheet: its columns, its rows, its title and the audit of the export,
shared by the download during a request and the background job that writes a long one
(``DUE_LIST_EXPORT_IN_REQUEST_MAX`` items: a province's list takes the worker tens of seconds)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from django.urls import reverse

from dangbo.audit.services import Action, audit_record
from dangbo.core import spreadsheet
from dangbo.core.formats import format_number
from dangbo.core.spreadsheet import list_title
from dangbo.core.violations import NotInScope, RuleViolation, input_violation
from dangbo.jobs.registry import JobKind, JobOutcome, JobRun
from dangbo.members import exports
from dangbo.members.selectors.todo import DueItem, due_items
from dangbo.orgs.selectors import org_get, org_roots

DUE_LIST_EXPORT_JOB = "members.todo_export"
# Longer lists are written by the worker (counted first: ``todo_counts``).
DUE_LIST_EXPORT_IN_REQUEST_MAX = 2_000

HEADER = ["STT", "Việc", "Tổ chức", "Đảng viên", "Hạn", "Tình trạng", "Ghi chú", "Căn cứ"]


def todo_rows(items: Iterable[DueItem]) -> Iterator[list]:
    for number, item in enumerate(items, start=1):
        yield [
            number,
            item.title,
            item.org.name,
            item.person_name,
            item.due_on,
            "quá hạn" if item.overdue else ("cần xem xét" if item.review else "sắp đến hạn"),
            item.note,
            item.citation,
        ]


def todo_title(orgs, as_of: date) -> str:
    return list_title("Việc cần làm", "; ".join(o.name for o in orgs), as_of)


def todo_file_name(as_of: date, file_format: str) -> str:
    return f"viec-can-lam-{as_of:%Y%m%d}.{file_format}"


def record_todo_export(*, one, as_of: date, rows: int, file_format: str) -> None:
    """The export in the audit log: of one organization's list, or of every subtree the user
    holds (``one`` None)."""
    audit_record(
        action=Action.EXPORTED,
        subject_type="org" if one is not None else "",
        subject_id=str(one.pk) if one is not None else "",
        data={"list": "todo", "as_of": as_of.isoformat(), "rows": rows, "format": file_format},
    )


def run_todo_export(run: JobRun) -> JobOutcome:
    """The to-do list of one organization (``org_id``) or of every subtree the owner holds, on
    ``as_of``, as ``format``; the owner's scope is read afresh when the job starts."""
    file_format, as_of = run.params["format"], date.fromisoformat(run.params["as_of"])
    org_id = run.params.get("org_id") or None
    try:
        orgs = [org_get(actor=run.actor, org_id=org_id)] if org_id else list(org_roots(actor=run.actor))
    except NotInScope:
        orgs = []
    one = orgs[0] if org_id and orgs else None
    if not orgs or not exports.may_export_people(run.actor, one.path if one is not None else None):
        raise RuleViolation([input_violation(None, "Tài khoản không còn quyền xuất danh sách việc cần làm.")])
    items: list[DueItem] = []
    for done, org in enumerate(orgs):
        run.progress(done, len(orgs), f"Đang lập danh sách việc cần làm của {org.name}")
        items += due_items(actor=run.actor, org=org, as_of=as_of, audit=False)
    run.progress(len(orgs), len(orgs), f"Đang ghi {format_number(len(items))} việc")
    record_todo_export(one=one, as_of=as_of, rows=len(items), file_format=file_format)
    rows = todo_rows(items)
    if file_format == "csv":
        file, content_type = spreadsheet.csv_file(HEADER, rows), spreadsheet.CSV_TYPE
    else:
        file, content_type = (
            spreadsheet.xlsx_file(HEADER, rows, title=todo_title(orgs, as_of)),
            spreadsheet.XLSX_TYPE,
        )
    page = reverse("members:org_todo", args=[one.pk]) if one is not None else reverse("members:todo")
    return JobOutcome(
        message=f"Đã tạo danh sách {format_number(len(items))} việc cần làm.",
        link=f"{page}?ngay={as_of:%d/%m/%Y}",
        file_name=todo_file_name(as_of, file_format),
        file=file,
        content_type=content_type,
    )


KINDS = (JobKind(DUE_LIST_EXPORT_JOB, "Xuất danh sách việc cần làm", run_todo_export),)
