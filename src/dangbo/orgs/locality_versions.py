"""Dated versions of hamlets (``LocalityVersion``), kept in line with the ``Locality`` rows.

A ``Locality`` row is today's state; its versions say what it was on any day: name, kind,
commune, covering cell and head. Whatever changes a hamlet (``orgs.services`` for one
hamlet, ``orgs.restructure`` for the hamlets of merged, split or dissolved organizations)
updates the rows first and then calls ``versions_follow`` with the ids and the effective
date, in the same transaction. A restructuring touches thousands of hamlets at once, so
this reads and writes in chunks, never one hamlet at a time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Q

from dangbo.orgs.models import Locality, LocalityVersion

VERSIONED_FIELDS = ("kind", "name", "commune_id", "cell_id", "head_member_id", "head_name")
_CHUNK = 2000


def versions_follow(
    locality_ids: Iterable, *, effective_on: date, decision_no: str = "", note: str = ""
) -> int:
    """Bring the versions of ``locality_ids`` in line with their rows. A hamlet whose open
    version differs from its row gets a new version from ``effective_on`` (the open one
    ends that day); when the open version began on ``effective_on`` or later, it is
    rewritten in place (history before it is never overwritten). A dissolved hamlet's open
    version ends on its dissolution day. Returns how many versions were written."""
    ids = list(dict.fromkeys(locality_ids))
    written = 0
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        rows = {
            row["id"]: row
            for row in Locality.objects.filter(pk__in=chunk).values("id", "dissolved_on", *VERSIONED_FIELDS)
        }
        open_versions = {
            v.locality_id: v
            for v in LocalityVersion.objects.filter(locality_id__in=chunk, valid_to__isnull=True)
        }
        closed, rewritten, created = [], [], []
        for pk, row in rows.items():
            current = open_versions.get(pk)
            if row["dissolved_on"] is not None:
                if current is not None:
                    current.valid_to = max(current.valid_from, row["dissolved_on"])
                    closed.append(current)
                continue
            state = {name: row[name] for name in VERSIONED_FIELDS}
            if current is not None and all(getattr(current, name) == value for name, value in state.items()):
                continue
            if current is not None and current.valid_from >= effective_on:
                for name, value in state.items():
                    setattr(current, name, value)
                current.decision_no, current.note = decision_no or current.decision_no, note or current.note
                rewritten.append(current)
                continue
            if current is not None:
                current.valid_to = effective_on
                closed.append(current)
            created.append(
                LocalityVersion(
                    locality_id=pk, valid_from=effective_on, decision_no=decision_no, note=note, **state
                )
            )
        if closed:
            LocalityVersion.objects.bulk_update(closed, ["valid_to"], batch_size=500)
        if rewritten:
            LocalityVersion.objects.bulk_update(
                rewritten, [*VERSIONED_FIELDS, "decision_no", "note"], batch_size=500
            )
        if created:
            LocalityVersion.objects.bulk_create(created, batch_size=1000)
        written += len(closed) + len(rewritten) + len(created)
    return written


def open_version_start(locality_id) -> date | None:
    """The day the hamlet's open version began (None: it has none)."""
    return (
        LocalityVersion.objects.filter(locality_id=locality_id, valid_to__isnull=True)
        .values_list("valid_from", flat=True)
        .first()
    )


def valid_on(day: date) -> Q:
    """The versions valid on ``day``."""
    return Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gt=day))
