"""Reads of the audit trail, for system administrators only.

Anyone else gets ``NotInScope`` and the refusal is itself recorded. Every search and
export of the trail is recorded too (with its filters and row count), so reading the
trail leaves a trace in it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import islice

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from dangbo.accounts.scope import SYSTEM
from dangbo.audit.models import AuditEntry
from dangbo.audit.services import ACTION_LABELS, Action, audit_record, audit_seal_if_free
from dangbo.core import text
from dangbo.core.formats import format_date, format_number
from dangbo.core.pagination import CappedPaginator
from dangbo.core.words import query_words, word_starts_q
from dangbo.members.models import Member
from dangbo.orgs.labels import OrgLabel, org_labels
from dangbo.orgs.models import Locality, Org
from dangbo.orgs.selectors import NotInScope
from dangbo.restructuring.models import RestructurePlan
from dangbo.stats.indicators.registry import INDICATORS
from dangbo.web.audit_labels import KEY_LABELS, SUBJECT_LABELS, VALUE_LABELS

PER_PAGE = 50
# A subject typed as text resolves to at most this many members and organizations.
SUBJECT_LIMIT = 200
ORG_LIMIT = 50

_NOTHING = Q(pk__in=[])
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def audit_require_admin(*, actor, page: str) -> None:
    """Only system administrators read the trail; anyone else is refused, and the refusal recorded."""
    if not actor.is_admin:
        audit_record(action=Action.REFUSED, data={"reason": "not_admin", "page": page})
        raise NotInScope(page)


@dataclass(frozen=True)
class AuditFilters:
    """Search filters, already validated (audit.forms.AuditSearchForm builds them)."""

    subject: str = ""  # a member's or organization's id, or a name (folded, unaccented is fine)
    actor: str = ""  # user name, exact or its beginning, any case
    action: str = ""
    date_from: date | None = None  # inclusive, in the installation's time zone
    date_to: date | None = None  # inclusive

    def as_audit(self) -> dict:
        data = {"subject": self.subject, "actor": self.actor, "action": self.action}
        data["date_from"] = self.date_from.isoformat() if self.date_from else ""
        data["date_to"] = self.date_to.isoformat() if self.date_to else ""
        return {name: value for name, value in data.items() if value}

    @property
    def is_empty(self) -> bool:
        return not self.as_audit()


@dataclass(frozen=True)
class _SubjectMatch:
    q: Q
    truncated: bool = False


def _subject_match(subject: str) -> _SubjectMatch:
    """An id matches that subject; text matches members by the words of their name and
    organizations by the words of their code and name or by their code (``core.words``), at
    most SUBJECT_LIMIT of them."""
    value = text.clean(subject)
    try:
        return _SubjectMatch(Q(subject_id=str(uuid.UUID(value))))
    except ValueError:
        pass
    words = query_words(value)
    org_ids = list(
        Org.objects.filter(word_starts_q("search_key", words) | Q(code__iexact=value))
        .order_by("path")
        .values_list("pk", flat=True)[: ORG_LIMIT + 1]
    )
    truncated = len(org_ids) > ORG_LIMIT
    org_ids = org_ids[:ORG_LIMIT]
    room = SUBJECT_LIMIT - len(org_ids)
    member_ids = list(
        Member.objects.filter(word_starts_q("search_key", words))
        .order_by("sort_key", "id")
        .values_list("pk", flat=True)[: room + 1]
    )
    truncated = truncated or len(member_ids) > room
    member_ids = member_ids[:room]
    q = _NOTHING
    if member_ids:
        q |= Q(subject_type="member", subject_id__in=[str(pk) for pk in member_ids])
    if org_ids:
        q |= Q(subject_type="org", subject_id__in=[str(pk) for pk in org_ids])
    return _SubjectMatch(q, truncated)


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


def _entries(filters: AuditFilters) -> tuple[QuerySet[AuditEntry], bool]:
    """The matching rows, newest first, and whether the subject matched more than the limit."""
    queryset = AuditEntry.objects.all()
    truncated = False
    if filters.subject:
        match = _subject_match(filters.subject)
        queryset, truncated = queryset.filter(match.q), match.truncated
    if filters.actor:
        queryset = queryset.filter(actor_name__istartswith=filters.actor)
    if filters.action:
        queryset = queryset.filter(action=filters.action)
    if filters.date_from:
        queryset = queryset.filter(at__gte=_local_midnight(filters.date_from))
    if filters.date_to:
        queryset = queryset.filter(at__lt=_local_midnight(filters.date_to + timedelta(days=1)))
    return queryset.order_by("-seq"), truncated


def _known_count(filters: AuditFilters) -> int | None:
    """The exact count when it is free. Unfiltered, the sealed rows are numbered 1, 2, 3 ...
    in the chain without gaps (``dangbo audit verify`` reports a gap), so the count is the
    last place in the chain plus the rows not sealed yet: two index lookups. Filtered:
    None, and the paginator counts up to its cap."""
    if filters.is_empty:
        return _chain_head() + AuditEntry.objects.filter(chain_seq__isnull=True).count()
    return None


def _chain_head() -> int:
    return (
        AuditEntry.objects.filter(chain_seq__isnull=False)
        .order_by("-chain_seq")
        .values_list("chain_seq", flat=True)
        .first()
        or 0
    )


# --- How a row is shown (page and export) ----------------------------------------------


def _field_labels() -> dict[str, str]:
    labels = {}
    for model in (Locality, Org, Member):  # members last: their labels win on shared names
        for model_field in model._meta.concrete_fields:
            labels[model_field.attname] = labels[model_field.name] = str(model_field.verbose_name)
    return labels


def _plain(value) -> str:
    if value is None or value == "":
        return "(trống)"
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, int):
        return format_number(value)
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return format_date(date.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, dict):
        return "; ".join(_line(k, v) for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_plain(item) for item in value)
    return str(value)


def _value(key: str, value) -> str:
    labels = VALUE_LABELS.get(key)
    if labels and isinstance(value, str) and value in labels:
        return labels[value]
    if labels and isinstance(value, list):  # codes listed (a meeting's changed fields)
        return ", ".join(
            labels.get(item, _plain(item)) if isinstance(item, str) else _plain(item) for item in value
        )
    if key == "list" and isinstance(value, str) and value in _indicator_names():
        return f"danh sách của chỉ tiêu «{_indicator_names()[value]}»"  # a drill-down's list
    return _plain(value)


def _line(key: str, value) -> str:
    """«Label: value»; a key without a label shows its value alone (never an English word)."""
    label = KEY_LABELS.get(key)
    return f"{label}: {_value(key, value)}" if label else _value(key, value)


def _indicator_names() -> dict[str, str]:
    return {indicator.code: indicator.name for indicator in INDICATORS}


def audit_details(data: dict, *, field_labels: dict[str, str] | None = None) -> list[str]:
    """The ``data`` of a row as lines a person reads: "Tên: Nguyễn Văn A → Nguyễn Văn B",
    "Điều kiện: Từ khóa: nguyen van duc", "Số dòng: 1.234". Plain text (templates escape it)."""
    if not isinstance(data, dict):
        return [_plain(data)]
    field_labels = field_labels if field_labels is not None else _field_labels()
    lines = []
    for key, value in data.items():
        if key == "changes" and isinstance(value, dict):
            for name, change in value.items():
                old, new = ([*change, "", ""])[:2] if isinstance(change, list) else ("", change)
                label = field_labels.get(name) or KEY_LABELS.get(name) or "Thông tin khác"
                lines.append(f"{label}: {_plain(old)} → {_plain(new)}")
        else:
            lines.append(_line(key, value))
    return lines


@dataclass(frozen=True)
class AuditRow:
    """One row of the trail as the page and the export show it."""

    seq: int
    when: str  # dd/mm/yyyy HH:MM:SS, local time
    actor_name: str
    actor_role: str
    scope: str
    action: str
    action_label: str
    subject_type: str
    subject_id: str
    subject_name: str  # the subject's current name, "" when unknown
    details: list[str] = field(default_factory=list)
    # An organization subject as lists show it (what it belongs to, its code on hover)
    subject_org: OrgLabel | None = None
    ip: str = ""
    request_id: str = ""
    client_request_id: str = ""  # the X-Request-ID the client sent, kept apart from the server's
    at: datetime | None = None  # the moment itself (local time), for a spreadsheet's date cell

    @property
    def subject_type_label(self) -> str:
        return SUBJECT_LABELS.get(self.subject_type, self.subject_type)

    @property
    def subject_text(self) -> str:
        if not self.subject_type and not self.subject_id:
            return ""
        name = self.subject_name or self.subject_id
        return f"{self.subject_type_label}: {name}" if self.subject_type else name

    @property
    def linked(self) -> bool:
        return bool(self.subject_name) and self.subject_type in ("member", "org")


def _uuids(values: Iterable[str]) -> list[uuid.UUID]:
    found = []
    for value in values:
        try:
            found.append(uuid.UUID(value))
        except (ValueError, TypeError, AttributeError):
            continue
    return found


def _subject_names(entries: list[AuditEntry]) -> dict[tuple[str, str], str | OrgLabel]:
    """Current names of the subjects on a page: one query per kind of subject, not per row.
    An organization's is its label (``orgs.labels``: many cells share a name); the trail is
    read by administrators only, so the label names everything above it."""
    wanted: dict[str, set[str]] = {}
    for entry in entries:
        if entry.subject_type and entry.subject_id:
            wanted.setdefault(entry.subject_type, set()).add(entry.subject_id)
    names: dict[tuple[str, str], str | OrgLabel] = {}
    if ids := _uuids(wanted.get("member", ())):
        for member in Member.objects.filter(pk__in=ids).only(
            "id", "family_name", "middle_name", "given_name"
        ):
            names["member", str(member.pk)] = member.full_name
    if ids := _uuids(wanted.get("org", ())):
        names.update({("org", str(pk)): label for pk, label in org_labels(actor=SYSTEM, org_ids=ids).items()})
    if ids := _uuids(wanted.get("locality", ())):
        names.update(
            {
                ("locality", str(pk)): name
                for pk, name in Locality.objects.filter(pk__in=ids).values_list("pk", "name")
            }
        )
    if ids := _uuids(wanted.get("restructure_plan", ())):
        plans = RestructurePlan.objects.filter(pk__in=ids).values_list("pk", "file_name")
        names.update({("restructure_plan", str(pk)): name for pk, name in plans})
    if user_ids := [int(value) for value in wanted.get("user", ()) if value.isdigit() and len(value) < 10]:
        users = get_user_model().objects.filter(pk__in=user_ids)
        names.update(
            {("user", str(pk)): name for pk, name in users.values_list("pk", get_user_model().USERNAME_FIELD)}
        )
    return names


def _rows(entries: list[AuditEntry], field_labels: dict[str, str]) -> list[AuditRow]:
    names = _subject_names(entries)

    def subject(entry: AuditEntry) -> str | OrgLabel:
        return names.get((entry.subject_type, entry.subject_id), "")

    return [
        AuditRow(
            seq=entry.seq,
            when=timezone.localtime(entry.at).strftime("%d/%m/%Y %H:%M:%S"),
            actor_name=entry.actor_name,
            actor_role=entry.actor_role,
            scope=entry.scope,
            action=entry.action,
            action_label=ACTION_LABELS.get(entry.action, entry.action),
            subject_type=entry.subject_type,
            subject_id=entry.subject_id,
            subject_name=str(subject(entry)),
            subject_org=found if isinstance(found := subject(entry), OrgLabel) else None,
            details=audit_details(entry.data, field_labels=field_labels),
            ip=entry.ip,
            request_id=entry.request_id,
            client_request_id=entry.client_request_id,
            at=timezone.localtime(entry.at),
        )
        for entry in entries
    ]


# --- The pages' reads ------------------------------------------------------------------


@dataclass(frozen=True)
class AuditSearchResult:
    page: object  # django.core.paginator.Page of AuditEntry
    rows: list[AuditRow]
    subjects_truncated: bool  # the subject text matched more than SUBJECT_LIMIT members and organizations
    subject_limit: int = SUBJECT_LIMIT


def audit_search_page(
    *, actor, filters: AuditFilters, page: int = 1, per_page: int = PER_PAGE
) -> AuditSearchResult:
    """One page of the trail, newest first; the search is recorded with its filters and row count."""
    audit_require_admin(actor=actor, page="audit_search")
    audit_seal_if_free()  # what the page shows is chained (normally done already, in the background)
    queryset, truncated = _entries(filters)
    paginator = CappedPaginator(queryset, per_page, known_count=_known_count(filters))
    page_obj = paginator.get_page(page)
    rows = _rows(list(page_obj.object_list), _field_labels())
    counted = (
        {"rows": paginator.count, "rows_capped": True} if paginator.capped else {"rows": paginator.count}
    )
    audit_record(
        action=Action.AUDIT_SEARCHED, data={"filters": filters.as_audit(), **counted, "page": page_obj.number}
    )
    return AuditSearchResult(page=page_obj, rows=rows, subjects_truncated=truncated)


EXPORT_HEADER = (
    "Số thứ tự",
    "Thời điểm",
    "Người thực hiện",
    "Vai trò",
    "Phạm vi",
    "Hành động",
    "Loại đối tượng",
    "Đối tượng",
    "Mã đối tượng",
    "Chi tiết",
    "Địa chỉ IP",
    "Mã yêu cầu",
    "Mã yêu cầu của máy khách",
)


def audit_export_cells(row: AuditRow) -> list:
    """One row of the export: the number and the moment typed, the rest text (core.spreadsheet
    neutralises every text cell when it writes them)."""
    return [
        row.seq,
        row.at or row.when,
        row.actor_name,
        row.actor_role,
        row.scope,
        row.action_label,
        row.subject_type_label if row.subject_type else "",
        row.subject_name,
        row.subject_id,
        "\n".join(row.details),
        row.ip,
        row.request_id,
        row.client_request_id,
    ]


def _export_rows(queryset: QuerySet[AuditEntry], chunk_size: int) -> Iterator[AuditRow]:
    """Rows streamed from the database; names resolved per chunk (one query per kind each)."""
    labels = _field_labels()
    entries = queryset.iterator(chunk_size=chunk_size)
    while chunk := list(islice(entries, chunk_size)):
        yield from _rows(chunk, labels)


def audit_export_rows(
    *, actor, filters: AuditFilters, file_format: str, chunk_size: int = 2000
) -> tuple[int, Iterator[AuditRow]]:
    """The whole filtered trail for export, newest first; the export is recorded (filters, format, rows)."""
    audit_require_admin(actor=actor, page="audit_export")
    # The rows as they stand now, sealed (not those committed while the file is written, nor
    # this export's own row), so the recorded count and the file agree.
    audit_seal_if_free()
    last = _chain_head()
    queryset, _ = _entries(filters)
    queryset = queryset.filter(chain_seq__lte=last)
    count = last if filters.is_empty else queryset.count()
    audit_record(
        action=Action.EXPORTED,
        data={"list": "audit_trail", "filters": filters.as_audit(), "rows": count, "format": file_format},
    )
    return count, _export_rows(queryset, chunk_size)
