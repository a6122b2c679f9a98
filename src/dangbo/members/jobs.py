"""The member list's export as a background job, for lists too long to write during a request
(``EXPORT_IN_REQUEST_MAX`` rows). Registered with ``jobs.registry`` by ``MembersConfig.ready``.

The job runs the owner's search again with their scope read afresh when it starts, writes
the same columns as the direct download (``members.exports``), and is audited the same way
(``member_export_rows``); the file is kept for the owner (``jobs``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.http import QueryDict
from django.urls import reverse

from dangbo.core import clock, spreadsheet
from dangbo.core.formats import format_number
from dangbo.core.violations import RuleViolation, input_violation
from dangbo.jobs.registry import JobKind, JobOutcome, JobRun
from dangbo.members import exports
from dangbo.members.forms import MemberSearchForm
from dangbo.members.selectors.search import member_export_rows, member_search_exceeds
from dangbo.orgs.models import Org

EXPORT_JOB = "members.export"
# Longer lists are written by the worker: a province's list takes minutes to write.
EXPORT_IN_REQUEST_MAX = 2_000


def export_title(filters, actor=None) -> tuple[str, str]:
    """(title, file name stem) of a member list exported with ``filters``: «Danh sách đảng viên
    — Đảng bộ xã X — ngày 05/12/2026», the organization filtered on, or else the ones the
    ``actor`` reads (an administrator's whole installation names none)."""
    day = filters.past_day or clock.today()
    if filters.org is not None:
        where = filters.org.name
    elif getattr(actor, "is_admin", False):  # the whole installation: its top organizations
        where = "; ".join(Org.objects.filter(parent=None, dissolved_on=None).values_list("name", flat=True))
    else:
        where = "; ".join(name for _, name in getattr(actor, "root_labels", ()))
    title = "Danh sách đảng viên" + (f" — {where}" if where else "") + f" — ngày {day:%d/%m/%Y}"
    return title, f"danh-sach-dang-vien-{day:%Y%m%d}"


def _counted(rows: Iterable, total: int, run: JobRun) -> Iterator:
    for number, row in enumerate(rows, start=1):
        if number % 1000 == 0 or number == total:
            run.progress(number, total, f"Đã ghi {format_number(number)} / {format_number(total)} đảng viên")
        yield row


def run_export(run: JobRun) -> JobOutcome:
    file_format = run.params["format"]
    form = MemberSearchForm(QueryDict(run.params["query"]), actor=run.actor)
    if run.actor.is_empty or not form.is_valid():
        raise RuleViolation(
            [input_violation(None, "Điều kiện lọc danh sách không còn hợp lệ với quyền hiện tại.")]
        )
    filters = form.filters()
    if not exports.may_export_people(run.actor, filters.org.path if filters.org else None):
        raise RuleViolation([input_violation(None, "Tài khoản không còn quyền xuất danh sách cá nhân.")])
    purpose = run.params.get("purpose", "")
    if not purpose and member_search_exceeds(
        actor=run.actor, filters=filters, limit=exports.export_purpose_rows()
    ):
        raise RuleViolation([input_violation("purpose", "Danh sách dài cần ghi mục đích sử dụng.")])
    count, members = member_export_rows(
        actor=run.actor, filters=filters, file_format=file_format, purpose=purpose
    )
    run.progress(0, count, "Đang đọc danh sách")
    title, stem = export_title(filters, run.actor)
    rows = exports.member_cells(_counted(members, count, run))
    if file_format == "csv":
        file, content_type = spreadsheet.csv_file(exports.HEADER, rows), spreadsheet.CSV_TYPE
    else:
        file = spreadsheet.xlsx_file(
            exports.HEADER, rows, title=title, widths=exports.MEMBER_XLSX_WIDTHS, types=exports.MEMBER_TYPES
        )
        content_type = spreadsheet.XLSX_TYPE
    return JobOutcome(
        message=f"Đã tạo danh sách {format_number(count)} đảng viên.",
        link=reverse("members:member_search") + "?" + run.params["query"],
        file_name=f"{stem}.{file_format}",
        file=file,
        content_type=content_type,
    )


KINDS = (JobKind(EXPORT_JOB, "Xuất danh sách đảng viên", run_export),)
