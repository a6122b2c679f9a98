"""The tree a statistical form is drawn on (``stats.statforms``).

The stock forms (Mẫu 3–8) are drawn on the root's subtree as it stood on the report date
(``_subtree_on``, ``_layout``): one row per direct child of the root, then the root's own
members. The period forms (Mẫu 1–2) use one tree for the whole period, the tree on its last
day, with the organizations that ended during the period placed by their last version
(``_period_tree``; the package docstring says why). Also here: the counted placements of a day
and the driver-level helpers the forms count raw rows with (``_by_raw_key``, ``_as_date``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connections
from django.db.models import Q

from dangbo.core import paths
from dangbo.members.models import Placement
from dangbo.orgs.models import OrgVersion
from dangbo.stats.frames import Frame
from dangbo.stats.statforms.shapes import FormRow

_ORG_ID_FIELD = Placement._meta.get_field("org").target_field


def _valid_on(day: date) -> Q:
    return (Q(valid_to__isnull=True) | Q(valid_to__gt=day)) & Q(valid_from__lte=day)


def _placements_on(day: date):
    return Placement.objects.filter(_valid_on(day), counted=True)


def _by_raw_key(alias: str, items: Iterable[tuple[object, Any]]) -> dict:
    """``{raw key: value}`` for (organization id, value) pairs, the raw key being the id as the
    driver returns it (text on SQLite, a UUID on PostgreSQL)."""
    connection, prep = connections[alias], _ORG_ID_FIELD.get_db_prep_value
    return {prep(org_id, connection): value for org_id, value in items}


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


@dataclass
class _Version:
    org_id: object
    code: str
    path: str
    name: str
    kind: str
    sector: str


_VERSION_FIELDS = ("org_id", "org__code", "path", "name", "kind", "sector")


@dataclass
class _Layout:
    """The rows of a form: the root's direct children on one day, then the root's own members."""

    root_path: str | None
    root_name: str
    root_code: str
    children: list[_Version]

    def __post_init__(self) -> None:
        self.index = {child.path: i for i, child in enumerate(self.children)}
        self.direct = len(self.children)

    @property
    def buckets(self) -> int:
        return len(self.children) + 1

    def bucket(self, path: str) -> int | None:
        """The row of an organization at ``path``: a child's index, ``direct``, or None (outside,
        or under the root but under no child, which check C then reports)."""
        if self.root_path is None or not path.startswith(self.root_path):
            return None
        if path == self.root_path:
            return self.direct
        return self.index.get(path[: len(self.root_path) + paths.SEGMENT_WIDTH + 1])

    def rows(self, tables: list[list[int]], *, keep_direct: bool) -> list[FormRow]:
        rows = [FormRow(child.name, child.code, tables[i]) for i, child in enumerate(self.children)]
        if keep_direct:
            rows.append(
                FormRow(
                    f"Sinh hoạt trực tiếp tại {self.root_name}",
                    self.root_code,
                    tables[self.direct],
                    direct=True,
                )
            )
        return rows


def _layout(frame: Frame, versions: dict[object, _Version]) -> _Layout:
    root = versions.get(frame.root.pk)
    if root is None:
        return _Layout(None, frame.root.name, frame.root.code, [])
    child_len = len(root.path) + paths.SEGMENT_WIDTH + 1
    children = sorted(
        (v for v in versions.values() if len(v.path) == child_len and v.path.startswith(root.path)),
        key=lambda v: v.path,
    )
    return _Layout(root.path, root.name, root.code, children)


def _subtree_on(frame: Frame, day: date) -> dict[object, _Version]:
    root_path = frame.root_path_on(day)
    if root_path is None:
        return {}
    rows = (
        OrgVersion.objects.filter(_valid_on(day))
        .filter(paths.subtree_q(root_path))
        .values_list(*_VERSION_FIELDS)
    )
    return {row[0]: _Version(*row) for row in rows}


@dataclass
class _PeriodTree:
    layout: _Layout
    bucket: dict[object, int | None]  # org id → row (None: under the root but under no row)
    org_ids: object  # a subquery: every organization that may belong to the root in the period


def _period_tree(frame: Frame) -> _PeriodTree:
    """The tree on ``frame.end``, with the organizations that ended during the period placed by
    their last version (the module docstring says why)."""
    start, end = frame.start, frame.end
    before = start - timedelta(days=1)
    overlapping = (Q(valid_to__isnull=True) | Q(valid_to__gt=before)) & Q(valid_from__lte=end)
    root_paths = set(OrgVersion.objects.filter(overlapping, org=frame.root).values_list("path", flat=True))
    if not root_paths:
        empty = _Layout(None, frame.root.name, frame.root.code, [])
        return _PeriodTree(empty, {}, OrgVersion.objects.none().values("org_id"))
    in_tree = Q()
    for root_path in root_paths:
        in_tree |= paths.subtree_q(root_path)
    candidates = OrgVersion.objects.filter(overlapping).filter(in_tree)
    by_org: dict[object, list[tuple]] = defaultdict(list)
    for org_id, code, path, name, kind, sector, valid_from, valid_to in candidates.values_list(
        *_VERSION_FIELDS, "valid_from", "valid_to"
    ):
        by_org[org_id].append((valid_from, valid_to, _Version(org_id, code, path, name, kind, sector)))

    def version_on(org_id, day: date) -> _Version | None:
        for valid_from, valid_to, version in by_org.get(org_id, ()):
            if valid_from <= day and (valid_to is None or valid_to > day):
                return version
        return None

    at_end = {org_id: v for org_id in by_org if (v := version_on(org_id, end)) is not None}
    layout = _layout(frame, at_end)
    places: dict[date, tuple[str | None, dict[str, int]]] = {end: (layout.root_path, layout.index)}

    def place_on(day: date) -> tuple[str | None, dict[str, int]]:
        """The root's path on ``day`` and the paths of the end-of-period rows on that day."""
        if day not in places:
            root = version_on(frame.root.pk, day)
            index = {
                v.path: i
                for i, child in enumerate(layout.children)
                if (v := version_on(child.org_id, day)) is not None
            }
            places[day] = (root.path if root else None, index)
        return places[day]

    bucket: dict[object, int | None] = {}
    for org_id, versions in by_org.items():
        if org_id in at_end:
            day, version = end, at_end[org_id]
        else:
            valid_from, valid_to, version = max(versions, key=lambda item: item[0])
            day = valid_to - timedelta(days=1)
        root_then, index = place_on(day)
        if root_then is None or not version.path.startswith(root_then):
            continue  # outside the root on its last day in the period
        if version.path == root_then:
            bucket[org_id] = layout.direct
        else:
            bucket[org_id] = index.get(version.path[: len(root_then) + paths.SEGMENT_WIDTH + 1])
    return _PeriodTree(layout, bucket, candidates.values("org_id"))
