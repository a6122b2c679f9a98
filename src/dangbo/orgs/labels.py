"""Organizations named in lists: the name, what it belongs to, and the code (issue 23).

Many cells share a name ("Chi bộ Tổ dân phố số 1" in every ward). A list names each
organization with the organizations above it up to its grassroots organization — «Chi bộ Tổ
dân phố số 1 · Đảng bộ phường Kim Tân», or through a partial committee «Chi bộ 2 · Đảng bộ bộ
phận Khối 1 · Đảng ủy Công an tỉnh» — and a grassroots or higher organization with the one
directly above it. Only what the reader may see is named, as the breadcrumbs do: a cell
secretary is not told the name of the committee above their cell.

``org_labels_attach`` labels the organizations of a whole list with one query (their ancestors),
so no page pays a query per row; the template tag ``org_label`` (``web/templatetags/vn.py``)
shows an organization so labelled, its code on hover. ``org_labels`` does the same for
organizations known by id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dangbo.core import paths
from dangbo.core.kinds import OrgKind
from dangbo.orgs.models import Org

# Kinds below a grassroots organization: their label goes on up to the grassroots one.
_BELOW_GRASSROOTS = frozenset({OrgKind.SUB_COMMITTEE, OrgKind.CELL, OrgKind.GROUP})
_CHUNK = 500  # paths per query (SQLite's limit on parameters is far above)


@dataclass(frozen=True)
class OrgLabel:
    """An organization as a list names it (``org_labels``)."""

    pk: object
    name: str
    code: str
    label_context: str  # what it belongs to, as ``Org.label_context``; "" when nothing may be named

    @property
    def label(self) -> str:
        return f"{self.name} · {self.label_context}" if self.label_context else self.name

    def __str__(self) -> str:
        return self.label


def org_labels_attach(*, actor, orgs: Iterable[Org | None]) -> None:
    """Set ``label_context`` on every organization given (None is skipped): what it belongs
    to, as far as ``actor`` (a ``Scope``) may see. One query for the whole list."""
    wanted = [org for org in orgs if org is not None]
    ancestors: dict[str, tuple[str, str]] = {}  # path → (name, kind)
    needed = sorted(
        {
            path
            for org in wanted
            for path in paths.ancestor_paths(org.path)[:-1]
            if actor.can_read_path(path)  # scope is by subtree: above one unread, all are
        }
    )
    for start in range(0, len(needed), _CHUNK):
        rows = Org.objects.filter(path__in=needed[start : start + _CHUNK]).values_list("path", "name", "kind")
        ancestors.update({path: (name, kind) for path, name, kind in rows})
    for org in wanted:
        named: list[str] = []
        for path in reversed(paths.ancestor_paths(org.path)[:-1]):
            if path not in ancestors:
                break
            name, kind = ancestors[path]
            named.append(name)
            if kind not in _BELOW_GRASSROOTS:
                break
        org.label_context = " · ".join(named)


def org_labels(*, actor, org_ids: Iterable) -> dict:
    """``OrgLabel`` by id for the organizations with these ids (two queries in all)."""
    ids = {pk for pk in org_ids if pk is not None}
    if not ids:
        return {}
    orgs = list(Org.objects.filter(pk__in=ids).only("pk", "path", "name", "code", "kind"))
    org_labels_attach(actor=actor, orgs=orgs)
    return {org.pk: OrgLabel(org.pk, org.name, org.code, org.label_context or "") for org in orgs}


def org_tree_sorted(orgs: Iterable[Org]) -> list[Org]:
    """The organizations in the order of the tree, each level in Vietnamese order of the names
    (``Org.sort_key``): a committee, then what is under it, siblings by name. For a list drawn
    from several branches (the cells of a district); one query (the ancestors' sort keys)."""
    orgs = list(orgs)
    keys = {org.path: org.sort_key for org in orgs}
    needed = sorted({path for org in orgs for path in paths.ancestor_paths(org.path)[:-1]} - keys.keys())
    for start in range(0, len(needed), _CHUNK):
        keys.update(
            Org.objects.filter(path__in=needed[start : start + _CHUNK]).values_list("path", "sort_key")
        )
    return sorted(
        orgs, key=lambda org: [(keys.get(path, ""), path) for path in paths.ancestor_paths(org.path)]
    )
