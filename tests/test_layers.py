"""Imports point down the list of apps only (DESIGN.md, Shape of the code): every import of the
project, also one inside a function, goes from an app to one on a lower layer, never up, never
sideways between two apps of one layer. Migrations are left out (they name models as text)."""

from __future__ import annotations

import ast
from pathlib import Path

import dangbo

# Lowest first. Apps on one line are siblings and may not import each other.
LAYERS = [
    ["core"],
    ["audit", "documents"],
    ["reference"],
    ["rules"],
    ["orgs"],
    ["members"],
    ["accounts"],
    ["candidates", "discipline", "meetings", "dues", "ratings"],
    ["restructuring"],
    ["imports", "exchange"],
    ["stats"],
    ["web"],
    ["demo"],
    ["urls", "api", "cli", "settings", "wsgi"],  # the shell: composes the apps
]
RANK = {app: rank for rank, apps in enumerate(LAYERS) for app in apps}
ROOT = Path(dangbo.__file__).parent


def _imports():
    """(importing app, imported app, where) for every import of one app by another."""
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if "migrations" in rel.parts or (rel.name == "__init__.py" and len(rel.parts) == 1):
            continue
        source = rel.parts[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                modules = [node.module]
                if node.module == "dangbo":
                    modules = [f"dangbo.{alias.name}" for alias in node.names]
            else:
                continue
            for module in modules:
                parts = module.split(".")
                if parts[0] == "dangbo" and len(parts) > 1 and parts[1] != source:
                    yield source, parts[1], f"{rel}:{node.lineno}"


def test_every_app_has_a_layer():
    apps = {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert apps - RANK.keys() == set(), "add the new app to LAYERS (tests/test_layers.py, docs)"


def test_imports_point_down_only():
    wrong = [
        f"{where}: {source} imports {target}"
        for source, target, where in _imports()
        if RANK[target] >= RANK[source] and RANK[source] != RANK["urls"]
    ]
    assert wrong == []


def test_members_knows_nothing_of_the_work_above_it():
    """Candidates and discipline reach members' to-do list and resignation through
    ``members.hooks``; members never imports them."""
    above = {"candidates", "discipline"}
    assert [where for source, target, where in _imports() if source == "members" and target in above] == []
