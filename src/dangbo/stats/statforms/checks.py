"""The cross-checks a committee runs before filing the statistical forms (A–E, listed in the
package docstring): ``check_forms`` reads the figures, marks those a failed check involves
(``FormRow.flagged``), and never changes them."""

from __future__ import annotations

from collections.abc import Iterable

from dangbo.core.formats import format_date, format_number
from dangbo.stats.statforms.period import ADMITTED, CLOSING, DECREASE, INCREASE, OPENING, READMITTED
from dangbo.stats.statforms.shapes import (
    FORM_ADMISSIONS,
    FORM_MOVEMENT,
    TOTAL_LABEL,
    Check,
    FormReport,
    StatForm,
)


def _n(value: int) -> str:
    return format_number(value)


class _Checker:
    def __init__(self, code: str, description: str) -> None:
        self.check = Check(code, description, True, "")
        self.problems: list[str] = []
        self.compared = 0

    def fail(self, form: StatForm, cells: Iterable[tuple[int, int]], problem: str) -> None:
        self.check.ok = False
        self.problems.append(problem)
        for row, column in cells:
            form.row_at(row).flagged.add(column)
            if (form.code, row, column) not in self.check.cells:
                self.check.cells.append((form.code, row, column))

    def done(self, passed: str) -> Check:
        self.check.detail = "; ".join(self.problems) if self.problems else passed
        return self.check


def _row_name(form: StatForm, index: int) -> str:
    return TOTAL_LABEL if index == -1 else form.rows[index].label


def _all_rows(form: StatForm) -> list[int]:
    return [*range(len(form.rows)), -1]


def _check_balance(form: StatForm) -> Check:
    checker = _Checker(
        "A-1", f"{form.code}: đầu kỳ + tổng tăng − tổng giảm = cuối kỳ, ở từng dòng và dòng tổng cộng"
    )
    for index in _all_rows(form):
        v = form.row_at(index).values
        expected = v[OPENING] + v[INCREASE] - v[DECREASE]
        if expected != v[CLOSING]:
            checker.fail(
                form,
                [(index, c) for c in (OPENING, INCREASE, DECREASE, CLOSING)],
                f"{_row_name(form, index)}: {_n(v[OPENING])} + {_n(v[INCREASE])} − {_n(v[DECREASE])} = "
                f"{_n(expected)}, nhưng cuối kỳ là {_n(v[CLOSING])}",
            )
    return checker.done(f"Khớp ở cả {len(form.rows) + 1} dòng.")


def _check_members(report: FormReport, form: StatForm) -> Check | None:
    if form.members_column is None or form.members_on is None:
        return None
    day = form.members_on
    expected = report.placement_counts.get(day)
    what = "cuối kỳ" if form.code == FORM_MOVEMENT else "tổng số đảng viên"
    checker = _Checker(
        f"B-{form.number}",
        f"{form.code}: {what} của dòng tổng cộng bằng số đảng viên trong đảng số "
        f"ngày {format_date(day)} (đếm riêng từ quá trình sinh hoạt đảng)",
    )
    value = form.total.values[form.members_column]
    if expected is None or value != expected:
        checker.fail(
            form,
            [(-1, form.members_column)],
            f"mẫu ghi {_n(value)}, đếm riêng được {'không có số' if expected is None else _n(expected)}",
        )
    return checker.done(f"Khớp: {_n(value)} đảng viên.")


def _check_sums(form: StatForm) -> Check:
    net = {c for pair in form.net_pairs for c in pair}
    description = f"{form.code}: dòng tổng cộng bằng tổng các dòng"
    if form.net_pairs:
        description += (
            " ("
            + ", ".join(f"«{form.headers[a]}» − «{form.headers[b]}»" for a, b in form.net_pairs)
            + " so theo số thuần, vì chuyển giữa các dòng không làm tăng, giảm toàn đảng bộ)"
        )
    checker = _Checker(f"C-{form.number}", description)
    rows = range(len(form.rows))
    for column in range(len(form.columns)):
        if column in net:
            continue
        summed = sum(form.rows[i].values[column] for i in rows)
        if summed != form.total.values[column]:
            checker.fail(
                form,
                [(i, column) for i in [*rows, -1]],
                f"cột «{form.columns[column]}»: các dòng cộng lại {_n(summed)}, dòng tổng cộng {_n(form.total.values[column])}",
            )
    for a, b in form.net_pairs:
        summed = sum(form.rows[i].values[a] - form.rows[i].values[b] for i in rows)
        total = form.total.values[a] - form.total.values[b]
        if summed != total:
            checker.fail(
                form,
                [(i, c) for i in [*rows, -1] for c in (a, b)],
                f"«{form.columns[a]}» − «{form.columns[b]}»: các dòng {_n(summed)}, dòng tổng cộng {_n(total)}",
            )
    return checker.done(f"Khớp ở cả {len(form.columns)} cột.")


def _parts_text(form: StatForm) -> str:
    def name(column: int) -> str:
        return f"«{(form.headers or form.columns)[column]}»"

    wholes = []
    for whole, parts in form.parts:
        group = next(
            (heading for heading, a, b in form.groups if a <= parts[0] <= b and parts[-1] <= b), None
        )
        wholes.append(
            f"{name(whole)} = "
            + (f"các cột nhóm «{group}»" if group and len(parts) > 2 else " + ".join(name(c) for c in parts))
        )
    return "; ".join(wholes)


def _check_parts(form: StatForm) -> Check | None:
    if not form.parts and not form.within:
        return None
    description = f"{form.code}: " + "; ".join(
        ([f"các cột thành phần cộng lại bằng cột tổng ({_parts_text(form)})"] if form.parts else [])
        + (["cột «trong đó» không lớn hơn cột tổng"] if form.within else [])
    )
    checker = _Checker(f"D-{form.number}", description)
    for index in _all_rows(form):
        v = form.row_at(index).values
        for whole, parts in form.parts:
            summed = sum(v[c] for c in parts)
            if summed != v[whole]:
                checker.fail(
                    form,
                    [(index, c) for c in (whole, *parts)],
                    f"{_row_name(form, index)}: «{form.columns[whole]}» {_n(v[whole])}, các cột thành phần cộng "
                    f"{_n(summed)}",
                )
        for part, whole in form.within:
            if v[part] > v[whole]:
                checker.fail(
                    form,
                    [(index, part), (index, whole)],
                    f"{_row_name(form, index)}: «{form.columns[part]}» {_n(v[part])} lớn hơn "
                    f"«{form.columns[whole]}» {_n(v[whole])}",
                )
    return checker.done("Khớp ở mọi dòng.")


def _check_admissions(movement: StatForm, admissions: StatForm) -> Check:
    checker = _Checker(
        "E-2",
        f"{admissions.code} khớp {movement.code}: số kết nạp (mới và lại) ở từng dòng bằng "
        "kết nạp mới + kết nạp lại",
    )
    by_key = {(row.org_code, row.direct): i for i, row in enumerate(movement.rows)}
    pairs = [(-1, -1)]
    for i, row in enumerate(admissions.rows):
        j = by_key.get((row.org_code, row.direct))
        if j is None and any(row.values):
            checker.fail(
                admissions, [(i, 0)], f"{row.label}: có ở {admissions.code} nhưng không có ở {movement.code}"
            )
        elif j is not None:
            pairs.append((i, j))
    for i, j in pairs:
        admitted = admissions.row_at(i).values[0]
        v = movement.row_at(j).values
        if admitted != v[ADMITTED] + v[READMITTED]:
            checker.fail(
                admissions,
                [(i, 0)],
                f"{_row_name(admissions, i)}: {admissions.code} ghi {_n(admitted)}, "
                f"{movement.code} ghi {_n(v[ADMITTED])} + {_n(v[READMITTED])}",
            )
            for column in (ADMITTED, READMITTED):
                movement.row_at(j).flagged.add(column)
                checker.check.cells.append((movement.code, j, column))
    return checker.done(f"Khớp ở cả {len(pairs)} dòng.")


def check_forms(report: FormReport) -> list[Check]:
    """Run every cross-check on the report's figures as they stand, replacing ``report.checks``
    and the flags. Figures are only read: a failed check marks them, never mends them."""
    for form in report.forms:
        for row in [*form.rows, form.total]:
            row.flagged.clear()
    forms = {form.code: form for form in report.forms}
    checks: list[Check] = []
    if FORM_MOVEMENT in forms:
        checks.append(_check_balance(forms[FORM_MOVEMENT]))
    for form in report.forms:
        check = _check_members(report, form)
        if check is not None:
            checks.append(check)
    checks += [_check_sums(form) for form in report.forms]
    for form in report.forms:
        check = _check_parts(form)
        if check is not None:
            checks.append(check)
    if FORM_MOVEMENT in forms and FORM_ADMISSIONS in forms:
        checks.append(_check_admissions(forms[FORM_MOVEMENT], forms[FORM_ADMISSIONS]))
    report.checks = checks
    return checks
