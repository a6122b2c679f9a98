"""What a report is about: an organization's subtree, a date for stock figures and a period
for flow figures, checked once for every caller (pages, the command line, the API).

Stock figures (how many members, which hamlets have a cell) are counted on ``as_of``; flow
figures (admissions, deaths, transfers) over ``start``..``end``, both days included. The
subtree on a date is the one of that date's organization versions, so a report on a past
day sees the tree as it stood then.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Min, Q

from dangbo.core import clock, paths
from dangbo.orgs.models import Org, OrgVersion
from dangbo.orgs.selectors import last_change_of, org_find_code, org_tree_last_changes


class ReportInputError(ValueError):
    """Bad report parameters; the message is Vietnamese and meant for the user."""


@dataclass(frozen=True)
class Frame:
    root: Org
    as_of: date
    start: date
    end: date
    today: date
    # the root's path by day, and the tree's last change, read once per frame (a page asks
    # them dozens of times)
    _paths: dict = field(default_factory=dict, init=False, compare=False, repr=False)

    @property
    def is_today(self) -> bool:
        return self.as_of == self.today

    @property
    def period_days(self) -> int:
        return (self.end - self.start).days + 1

    def root_path_on(self, day: date) -> str | None:
        """The root's path on ``day`` (from its dated versions); None if it did not exist."""
        if day not in self._paths:
            self._paths[day] = (
                OrgVersion.objects.filter(
                    Q(valid_to__isnull=True) | Q(valid_to__gt=day), org=self.root, valid_from__lte=day
                )
                .values_list("path", flat=True)
                .first()
            )
        return self._paths[day]

    def tree_unchanged_since(self, day: date, *, kinds_too: bool = False) -> bool:
        """``orgs.selectors.org_tree_unchanged_since``, the tree's last change read once per
        frame (a page asks it of several days). A frame is one page's, one request's: a
        restructuring made after the frame's first question is not seen by it."""
        if "last_changes" not in self._paths:  # both kinds of change in one read
            self._paths["last_changes"] = org_tree_last_changes()
        last = last_change_of(self._paths["last_changes"], kinds_too=kinds_too)
        return last is None or last <= day

    def org_ids_on(self, day: date):
        """A subquery of the organizations in the root's subtree on ``day``."""
        path = self.root_path_on(day)
        if path is None:
            return OrgVersion.objects.none().values("org_id")
        return (
            OrgVersion.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day), valid_from__lte=day)
            .filter(paths.subtree_q(path))
            .values("org_id")
        )


def _d(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def first_record_on(root: Org, *, on_or_after: date | None = None) -> date:
    """The first day the root existed in the records (its first version). When the caller
    only needs to know whether ``on_or_after`` is before it, and it is not even before the
    founding date, the versions are not read."""
    if on_or_after is not None and on_or_after >= root.created_on:
        return root.created_on
    first = OrgVersion.objects.filter(org=root).aggregate(first=Min("valid_from"))["first"]
    return min(first, root.created_on) if first else root.created_on


def org_by_code(code: str) -> Org:
    code = (code or "").strip()
    org = org_find_code(code)
    if org is None:
        raise ReportInputError(f"Không có tổ chức đảng mã «{code}».")
    return org


def frame_for(
    *,
    root: Org,
    as_of: date | None = None,
    start: date | None = None,
    end: date | None = None,
    today: date | None = None,
) -> Frame:
    """Check the parameters and fill the defaults: ``as_of`` today (for an organization that
    has ceased: its last day, or the period's end), the period from 1 January of the report
    year to ``as_of``. Raises ``ReportInputError`` with every problem found."""
    today = today or clock.today()
    last = root.dissolved_on - timedelta(days=1) if root.dissolved_on else None  # a dissolved root's last day
    given = as_of
    as_of = as_of or (min(last, end or last) if last else today)
    earliest = min(d for d in (as_of, start, end, date(as_of.year, 1, 1)) if d is not None)
    first = first_record_on(root, on_or_after=earliest)
    problems = []
    if as_of > today:
        problems.append(
            f"Ngày báo cáo {_d(as_of)} ở tương lai; hãy chọn hôm nay ({_d(today)}) hoặc một ngày đã qua."
        )
    elif as_of < first:
        problems.append(
            f"Ngày báo cáo {_d(as_of)} trước ngày có dữ liệu đầu tiên của {root.name} ({_d(first)}); hãy chọn từ ngày đó trở đi."
        )
    if root.dissolved_on and last and given and given > last:
        problems.append(
            f"{root.name} đã giải thể (hợp nhất, chia tách) từ ngày {_d(root.dissolved_on)}; "
            f"hãy chọn ngày báo cáo đến {_d(last)}."
        )
    if (start is None) != (end is None):
        problems.append(
            "Cần nhập cả ngày đầu kỳ và ngày cuối kỳ (hoặc bỏ trống cả hai để lấy từ đầu năm đến ngày báo cáo)."
        )
    if start is None or end is None:
        start, end = date(as_of.year, 1, 1), as_of
        start = max(start, first)
    else:
        if end < start:
            problems.append(f"Ngày cuối kỳ {_d(end)} trước ngày đầu kỳ {_d(start)}.")
        if end > today:
            problems.append(
                f"Ngày cuối kỳ {_d(end)} ở tương lai; kỳ báo cáo phải kết thúc muộn nhất hôm nay ({_d(today)})."
            )
        if start < first:
            problems.append(
                f"Ngày đầu kỳ {_d(start)} trước ngày có dữ liệu đầu tiên của {root.name} ({_d(first)})."
            )
    if problems:
        raise ReportInputError(" ".join(problems))
    return Frame(root=root, as_of=as_of, start=start, end=end, today=today)
