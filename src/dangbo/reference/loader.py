"""Read the CSV code lists shipped in ``reference/data`` and write them to their tables."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import cache, cached_property
from pathlib import Path

from django.apps import apps as django_apps

DATA_DIR = Path(__file__).resolve().parent / "data"

# table model name -> CSV file
LISTS = {
    "Ethnicity": "ethnicities.csv",
    "Religion": "religions.csv",
    "GeneralEducation": "general_education.csv",
    "ProfessionalLevel": "professional_levels.csv",
    "TheoryLevel": "theory_levels.csv",
    "BirthProvince": "provinces_2016.csv",
}


@dataclass(frozen=True)
class CodeList:
    source: str
    rows: tuple[dict, ...]

    @cached_property
    def codes(self) -> frozenset[str]:
        # read once per list: an import checks every row's national ID against it
        return frozenset(row["code"] for row in self.rows)


@cache
def read_list(filename: str) -> CodeList:
    """Parse a code list: '#' lines carry the source, then a CSV header and rows."""
    source_lines: list[str] = []
    body: list[str] = []
    with open(DATA_DIR / filename, encoding="utf-8") as handle:
        for line in handle:
            (source_lines if line.startswith("#") else body).append(line)
    rows = tuple(csv.DictReader(body))
    source = " ".join(line.lstrip("# ").strip() for line in source_lines)
    return CodeList(source=source, rows=rows)


def load_all(apps=None) -> None:
    """Insert or update every list. Called by the data migration and safe to re-run."""
    if apps is None:
        apps = django_apps
    for model_name, filename in LISTS.items():
        model = apps.get_model("reference", model_name)
        code_list = read_list(filename)
        for position, row in enumerate(code_list.rows):
            rank = int(row["rank"]) if row.get("rank") else position
            model.objects.update_or_create(
                code=row["code"],
                defaults={"name": row["name"], "rank": rank, "source": code_list.source},
            )


def ensure_loaded() -> bool:
    """Load every list if any of their tables is empty; return whether it loaded."""
    if all(django_apps.get_model("reference", name).objects.exists() for name in LISTS):
        return False
    load_all()
    return True


def seed_holidays(apps=None) -> int:
    """Add the holidays of ``data/holidays.csv`` whose day is not in the table yet; a day
    already there keeps what administrators made of it. Run by the migration (once) and by
    the tests. Returns how many were added."""
    if apps is None:
        apps = django_apps
    Holiday = apps.get_model("reference", "Holiday")
    holidays = read_list("holidays.csv")
    present = set(Holiday.objects.values_list("day", flat=True))
    new = [
        Holiday(day=date.fromisoformat(row["day"]), name=row["name"], source=row["source"] or holidays.source)
        for row in holidays.rows
        if date.fromisoformat(row["day"]) not in present
    ]
    Holiday.objects.bulk_create(new)
    return len(new)
