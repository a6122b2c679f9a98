"""The member list as CSV or XLSX: same columns, formulas neutralised, streamed row by row; and
who may export lists of people, with what stated purpose (issue 18)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render

from dangbo.audit.services import Action, audit_record
from dangbo.core.spreadsheet import DATE, TEXT
from dangbo.members.models import Member, MemberStatus
from dangbo.rules.badges import Ground

COLUMNS = (
    ("STT", None),
    ("Họ và tên", lambda m: m.full_name),
    ("Số thẻ đảng viên", lambda m: m.card_number or ""),  # text: its leading zeros are kept
    ("Giới tính", lambda m: m.get_gender_display()),
    ("Ngày sinh", lambda m: m.birth_date),
    ("Dân tộc", lambda m: m.ethnicity.name),
    ("Tôn giáo", lambda m: m.religion.name),
    (
        "Tình trạng",
        lambda m: (
            MemberStatus(m.status_then).label if getattr(m, "status_then", None) else m.get_status_display()
        ),
    ),
    (
        "Chi bộ",
        lambda m: getattr(m, "cell_then", None) or m.org.name,
    ),  # a past day's list: the cell of that day
    # the grassroots organization above the cell (member_export_rows sets it), or the cell itself
    ("Tổ chức cơ sở đảng", lambda m: getattr(m, "grassroots_name", "")),
    ("Ngày vào Đảng", lambda m: m.admitted_on),
    ("Ngày chính thức", lambda m: m.full_on),
    ("Giáo dục phổ thông", lambda m: m.general_education.name if m.general_education else ""),
    ("Chuyên môn", lambda m: m.professional_level.name if m.professional_level else ""),
    ("Lý luận chính trị", lambda m: m.theory_level.name if m.theory_level else ""),
    ("Nghề nghiệp", lambda m: m.occupation),
    ("Nơi làm việc", lambda m: m.workplace),
    ("Nơi cư trú", lambda m: m.residence),
)
HEADER = [label for label, _ in COLUMNS]
# What each column holds, for the XLSX: dates are dates, the card number text, the rest as typed.
MEMBER_TYPES = [
    {"Ngày sinh": DATE, "Ngày vào Đảng": DATE, "Ngày chính thức": DATE, "Số thẻ đảng viên": TEXT}.get(label)
    for label in HEADER
]


def _cells(number: int, member: Member) -> list:
    """One row: the number, then each column's value (dates as dates; core.spreadsheet writes
    them as Excel dates or dd/mm/yyyy text, and neutralises the text)."""
    return [number] + [get(member) for _, get in COLUMNS[1:]]


def member_cells(rows: Iterable[Member]) -> Iterator[list]:
    """The member list's rows, numbered, for web.pages.spreadsheet_download."""
    return (_cells(number, member) for number, member in enumerate(rows, start=1))


MEMBER_XLSX_WIDTHS = [
    (0, 0, 6),
    (1, 1, 26),
    (2, 2, 11),
    (3, 3, 8),
    (4, 4, 11),
    (5, 7, 12),
    (8, 9, 26),
    (10, 11, 11),
    (12, 14, 14),
    (15, 17, 24),
]


BADGE_HEADER = [
    "STT",
    "Danh sách",
    "Họ và tên",
    "Ngày sinh",
    "Chi bộ",
    "Ngày vào Đảng",
    "Tuổi đảng tính từ",
    "Huy hiệu (năm)",
    "Đủ tuổi đảng ngày",
    "Trường hợp",
    "Xếp loại năm gần nhất",
]


def badge_rows(badges) -> Iterator[list]:
    """The badge lists (due, early for illness, posthumous) as rows for core.spreadsheet
    (dates and years typed)."""
    sections = (
        ("Đến hạn", badges.due),
        ("Tặng sớm nếu bệnh nặng", badges.early),
        ("Truy tặng", badges.posthumous),
    )
    number = 0
    for label, candidates in sections:
        for c in candidates:
            number += 1
            m = c.member
            yield [
                number,
                label,
                m.full_name,
                m.birth_date,
                m.org.name,
                m.admitted_on,
                m.party_age_from,
                c.years,
                c.reached_on,
                Ground.LABELS[c.ground],
                f"{c.last_rating.year}: {c.last_rating.label}" if c.last_rating else "",
            ]


# --- who may export lists of people, and when a purpose is asked ------------------------------

# A purpose is a sentence, not a word: who needs the list, for what.
PURPOSE_MIN_LENGTH = 20
PURPOSE_DEFAULT_ROWS = 5_000


def export_purpose_rows() -> int:
    """Above this many rows an export of people needs a stated purpose and runs as a job:
    ``settings.DANGBO_EXPORT_PURPOSE_ROWS`` (environment variable of the same name), 5.000 by default."""
    return max(0, int(getattr(settings, "DANGBO_EXPORT_PURPOSE_ROWS", PURPOSE_DEFAULT_ROWS)))


def may_export_people(actor, path: str | None) -> bool:
    """Whether ``actor`` may download a list of people of the subtree at ``path`` (None: every
    subtree they read). Officers and secretaries may where they write; a leader only with the
    grant (``Scope.export_paths``); a member's own-record access exports nothing."""
    if actor.is_admin:
        return True
    if path is not None:
        return actor.can_export_personal_path(path)
    return bool(actor.read_paths) and all(actor.can_export_personal_path(p) for p in actor.read_paths)


def export_refused(request, *, what: str, org=None) -> HttpResponse:
    """The answer to an export of people without the right to it: 403, audited as refused.
    Aggregate reports (the indicators, the statistical forms) stay open."""
    audit_record(
        action=Action.REFUSED,
        subject_type="org" if org is not None else "",
        subject_id=str(org.pk) if org is not None else "",
        data={"reason": "export_not_granted", "list": what},
    )
    return render(request, "members/export_refused.html", {"org": org}, status=403)
