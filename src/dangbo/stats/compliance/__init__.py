"""The compliance checker: the rules of ``rules/`` run over the data as it stands (DESIGN.md
decision 3; RULES.md §1.3, §2.3, §9, §11).

Each check reuses the validator or the rule the services use, so a number lives only in
``rules/``; each finding names the rule it breaks and that rule's citation in force.

The checks, in the order they are reported:

1. ``org.min_full_members`` — a cell or grassroots organization with fewer full members
   than the Charter's minimum (``rules.orgs.check_formation``);
2. ``org.formation_approval`` — a grassroots cell that has reached the size of a grassroots
   committee, a grassroots committee below it, or a cell above it, without the superior's
   written approval (``check_formation``);
3. ``org.committee`` — what an organization's leadership lacks or exceeds: no secretary, a
   cell big enough to elect a committee without one, too large a committee, ...
   (``rules.positions.committee_gaps``, the function the organization page shows);
3a. ``org.grassroots_secretary`` — a grassroots organization (grassroots committee or
   grassroots cell; not one given upper-level rights) with no secretary on the day, by the
   positions' dates (``rules.positions.POSITION_KINDS``): the leaders' indicators leave it
   out. Check 3 then leaves the same gap to it;
4. ``member.probation_ended`` — probationary members whose 12 months (``rules.probation``)
   are over and who have no recognition decision;
5. ``deadline.overdue`` — other deadlines past (admission decision, ceremony, an open
   transfer whose letter was not presented in time), from ``members.selectors.due_items``;
6. ``transfer.late`` — transfers recorded late (the letter more than 60 working days after
   its trigger, the arrival more than 30 after the letter) whose handling no officer has
   recorded yet, from the same ``due_items``;
7. ``target.hamlets_without_cell`` — hamlets and residential groups without a cell;
8. ``target.secretaries_theory`` — grassroots secretaries and deputies below intermediate
   political theory;
9. ``hamlet.head_record`` — hamlet heads whose record needs a look: ticked "is a member"
   before heads were linked to member records and not matched by the migration
   (``Locality.head_unmatched_note``), or linked to a member who has since died or left.

Everything is read with a few grouped queries over the root's subtree (members by
organization path and status, positions by organization and role), never one query per
organization, so a province of 500,000 members is checked in seconds.

Where the code is: ``shapes`` (the checks declared, ``Finding``), ``counting`` (the grouped
reads), ``checks`` (the checks and ``compliance_run``), ``reports`` (summary, rows, XLSX, text).
The names below are the package's public API.
"""

from __future__ import annotations

from dangbo.stats.compliance.checks import compliance_run
from dangbo.stats.compliance.reports import (
    HEADER,
    WIDTHS,
    compliance_rows,
    compliance_summary,
    compliance_text,
    compliance_xlsx,
)
from dangbo.stats.compliance.shapes import CHECK_TITLES, CHECKS, UNKNOWN_SINCE, Check, Finding

__all__ = [
    "CHECKS",
    "CHECK_TITLES",
    "HEADER",
    "UNKNOWN_SINCE",
    "WIDTHS",
    "Check",
    "Finding",
    "compliance_rows",
    "compliance_run",
    "compliance_summary",
    "compliance_text",
    "compliance_xlsx",
]
