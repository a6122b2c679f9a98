"""The documents rules are drawn from, named once (RULES.md §0 and §13)."""

from datetime import date

CHARTER = "Điều lệ Đảng (Đại hội XI, 2011)"
CHARTER_ADOPTED = date(2011, 1, 19)

QD_24 = "Quy định 24-QĐ/TW ngày 30/7/2021"
QD_24_FROM = date(2021, 7, 30)
QD_232 = "Quy định 232-QĐ/TW ngày 20/1/2025"
QD_232_FROM = date(2025, 1, 20)
QD_29 = "Quy định 29-QĐ/TW ngày 25/7/2016"
HD_01_2016 = "Hướng dẫn 01-HD/TW ngày 20/9/2016"
QD_294 = "Quy định 294-QĐ/TW ngày 26/5/2025"
QD_294_FROM = date(2025, 7, 1)

HD_01_2021 = "Hướng dẫn 01-HD/TW ngày 28/9/2021"
HD_01_2021_FROM = date(2021, 9, 28)
HD_06_2025 = "Hướng dẫn 06-HD/TW ngày 9/6/2025"
HD_06_2025_FROM = date(2025, 6, 9)

QD_102 = "Quy định 102-QĐ/TW ngày 15/11/2017"
QD_102_FROM = date(2017, 11, 15)
QD_69 = "Quy định 69-QĐ/TW ngày 6/7/2022"
QD_69_FROM = date(2022, 7, 6)
QD_296 = "Quy định 296-QĐ/TW ngày 30/5/2025"
QD_296_FROM = date(2025, 5, 30)

# Party dues (RULES.md §7). QĐ 01 is applied from 1/2/2026 by the reports of its text.
QD_01_2026 = "Quy định 01-QĐ/TW ngày 3/2/2026 của Bộ Chính trị về chế độ đảng phí"
QD_01_2026_FROM = date(2026, 2, 1)
QD_342 = "Quyết định 342-QĐ/TW ngày 28/12/2010 của Bộ Chính trị (Quy định về chế độ đảng phí)"
QD_342_FROM = date(2011, 1, 1)

# Strategy targets (RULES.md §9; seeds 000 and 003).
NQ_21 = "Nghị quyết 21-NQ/TW ngày 16/6/2022"
NQ_21_FROM = date(2022, 6, 16)
# The programme on building grassroots organizations and members (seed 000: the Central
# Organization Commission's draft Đề án, discussed with the provinces).
DE_AN_TCCSD = "Đề án «Về xây dựng tổ chức cơ sở đảng và đảng viên» (Ban Tổ chức Trung ương, dự thảo)"
