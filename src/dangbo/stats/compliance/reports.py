"""The compliance findings as reports: the summary per check with its citations, spreadsheet
rows (``HEADER``, ``WIDTHS``, ``compliance_rows``), an XLSX workbook and plain text."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date

from dangbo.core import clock
from dangbo.core.spreadsheet import xlsx_file
from dangbo.rules import REGISTRY
from dangbo.stats.compliance.shapes import CHECK_TITLES, CHECKS, Finding


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def compliance_summary(
    findings: Iterable[Finding], *, on: date | None = None
) -> list[tuple[str, str, int, str]]:
    """(check code, title, number of findings, citations) for every check, in check order; a
    check without findings cites the rules it applies, as in force on ``on`` (today)."""
    on = on or clock.today()
    by_check: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_check[finding.check].append(finding)
    summary = []
    for check in CHECKS:
        found = by_check.get(check.code, [])
        citations = _unique(f.citation for f in found) or _unique(
            rule.at(on).citation for rule in check.rules
        )
        summary.append((check.code, check.title, len(found), "; ".join(citations)))
    return summary


HEADER = [
    "STT",
    "Kiểm tra",
    "Tổ chức",
    "Mã tổ chức",
    "Đảng viên",
    "Nội dung",
    "Quy định",
    "Căn cứ",
    "Từ ngày",
]
WIDTHS = (
    (0, 0, 6),
    (1, 1, 30),
    (2, 2, 30),
    (3, 3, 12),
    (4, 4, 24),
    (5, 5, 70),
    (6, 6, 40),
    (7, 7, 40),
    (8, 8, 14),
)


def _rule_title(code: str) -> str:
    rule = REGISTRY.get(code)
    return rule.title if rule is not None else code


def compliance_rows(findings: Iterable[Finding]) -> Iterator[list]:
    """The findings as spreadsheet rows under ``HEADER`` (for web.pages.spreadsheet_download):
    the number and the date typed (a date not known stays as its text)."""
    for number, f in enumerate(findings, start=1):
        person = f.person_name
        if f.candidate is not None and f.member is None:
            person += " (người vào Đảng)"
        org_name = f"{f.org.name} — {f.locality}" if f.locality is not None else f.org.name
        yield [
            number,
            f.title,
            org_name,
            f.org.code,
            person,
            f.message,
            _rule_title(f.rule),
            f.citation,
            f.since or f.since_text,
        ]


def compliance_xlsx(findings: Iterable[Finding], *, title: str):
    """The findings as an XLSX workbook (a file object, read from the start)."""
    return xlsx_file(
        HEADER, compliance_rows(findings), title=title, sheet_name="Kiểm tra tuân thủ", widths=WIDTHS
    )


def compliance_text(findings: Iterable[Finding], *, title: str = "", on: date | None = None) -> str:
    """A plain-text report: the count of each check, then one line per finding."""
    findings = list(findings)
    lines = [title or "Kiểm tra tuân thủ quy định"]
    lines.append(f"Tổng số: {len(findings)} vấn đề cần xử lý." if findings else "Không phát hiện vấn đề nào.")
    lines.append("")
    lines.append("Tổng hợp theo nội dung kiểm tra:")
    for number, (_, check_title, count, citation) in enumerate(compliance_summary(findings, on=on), start=1):
        lines.append(f"  {number}. {check_title}: {count}. Căn cứ: {citation}")
    current = None
    for f in findings:
        if f.check != current:
            current = f.check
            lines += ["", f"{CHECK_TITLES[f.check]}:"]
        where = f"{f.org.name} ({f.org.code})"
        if f.locality is not None:
            where += f", {f.locality}"
        who = f" — {f.person_name}" if f.person_name else ""
        lines.append(f"  - {where}{who}: {f.message} Từ ngày: {f.since_text}. Căn cứ: {f.citation}")
    return "\n".join(lines) + "\n"
