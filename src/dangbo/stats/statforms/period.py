"""Mẫu 1-TCTW (tăng, giảm đảng viên) and Mẫu 2-TCTW (kết nạp đảng viên): the forms of a
period, drawn on the tree of its last day (``tree._period_tree``). Where each event is placed,
and why a restoration counts beside the exit it annuls, is in the package docstring.

Also the column numbers of Mẫu 1, which the cross-checks (``checks``) read."""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Q

from dangbo.core.formats import format_date
from dangbo.members.models import Gender, MemberEvent, Placement
from dangbo.reference.models import KINH_CODE, GeneralEducation
from dangbo.stats.frames import Frame
from dangbo.stats.indicators import age_band
from dangbo.stats.sql import driver_rows
from dangbo.stats.statforms.shapes import (
    _NO_RELIGION,
    FORM_ADMISSIONS,
    FORM_MOVEMENT,
    TOTAL_LABEL,
    UNRECORDED,
    FormRow,
    StatForm,
    _Columns,
    _form,
)
from dangbo.stats.statforms.tree import _as_date, _by_raw_key, _PeriodTree

Kind = MemberEvent.Kind

# Mẫu 1-TCTW columns.
OPENING, ADMITTED, READMITTED, RESTORED, TRANSFER_IN, INCREASE = 0, 1, 2, 3, 4, 5
DIED, STRUCK_OFF, RESIGNED, EXPELLED, TRANSFER_OUT, DECREASE, CLOSING = 6, 7, 8, 9, 10, 11, 12
INCREASE_PARTS = (ADMITTED, READMITTED, RESTORED, TRANSFER_IN)
DECREASE_PARTS = (DIED, STRUCK_OFF, RESIGNED, EXPELLED, TRANSFER_OUT)

ADMISSION_AGE_BANDS = ((None, 30, "18–30 tuổi"), (31, 40, "31–40"), (41, 50, "41–50"), (51, None, "Trên 50"))

_HOME_KINDS = (Kind.ADMITTED, Kind.READMITTED, Kind.TRANSFERRED_IN, Kind.TRANSFERRED)
_EXIT_KINDS = (Kind.STRUCK_OFF, Kind.RESIGNED, Kind.EXPELLED)
_DECREASE_COLUMN: dict[str, int] = {
    Kind.DIED: DIED,
    Kind.STRUCK_OFF: STRUCK_OFF,
    Kind.RESIGNED: RESIGNED,
    Kind.EXPELLED: EXPELLED,
    Kind.MOVED_AWAY: TRANSFER_OUT,
}
_INCREASE_COLUMN = {Kind.ADMITTED: ADMITTED, Kind.READMITTED: READMITTED, Kind.TRANSFERRED_IN: TRANSFER_IN}


class _Homes:
    """Where each member belonged before an event, replaying the ledger's rule: the ``to_org``
    of the last admission, readmission, reception or transfer before it (in ledger order)."""

    def __init__(self, rows: Iterable[tuple]) -> None:
        by_member: dict[object, list[tuple]] = defaultdict(list)
        for member_id, effective_on, seq, to_org_id in rows:
            by_member[member_id].append(((effective_on, seq), to_org_id))
        self.keys = {m: [k for k, _ in sorted(items)] for m, items in by_member.items()}
        self.orgs = {m: [o for _, o in sorted(items)] for m, items in by_member.items()}

    def before(self, member_id, effective_on: date, seq: int):
        keys = self.keys.get(member_id)
        if not keys:
            return None
        i = bisect.bisect_left(keys, (effective_on, seq))
        return self.orgs[member_id][i - 1] if i else None


def _balances(frame: Frame, tree: _PeriodTree) -> dict[object, tuple[int, int]]:
    """Counted placements per organization of the period's tree on the day before the period
    and on its last day: (opening, closing). One pass over the placements that overlap the
    period, counted twice by the database, rather than two passes."""
    before, end = frame.start - timedelta(days=1), frame.end
    query = (
        Placement.objects.filter(counted=True, org_id__in=tree.org_ids, valid_from__lte=end)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=before))
        .values_list("org_id")
        .annotate(
            opening=Count("id", filter=Q(valid_from__lte=before)),
            closing=Count("id", filter=Q(valid_to__isnull=True) | Q(valid_to__gt=end)),
        )
        .order_by()
    )
    org_of_raw = _by_raw_key(query.db, ((org_id, org_id) for org_id in tree.bucket))
    balances: dict[object, tuple[int, int]] = {}
    for chunk in driver_rows(query):
        for raw, opening, closing in chunk:
            org_id = org_of_raw.get(raw)
            if org_id is not None:  # else outside the root on its last day in the period: not counted
                balances[org_id] = (opening, closing)
    return balances


def _movement(
    frame: Frame, tree: _PeriodTree, balances: dict[object, tuple[int, int]] | None = None
) -> StatForm:
    """``balances``: ``_balances(frame, tree)``, when the caller has them already."""
    start, end = frame.start, frame.end
    layout, bucket, org_ids = tree.layout, tree.bucket, tree.org_ids
    cols = _Columns()
    cols.add("Đầu kỳ")
    cols.group(
        "Tăng trong kỳ", ["Kết nạp mới", "Kết nạp lại", "Phục hồi đảng tịch", "Chuyển đến", "Cộng tăng"]
    )
    cols.group(
        "Giảm trong kỳ", ["Từ trần", "Xóa tên", "Xin ra khỏi Đảng", "Khai trừ", "Chuyển đi", "Cộng giảm"]
    )
    cols.add("Cuối kỳ")
    tables = [[0] * cols.width for _ in range(layout.buckets)]
    total = [0] * cols.width

    def add(org_id, column: int, n: int = 1) -> None:
        """Count in the organization's row and in the total, if it is in the root's tree."""
        if org_id not in bucket:
            return
        row = bucket[org_id]
        if row is not None:
            tables[row][column] += n
        total[column] += n

    before = start - timedelta(days=1)
    if balances is None:
        balances = _balances(frame, tree)
    for org_id, (opening, closing) in balances.items():
        add(org_id, OPENING, opening)
        add(org_id, CLOSING, closing)

    in_period = MemberEvent.objects.filter(effective_on__gte=start, effective_on__lte=end)
    # Increases and transfers carry their organizations: counted per organization in the database.
    for kind, org_id, n in (
        in_period.filter(kind__in=tuple(_INCREASE_COLUMN), to_org_id__in=org_ids)
        .values_list("kind", "to_org_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        add(org_id, _INCREASE_COLUMN[kind], n)
    for from_org_id, to_org_id, n in (
        in_period.filter(Q(to_org_id__in=org_ids) | Q(from_org_id__in=org_ids), kind=Kind.TRANSFERRED)
        .values_list("from_org_id", "to_org_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        row_from = bucket.get(from_org_id, "outside")
        row_to = bucket.get(to_org_id, "outside")
        if row_to != row_from:
            if to_org_id in bucket and isinstance(row_to, int):
                tables[row_to][TRANSFER_IN] += n
            if from_org_id in bucket and isinstance(row_from, int):
                tables[row_from][TRANSFER_OUT] += n
        if to_org_id in bucket and from_org_id not in bucket:
            total[TRANSFER_IN] += n
        elif from_org_id in bucket and to_org_id not in bucket:
            total[TRANSFER_OUT] += n

    # Decreases are placed where the member was just before (module docstring): one by one.
    leaving = in_period.filter(kind__in=tuple(_DECREASE_COLUMN))
    # whether the member left a counted placement in the tree during the period: asked per
    # event (a few per organization), not as the list of every such member (a scan of the
    # placements of every organization of the tree)
    touched = Placement.objects.filter(
        member_id=OuterRef("member_id"),
        counted=True,
        org_id__in=org_ids,
        valid_to__gte=start,
        valid_to__lte=end,
    )
    decreases = list(
        leaving.filter(
            Q(from_org_id__in=org_ids) | Q(Exists(touched)) | Q(member__org_id__in=org_ids)
        ).values_list("member_id", "seq", "kind", "effective_on", "from_org_id", "member__org_id")
    )
    restorations = list(
        MemberEvent.objects.filter(kind=Kind.RESTORED, effective_on__gte=start).values_list(
            "member_id", "effective_on", "seq"
        )
    )
    restored_members = list({member_id for member_id, _, _ in restorations})
    homes = _Homes(
        MemberEvent.objects.filter(kind__in=_HOME_KINDS, effective_on__lte=end)
        .filter(Q(member_id__in=leaving.values("member_id")) | Q(member_id__in=restored_members))
        .values_list("member_id", "effective_on", "seq", "to_org_id")
    )
    exit_orgs: dict[tuple, object] = {}
    for member_id, seq, kind, effective_on, from_org_id, member_org_id in decreases:
        home = homes.before(member_id, effective_on, seq) or from_org_id or member_org_id
        add(home, _DECREASE_COLUMN[kind])
        if kind in _EXIT_KINDS:
            exit_orgs[(member_id, effective_on, seq)] = home

    # A restoration counts beside the exit it annuls (module docstring).
    if restorations:
        exits: dict[object, list[tuple]] = defaultdict(list)
        for member_id, effective_on, seq in MemberEvent.objects.filter(
            member_id__in=restored_members, kind__in=_EXIT_KINDS
        ).values_list("member_id", "effective_on", "seq"):
            exits[member_id].append((effective_on, seq))
        for member_id, effective_on, seq in restorations:
            earlier = [key for key in exits.get(member_id, ()) if key < (effective_on, seq)]
            if not earlier:
                continue
            exit_on, exit_seq = max(earlier)
            if start <= exit_on <= end:
                home = exit_orgs.get((member_id, exit_on, exit_seq))
                if home is None:
                    home = homes.before(member_id, exit_on, exit_seq)
                add(home, RESTORED)

    for values in [*tables, total]:
        values[INCREASE] = sum(values[c] for c in INCREASE_PARTS)
        values[DECREASE] = sum(values[c] for c in DECREASE_PARTS)

    keep_direct = any(tables[layout.direct]) if layout.root_path else False
    return _form(
        FORM_MOVEMENT,
        "Tăng, giảm đảng viên",
        cols,
        layout.rows(tables, keep_direct=keep_direct),
        FormRow(TOTAL_LABEL, layout.root_code, total),
        basis=_period_basis(frame),
        members_column=CLOSING,
        members_on=end,
        parts=[(INCREASE, INCREASE_PARTS), (DECREASE, DECREASE_PARTS)],
        net_pairs=[(TRANSFER_IN, TRANSFER_OUT), (INCREASE, DECREASE)],
        notes=[
            f"Đầu kỳ: đảng viên được tính trong đảng số ngày {format_date(before)}; cuối kỳ: ngày {format_date(end)}.",
            f"Các dòng theo tổ chức đảng như ngày {format_date(end)}; tổ chức giải thể, sáp nhập trong kỳ được tính vào "
            "đơn vị chứa nó lúc còn hoạt động. Đầu kỳ được tính lại theo cơ cấu tổ chức cuối kỳ.",
            "Chuyển đến, chuyển đi ở dòng tổng cộng chỉ tính chuyển qua ranh giới của đảng bộ; chuyển giữa các đơn vị "
            "trực thuộc chỉ có ở các dòng.",
            "Phục hồi đảng tịch có hiệu lực từ ngày ra khỏi Đảng nên được tính vào kỳ có quyết định xóa tên, khai trừ "
            "hoặc cho ra khỏi Đảng bị hủy bỏ.",
        ],
    )


def _full_years(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _admissions(frame: Frame, tree: _PeriodTree) -> StatForm:
    layout, bucket = tree.layout, tree.bucket
    education = list(GeneralEducation.objects.values_list("code", "name"))
    cols = _Columns()
    c_total = cols.add("Tổng số kết nạp")
    c_readmitted, c_women, c_minority, c_religious = cols.group(
        "Trong đó", ["Kết nạp lại", "Nữ", "Dân tộc thiểu số", "Có tôn giáo"]
    )
    c_ages = cols.group("Tuổi khi kết nạp", [label for _, _, label in ADMISSION_AGE_BANDS])
    c_education = cols.group("Giáo dục phổ thông", [name for _, name in education] + [UNRECORDED])
    education_col = {code: c_education[i] for i, (code, _) in enumerate(education)}
    tables = [[0] * cols.width for _ in range(layout.buckets)]
    total = [0] * cols.width
    query = (
        MemberEvent.objects.filter(
            kind__in=(Kind.ADMITTED, Kind.READMITTED),
            effective_on__gte=frame.start,
            effective_on__lte=frame.end,
            to_org_id__in=tree.org_ids,
        )
        .values_list(
            "kind",
            "to_org_id",
            "effective_on",
            "member__gender",
            "member__ethnicity_id",
            "member__religion_id",
            "member__birth_date",
            "member__general_education_id",
        )
        .order_by()
    )
    counts: Counter = Counter()
    for chunk in driver_rows(query):
        counts.update(chunk)
    bucket_raw = _by_raw_key(query.db, bucket.items())
    for (kind, org_raw, on, gender, ethnicity, religion, born, school), n in counts.items():
        if org_raw not in bucket_raw:
            continue
        columns = [
            c_total,
            c_ages[age_band(_full_years(_as_date(born), _as_date(on)), ADMISSION_AGE_BANDS)],
            education_col.get(school, c_education[-1]),
        ]
        if kind == Kind.READMITTED:
            columns.append(c_readmitted)
        if gender == Gender.FEMALE:
            columns.append(c_women)
        if ethnicity != KINH_CODE:
            columns.append(c_minority)
        if religion not in _NO_RELIGION:
            columns.append(c_religious)
        row = bucket_raw[org_raw]
        for column in columns:
            if row is not None:
                tables[row][column] += n
            total[column] += n
    keep_direct = any(tables[layout.direct]) if layout.root_path else False
    return _form(
        FORM_ADMISSIONS,
        "Kết nạp đảng viên",
        cols,
        layout.rows(tables, keep_direct=keep_direct),
        FormRow(TOTAL_LABEL, layout.root_code, total),
        basis=_period_basis(frame),
        parts=[(c_total, tuple(c_ages)), (c_total, tuple(c_education))],
        within=[(c, c_total) for c in (c_readmitted, c_women, c_minority, c_religious)],
        notes=[
            "Gồm kết nạp mới và kết nạp lại, theo ngày quyết định, tại chi bộ kết nạp.",
            "Tuổi tính đủ năm vào ngày quyết định kết nạp. Dân tộc, tôn giáo, trình độ theo hồ sơ hiện nay.",
            "Đoàn viên thanh niên: hệ thống chưa quản lý nên không thống kê.",
        ],
    )


def _period_basis(frame: Frame) -> str:
    return f"Kỳ báo cáo từ ngày {format_date(frame.start)} đến ngày {format_date(frame.end)}"
