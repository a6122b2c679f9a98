"""The apps depend downwards only (DESIGN.md, Shape of the code; docs/architecture.md).

Every import of the project in every module (at the top or inside a function, migrations
left out) must point to an app on a lower layer, or stay in its own app. A new app must be
placed in ``LAYERS`` before it can import anything.
"""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "dangbo"

# Lowest first. Apps on one line may not import each other.
LAYERS: list[set[str]] = [
    {"core"},  # leaf: text, the clock, value types (kinds, roles, paths, violations, decisions)
    {"audit", "documents"},  # the audit trail and document rendering: need only core
    {"jobs"},  # background jobs: kinds registered from above, run by the worker
    {"reference"},  # official code lists, ID numbers, the holiday calendar (edits are audited)
    {"rules"},
    {"orgs"},
    {"members"},
    {"accounts"},  # users and roles held on organizations, optionally linked to a member
    {"candidates", "discipline", "meetings", "dues", "ratings"},
    {"restructuring"},
    {"imports"},  # spreadsheets in: staging, then the register through members' and orgs' writers
    {"stats"},
    {"exchange"},  # report packages between levels: exports what stats computes
    {"web"},
    {"demo"},
    {"urls", "api", "cli", "server", "server_processes", "settings", "wsgi", "asgi", "__init__"},  # the shell
]
RANK = {app: rank for rank, apps in enumerate(LAYERS) for app in apps}
SHELL = RANK["urls"]


def _imports(package: Path = PACKAGE) -> list[tuple[str, str, str]]:
    """(importing app, imported app, "file:line") for every import of the project."""
    found = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package)
        if "migrations" in relative.parts:
            continue
        app = relative.parts[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                targets = [node.module]
                if node.module == "dangbo":
                    targets = [f"dangbo.{alias.name}" for alias in node.names]
            else:
                continue
            for target in targets:
                parts = target.split(".")
                if parts[0] == "dangbo" and len(parts) > 1 and parts[1] != app:
                    found.append((app, parts[1], f"{relative}:{node.lineno}"))
    return found


def _upward(imports) -> list[str]:
    return [
        f"{where}: {source} imports {target}"
        for source, target, where in imports
        if not (RANK.get(source, -1) >= SHELL and RANK.get(target, -1) >= SHELL)
        and RANK.get(target, len(LAYERS)) >= RANK.get(source, len(LAYERS))
    ]


IMPORTS = _imports()


def test_every_app_has_a_layer():
    apps = {path.name for path in PACKAGE.iterdir() if (path / "__init__.py").exists()}
    apps |= {path.stem for path in PACKAGE.glob("*.py")}
    assert not sorted(apps - RANK.keys()), "place these apps in LAYERS"


def test_imports_point_down():
    upward = _upward(IMPORTS)
    assert not upward, "imports that point up or sideways:\n" + "\n".join(upward)


def test_no_two_apps_import_each_other():
    edges = {(source, target) for source, target, _ in IMPORTS}
    apps = sorted({app for edge in edges for app in edge})
    cycles = [(a, b) for a, b in itertools.combinations(apps, 2) if (a, b) in edges and (b, a) in edges]
    assert not cycles


def test_the_check_catches_an_upward_import_inside_a_function(tmp_path):
    """The check itself, on a made-up package: an import hidden in a function is still seen."""
    (tmp_path / "orgs").mkdir()
    (tmp_path / "orgs" / "selectors.py").write_text(
        "from dangbo.core import text\n\ndef f():\n    from dangbo.members.models import Member\n"
    )
    found = _imports(tmp_path)
    assert [(s, t) for s, t, _ in found] == [("orgs", "core"), ("orgs", "members")]
    assert _upward(found) == ["orgs/selectors.py:4: orgs imports members"]


_MANAGER_WRITES = {
    "update",
    "create",
    "bulk_create",
    "bulk_update",
    "delete",
    "get_or_create",
    "update_or_create",
}
_INSTANCE_WRITES = {"save", "delete", "bulk_create", "bulk_update"}


def _writes(package: Path, own: set[str]) -> list[str]:
    """Calls in ``package`` that write rows other than its own: a model manager's write whose
    model is not in ``own``, ``save``/``delete``/``bulk_*`` on anything but a ``plan``, raw
    SQL. A guard on how the code is written, not a proof: a queryset held in a variable is
    not followed."""
    found = []
    for path in sorted(package.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            receiver, method = ast.unparse(node.func.value), node.func.attr
            root = node.func.value
            while isinstance(root, (ast.Attribute, ast.Call, ast.Subscript)):
                root = root.func if isinstance(root, ast.Call) else root.value
            name = root.id if isinstance(root, ast.Name) else ""
            through_manager = ".objects" in receiver
            if (
                method in {"execute", "executemany", "raw"}
                or (through_manager and method in _MANAGER_WRITES and name not in own)
                or (not through_manager and method in _INSTANCE_WRITES and name != "plan")
            ):
                found.append(f"{path.relative_to(package)}:{node.lineno}: {receiver}.{method}")
    return found


def test_restructuring_writes_no_other_apps_tables():
    """Restructuring changes the tree through the services of the apps that own the rows
    (``orgs.services.tree``, ``orgs.sql``, the members' ledger and ``members.sql``,
    ``candidates.services`` and ``candidates.sql``); its own table is ``RestructurePlan``."""
    writes = _writes(PACKAGE / "restructuring", own={"RestructurePlan"})
    assert not writes, "restructuring writes another app's rows:\n" + "\n".join(writes)


def test_the_write_check_catches_a_direct_write(tmp_path):
    (tmp_path / "ops.py").write_text(
        "def f(org, plan):\n"
        "    Org.objects.filter(pk=org.pk).update(depth=1)\n"
        "    org.save(update_fields=['kind'])\n"
        "    plan.save()\n"
        "    RestructurePlan.objects.create()\n"
    )
    assert _writes(tmp_path, own={"RestructurePlan"}) == [
        "ops.py:2: Org.objects.filter(pk=org.pk).update",
        "ops.py:3: org.save",
    ]
