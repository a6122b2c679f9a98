"""`dangbo exchange`: the packages between levels from the command line.

    dangbo exchange key                                 this installation's public key and fingerprint
    dangbo exchange trust --org MÃ --key BASE64         register a lower organization's key
    dangbo exchange revoke --org MÃ --fingerprint VÂN_TAY
    dangbo exchange export --org MÃ --report indicators|member_counts|statform:<BIỂU>
                           --on YYYY-MM-DD [--period YYYY-Qn | YYYY-MM-DD..YYYY-MM-DD] -o TỆP
    dangbo exchange import TỆP
    dangbo exchange compare MÃ_GÓI [--all]

The command line acts as the installation (``accounts.scope.SYSTEM``), audited. Exit status:
0 done, 1 ``compare`` found differences, 2 bad input or a refused package (the Vietnamese
reason on standard error). Modules that load models are imported after ``django_setup()``.
"""

from __future__ import annotations

import argparse
import re
import sys
import uuid
from datetime import date
from pathlib import Path

from dangbo.core.setup import django_setup as _setup


class _BadInput(ValueError):
    pass


def _date(text: str | None, label: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _BadInput(f"{label} không hợp lệ: «{text}» (nhập theo dạng YYYY-MM-DD).") from None


def period_bounds(text: str | None) -> tuple[date | None, date | None]:
    """``YYYY-Qn`` (a quarter: the reconciliation every three months) or ``FROM..TO``."""
    if not text:
        return None, None
    quarter = re.fullmatch(r"(\d{4})-[Qq]([1-4])", text.strip())
    if quarter:
        year, q = int(quarter.group(1)), int(quarter.group(2))
        start = date(year, 3 * q - 2, 1)
        end = date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
        return start, date.fromordinal(end.toordinal() - 1)
    if ".." in text:
        first, last = text.split("..", 1)
        return _date(first.strip(), "Ngày đầu kỳ"), _date(last.strip(), "Ngày cuối kỳ")
    raise _BadInput(
        f"Kỳ báo cáo «{text}» không hợp lệ: nhập YYYY-Qn (ví dụ 2026-Q3) hoặc YYYY-MM-DD..YYYY-MM-DD."
    )


def report_kind(text: str) -> tuple[str, str | None]:
    kind, _, form = (text or "").partition(":")
    if kind not in ("indicators", "member_counts", "statform") or (kind == "statform") != bool(form):
        raise _BadInput(
            f"Loại báo cáo «{text}» không hợp lệ: indicators, member_counts hoặc statform:<BIỂU> (ví dụ statform:1)."
        )
    return kind, form or None


def _guarded(command):
    def run(args: argparse.Namespace) -> int:
        _setup()
        # after django.setup() (see the module docstring)
        from dangbo.exchange.package import PackageRefused
        from dangbo.stats.frames import ReportInputError

        try:
            return command(args)
        except (_BadInput, PackageRefused, ReportInputError) as error:
            print(str(error), file=sys.stderr)
            return 2

    return run


def _org(code: str):
    # after django.setup() (see the module docstring)
    from dangbo.stats.frames import org_by_code

    return org_by_code(code)


@_guarded
def cmd_key(args: argparse.Namespace) -> int:
    # after django.setup() (see the module docstring)
    from dangbo.exchange import keys

    public = keys.public_key_text()
    print(f"Khóa công khai: {public}")
    print(f"Dấu vân tay:    {keys.fingerprint(public)}")
    print(f"Tệp khóa bí mật: {keys.key_path()} (giữ kín, không gửi đi)")
    return 0


@_guarded
def cmd_trust(args: argparse.Namespace) -> int:
    # after django.setup() (see the module docstring)
    from dangbo.accounts.scope import SYSTEM
    from dangbo.core.violations import RuleViolation
    from dangbo.exchange.services import peer_trust

    org = _org(args.org)
    try:
        peer = peer_trust(actor=SYSTEM, user=None, org=org, public_key=args.key)
    except RuleViolation as error:
        raise _BadInput(" ".join(v.message for v in error.violations)) from None
    print(f"Đã đăng ký khóa {peer.fingerprint} cho {org.name} ({org.code}).")
    return 0


@_guarded
def cmd_revoke(args: argparse.Namespace) -> int:
    # after django.setup() (see the module docstring)
    from dangbo.accounts.scope import SYSTEM
    from dangbo.exchange.models import ExchangePeer
    from dangbo.exchange.services import peer_revoke

    org = _org(args.org)
    peer = ExchangePeer.objects.filter(org=org, fingerprint=args.fingerprint, revoked_at__isnull=True).first()
    if peer is None:
        raise _BadInput(f"{org.name} không có khóa {args.fingerprint} đang dùng.")
    peer_revoke(actor=SYSTEM, user=None, peer=peer)
    print(f"Đã thu hồi khóa {peer.fingerprint} của {org.name}.")
    return 0


@_guarded
def cmd_export(args: argparse.Namespace) -> int:
    # after django.setup() (see the module docstring)
    from dangbo.accounts.scope import SYSTEM
    from dangbo.exchange.services import package_export

    kind, form = report_kind(args.report)
    start, end = period_bounds(args.period)
    org = _org(args.org)
    package = package_export(
        actor=SYSTEM,
        org=org,
        kind=kind,
        form=form,
        as_of=_date(args.on, "Ngày báo cáo"),
        start=start,
        end=end,
    )
    data = package.to_bytes()
    path = Path(args.output)
    path.write_bytes(data)
    print(f"Đã ghi gói {package.package_id} ({package.report.label}) vào {path}, {len(package.rows)} dòng.")
    return 0


@_guarded
def cmd_import(args: argparse.Namespace) -> int:
    # after django.setup() (see the module docstring)
    from dangbo.accounts.scope import SYSTEM
    from dangbo.exchange.services import package_import

    try:
        data = Path(args.file).read_bytes()
    except OSError as error:
        raise _BadInput(f"Không đọc được tệp {args.file}: {error.strerror}.") from None
    imported = package_import(actor=SYSTEM, user=None, data=data)
    report = imported.report
    if not imported.created:
        print(f"Gói {report.package_id} đã được nhận ngày {report.received_at:%d/%m/%Y}; không lưu lại.")
        return 0
    print(
        f"Đã nhận gói {report.package_id} của {report.org.name}: "
        f"{report.difference_count if report.difference_count is not None else 'chưa tính được'} số liệu khác với số liệu của cấp này."
    )
    return 0


def _text(value) -> str:
    return "—" if value is None else str(value)


@_guarded
def cmd_compare(args: argparse.Namespace) -> int:
    # after django.setup() (see the module docstring)
    from dangbo.accounts.scope import SYSTEM
    from dangbo.core.violations import NotInScope
    from dangbo.exchange.selectors import submitted_by_package
    from dangbo.exchange.services import report_compare

    try:
        report = submitted_by_package(actor=SYSTEM, package_id=uuid.UUID(args.package_id))
    except (NotInScope, ValueError):
        raise _BadInput(f"Không có gói báo cáo đã nhận mã «{args.package_id}».") from None
    differences = report_compare(actor=SYSTEM, report=report)
    if differences is None:
        raise _BadInput("Không tính được số liệu của cấp này cho ngày và kỳ của báo cáo.")
    shown = differences if args.all else [d for d in differences if d.differs]
    print(f"{report.org.name} ({report.org.code}) — {len(shown)} dòng" + ("" if args.all else " khác nhau"))
    print("Mã tổ chức\tDòng\tSố liệu\tBáo cáo gửi lên\tCấp này tính\tChênh lệch")
    for d in shown:
        print(
            f"{d.org_code}\t{d.row_label}\t{d.figure_label}\t{_text(d.submitted)}\t{_text(d.local)}\t{_text(d.difference)}"
        )
    return 1 if any(d.differs for d in differences) else 0


def add_parsers(sub) -> None:
    exchange = sub.add_parser("exchange", help="gửi, nhận và đối chiếu báo cáo giữa các cấp")
    commands = exchange.add_subparsers(dest="exchange_command", required=True)

    key = commands.add_parser("key", help="in khóa công khai và dấu vân tay của cài đặt này")
    key.set_defaults(func=cmd_key)

    trust = commands.add_parser("trust", help="đăng ký khóa công khai của một tổ chức cấp dưới")
    trust.add_argument("--org", required=True, help="mã tổ chức cấp dưới")
    trust.add_argument("--key", required=True, help="khóa công khai (base64) do cấp dưới gửi lên")
    trust.set_defaults(func=cmd_trust)

    revoke = commands.add_parser("revoke", help="thu hồi khóa của một tổ chức cấp dưới")
    revoke.add_argument("--org", required=True)
    revoke.add_argument("--fingerprint", required=True, help="dấu vân tay của khóa")
    revoke.set_defaults(func=cmd_revoke)

    export = commands.add_parser("export", help="đóng gói, ký một báo cáo để gửi lên cấp trên")
    export.add_argument("--org", required=True, help="mã tổ chức báo cáo")
    export.add_argument("--report", required=True, help="indicators, member_counts hoặc statform:<BIỂU>")
    export.add_argument("--on", help="ngày báo cáo, YYYY-MM-DD (mặc định: hôm nay)")
    export.add_argument("--period", help="kỳ báo cáo: YYYY-Qn hoặc YYYY-MM-DD..YYYY-MM-DD")
    export.add_argument("-o", "--output", required=True, help="tệp gói ghi ra (.json)")
    export.set_defaults(func=cmd_export)

    imp = commands.add_parser("import", help="nhận gói báo cáo của cấp dưới")
    imp.add_argument("file")
    imp.set_defaults(func=cmd_import)

    cmp = commands.add_parser("compare", help="đối chiếu một báo cáo đã nhận với số liệu của cấp này")
    cmp.add_argument("package_id")
    cmp.add_argument("--all", action="store_true", help="in cả các số liệu khớp")
    cmp.set_defaults(func=cmd_compare)
