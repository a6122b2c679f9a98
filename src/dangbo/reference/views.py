"""The holiday calendar page (system administrators): list a year, add a day, remove a day."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from dangbo.core import clock
from dangbo.core.forms import VietnameseDateField, VietnameseForm
from dangbo.core.http import ScopedRequest
from dangbo.core.violations import RuleViolation
from dangbo.reference.models import Holiday
from dangbo.reference.services import holiday_add, holiday_remove


class HolidayForm(VietnameseForm):
    day = VietnameseDateField(label="Ngày")
    name = forms.CharField(label="Tên ngày nghỉ", max_length=120, help_text="ví dụ: Nghỉ bù Quốc khánh")


@login_required
def holidays_view(request: ScopedRequest) -> HttpResponse:
    if not request.scope.is_admin:
        return render(request, "web/no_role.html", status=403)
    year_text = request.GET.get("nam", "")
    year = int(year_text) if year_text.isdigit() and 2000 <= int(year_text) <= 2100 else clock.today().year
    form = HolidayForm(request.POST if request.POST.get("action") == "add" else None)
    if request.method == "POST" and request.POST.get("action") == "remove":
        try:
            holiday_remove(day=date.fromisoformat(request.POST.get("day", "")))
        except (ValueError, RuleViolation):
            messages.error(request, "Không xóa được ngày này.")
        else:
            messages.success(request, "Đã xóa ngày nghỉ.")
        return redirect(f"{reverse('reference:holidays')}?nam={year}")
    if form.is_bound and form.is_valid():
        try:
            holiday = holiday_add(day=form.cleaned_data["day"], name=form.cleaned_data["name"])
        except RuleViolation as error:
            form.add_violations(error)
        else:
            messages.success(request, f"Đã thêm ngày nghỉ {holiday.day:%d/%m/%Y}.")
            return redirect(f"{reverse('reference:holidays')}?nam={holiday.day.year}")
    context = {
        "form": form,
        "year": year,
        "holidays": Holiday.objects.filter(day__year=year),
        "years": (year - 1, year + 1),
    }
    return render(
        request, "reference/holidays.html", context, status=400 if form.is_bound and form.errors else 200
    )
