"""`dangbo import orgs|hamlets|members FILE`: a file imported from the command line.

The file is read into the staging area (a progress line on standard error), the outcome of
every row reported (text, or JSON with ``--format json``: each row's number in the sheet, its
outcome — accepted, rejected, duplicate or unchanged —, what an accepted row does and the
reasons), and, unless ``--dry-run``, the accepted rows written in one transaction.
``--map "Tiêu đề cột=trường"`` says which field an unknown column holds (``=`` alone leaves
it out). ``dangbo import template members`` writes the flat template.

Exit status: 0 when the rows that could be accepted were written (or, with ``--dry-run``,
checked), also when other rows were rejected; 1 when writing was refused (the register
changed since the check); 2 when the file cannot be read or columns are missing.
"""

from __future__ import annotations

import argparse
import json
import sys

from dangbo.core.setup import django_setup as _setup

KINDS = ("orgs", "hamlets", "members")


def _progress(label: str):
    def show(done: int, total: int | None) -> None:
        shown = f"{done:,}".replace(",", ".")
        print(
            f"\r{label}: {shown} dòng" + (f" / {total:,}".replace(",", ".") if total else ""),
            end="",
            file=sys.stderr,
            flush=True,
        )

    return show


def _root(code: str | None):
    from dangbo.orgs.models import Org

    if code:
        return Org.objects.filter(code=code).first()
    roots = list(Org.objects.filter(parent__isnull=True)[:2])
    return roots[0] if len(roots) == 1 else None


def _mapping(batch, pairs: list[str]) -> dict[str, str] | str:
    from dangbo.imports.cells import header_key
    from dangbo.imports.layouts import FIELDS

    labels = {header_key(f.label): f.name for f in FIELDS[batch.kind]} | {
        f.name: f.name for f in FIELDS[batch.kind]
    }
    mapping: dict[str, str] = {}
    for pair in pairs:
        title, _, field = pair.partition("=")
        wanted = header_key(title)
        column = next(
            (
                c
                for c in batch.reading.get("columns", [])
                if header_key(c["title"]) == wanted or header_key(f"{c['group']} {c['title']}") == wanted
            ),
            None,
        )
        if column is None:
            return f"Không có cột «{title}» trong tệp."
        name = labels.get(header_key(field), labels.get(field.strip())) if field.strip() else ""
        if name is None:
            return f"Không có trường «{field}» (các trường: {', '.join(sorted(f.label for f in FIELDS[batch.kind]))})."
        mapping[str(column["index"])] = name
    return mapping


def report_json(batch, rows) -> dict:
    return {
        "file": batch.file_name,
        "sha256": batch.sha256,
        "kind": batch.kind,
        "state": batch.state,
        "reading": batch.reading,
        "counts": batch.counts,
        "rows": [
            {
                "row": row.row_number,
                "outcome": row.outcome,
                "action": row.action,
                "reasons": row.reasons,
                "changes": row.changes,
            }
            for row in rows
        ],
    }


def cmd_import(args: argparse.Namespace) -> int:
    _setup()
    from pathlib import Path

    from django.contrib.auth import get_user_model

    from dangbo.accounts.scope import SYSTEM
    from dangbo.core.violations import RuleViolation
    from dangbo.imports import services
    from dangbo.imports.layouts import template_header
    from dangbo.imports.models import BatchState, StagedRow

    if args.kind == "template":
        from dangbo.core.spreadsheet import xlsx_file

        kind = args.file
        if kind not in KINDS or not args.output:
            print("Lỗi: dangbo import template orgs|hamlets|members --output TỆP.xlsx", file=sys.stderr)
            return 2
        with open(args.output, "wb") as out:
            out.write(xlsx_file(template_header(kind), [], title="Mẫu nhập dữ liệu — dangbo").read())
        print(f"Đã ghi mẫu vào {args.output}.")
        return 0
    path = Path(args.file)
    if not path.is_file():
        print(f"Lỗi: không có tệp {path}.", file=sys.stderr)
        return 2
    org = _root(args.org)
    if org is None:
        print("Lỗi: cần --org MÃ của tổ chức mà dữ liệu thuộc về.", file=sys.stderr)
        return 2
    user = None
    if args.user:
        user = get_user_model().objects.filter(username=args.user).first()
        if user is None:
            print(f"Lỗi: không có tài khoản «{args.user}».", file=sys.stderr)
            return 2
    try:
        batch = services.import_upload(
            kind=args.kind, file_name=path.name, data=path.read_bytes(), org=org, actor=SYSTEM, user=user
        )
    except RuleViolation as error:
        for violation in error.violations:
            print(f"Lỗi: {violation.message}", file=sys.stderr)
        return 2
    batch = services.import_stage(batch=batch, progress=_progress("Đang kiểm tra"))
    print(file=sys.stderr)
    if args.map and batch.state == BatchState.STAGED:
        mapping = _mapping(batch, args.map)
        if isinstance(mapping, str):
            print(f"Lỗi: {mapping}", file=sys.stderr)
            return 2
        batch = services.import_map(batch=batch, mapping=mapping, user=user)
        batch = services.import_stage(batch=batch, progress=_progress("Đang kiểm tra lại"))
        print(file=sys.stderr)
    rows = StagedRow.objects.filter(batch=batch).order_by("row_number")
    if batch.state == BatchState.REFUSED or batch.reading.get("missing"):
        why = batch.refusal or (
            "Thiếu cột: "
            + ", ".join(batch.reading["missing"])
            + ". Các cột chưa nhận ra: "
            + ", ".join(f"«{c['title']}»" for c in batch.reading.get("columns", []) if c["field"] is None)
            + '. Dùng --map "Tiêu đề=Trường".'
        )
        services.import_cancel(batch=batch, user=user) if batch.state != BatchState.REFUSED else None
        if args.format == "json":
            print(
                json.dumps(
                    {**report_json(batch, []), "error": why}, ensure_ascii=False, indent=1, default=str
                )
            )
        else:
            print(f"Lỗi: {why}", file=sys.stderr)
        return 2
    counts = batch.counts
    earlier = services.earlier_import(batch)
    nothing_new = not counts.get("accepted")
    written = None
    if not args.dry_run and not nothing_new:
        try:
            written = services.import_commit(batch=batch, user=user, progress=_progress("Đang ghi"))
            print(file=sys.stderr)
        except RuleViolation as error:
            print(file=sys.stderr)
            for violation in error.violations:
                print(f"Lỗi: {violation.message}", file=sys.stderr)
            return 1
    if args.format == "json":
        print(
            json.dumps(
                {**report_json(batch, rows.iterator()), "written": written},
                ensure_ascii=False,
                indent=1,
                default=str,
            )
        )
    else:
        _print_text(batch, rows, written=written, earlier=earlier, dry_run=args.dry_run)
    if nothing_new or args.dry_run:
        services.import_cancel(batch=batch, user=user)  # nothing is kept of a check only
    return 0


def _print_text(batch, rows, *, written, earlier, dry_run) -> None:
    from dangbo.core.formats import format_number as n

    reading, counts = batch.reading, batch.counts
    print(
        f"Tệp {batch.file_name} (trang «{reading.get('sheet')}», tiêu đề ở dòng {reading.get('header_row')})."
    )
    if reading.get("text_encoding", "unicode") != "unicode":
        print(f"Phông chữ cũ {reading['text_encoding'].upper()} đã được chuyển sang Unicode, ví dụ:")
        for before, after in reading.get("converted_examples", []):
            print(f"  «{before}» → «{after}»")
    left_out = [c["title"] for c in reading.get("columns", []) if not c["field"]]
    if left_out:
        print("Các cột không nhập: " + ", ".join(f"«{t}»" for t in left_out if t) + ".")
    print(
        f"{n(counts.get('accepted', 0))} dòng được nhận ({n(counts.get('create', 0))} thêm mới, "
        f"{n(counts.get('update', 0))} cập nhật), {n(counts.get('rejected', 0))} bị từ chối, "
        f"{n(counts.get('duplicate', 0))} nghi trùng, {n(counts.get('unchanged', 0))} không thay đổi."
    )
    for row in rows.exclude(outcome="accepted").exclude(outcome="unchanged")[:200]:
        for reason in row.reasons:
            value = f" «{reason['value']}»" if reason["value"] else ""
            print(f"  dòng {row.row_number}, cột «{reason['column']}»{value}: {reason['message']}")
    if not counts.get("accepted"):
        print(
            "Không có gì mới để nhập"
            + (f" (tệp này đã được nhập ngày {earlier.committed_at:%d/%m/%Y})." if earlier else ".")
        )
    elif dry_run:
        print("Chạy thử (--dry-run): chưa ghi gì vào hồ sơ.")
    elif written is not None:
        print(f"Đã nhập: {n(written['created'])} thêm mới, {n(written['updated'])} cập nhật.")


def add_parsers(sub) -> None:
    parser = sub.add_parser(
        "import", help="nhập tổ chức đảng, thôn và tổ dân phố, đảng viên từ tệp Excel/CSV"
    )
    parser.add_argument("kind", choices=(*KINDS, "template"), help="loại dữ liệu (template: ghi tệp mẫu)")
    parser.add_argument("file", help="tệp .xlsx, .xls, .ods hoặc .csv (với template: loại dữ liệu)")
    parser.add_argument("--org", metavar="MÃ", help="tổ chức mà dữ liệu thuộc về (mặc định: tổ chức gốc)")
    parser.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi vào hồ sơ")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument(
        "--map", action="append", metavar="TIÊU ĐỀ=TRƯỜNG", help="cột chưa nhận ra chứa trường nào"
    )
    parser.add_argument("--user", metavar="TÊN", help="tài khoản ghi nhận (mặc định: hệ thống)")
    parser.add_argument("--output", metavar="TỆP", help="template: tệp .xlsx để ghi")
    parser.set_defaults(func=cmd_import)
