"""Restructuring the tree: move, merge, split, dissolve, change of kind, upper-level rights.

Every operation takes an effective date and a decision, is one transaction (a failure, or
a kill halfway, leaves the database as it was), writes ``OrgEvent`` rows and new dated
``OrgVersion`` rows (the tree of any earlier day is unchanged), and is audited.

Two ways a member is affected, and how each is recorded:

- their cell keeps its identity and moves with a subtree (a commune committee merged into a
  new commune keeps its village cells): the member's organization is unchanged, so their
  ledger is too; their history shows the move from the cell's ``OrgEvent`` and its decision;
- their own organization is merged, split or turned into a committee: a ``rehomed`` ledger
  event carrying the same decision moves them (``members.ledger.append_many``).

The pre-aggregated counts follow: a moved subtree's counts move in the database
(``tally_subtrees_moved``), re-homed members and hamlets through their usual tally paths,
and the counts that depend on where organizations sit are recounted (``tally_fix_derived``).

``dry_run`` runs any operation, or a whole plan (``restructuring.plans``), and rolls it back:
the preview is what applying would do, counted by the same code.

Where the code is: ``shapes`` (``Outcome``, ``Preview``, ``dry_run``), ``common`` (the steps the
operations share), ``move``, ``merge``, ``split``, ``kind`` (change of kind, upper-level
rights), ``establish`` (a cell with its members), ``dissolve``. They write the organizations through
``orgs.services.tree``, the members through their ledger and services, the candidates through
``candidates.services``, and each app rewrites its own paths (``orgs.sql``, ``members.sql``,
``candidates.sql``). The names below are the package's public API.
"""

from __future__ import annotations

from dangbo.restructuring.operations.dissolve import org_dissolve, org_dissolve_preview
from dangbo.restructuring.operations.establish import org_establish_with_members
from dangbo.restructuring.operations.kind import NewCell, org_change_kind, org_set_upper_rights
from dangbo.restructuring.operations.merge import org_merge
from dangbo.restructuring.operations.move import org_move, org_move_many
from dangbo.restructuring.operations.shapes import Outcome, Preview, dry_run
from dangbo.restructuring.operations.split import Share, org_split

__all__ = [
    "NewCell",
    "Outcome",
    "Preview",
    "Share",
    "dry_run",
    "org_change_kind",
    "org_dissolve",
    "org_dissolve_preview",
    "org_establish_with_members",
    "org_merge",
    "org_move",
    "org_move_many",
    "org_set_upper_rights",
    "org_split",
]
