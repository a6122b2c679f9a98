"""Counting working days: Monday to Friday, less the public holidays in the editable calendar
(``reference.Holiday``). Deadlines of the Party's procedures are set in working days
(RULES.md §2.2, §2.3, §2.5)."""

from __future__ import annotations

from datetime import date, timedelta

from dangbo.reference.models import Holiday


def holidays_between(start: date, end: date) -> set[date]:
    """The holidays from ``start`` to ``end``: load once, pass to many deadline computations."""
    return set(Holiday.objects.filter(day__gte=start, day__lte=end).values_list("day", flat=True))


def add_working_days(start: date, days: int, *, holidays: set[date] | None = None) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself not counted)."""
    if days <= 0:
        return start
    # 5 working days a week, plus room for holidays (Tết can take 9 days in a row)
    horizon = start + timedelta(days=days * 7 // 5 + 30)
    off = holidays if holidays is not None else holidays_between(start, horizon)
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in off:
            counted += 1
    return day


def working_days_between(start: date, end: date, *, holidays: set[date] | None = None) -> int:
    """Working days after ``start`` up to and including ``end`` (negative when ``end`` is before)."""
    if end < start:
        return -working_days_between(end, start, holidays=holidays)
    off = holidays if holidays is not None else holidays_between(start, end)
    return sum(
        1
        for n in range(1, (end - start).days + 1)
        if (d := start + timedelta(days=n)).weekday() < 5 and d not in off
    )
