"""The `dangbo` command: demo, serve, worker, createuser, todo, badges, report, check,
restructure, jobs, and manage (any Django command).

The parser is built before Django is set up (`dangbo --help` needs no database), so each
command imports the models and services it needs inside its function, after ``_setup()``;
the apps' own command modules (``<app>/cli.py``) do the same. Serving and the demo's worker
are in ``dangbo.server``. About 500 lines: the shell's own commands, each short; a command of
one app belongs in that app's ``cli.py``."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import time
from pathlib import Path

from dangbo import server
from dangbo.core import clock
from dangbo.core.setup import django_setup


def _setup() -> None:
    django_setup()


def cmd_demo(args: argparse.Namespace) -> int:
    # The demo's accounts sign in with a password alone, unless DANGBO_REQUIRE_2FA=1 is given:
    # said below with the accounts, and in README.md and docs/operators.md.
    os.environ.setdefault("DANGBO_REQUIRE_2FA", "0")
    _setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import transaction

    from dangbo.core.bulk import compact_tables, refresh_statistics_after
    from dangbo.core.formats import format_datetime, format_number
    from dangbo.demo.generator import DEMO_TABLES, REWRITTEN_TABLES, describe, summarize
    from dangbo.demo.geography import DemoDependencyMissing, vietnam_provinces_package
    from dangbo.demo.models import DemoDataset
    from dangbo.demo.national import NATIONAL_MEMBERS, NATIONAL_PROFILE
    from dangbo.demo.profiles import PROFILES
    from dangbo.demo.timeline import build_province
    from dangbo.orgs.models import Org
    from dangbo.reference.loader import ensure_loaded

    national = args.profile == NATIONAL_PROFILE  # demo.national: 34 provinces, built in bulk
    profile = None if national else PROFILES[args.profile]
    if profile is None:
        members = args.members or NATIONAL_MEMBERS
        dataset_name = NATIONAL_PROFILE
    else:
        members = args.members or profile.members
        dataset_name = profile.name + ("+reform-2025" if args.reform_2025 and not profile.to_today else "")
    print("Chuẩn bị cơ sở dữ liệu ...", flush=True)
    server.migrate()
    existing = DemoDataset.objects.order_by("-created_at").first()
    if args.reset and (existing or _partial_demo()):
        print("Xóa dữ liệu cũ (--reset) ...", flush=True)
        call_command("flush", interactive=False, verbosity=0)
        ensure_loaded()  # flush empties the code lists too; they came from a data migration
        existing = None
    if existing is None:
        if Org.objects.exists():
            print(
                "Cơ sở dữ liệu đã có dữ liệu không phải dữ liệu mẫu; không tạo dữ liệu mẫu đè lên.",
                file=sys.stderr,
            )
            if _partial_demo():
                print(
                    "Dữ liệu hiện có là dữ liệu mẫu tạo dở dang: chạy lại với --reset để xóa và tạo lại.",
                    file=sys.stderr,
                )
            return 2
        if national:
            return _demo_national(args, members, serve_after=_demo_logins_and_serve)
        try:
            vietnam_provinces_package()  # optional (the `[demo]` extra): say so before building
        except DemoDependencyMissing as missing:
            print(missing, file=sys.stderr)
            return 2
        assert profile is not None
        print(f"Tạo dữ liệu mẫu «{profile.title}» (seed {args.seed}) ...", flush=True)
        started = time.monotonic()
        # The province and the record saying it is a demo commit together: a build killed at any
        # point leaves either both or neither, so `dangbo demo` can always build again.
        with transaction.atomic():
            record = DemoDataset.objects.create(profile=dataset_name, seed=args.seed, members=members)
            timeline = build_province(
                profile,
                seed=args.seed,
                members=members,
                reform=args.reform_2025,
                plan_dir=settings.VAR_DIR,
                progress=lambda line: print(line, flush=True),
            )
            # counted at the end, as the pages count (live organizations only): the reform
            # and the history after it change the tree the build started from
            summary = summarize(profile, args.seed, Org.objects.get(code="LCI"))
            summary.seconds = time.monotonic() - started
            record.seconds = summary.seconds
            record.save(update_fields=["seconds"])
            _test_pause("demo-before-commit")
        print("Cập nhật thống kê của cơ sở dữ liệu ...", flush=True)
        # The tables the simulated history rewrote, without their dead rows (PostgreSQL), then
        # VACUUM ANALYZE, now that the build is committed (inside it, only ANALYZE can run)
        transaction.on_commit(lambda: compact_tables(REWRITTEN_TABLES), robust=True)
        refresh_statistics_after(DEMO_TABLES, rows=summary.members)
        if timeline.plan_path:
            print(
                f"Kế hoạch sắp xếp đã áp dụng: {timeline.plan_path} (xem, sửa và chạy lại bằng «dangbo restructure preview»)."
            )
        print(describe(summary), flush=True)
    elif (existing.profile, existing.seed, existing.members) != (dataset_name, args.seed, members):
        print(
            f"Cơ sở dữ liệu đang chứa dữ liệu mẫu «{existing.profile}» (seed {existing.seed}, "
            f"{format_number(existing.members)} đảng viên). "
            "Thêm --reset để tạo lại theo tham số mới.",
            file=sys.stderr,
        )
        return 2
    else:
        print(
            f"Dùng lại dữ liệu mẫu «{existing.profile}» đã tạo lúc {format_datetime(existing.created_at)}.",
            flush=True,
        )
    return _demo_logins_and_serve(args)


def _demo_national(args: argparse.Namespace, members: int, *, serve_after) -> int:
    """``dangbo demo --profile vietnam``: the national demo (``demo.national``), built with its
    record in one transaction as the other profiles are."""
    from django.db import transaction

    from dangbo.core.bulk import refresh_statistics
    from dangbo.demo.models import DemoDataset
    from dangbo.demo.national import (
        NATIONAL_PROFILE,
        NATIONAL_TABLES,
        TITLE,
        build_national,
        describe_national,
    )
    from dangbo.stats.models import OrgTally

    print(f"Tạo dữ liệu mẫu «{TITLE}» (seed {args.seed}) ...", flush=True)
    with transaction.atomic():
        record = DemoDataset.objects.create(profile=NATIONAL_PROFILE, seed=args.seed, members=members)
        summary = build_national(
            seed=args.seed, members=members, progress=lambda line: print(line, flush=True)
        )
        record.seconds = summary.seconds
        record.save(update_fields=["seconds"])
    print("Cập nhật thống kê của cơ sở dữ liệu ...", flush=True)
    # VACUUM ANALYZE now that the build is committed, the tallies too (the dashboards read them:
    # left out, the national build's 40 million tally rows had no statistics)
    refresh_statistics((*NATIONAL_TABLES, OrgTally))
    print(describe_national(summary), flush=True)
    return serve_after(args)


def _demo_logins_and_serve(args: argparse.Namespace) -> int:
    from django.conf import settings

    from dangbo.demo.accounts import demo_logins

    print("\nTài khoản dùng thử (mỗi vai trò một tài khoản):")
    for login in demo_logins():
        print(f"  {login.username:<10} mật khẩu: {login.password:<20} {login.role} — {login.scope}")
    if settings.DANGBO_REQUIRE_2FA:
        print(
            "Xác thực hai bước: BẮT BUỘC (DANGBO_REQUIRE_2FA=1) với quản trị, cán bộ, lãnh đạo, bí thư; "
            "lần đăng nhập đầu, mỗi tài khoản đăng ký một ứng dụng xác thực trên điện thoại."
        )
    else:
        print(
            "Lưu ý: bản dùng thử TẮT yêu cầu xác thực hai bước (bản cài đặt thật luôn bật) để đăng nhập bằng "
            "mật khẩu trên. Thử đăng ký ở trang «Bảo mật», hoặc chạy lại với DANGBO_REQUIRE_2FA=1 để bắt buộc như thật."
        )
    if args.no_serve:
        return 0
    return server.serve(args.host, args.port, threads=args.threads, worker=True)


def _partial_demo() -> bool:
    """Whether the organizations in the database were left by a demo build that never
    recorded itself (one killed, before the build and its record committed together): the
    audit trail holds a demo build, and nobody has signed in or changed anything since."""
    from dangbo.audit.models import AuditEntry
    from dangbo.audit.services import Action

    last_build = (
        AuditEntry.objects.filter(action=Action.DEMO_GENERATED)
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
    )
    if last_build is None:
        return False
    return not AuditEntry.objects.filter(seq__gt=last_build, actor_id__isnull=False).exists()


def _test_pause(point: str) -> None:
    """For the tests that kill a build at a given point (tests/test_demo_kill.py): with
    DANGBO_TEST_PAUSE_AT=<point>, say so and wait there to be killed."""
    if os.environ.get("DANGBO_TEST_PAUSE_AT") == point:
        print(f"PAUSED AT {point}", flush=True)
        time.sleep(3600)


def cmd_serve(args: argparse.Namespace) -> int:
    from dangbo import server_processes

    if args.workers and not server_processes.available():
        print(
            "--workers cần gunicorn, chỉ chạy trên Linux (và các hệ Unix khác); "
            "trên Windows, chạy «dangbo serve» không có --workers (waitress).",
            file=sys.stderr,
        )
        return 2
    _setup()
    if args.workers and args.workers > 1 and server_processes.single_process_database():
        print(
            "--workers lớn hơn 1 cần PostgreSQL: với SQLite, nhiều tiến trình cùng ghi vào một tệp đã "
            "gây lỗi «disk I/O error» và làm hỏng tệp khi thử tải (bench/results/load.md). Chạy "
            "«dangbo serve» không có --workers (một tiến trình, nhiều luồng), hoặc dùng PostgreSQL "
            "(DANGBO_DATABASE_URL).",
            file=sys.stderr,
        )
        return 2
    if not args.no_migrate:
        server.migrate()
    if args.workers:
        return server_processes.serve_processes(
            args.host, args.port, workers=args.workers, threads=args.threads, worker=args.worker
        )
    return server.serve(args.host, args.port, threads=args.threads, worker=args.worker)


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"không phải số nguyên: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError("phải từ 1 trở lên")
    return number


def cmd_worker(args: argparse.Namespace) -> int:
    _setup()
    from django.core.management import call_command

    from dangbo.audit.services import audit_seal_in_background

    audit_seal_in_background()  # and sweep what other processes left unsealed (audit.sealer)
    call_command("db_worker", *args.worker_args)
    return 0


def cmd_createuser(args: argparse.Namespace) -> int:
    _setup()
    from django.contrib.auth import get_user_model

    from dangbo.accounts.services import AccessError, user_create_superuser

    server.migrate()
    if (
        get_user_model().objects.filter(username=args.username).exists()
    ):  # say so before asking for a password
        print(f"Tên đăng nhập «{args.username}» đã có.", file=sys.stderr)
        return 2
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Mật khẩu: ")
        if getpass.getpass("Nhập lại mật khẩu: ") != password:
            print("Hai lần nhập mật khẩu không khớp.", file=sys.stderr)
            return 2
    try:
        user = user_create_superuser(
            username=args.username, full_name=args.full_name or "", email=args.email or "", password=password
        )
    except AccessError as error:
        print(error, file=sys.stderr)
        return 2
    print(f"Đã tạo tài khoản quản trị «{user.username}».")
    return 0


def _unsealed_line(report) -> str:
    from django.utils import timezone

    when = timezone.localtime(report.oldest_unsealed_at).strftime("%d/%m/%Y %H:%M:%S")
    return f"{report.unsealed} dòng chưa niêm phong (dòng cũ nhất ghi lúc {when})."


def cmd_audit_seal(args: argparse.Namespace) -> int:
    _setup()
    from dangbo.audit.services import audit_seal

    sealed = audit_seal()
    print(f"Đã niêm phong {sealed} dòng nhật ký.")
    return 0


def cmd_audit_anchor(args: argparse.Namespace) -> int:
    _setup()
    from dangbo.audit.services import audit_seal
    from dangbo.audit.verify import audit_anchor

    audit_seal()
    text = json.dumps(audit_anchor(), ensure_ascii=False, indent=2) + "\n"
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"Đã ghi mốc nhật ký vào {args.output}. Hãy cất tệp này ở nơi khác máy chủ.", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    _setup()
    from dangbo.audit.services import audit_seal
    from dangbo.audit.verify import audit_verify

    if not args.no_seal:
        sealed = audit_seal()
        if sealed:
            print(f"Đã niêm phong {sealed} dòng trước khi kiểm tra.")
    anchor = None
    if args.anchor:
        try:
            anchor = json.loads(Path(args.anchor).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            print(f"Không đọc được tệp mốc {args.anchor}: {error}", file=sys.stderr)
            return 2
    report = audit_verify(anchor=anchor)
    if report.anchor_problem:
        print(f"Nhật ký không khớp với mốc: {report.anchor_problem}.", file=sys.stderr)
        if report.checked:
            print(f"{report.checked} dòng của chuỗi nguyên vẹn.", file=sys.stderr)
        return 1
    if report.ok:
        print(f"Nhật ký nguyên vẹn: đã kiểm tra {report.checked} dòng.")
        if report.unsealed:
            print(f"Còn {_unsealed_line(report)}")
        return 0
    where = f" (mắt xích thứ {report.broken_chain_seq})" if report.broken_chain_seq else ""
    print(
        f"Nhật ký bị phá vỡ ở dòng số {report.broken_seq}{where}: {report.reason}. "
        f"{report.checked} dòng trước đó nguyên vẹn.",
        file=sys.stderr,
    )
    if report.unsealed:
        print(f"Ngoài ra còn {_unsealed_line(report)}", file=sys.stderr)
    return 1


def cmd_badges(args: argparse.Namespace) -> int:
    """Who is eligible for which Party badge on an award date, and why (RULES.md §6)."""
    _setup()
    from datetime import date

    from dangbo.members.selectors.badges import badge_list
    from dangbo.rules.badges import Ground, is_award_day

    try:
        award_on = date.fromisoformat(args.date)
    except ValueError:
        print(
            f"Ngày không hợp lệ: {args.date!r} (nhập theo dạng YYYY-MM-DD, ví dụ 2026-09-02).",
            file=sys.stderr,
        )
        return 2
    system, org = _system_scope_and_org(args.org)
    if system is None:
        print(org, file=sys.stderr)
        return 2
    lists = badge_list(actor=system, org=org, award_on=award_on)
    sections = (
        ("due", "Đến hạn", lists.due),
        ("early_if_seriously_ill", "Tặng sớm nếu bệnh nặng", lists.early),
        ("posthumous", "Truy tặng", lists.posthumous),
    )
    if args.format == "json":
        print(
            json.dumps(
                {
                    "org": org.code,
                    "award_on": award_on.isoformat(),
                    "since": lists.since.isoformat(),
                    "citation": lists.citation,
                    **{
                        key: [
                            {
                                "member_id": str(c.member.pk),
                                "name": c.member.full_name,
                                "org": c.member.org.code,
                                "years": c.years,
                                "party_age_from": c.member.party_age_from
                                and c.member.party_age_from.isoformat(),
                                "reached_on": c.reached_on.isoformat(),
                                "ground": c.ground,
                                "why": f"{Ground.LABELS[c.ground]}: đủ {c.years} năm tuổi đảng ngày {c.reached_on:%d/%m/%Y}",
                            }
                            for c in candidates
                        ]
                        for key, _, candidates in sections
                    },
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    print(
        f"Xét tặng Huy hiệu Đảng đợt {award_on:%d/%m/%Y} — {org.name} (đủ mốc từ sau {lists.since:%d/%m/%Y})"
    )
    if not is_award_day(award_on):
        print("Lưu ý: ngày này không phải dịp 3/2, 19/5, 2/9, 7/11.")
    for _, label, candidates in sections:
        print(f"\n{label}: {len(candidates)}")
        for c in candidates:
            print(
                f"  {c.years:>2} năm  {c.member.full_name}  ({c.member.org.name})  đủ tuổi đảng ngày {c.reached_on:%d/%m/%Y}"
            )
    print(f"\nCăn cứ: {lists.citation}")
    return 0


def _system_scope_and_org(code: str | None):
    """The command line acts for the whole installation; ``code`` picks the organization
    (default: the top one). Returns (scope, org) or (None, message)."""
    from dangbo.accounts.scope import Scope
    from dangbo.orgs.models import Org

    org = (
        Org.objects.filter(code=code) if code else Org.objects.filter(parent__isnull=True).order_by("path")
    ).first()
    if org is None:
        return None, (f"Không có tổ chức mã {code!r}." if code else "Chưa có tổ chức nào.")
    return Scope(user_id=None, username="dòng lệnh", is_admin=True), org


def cmd_todo(args: argparse.Namespace) -> int:
    """What is overdue and what falls due in the next 30 days (RULES.md §2.3, §6)."""
    _setup()
    from datetime import date

    from dangbo.members.selectors.todo import due_items

    try:
        as_of = date.fromisoformat(args.as_of) if args.as_of else clock.today()
    except ValueError:
        print(f"Ngày không hợp lệ: {args.as_of!r} (nhập theo dạng YYYY-MM-DD).", file=sys.stderr)
        return 2
    scope, org = _system_scope_and_org(args.org)
    if scope is None:
        print(org, file=sys.stderr)
        return 2
    items = due_items(actor=scope, org=org, as_of=as_of)
    if args.format == "json":
        print(
            json.dumps(
                {
                    "org": org.code,
                    "as_of": as_of.isoformat(),
                    "items": [
                        {
                            "kind": i.kind,
                            "title": i.title,
                            "org": i.org.code,
                            "org_name": i.org.name,
                            "member_id": str(i.member.pk) if i.member else None,
                            "member": i.person_name or None,
                            "candidate_id": str(i.candidate.pk) if i.candidate else None,
                            "due_on": i.due_on.isoformat(),
                            "overdue": i.overdue,
                            "review": i.review,
                            "note": i.note,
                            "citation": i.citation,
                        }
                        for i in items
                    ],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    print(
        f"Việc cần làm — {org.name}, tính đến {as_of:%d/%m/%Y}: {len(items)} việc ({sum(i.overdue for i in items)} quá hạn)"
    )
    for i in items:
        late = " QUÁ HẠN" if i.overdue else (" CẦN XEM XÉT" if i.review else "")
        who = f" — {i.person_name}" if i.person_name else ""
        print(f"  {i.due_on:%d/%m/%Y}{late}  {i.title}{who} ({i.org.name}); {i.note}. Căn cứ: {i.citation}")
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangbo.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["dangbo manage", *args.manage_args])
    return 0


def build_parser() -> argparse.ArgumentParser:
    from dangbo.demo.profiles import DEFAULT_PROFILE, PROFILES

    parser = argparse.ArgumentParser(prog="dangbo", description="Quản lý tổ chức cơ sở đảng và đảng viên.")
    sub = parser.add_subparsers(dest="command", required=True)
    port = int(os.environ.get("PORT", "8000"))

    demo = sub.add_parser("demo", help="tạo dữ liệu mẫu (một lần) và chạy ứng dụng")
    demo.add_argument("--profile", choices=sorted([*PROFILES, "vietnam"]), default=DEFAULT_PROFILE)
    demo.add_argument("--seed", type=int, default=2021)
    demo.add_argument("--members", type=int, help="số đảng viên (mặc định theo hồ sơ mẫu)")
    demo.add_argument("--reset", action="store_true", help="xóa dữ liệu và tạo lại")
    demo.add_argument(
        "--reform-2025",
        action="store_true",
        help="áp dụng sắp xếp tổ chức tháng 7/2025 (Nghị quyết 1673/NQ-UBTVQH15) sau khi tạo",
    )
    demo.add_argument("--no-serve", action="store_true", help="chỉ tạo dữ liệu, không chạy máy chủ")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=port)
    demo.add_argument("--threads", type=int, default=8)
    demo.set_defaults(func=cmd_demo)

    serve = sub.add_parser("serve", help="chạy ứng dụng")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=port)
    serve.add_argument(
        "--threads", type=_positive, default=8, help="số luồng (của mỗi tiến trình khi có --workers)"
    )
    serve.add_argument(
        "--workers",
        type=_positive,
        metavar="N",
        help="phục vụ bằng N tiến trình (gunicorn, chỉ trên Linux/Unix) thay cho một tiến trình waitress; "
        "xem docs/operators.md",
    )
    serve.add_argument("--no-migrate", action="store_true", help="không tự cập nhật cấu trúc cơ sở dữ liệu")
    serve.add_argument(
        "--worker",
        action="store_true",
        help="chạy kèm một tiến trình xử lý nền (cho cài đặt nhỏ, một máy; chỉ một, kể cả khi có --workers)",
    )
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser(
        "worker",
        help="chạy tiến trình xử lý công việc nền (các tùy chọn của db_worker: --batch, --interval …)",
    )
    worker.add_argument("worker_args", nargs=argparse.REMAINDER)
    worker.set_defaults(func=cmd_worker)

    createuser = sub.add_parser("createuser", help="tạo tài khoản quản trị hệ thống")
    createuser.add_argument("username")
    createuser.add_argument("--full-name")
    createuser.add_argument("--email")
    createuser.add_argument("--password-stdin", action="store_true", help="đọc mật khẩu từ đầu vào chuẩn")
    createuser.set_defaults(func=cmd_createuser)

    audit = sub.add_parser("audit", help="nhật ký truy cập")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_sub.add_parser(
        "verify",
        help="niêm phong các dòng còn lại rồi kiểm tra chuỗi băm, báo dòng đầu tiên bị phá vỡ "
        "và số dòng chưa niêm phong",
    )
    verify.add_argument(
        "--no-seal", action="store_true", help="chỉ kiểm tra, không niêm phong các dòng chưa niêm phong"
    )
    verify.add_argument(
        "--anchor",
        metavar="TỆP",
        help="đối chiếu với một mốc đã xuất (dangbo audit anchor): phát hiện nhật ký bị cắt",
    )
    verify.set_defaults(func=cmd_audit_verify)
    anchor = audit_sub.add_parser(
        "anchor",
        help="xuất mốc của chuỗi (số mắt xích, hash cuối, có ký bằng khóa nhật ký) để sau này "
        "kiểm tra nhật ký không bị cắt",
    )
    anchor.add_argument("--output", metavar="TỆP", help="ghi vào tệp (mặc định: in ra màn hình)")
    anchor.set_defaults(func=cmd_audit_anchor)
    seal = audit_sub.add_parser(
        "seal", help="niêm phong (nối vào chuỗi băm) các dòng nhật ký đã ghi mà chưa niêm phong"
    )
    seal.set_defaults(func=cmd_audit_seal)

    todo = sub.add_parser("todo", help="việc quá hạn và đến hạn trong 30 ngày tới")
    todo.add_argument("--org", help="mã tổ chức (mặc định: tổ chức cao nhất)")
    todo.add_argument("--as-of", help="tính đến ngày, YYYY-MM-DD (mặc định: hôm nay)")
    todo.add_argument("--format", choices=("text", "json"), default="text")
    todo.set_defaults(func=cmd_todo)

    badges = sub.add_parser("badges", help="danh sách xét tặng Huy hiệu Đảng cho một đợt")
    badges.add_argument("--org", help="mã tổ chức (mặc định: tổ chức cao nhất)")
    badges.add_argument("--date", required=True, help="ngày trao tặng, YYYY-MM-DD (3/2, 19/5, 2/9, 7/11)")
    badges.add_argument("--format", choices=("text", "json"), default="text")
    badges.set_defaults(func=cmd_badges)

    from dangbo.stats.cli import add_parsers as add_report_parsers

    add_report_parsers(sub)

    from dangbo.orgs.cli import add_parsers as add_hamlet_parsers
    from dangbo.restructuring.cli import add_parsers as add_restructure_parsers

    add_hamlet_parsers(sub)
    add_restructure_parsers(sub)

    from dangbo.accounts.cli import add_parsers as add_user_parsers

    add_user_parsers(sub)

    from dangbo.jobs.cli import add_parsers as add_job_parsers

    add_job_parsers(sub)

    from dangbo.meetings.cli import add_parsers as add_meeting_parsers

    add_meeting_parsers(sub)

    from dangbo.dues.cli import add_parsers as add_dues_parsers

    add_dues_parsers(sub)

    from dangbo.ratings.cli import add_parsers as add_ratings_parsers

    add_ratings_parsers(sub)

    from dangbo.imports.cli import add_parsers as add_import_parsers

    add_import_parsers(sub)
    from dangbo.exchange.cli import add_parsers as add_exchange_parsers

    add_exchange_parsers(sub)

    manage = sub.add_parser("manage", help="chạy một lệnh quản trị Django", add_help=False)
    manage.add_argument("manage_args", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    # `dangbo worker` passes its options on to django-tasks' db_worker (--batch, --interval…);
    # argparse would take them for options of its own, so they are collected here.
    args, extra = parser.parse_known_args(argv)
    if extra and args.func is not cmd_worker:
        parser.error("không hiểu: " + " ".join(extra))
    if args.func is cmd_worker:
        args.worker_args = [*args.worker_args, *extra]
    try:
        return args.func(args) or 0
    except BrokenPipeError:
        # the reader of a listing went away (`dangbo todo | head`): stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
