"""Establishing many organizations at once, for generated data (the national demo).

``orgs_establish_bulk`` writes what ``org_establish`` writes for each organization — the
``Org`` row, its ``established`` event and its first version — with ``core.bulk.insert_many``
(COPY on PostgreSQL), without the per-organization checks, locks and audit rows: the caller
plans a tree that the rules allow (checked here once per parent/child kind pair), gives
every organization its path, and audits the whole build as one operation. The tallies must
be deferred (``stats.tallies.tallies_deferred``): their recount at the end counts the tree.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from dangbo.core import projections
from dangbo.core.bulk import insert_many, new_instances
from dangbo.core.decisions import DecisionRef
from dangbo.core.violations import refuse_if
from dangbo.orgs.models import Org, OrgEvent, OrgVersion
from dangbo.rules import orgs as org_rules


def orgs_establish_bulk(orgs: Sequence[Org], *, established_on: date, decision: DecisionRef) -> None:
    """Insert ``orgs`` (unsaved, keys, paths, depths, ``child_seq`` and keys set; parents
    before children or already stored) with their events and first versions."""
    if not projections.tallies().deferred():
        raise RuntimeError("orgs_establish_bulk needs the tallies deferred (recounted at the end)")
    kinds: dict = {o.pk: (o.kind, o.has_upper_rights) for o in orgs}
    pairs: set[tuple[tuple[str, bool] | None, str]] = set()
    for org in orgs:
        parent = kinds.get(org.parent_id) if org.parent_id else None
        if org.parent_id and parent is None:
            parent = Org.objects.filter(pk=org.parent_id).values_list("kind", "has_upper_rights").get()
            kinds[org.parent_id] = parent
        pairs.add((parent, org.kind))
    for parent, kind in pairs:
        refuse_if(
            org_rules.check_child_kind(
                parent_kind=parent[0] if parent else None,
                child_kind=kind,
                parent_has_upper_rights=bool(parent and parent[1]),
                on=established_on,
            )
        )
    new_event, new_version = new_instances(OrgEvent), new_instances(OrgVersion)
    events, versions = [], []
    for org in orgs:
        event = new_event(
            kind=OrgEvent.Kind.ESTABLISHED,
            org_id=org.pk,
            effective_on=established_on,
            data={"parent": str(org.parent_id) if org.parent_id else None},
            **decision.fields(),
        )
        events.append(event)
        versions.append(
            new_version(
                org_id=org.pk,
                valid_from=established_on,
                **org.version_state(),
                event_id=event.pk,
            )
        )
    insert_many(Org, orgs)
    insert_many(OrgEvent, events)
    insert_many(OrgVersion, versions)
