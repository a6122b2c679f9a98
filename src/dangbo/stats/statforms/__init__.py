"""The basic statistical forms of the Central Organization Commission (biểu thống kê cơ bản,
Ban Tổ chức Trung ương), computed from the member ledger and the dated organization versions,
with the cross-checks that a committee runs before it files them.

Source, and what is reconstructed
---------------------------------
HD 11-HD/BTCTW (13/12/2021) sets the basic statistics of Party-building work: numbers,
structure and quality of organizations and members (RULES.md §0, §8 [S26]). Its form list and
layouts are not in our sources (RULES.md §8 and §12: "form list: UNCONFIRMED"). The forms below
are **reconstructed from public descriptions** of that guidance and of its predecessor (HD
12-HD/BTCTW, 17/5/2012, Part II "lập biểu thống kê cơ bản"), not copied from the official
forms: the codes "Mẫu n-TCTW", the column sets, the age bands and the order are dangbo's. Check
them against the official forms before a report is filed upwards.

    Mẫu 1-TCTW  Tăng, giảm đảng viên (period): đầu kỳ; tăng: kết nạp mới, kết nạp lại, phục hồi
                đảng tịch, chuyển đến, cộng; giảm: từ trần, xóa tên, xin ra khỏi Đảng, khai trừ,
                chuyển đi, cộng; cuối kỳ.
    Mẫu 2-TCTW  Kết nạp đảng viên (period): tổng số, trong đó kết nạp lại, nữ, dân tộc thiểu số,
                có tôn giáo; tuổi khi kết nạp 18–30, 31–40, 41–50, trên 50; giáo dục phổ thông.
                (Đoàn viên thanh niên is not recorded in dangbo, so it is left out.)
    Mẫu 3-TCTW  Đảng viên theo trình độ (date): giáo dục phổ thông, chuyên môn nghiệp vụ, lý luận
                chính trị, each level of the code lists plus "chưa ghi".
    Mẫu 4-TCTW  Đảng viên theo dân tộc, tôn giáo (date): Kinh, dân tộc thiểu số and the largest
                minorities of the report; không theo tôn giáo, có tôn giáo and the largest religions.
    Mẫu 5-TCTW  Đảng viên theo nghề nghiệp (date): the most frequent occupations, others, unrecorded.
    Mẫu 6-TCTW  Tổ chức cơ sở đảng và đảng viên theo loại hình (date): one row per sector (loại
                hình) of the grassroots organization: đảng bộ cơ sở, chi bộ cơ sở, cộng, đảng bộ bộ
                phận, chi bộ trực thuộc, đảng viên.
    Mẫu 7-TCTW  Đảng viên theo tuổi đời, giới tính (date): nam, nữ; ≤30, 31–40, 41–50, 51–60,
                61–70, trên 70.
    Mẫu 8-TCTW  Tổ chức đảng trực thuộc và đảng viên (date): the organizations under each row, by
                kind, and the members, of whom probationary.

Every form except 6 has one row per direct child of the root and a total row for the root; a
row "sinh hoạt trực tiếp" is added when the root itself holds members (or events).

How the figures are drawn (the choices, and why)
-----------------------------------------------
* **Stock** (members on a day) is the counted ``Placement`` rows valid that day
  (``valid_from <= d < valid_to``, or open), in the organizations of the root's subtree as it
  stood that day (``Frame.org_ids_on``) — exactly ``members.selectors.member_placements_on``. A
  temporary host does not count (its placement is not counted). The stock forms draw on
  ``frame.as_of``. **Identity attributes (gender, ethnicity, religion, education, occupation,
  birth date) are today's values** from the member row: the profile keeps no history of them.
* **Form 1 uses one tree for the whole period: the tree on ``frame.end``.** Its rows are the
  root's children on that day; an organization is placed by its version on ``frame.end``, or,
  if it ended during the period (dissolved, merged), by its last version. The opening figure is
  therefore restated on the end-of-period tree: an organization moved between rows during the
  period counts in its new row from the start, so a restructuring is not shown as members moving.
  (Placing each event by the tree of its own date would break the opening + in − out = closing
  identity whenever an organization moves.) Form 2 uses the same tree.
* **Where an event happened.** Admissions, readmissions and receptions from outside carry their
  cell (``to_org``); an official transfer carries both ends. Death, striking off, resignation,
  expulsion and moving away are placed in the organization the member belonged to just before the
  event — by the ledger's own rule, the ``to_org`` of the last admission, readmission, reception or
  transfer before it in ledger order (``members.ledger.step``); that is the organization of the
  counted placement the event closed, and it stays right when a transfer and an exit fall on the
  same day. Where no such event exists the event's ``from_org``, then the member's organization,
  is used.
* **Transfers.** A row counts a transfer in when the destination is in its subtree and the origin
  is not (and out, the other way round), plus receptions from outside (``transferred_in``) and
  moves to outside (``moved_away``). The total row counts only transfers across the root's edge,
  so check C compares transfers between the rows and the total by their net (in − out).
* **Restoration (phục hồi đảng tịch) is counted in the period of the exit it annuls**, beside that
  exit. The ledger restores with retroactive effect: the placement reopens from the exit day and
  party age is continuous (``ledger.step``, RESTORED), so in the placements the member never left.
  A period holding the exit shows "xóa tên 1, phục hồi 1" once the restoration is recorded; a
  period holding only the restoration decision does not count it again, because its opening
  figure already includes the member. Counting it on the decision date would break the identity.
* **Ages.** Stock forms: tuổi đời by year of birth, report year − birth year, as ``stats.tallies``
  does. Form 2: full years on the admission (decision) date.
* **Data-dependent columns.** The minorities, religions and occupations that get their own column
  are the most frequent in the root's total (ties by code or name); the rest are in "khác".
* **Mẫu 6 and 8 count organizations** on ``frame.as_of``: Mẫu 6 by the sector of the grassroots
  organization that holds them (the root included when it is one), Mẫu 8 under each row (the
  root itself not counted). A group (tổ đảng) and the levels above grassroots are not counted.

Cost: a fixed number of queries whatever the size, each computed once per report and shared by
the forms that need it. The stock is one pass over the counted placements joined to the members,
read raw in chunks (``stats.sql.driver_rows``) and counted per (row, attribute value) in C
(``collections.Counter``); the opening and closing figures are one pass over the placements
that overlap the period, counted per organization by the database (``period._balances``);
increases and transfers are counted per organization in the database; only the period's
decreases and restorations are read one by one (whether a member left a placement of the tree
is asked per event). About 12 s for 500,000 members on SQLite on a busy two-core machine (bench
figure, not a test), most of it SQLite's join; the demo province (59,000 members) about 0.8 s
of CPU (bench/results/statforms.md).

Cross-checks (``check_forms``), run with every report and returned with it
--------------------------------------------------------------------------
A  Mẫu 1: đầu kỳ + tổng tăng − tổng giảm = cuối kỳ, in every row and the total.
B  each form's member total on its date equals the count of counted placements that day
   (Mẫu 1's closing against ``frame.end``; the stock forms against ``frame.as_of``), so the forms
   agree with each other. The count is not taken from the forms' rows: on the period's last day
   it is the database's per-organization closing counts summed over the organizations of the
   subtree that day (the same counts feed Mẫu 1's rows, placed by the period's tree); on another
   report date, a count of its own.
C  the total row equals the sum of the rows (children and the root's own members).
D  within a row, components add up to their whole (tăng = the increase columns, Kinh + thiểu
   số = tổng, …) and a "trong đó" column never exceeds its whole.
E  Mẫu 2's admissions equal Mẫu 1's kết nạp mới + kết nạp lại, row by row.
A failed check marks every figure it involves (``FormRow.flagged``); the figures themselves are
never changed or hidden.

Where the code is
-----------------
``shapes``  the form codes and the report's shapes (``FormRow``, ``StatForm``, ``Check``,
            ``FormReport``) and the column builder.
``tree``    the tree a form is drawn on: the subtree of a day, the end-of-period tree.
``period``  Mẫu 1 and 2 (and the column numbers of Mẫu 1).
``stock``   Mẫu 3–8.
``checks``  the cross-checks A–E (``check_forms``).
``render``  the report as XLSX and PDF (``forms_xlsx``, ``forms_pdf``).
``web``     the forms as HTML tables for the forms page (``form_tables``).
This module composes them: ``build_forms``.
"""

from __future__ import annotations

from dangbo.stats.frames import Frame
from dangbo.stats.statforms.checks import check_forms
from dangbo.stats.statforms.period import _admissions, _balances, _movement
from dangbo.stats.statforms.shapes import (
    FORM_ADMISSIONS,
    FORM_AGE_GENDER,
    FORM_ETHNICITY_RELIGION,
    FORM_MOVEMENT,
    FORM_OCCUPATIONS,
    FORM_QUALIFICATIONS,
    FORM_SECTORS,
    FORM_UNITS,
    Check,
    FormReport,
    FormRow,
    StatForm,
)
from dangbo.stats.statforms.stock import (
    _age_gender,
    _ethnicity_religion,
    _occupations,
    _qualifications,
    _sectors,
    _Stock,
    _stock,
    _units,
)
from dangbo.stats.statforms.tree import _period_tree, _placements_on, _subtree_on

__all__ = [
    "FORM_ADMISSIONS",
    "FORM_AGE_GENDER",
    "FORM_ETHNICITY_RELIGION",
    "FORM_MOVEMENT",
    "FORM_OCCUPATIONS",
    "FORM_QUALIFICATIONS",
    "FORM_SECTORS",
    "FORM_UNITS",
    "Check",
    "FormReport",
    "FormRow",
    "StatForm",
    "build_forms",
    "check_forms",
]


def build_forms(frame: Frame) -> FormReport:
    """Every form for ``frame``, with the cross-checks run (``report.checks``)."""
    tree = _period_tree(frame)
    balances = _balances(frame, tree)
    stock = _stock(frame)
    forms = [
        _movement(frame, tree, balances),
        _admissions(frame, tree),
        _qualifications(frame, stock),
        _ethnicity_religion(frame, stock),
        _occupations(frame, stock),
        _sectors(frame, stock),
        _age_gender(frame, stock),
        _units(frame, stock),
    ]
    counts = {}
    for day in sorted({frame.as_of, frame.end}):
        counts[day] = _members_on(frame, day, balances, stock)
    root_name = stock.layout.root_name if stock.layout.root_path else frame.root.name
    report = FormReport(frame=frame, forms=forms, checks=[], root_name=root_name, placement_counts=counts)
    check_forms(report)
    return report


def _members_on(frame: Frame, day, balances, stock: _Stock) -> int:
    """The counted placements in the root's subtree on ``day``, for check B: on the period's
    last day, the closing counts of the organizations of the subtree that day, counted by the
    database per organization (``_balances``), not from the forms' rows; on another report
    date, counted on their own."""
    if day != frame.end:
        return _placements_on(day).filter(org_id__in=frame.org_ids_on(day)).count()
    in_subtree = stock.versions if day == frame.as_of else _subtree_on(frame, day)
    return sum(balances[org_id][1] for org_id in in_subtree if org_id in balances)
