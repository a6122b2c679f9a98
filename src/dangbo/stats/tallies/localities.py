"""Hamlets (thôn, tổ dân phố): a hamlet's change under its commune's organizations, the
merged-hamlet cells a batch of changes touches, and hamlets passed to another commune."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from dangbo.core import paths
from dangbo.orgs.models import Locality, Org
from dangbo.stats.models import OrgTally
from dangbo.stats.tallies.keys import (
    HAMLET,
    LOCALITIES,
    LOCALITY_FIELDS,
    MERGED_CELL,
    Key,
    _ancestor_ids,
    _get,
    locality_keys,
    merged_hamlets,
)
from dangbo.stats.tallies.store import _apply, _settle, deferred


def locality_row(locality_id) -> dict | None:
    return Locality.objects.filter(pk=locality_id).values(*LOCALITY_FIELDS).first()


def tally_locality_changed(*, before=None, after=None) -> None:
    """Apply a hamlet's change: rows with ``LOCALITY_FIELDS`` (``locality_row``), None for none."""
    tally_localities_changed([(before, after)])


def tally_localities_changed(pairs: Iterable[tuple[object, object]]) -> None:
    """Apply many hamlets' changes at once: (row before, row after) per hamlet, read after
    every hamlet of the batch has been written (the rows of the other hamlets their cells
    cover are read from the table)."""
    if deferred():
        return
    pairs = list(pairs)
    rows = [r for pair in pairs for r in pair if r is not None]
    merged_rows = _merged_states(pairs)
    wanted = {_get(r, "commune_path") for r in rows} | {
        r["commune_path"] for state in merged_rows for r in state
    }
    ids_by_path = dict(
        Org.objects.filter(path__in={a for p in wanted for a in paths.ancestor_paths(p)}).values_list(
            "path", "id"
        )
    )
    delta: dict[Key, int] = defaultdict(int)
    for before, after in pairs:
        for row, sign in ((before, -1), (after, +1)):
            for value in locality_keys(row):
                for org_id in _ancestor_ids(_get(row, "commune_path"), ids_by_path):
                    delta[(org_id, LOCALITIES, value)] += sign
    for state, sign in zip(merged_rows, (-1, +1), strict=False):
        for row in state:
            for org_id in _ancestor_ids(row["commune_path"], ids_by_path):
                delta[(org_id, LOCALITIES, MERGED_CELL)] += sign
    _apply({key: n for key, n in delta.items() if n})


def _merged_states(pairs: list) -> tuple[list, list]:
    """The merged hamlets of the cells the change touches, before and after it. After: the
    table as it is now. Before: the same, with each changed hamlet's row put back."""
    cells = {_get(r, "cell_id") for pair in pairs for r in pair if r is not None} - {None}
    if not cells:
        return [], []
    now = {
        row["id"]: row
        for row in Locality.objects.filter(cell_id__in=cells, dissolved_on__isnull=True).values(
            *LOCALITY_FIELDS
        )
    }
    then = dict(now)
    for before, after in pairs:
        for row in (after, before):
            if row is not None:
                then.pop(_get(row, "id"), None)
        if before is not None and _get(before, "cell_id") in cells and _get(before, "dissolved_on") is None:
            then[_get(before, "id")] = (
                dict(before) if isinstance(before, Mapping) else {f: _get(before, f) for f in LOCALITY_FIELDS}
            )
    return merged_hamlets(then.values()), merged_hamlets(now.values())


def tally_hamlets_moved(locality_ids: Iterable, *, old: Iterable, new: Iterable, at) -> None:
    """Hamlets passed from one commune organization to another: their residents' counts
    (``hamlet``) leave the old commune's ancestors ``old`` and join ``new``'s; ``at`` is the
    old commune, whose rows hold the counts."""
    if deferred():
        return
    old, new = set(old), set(new)
    _settle(reads={at})
    rows = OrgTally.objects.filter(
        org_id=at, dimension=HAMLET, value__in=[str(pk) for pk in locality_ids], count__gt=0
    )
    delta: dict[Key, int] = defaultdict(int)
    for value, n in rows.values_list("value", "count"):
        for org_id in old - new:
            delta[(org_id, HAMLET, value)] -= n
        for org_id in new - old:
            delta[(org_id, HAMLET, value)] += n
    _apply({key: n for key, n in delta.items() if n})
