"""The audit trail shows no English word (issue 23): every key, coded value and kind of subject
the code records has a Vietnamese label. The keys are read from the code itself: the dicts given
to ``audit_record(data=…)`` and the variables passed as ``data``."""

from __future__ import annotations

import ast
from pathlib import Path

import dangbo
from dangbo.meetings.models import Meeting
from dangbo.rules.ratings import Band
from dangbo.web.audit_labels import KEY_LABELS, LIST_LABELS, SUBJECT_LABELS, VALUE_LABELS
from dangbo.web.audit_selectors import audit_details

SOURCE = Path(dangbo.__file__).parent


def _recorded():
    """(keys, {key: literal values}, subject types) of every ``audit_record`` call in the code."""
    keys: set[str] = set()
    values: dict[str, set[str]] = {}
    subjects: set[str] = set()

    def take(node):
        for d in ast.walk(node):
            if isinstance(d, ast.Dict):
                for k, v in zip(d.keys, d.values, strict=True):
                    if isinstance(k, ast.Constant) and isinstance(k.value, str):
                        keys.add(k.value)
                        if isinstance(v, ast.Constant) and isinstance(v.value, str):
                            values.setdefault(k.value, set()).add(v.value)

    for path in SOURCE.rglob("*.py"):
        for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(function, ast.FunctionDef):
                continue
            names = set()
            for call in ast.walk(function):
                if isinstance(call, ast.Call) and getattr(call.func, "id", "") == "_audit":
                    # an app's own helper, ``_audit(action, subject, **data)``: its keywords are keys
                    for keyword in call.keywords:
                        if keyword.arg is not None:
                            keys.add(keyword.arg)
                            if isinstance(keyword.value, ast.Constant) and isinstance(
                                keyword.value.value, str
                            ):
                                values.setdefault(keyword.arg, set()).add(keyword.value.value)
                if (
                    isinstance(call, ast.Call)
                    and getattr(call.func, "id", getattr(call.func, "attr", "")) == "audit_record"
                ):
                    for keyword in call.keywords:
                        if keyword.arg == "subject_type" and isinstance(keyword.value, ast.Constant):
                            subjects.add(keyword.value.value)
                        if keyword.arg == "data":
                            if isinstance(keyword.value, ast.Name):
                                names.add(keyword.value.id)
                            take(keyword.value)
            for node in ast.walk(function):
                if isinstance(node, ast.Assign | ast.AnnAssign):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    for target in targets:
                        if isinstance(target, ast.Name) and target.id in names and node.value is not None:
                            take(node.value)
                        if (
                            isinstance(target, ast.Subscript)
                            and isinstance(target.value, ast.Name)
                            and target.value.id in names
                            and isinstance(target.slice, ast.Constant)
                        ):
                            keys.add(target.slice.value)
    return keys, values, subjects


def test_every_recorded_key_and_subject_has_a_vietnamese_label():
    keys, values, subjects = _recorded()
    assert len(keys) > 80 and len(subjects) > 10  # the scan finds the calls
    assert sorted(keys - set(KEY_LABELS)) == []
    assert sorted(subjects - set(SUBJECT_LABELS)) == []
    for key in ("reason", "list", "history", "step", "via", "device", "document"):
        assert sorted(values.get(key, set()) - set(VALUE_LABELS[key])) == [], key


def test_details_read_as_vietnamese():
    lines = audit_details(
        {
            "list": "todo",
            "as_of": "2026-06-01",
            "step": "course",
            "transfer_case": "1",
            "award_on": "2026-09-02",
        }
    )
    assert lines == [
        "Danh sách: việc cần làm",
        "Tính đến ngày: 01/06/2026",
        "Bước: Học lớp bồi dưỡng nhận thức về Đảng",
        "Hồ sơ chuyển sinh hoạt: 1",
        "Ngày xét tặng: 02/09/2026",
    ]
    assert audit_details({"unheard_of": "giá trị"}) == ["giá trị"]  # never the English key
    assert LIST_LABELS["org_members"] == "đảng viên của tổ chức"


def test_coded_values_of_meetings_dues_and_ratings_read_as_vietnamese():
    """Meetings, dues and ratings record codes (a meeting's body and mode, the fields changed, a
    relief's ground, a band, a rating step): the page shows their names, never «chi_bo»,
    «in_person» or «held_on»."""
    lines = audit_details(
        {
            "body": "chi_bo",
            "kind": "thematic",
            "mode": "in_person",
            "changed": ["held_on", "topic"],
            "band": "excellent",
            "step": "band_decided",
        }
    )
    assert lines == [
        "Cơ quan họp: Chi bộ",
        "Loại: Sinh hoạt chuyên đề",
        "Hình thức: Trực tiếp",
        f"Nội dung sửa: {Meeting._meta.get_field('held_on').verbose_name}, {Meeting._meta.get_field('topic').verbose_name}",
        f"Xếp loại: {Band.LABELS['excellent']}",
        "Bước: cấp ủy quyết định xếp loại",
    ]
    assert not any("_" in line for line in lines)
