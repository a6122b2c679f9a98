"""Where collected dues go (RULES.md §7): each level keeps its share of what reaches it and
remits the rest to the level above — a cell under a grassroots committee to that committee, a
grassroots organization to the level above it, and so on to the province, which remits to the
Central Committee. Pure arithmetic on integer đồng: at every organization ``kept = arrived ×
share // 100`` and the rest goes up, so kept and remitted always add up to what was collected.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from uuid import UUID

from dangbo.core.kinds import OrgKind
from dangbo.rules.dues import Shares


@dataclass(frozen=True)
class Node:
    org_id: UUID
    parent_id: UUID | None
    kind: str
    depth: int


def share_of(node: Node, parent: Node | None, shares: Shares) -> int:
    """The percent ``node`` keeps of the dues that reach it."""
    if node.kind == OrgKind.CELL:
        # a cell under a grassroots committee (or its partial committee) keeps the cell share
        return shares.cell
    if node.kind in (OrgKind.GRASSROOTS_CELL, OrgKind.GRASSROOTS_COMMITTEE):
        return shares.grassroots
    if node.kind == OrgKind.UPPER:
        return shares.upper
    if node.kind == OrgKind.PROVINCE:
        return shares.province
    return 0  # a partial committee or a group passes everything on


@dataclass
class Flow:
    """What reached, was kept at, and left each organization."""

    arrived: dict[UUID, int] = field(default_factory=lambda: defaultdict(int))
    kept: dict[UUID, int] = field(default_factory=lambda: defaultdict(int))
    remitted: dict[UUID, int] = field(default_factory=lambda: defaultdict(int))


def flow(collected: Mapping[UUID, int], nodes: Mapping[UUID, Node], shares: Shares) -> Flow:
    """Spread ``collected`` (đồng by collecting organization) up ``nodes`` (a whole subtree: an
    organization whose parent is not among them remits out of it)."""
    result = Flow()
    for org_id, amount in collected.items():
        result.arrived[org_id] += amount
    for node in sorted(nodes.values(), key=lambda n: -n.depth):
        arrived = result.arrived.get(node.org_id, 0)
        if not arrived:
            continue
        parent = nodes.get(node.parent_id) if node.parent_id else None
        kept = arrived * share_of(node, parent, shares) // 100
        result.kept[node.org_id] = kept
        result.remitted[node.org_id] = arrived - kept
        if parent is not None:
            result.arrived[parent.org_id] += arrived - kept
    return result
