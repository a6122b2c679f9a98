"""A row of a member book: read, checked by the same rules as a member entered by hand, and
matched against the rest of the file and the register.

``parse`` turns one row's cells into the member's values (JSON: text, codes, ids, ISO dates)
and the reasons it cannot be taken. ``decide`` then looks at a chunk of parsed rows together:
the same person earlier in the file, or already in the register — by national ID, số lý lịch
or card number (then the row is that member: unchanged, or an update of what differs), or by
name, birth date and hamlet alone (a suspected duplicate, shown side by side and never merged).
An empty cell never erases what the register holds.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

from dangbo.core import text
from dangbo.core.legacy_text import to_unicode
from dangbo.imports.cells import (
    CellError,
    parse_date,
    parse_digits,
    parse_gender,
    parse_history_number,
    parse_text,
)
from dangbo.imports.context import ImportContext
from dangbo.imports.models import Action, Outcome
from dangbo.imports.rows import NUMBER_FIELDS, Parsed
from dangbo.members.models import ACTIVE_STATUSES, Member, MemberStatus
from dangbo.reference.identity import check_national_id
from dangbo.rules import admission as admission_rules
from dangbo.rules import probation as probation_rules

NAME_FIELDS = frozenset({"full_name", "family_name", "middle_name", "given_name", "family_middle"})
TEXT_FIELDS = ("birthplace", "hometown", "residence", "occupation", "workplace")
CODE_FIELDS = {
    "ethnicity": "Dân tộc",
    "religion": "Tôn giáo",
    "general_education": "Giáo dục phổ thông",
    "professional_level": "Chuyên môn nghiệp vụ",
    "theory_level": "Lý luận chính trị",
}

NUMBER_LABELS = {
    "national_id": "Số định danh cá nhân",
    "card_number": "Số thẻ đảng viên",
    "history_number": "Số lý lịch",
}
# what a matched member's record is compared on (a field of the file against the register)
COMPARED = (
    "family_name",
    "middle_name",
    "given_name",
    "gender",
    "birth_date",
    *NUMBER_FIELDS,
    *CODE_FIELDS,
    *TEXT_FIELDS,
    "hamlet",
    "cell",
    "full_on",
)
_REGISTER_FIELDS = {
    "hamlet": "residence_locality_id",
    "cell": "org_id",
    **{c: f"{c}_id" for c in CODE_FIELDS},
}
_LEVELS = re.compile(r"\s*[,;\n]\s*")  # «12/12, Đại học, Trung cấp»: «/» belongs to the grade
_SPLIT = re.compile(r"\s*[,;/\n]\s*|\s+-\s+")
NUMBER_TAKEN = (
    "{label} «{value}» đã có trong hồ sơ của một đảng viên ngoài phạm vi được nhập. "
    "Đề nghị Ban Tổ chức cấp ủy cấp trên đối chiếu và xử lý hồ sơ trùng."
)


def split_name(full: str) -> tuple[str, str, str]:
    """«Nguyễn Thị Minh Khai» → family «Nguyễn», middle «Thị Minh», given «Khai»."""
    words = full.split()
    if len(words) == 1:
        return "", "", words[0]
    return words[0], " ".join(words[1:-1]), words[-1]


def parse(row_number: int, cells: dict, titles: dict, ctx: ImportContext) -> Parsed:
    """``cells``: field → raw cell value; ``titles``: field → the file's header (for reasons)."""
    row = Parsed(row_number)
    values = row.values

    def title(name: str) -> str:
        return titles.get(name, name)

    def read_text(name: str) -> str:
        value = to_unicode(parse_text(cells.get(name)), ctx.encoding)
        if ctx.encoding == "tcvn3" and name in NAME_FIELDS:
            # TCVN3 has no codes for most accented capitals (the .VnTimeH font drew them):
            # a name's words start with a capital, as a person's name is written
            value = " ".join(word[:1].upper() + word[1:] for word in value.split())
        if value:
            row.present.add(name)
        return value

    # the name
    if "full_name" in cells:
        family, middle, given = split_name(read_text("full_name"))
    elif "family_middle" in cells:
        family, middle = split_name(read_text("family_middle") + " x")[:2]
        given = read_text("given_name")
    else:
        family, middle, given = read_text("family_name"), read_text("middle_name"), read_text("given_name")
    values.update(family_name=family, middle_name=middle, given_name=given)
    if not family or not given:
        row.refuse(
            title("full_name" if "full_name" in cells else "given_name"),
            f"{family} {middle} {given}".strip(),
            "Chưa có đủ họ và tên.",
        )
    else:
        row.present |= {"family_name", "middle_name", "given_name"}

    # sex, ethnicity, religion: own columns, or one cell of the 7-HSĐV book
    parts = {name: cells.get(name) for name in ("gender", "ethnicity", "religion")}
    if "gender_ethnicity_religion" in cells:
        combined = [p for p in _SPLIT.split(read_text("gender_ethnicity_religion")) if p]
        for name, value in zip(("gender", "ethnicity", "religion"), combined, strict=False):
            parts[name] = value
            titles.setdefault(name, title("gender_ethnicity_religion"))
    # lists that write the birth date in a «Nam» or a «Nữ» column under «Ngày sinh»: the column
    # gives the sex
    if "birth_date_male" in cells or "birth_date_female" in cells:
        dated = [
            (column, sex)
            for column, sex in (("birth_date_male", "Nam"), ("birth_date_female", "Nữ"))
            if cells.get(column) not in (None, "")
        ]
        if len(dated) == 2:
            row.refuse(title("birth_date_male"), "", "Ngày sinh ghi ở cả cột Nam và cột Nữ.")
        elif dated:
            column, sex = dated[0]
            cells = {**cells, "birth_date": cells[column]}
            titles["birth_date"] = title(column)
            if parse_text(parts["gender"]) == "":
                parts["gender"] = sex
                titles["gender"] = title(column)
    raw_gender = to_unicode(parse_text(parts["gender"]), ctx.encoding)
    try:
        values["gender"] = parse_gender(raw_gender)
        row.present.add("gender")
    except CellError as error:
        row.refuse(title("gender"), raw_gender, str(error))
    # the 7-HSĐV book's one cell for general education, profession, political theory, languages
    if "education_combined" in cells:
        levels = _LEVELS.split(read_text("education_combined"))
        for name, value in zip(
            ("general_education", "professional_level", "theory_level"), levels, strict=False
        ):
            if value.strip(" -–") and name not in cells:
                parts[name] = value.strip()
                titles.setdefault(name, title("education_combined"))
    for name, label in CODE_FIELDS.items():
        raw = to_unicode(parse_text(parts.get(name, cells.get(name))), ctx.encoding)
        if not raw:
            if name == "ethnicity":
                row.refuse(title(name), raw, "Chưa có dân tộc.")
            values[name] = "00" if name == "religion" and name in titles else ""
            if name == "religion" and name in titles:
                row.present.add(name)  # an empty religion cell in the book means «Không»
            continue
        code = ctx.codes.code(name, raw)
        if code is None:
            row.refuse(title(name), raw, f"{label} «{raw}» không có trong danh mục.")
        else:
            values[name] = code
            row.present.add(name)

    # dates
    for name in ("birth_date", "admitted_on", "full_on"):
        try:
            day = parse_date(cells.get(name), today=ctx.today)
        except CellError as error:
            row.refuse(title(name), cells.get(name), str(error))
            day = None
        values[name] = day.isoformat() if day else ""
        if day:
            row.present.add(name)
    if not values["birth_date"] and not any(r["column"] == title("birth_date") for r in row.reasons):
        row.refuse(title("birth_date"), "", "Chưa có ngày sinh.")
    if not values["admitted_on"] and not any(r["column"] == title("admitted_on") for r in row.reasons):
        row.refuse(title("admitted_on"), "", "Chưa có ngày vào Đảng.")

    # numbers
    for name, widths in (("national_id", (12,)), ("card_number", (8,))):
        try:
            values[name] = (
                parse_digits(cells.get(name), widths=widths, label=NUMBER_LABELS[name])
                if cells.get(name) not in (None, "")
                else ""
            )
        except CellError as error:
            row.refuse(title(name), cells.get(name), str(error))
            values[name] = ""
    try:
        values["history_number"] = (
            parse_history_number(cells.get("history_number"))
            if cells.get("history_number") not in (None, "")
            else ""
        )
    except CellError as error:
        row.refuse(title("history_number"), cells.get("history_number"), str(error))
        values["history_number"] = ""
    row.present |= {name for name in NUMBER_FIELDS if values[name]}

    for name in TEXT_FIELDS:
        values[name] = read_text(name)

    # the cell, then the hamlet near it
    cell_text = read_text("cell")
    cell = None
    if cell_text:
        cell, why = ctx.locate(ctx.holders, cell_text, row_number)
        if cell is None:
            row.refuse(title("cell"), cell_text, why)
    elif ctx.root.pk in {org.pk for org in ctx.holders.by_code.values()}:
        cell = ctx.root
    else:
        row.refuse(title("cell"), "", "Chưa ghi chi bộ của đảng viên.")
    values["cell"] = str(cell.pk) if cell else ""
    if cell:
        row.present.add("cell")
    hamlet_text = read_text("hamlet")
    values["hamlet"] = ""
    if hamlet_text:
        hamlet, why = ctx.hamlet(hamlet_text, near_path=cell.path if cell else ctx.root.path)
        if hamlet is None:
            row.refuse(title("hamlet"), hamlet_text, why)
        else:
            values["hamlet"] = str(hamlet.pk)

    _check_rules(row, titles, ctx)
    if row.reasons:
        row.outcome, row.action = Outcome.REJECTED, ""
    return row


def _check_rules(row: Parsed, titles: dict, ctx: ImportContext) -> None:
    """The rules a member entered by hand is held to (members.services.records, rules/)."""
    values = row.values
    birth = date.fromisoformat(values["birth_date"]) if values["birth_date"] else None
    admitted = date.fromisoformat(values["admitted_on"]) if values["admitted_on"] else None
    full = date.fromisoformat(values["full_on"]) if values["full_on"] else None
    if values["national_id"] and values.get("gender"):
        for problem in check_national_id(values["national_id"], gender=values["gender"], birth_date=birth):
            row.refuse(
                titles.get("national_id", "national_id"),
                values["national_id"],
                problem.message,
                problem.citation,
            )
    if birth and admitted:
        if admitted <= birth:
            row.refuse(
                titles.get("admitted_on", ""), values["admitted_on"], "Ngày vào Đảng phải sau ngày sinh."
            )
        else:
            for violation in admission_rules.check_admission_age(birth_date=birth, vote_on=admitted):
                row.refuse(
                    titles.get("admitted_on", ""), _vn(admitted), violation.message, violation.citation
                )
    if admitted and full:
        end = probation_rules.probation_end(admitted)
        if full < end.on:
            row.refuse(
                titles.get("full_on", ""),
                _vn(full),
                f"Ngày chính thức {_vn(full)} trước khi hết thời gian dự bị ({_vn(end.on)}, tính từ ngày vào Đảng {_vn(admitted)}).",
                end.rule_ref,
            )


def _vn(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def decide(rows: list[Parsed], ctx: ImportContext, seen: dict) -> None:
    """Set each row's outcome, against the rows before it in the file (``seen``, kept across
    chunks) and the register."""
    live = [row for row in rows if row.outcome != Outcome.REJECTED]
    register = _register_matches(live)
    for row in live:
        _decide_row(row, ctx, seen, register)


def _register_matches(rows: list[Parsed]) -> dict:
    numbers: dict[str, set[str]] = {name: set() for name in NUMBER_FIELDS}
    pairs: set[tuple[str, str]] = set()  # (folded name, ISO birth date)
    for row in rows:
        for name, value in row.strong_keys():
            numbers[name].add(value)
        weak = row.weak_key()
        if weak:
            folded = text.fold(
                text.full_name(row.values["family_name"], row.values["middle_name"], row.values["given_name"])
            )
            pairs.add((folded, weak[1]))
    wanted = Q(pk__in=[])
    for name, values in numbers.items():
        if values:
            wanted |= Q(**{f"{name}__in": sorted(values)})
    columns = (
        "id",
        "org_path",
        "status",
        "search_key",
        "admitted_on",
        "ceremony_on",
        "full_on",
        *(_REGISTER_FIELDS.get(c, c) for c in COMPARED),
    )
    strong = list(Member.objects.filter(wanted).values(*dict.fromkeys(columns)))
    weak_members = (
        list(Member.objects.filter(_named_and_born(pairs)).values(*dict.fromkeys(columns))) if pairs else []
    )
    by_number = {(name, m[name]): m for m in strong for name in NUMBER_FIELDS if m[name]}
    by_weak: dict[tuple, list[dict]] = {}
    for m in weak_members:
        key = (m["search_key"], m["birth_date"].isoformat(), str(m["residence_locality_id"] or ""))
        by_weak.setdefault(key, []).append(m)
    return {"numbers": by_number, "weak": by_weak}


def _named_and_born(pairs: set[tuple[str, str]]) -> Q:
    """The members bearing one of ``pairs`` (folded name, ISO birth date). On PostgreSQL the
    pairs are joined to the index of names and birth dates (``member_name_birth``), a probe a
    pair: asked as two lists, names × dates, the planner read the whole register for each chunk
    of a file (170 ms at 600,000 members). Elsewhere the two lists, read by that index's names."""
    if connection.vendor != "postgresql":
        return Q(search_key__in=sorted({n for n, _ in pairs}), birth_date__in=sorted({b for _, b in pairs}))
    ordered = sorted(pairs)
    matched = RawSQL(
        f"SELECT m.id FROM {Member._meta.db_table} m"
        " JOIN unnest(%s::text[], %s::date[]) AS p(name, born)"
        " ON m.search_key = p.name AND m.birth_date = p.born",
        ([name for name, _ in ordered], [born for _, born in ordered]),
    )
    return Q(pk__in=matched)


def _register_value(member: dict, name: str) -> str:
    value = member[_REGISTER_FIELDS.get(name, name)]
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _digest(*parts: str) -> bytes:
    """A short, collision-free key for what a row is matched by: ``seen`` holds one to four of
    them for every row of the file (200,000 rows), far less than the texts themselves."""
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=12).digest()


def _decide_row(row: Parsed, ctx: ImportContext, seen: dict, register: dict) -> None:
    # earlier in the file
    strong = [(name, value, _digest(name, value)) for name, value in row.strong_keys()]
    for name, value, key in strong:
        earlier = seen.get(key)
        if earlier:
            row.outcome, row.action = Outcome.DUPLICATE, ""
            row.refuse(
                NUMBER_LABELS[name], value, f"Trùng {NUMBER_LABELS[name].lower()} với dòng {earlier} của tệp."
            )
            return
    weak = row.weak_key()
    weak_digest = _digest(*weak) if weak else None
    numbers = "\x1f".join(row.values.get(n) or "" for n in NUMBER_FIELDS)
    if weak_digest is not None and weak_digest in seen:
        earlier_row, earlier_numbers = seen[weak_digest]
        if not any(
            before and after and before != after
            for before, after in zip(earlier_numbers.split("\x1f"), numbers.split("\x1f"), strict=True)
        ):
            row.outcome, row.action = Outcome.DUPLICATE, ""
            row.refuse(
                "Họ và tên",
                text.full_name(
                    row.values["family_name"], row.values["middle_name"], row.values["given_name"]
                ),
                f"Trùng họ tên, ngày sinh và thôn với dòng {earlier_row} của tệp.",
            )
            return
    for _, _, key in strong:
        seen[key] = row.row_number
    if weak_digest is not None:
        seen[weak_digest] = (row.row_number, numbers)

    # in the register, by number
    matched = {}
    for name, value in row.strong_keys():
        member = register["numbers"].get((name, value))
        if member:
            matched[member["id"]] = (member, name)
    if len(matched) > 1:
        row.outcome, row.action = Outcome.REJECTED, ""
        row.refuse(
            "Số định danh, số thẻ, số lý lịch",
            "",
            "Các số của dòng này khớp với hồ sơ của những đảng viên khác nhau; hãy kiểm tra lại.",
        )
        return
    if matched:
        member, by = next(iter(matched.values()))
        if not member["org_path"].startswith(ctx.root.path):
            row.outcome, row.action = Outcome.REJECTED, ""
            row.refuse(
                NUMBER_LABELS[by],
                row.values[by],
                NUMBER_TAKEN.format(label=NUMBER_LABELS[by], value=row.values[by]),
            )
            return
        _compare(row, member)
        return

    # a suspected duplicate: same name, birth date and hamlet, no number to tell them apart
    for member in register["weak"].get(weak, []) if weak else []:
        if not member["org_path"].startswith(ctx.root.path):
            continue
        if any(member[n] and row.values.get(n) and member[n] != row.values[n] for n in NUMBER_FIELDS):
            continue
        same_admission = row.values["admitted_on"] == (
            member["admitted_on"].isoformat() if member["admitted_on"] else ""
        )
        if member["status"] in ACTIVE_STATUSES and same_admission and not _differences(row, member):
            # the very record, as the file holds it (the same file again): nothing to do
            row.outcome, row.action, row.target = Outcome.UNCHANGED, "", str(member["id"])
            return
        row.outcome, row.action, row.target = Outcome.DUPLICATE, "", str(member["id"])
        row.refuse(
            "Họ và tên",
            text.full_name(row.values["family_name"], row.values["middle_name"], row.values["given_name"]),
            "Có thể trùng với một đảng viên đã có trong hồ sơ (cùng họ tên, ngày sinh và thôn). Đối chiếu hai hồ sơ; nếu là hai người khác nhau, ghi số định danh cá nhân hoặc số thẻ vào tệp rồi nhập lại.",
        )
        return
    row.outcome, row.action = Outcome.ACCEPTED, Action.CREATE


def _differences(row: Parsed, member: dict) -> dict[str, list[str]]:
    """What the row would change in the member's record: {field: [register, file]}."""
    changes = {}
    for name in COMPARED:
        if name not in row.present:
            continue  # an empty cell never erases the register
        before, after = _register_value(member, name), row.values.get(name, "")
        if before != after:
            changes[name] = [before, after]
    return changes


def _compare(row: Parsed, member: dict) -> None:
    row.target = str(member["id"])
    if member["status"] not in ACTIVE_STATUSES:
        row.outcome, row.action = Outcome.REJECTED, ""
        row.refuse(
            "Họ và tên",
            "",
            "Hồ sơ của đảng viên này đã đóng (ra khỏi Đảng hoặc từ trần); không cập nhật từ tệp.",
        )
        return
    registered_admitted = member["admitted_on"].isoformat() if member["admitted_on"] else ""
    if row.values["admitted_on"] and registered_admitted and row.values["admitted_on"] != registered_admitted:
        row.outcome, row.action = Outcome.REJECTED, ""
        row.refuse(
            "Ngày vào Đảng",
            row.values["admitted_on"],
            f"Ngày vào Đảng trong tệp khác với hồ sơ ({registered_admitted}); ngày vào Đảng không sửa bằng nhập tệp.",
        )
        return
    changes = _differences(row, member)
    if "full_on" in changes:
        if member["status"] != MemberStatus.PROBATIONARY:
            row.outcome, row.action = Outcome.REJECTED, ""
            row.refuse(
                "Ngày chính thức",
                row.values["full_on"],
                f"Ngày chính thức trong tệp khác với hồ sơ ({changes['full_on'][0]}); không sửa bằng nhập tệp.",
            )
            return
        # recognized from the file: the day is the end of probation, as by hand (member_recognize)
        due = probation_rules.probation_end(member["ceremony_on"] or member["admitted_on"])
        if row.values["full_on"] != due.on.isoformat():
            row.outcome, row.action = Outcome.REJECTED, ""
            row.refuse(
                "Ngày chính thức",
                row.values["full_on"],
                f"Ngày chính thức phải là ngày hết 12 tháng dự bị ({_vn(due.on)}).",
                due.rule_ref,
            )
            return
    if not changes:
        row.outcome, row.action = Outcome.UNCHANGED, ""
    else:
        row.outcome, row.action, row.changes = Outcome.ACCEPTED, Action.UPDATE, changes
