"""Changes to reference data that administrators make: the holiday calendar."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from dangbo.audit.services import Action, audit_record
from dangbo.core import text
from dangbo.core.violations import RuleViolation, Violation
from dangbo.reference.models import Holiday

INPUT = "Yêu cầu nhập liệu"


@transaction.atomic
def holiday_add(*, day: date, name: str) -> Holiday:
    name = text.clean(name)[:120]
    problems = []
    if not name:
        problems.append(Violation("input", "Chưa nhập tên ngày nghỉ.", INPUT, field="name"))
    if Holiday.objects.filter(day=day).exists():
        problems.append(Violation("input", f"Ngày {day:%d/%m/%Y} đã có trong lịch nghỉ.", INPUT, field="day"))
    if problems:
        raise RuleViolation(problems)
    holiday = Holiday.objects.create(
        day=day, name=name, source="Quản trị hệ thống nhập theo thông báo của Chính phủ"
    )
    audit_record(
        action=Action.CREATED, subject_type="holiday", subject_id=day.isoformat(), data={"name": name}
    )
    return holiday


@transaction.atomic
def holiday_remove(*, day: date) -> None:
    holiday = Holiday.objects.filter(day=day).first()
    if holiday is None:
        raise RuleViolation(
            [Violation("input", f"Ngày {day:%d/%m/%Y} không có trong lịch nghỉ.", INPUT, field="day")]
        )
    holiday.delete()
    audit_record(
        action=Action.UPDATED,
        subject_type="holiday",
        subject_id=day.isoformat(),
        data={"removed": holiday.name},
    )
