"""What every row of one import is checked against, loaded once: the organizations of the
subtree the import is for (cells by code and by name), its hamlets, the code lists, the text
encoding found in the file, and the day the rows are judged on."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q

from dangbo.core import text
from dangbo.core.kinds import CELL_KINDS, COMMUNE_LEVEL_KINDS
from dangbo.core.paths import subtree_q
from dangbo.core.text import fold
from dangbo.imports.codes import CodeLists
from dangbo.orgs.models import Locality, Org

_CELL_PREFIXES = ("chi bo ", "dang bo ", "to dang ")


def _name_keys(name: str) -> set[str]:
    key = fold(name)
    keys = {key}
    for prefix in _CELL_PREFIXES:
        if key.startswith(prefix):
            keys.add(key.removeprefix(prefix))
    return keys


@dataclass
class OrgIndex:
    """Organizations found by code or by name (with or without «Chi bộ», «Đảng bộ»)."""

    by_code: dict[str, Org] = field(default_factory=dict)
    by_name: dict[str, list[Org]] = field(default_factory=lambda: defaultdict(list))
    found: dict[str, tuple[Org | None, str]] = field(default_factory=dict)  # each value looked up once

    def add(self, org: Org) -> None:
        self.by_code[fold(org.code)] = org
        for key in _name_keys(org.name):
            self.by_name[key].append(org)
        self.found.clear()

    def find(self, value: str) -> tuple[Org | None, str]:
        """The organization ``value`` names, or None and why not."""
        if value not in self.found:
            self.found[value] = self._find(value)
        return self.found[value]

    def _find(self, value: str) -> tuple[Org | None, str]:
        key = fold(value)
        if key in self.by_code:
            return self.by_code[key], ""
        found: dict = {}
        for name_key in _name_keys(value):
            for org in self.by_name.get(name_key, []):
                found[org.pk] = org
        if len(found) == 1:
            return next(iter(found.values())), ""
        if found:
            codes = ", ".join(sorted(org.code for org in found.values()))
            return None, f"Có {len(found)} tổ chức cùng tên «{value}» (mã {codes}); hãy ghi mã tổ chức."
        return None, f"Không có tổ chức «{value}» trong phạm vi được nhập."


@dataclass
class ImportContext:
    root: Org
    today: date
    encoding: str = "unicode"
    codes: CodeLists = field(default_factory=CodeLists)
    holders: OrgIndex = field(default_factory=OrgIndex)  # the cells members may belong to
    orgs: OrgIndex = field(default_factory=OrgIndex)  # every organization of the subtree
    communes: OrgIndex = field(default_factory=OrgIndex)
    outside: dict[str, bool] = field(default_factory=dict)  # value → names one outside the subtree
    outside_rows: list[tuple[int, str]] = field(default_factory=list)  # rows that name one
    # hamlets by folded name (with and without their kind), each with its commune's path
    hamlets: dict[str, list[tuple[Locality, str]]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def load(cls, root: Org, *, today: date, hamlets: bool = True) -> ImportContext:
        ctx = cls(root=root, today=today, codes=CodeLists.load())
        for org in Org.objects.filter(subtree_q(root.path)).order_by("path"):
            ctx.orgs.add(org)
            if org.dissolved_on is None and org.kind in CELL_KINDS:
                ctx.holders.add(org)
            if org.dissolved_on is None and org.kind in COMMUNE_LEVEL_KINDS:
                ctx.communes.add(org)
        if hamlets:
            for locality in Locality.objects.filter(
                subtree_q(root.path, "commune__path"), dissolved_on__isnull=True
            ).select_related("commune"):
                ctx.add_hamlet(locality)
        return ctx

    def locate(self, index: OrgIndex, value: str, row_number: int) -> tuple[Org | None, str]:
        """The organization of ``index`` that ``value`` names; one that lies outside the subtree
        is noted with its row (the file is then refused as a whole)."""
        org, why = index.find(value)
        if org is None and self._outside(value):
            self.outside_rows.append((row_number, value))
            why = f"«{value}» không thuộc phạm vi được nhập."
        return org, why

    def _outside(self, value: str) -> bool:
        """Whether ``value`` is the code or the name of an organization outside the subtree
        (asked of the database once per value: the whole tree is not loaded)."""
        if value not in self.outside:
            names = {value, text.clean(value)}
            named = Q(code__in=names) | Q(name__in=names)
            for prefix in ("Chi bộ ", "Đảng bộ "):
                named |= Q(name__in={prefix + name for name in names})
            self.outside[value] = Org.objects.filter(named).exclude(subtree_q(self.root.path)).exists()
        return self.outside[value]

    def add_hamlet(self, locality: Locality) -> None:
        keys = {fold(locality.name), fold(locality.code)}
        label = fold(locality.get_kind_display())
        keys |= {key.removeprefix(label + " ") for key in list(keys) if key.startswith(label + " ")}
        for key in keys:
            self.hamlets[key].append((locality, locality.commune.path))

    def hamlet(self, value: str, *, near_path: str) -> tuple[Locality | None, str]:
        """The hamlet ``value`` names, preferring one of the commune above ``near_path``."""
        candidates = self.hamlets.get(fold(value), [])
        near = [loc for loc, commune_path in candidates if near_path.startswith(commune_path)]
        chosen = near or [loc for loc, _ in candidates]
        unique = {loc.pk: loc for loc in chosen}
        if len(unique) == 1:
            return next(iter(unique.values())), ""
        if unique:
            return None, f"Có {len(unique)} thôn, tổ dân phố tên «{value}»; hãy ghi mã."
        return None, f"Không có thôn, tổ dân phố «{value}» trong danh mục của xã."
