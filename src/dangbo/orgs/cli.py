"""`dangbo hamlets unmatched-heads`: the hamlet heads the 2026 migration could not match."""

from __future__ import annotations

import argparse
import json
import sys

from dangbo.core import paths
from dangbo.core.setup import django_setup as _setup


def unmatched_heads(org_code: str | None = None) -> list[dict]:
    """Hamlets whose head was ticked "is a member" before heads were linked to member
    records, and whom migration 0003 could not match to exactly one record (the reason is
    kept in ``Locality.head_unmatched_note`` until the head is recorded again)."""
    # Django's models only once Django is set up: dangbo's command line imports this module to
    # build its parser, before django.setup().
    from dangbo.orgs.models import Locality, Org

    rows = Locality.objects.exclude(head_unmatched_note="").filter(dissolved_on__isnull=True)
    if org_code:
        root = Org.objects.get(code=org_code)
        rows = rows.filter(paths.subtree_q(root.path, "commune_path"))
    return [
        {
            "code": loc.code,
            "hamlet": str(loc),
            "commune_code": loc.commune.code,
            "commune": loc.commune.name,
            "head_name": loc.head_name,
            "note": loc.head_unmatched_note,
        }
        for loc in rows.select_related("commune").order_by("commune_path", "name")
    ]


def cmd_unmatched_heads(args: argparse.Namespace) -> int:
    _setup()
    from dangbo.orgs.models import Org  # after django.setup(), as in unmatched_heads

    try:
        rows = unmatched_heads(args.org)
    except Org.DoesNotExist:
        print(f"Lỗi: không có tổ chức mã «{args.org}».", file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("Không có trưởng thôn, tổ trưởng nào chưa khớp hồ sơ đảng viên.")
        return 0
    print(f"{len(rows)} thôn, tổ dân phố có trưởng thôn trước đây ghi là đảng viên nhưng chưa khớp hồ sơ:")
    for row in rows:
        print(
            f"  - {row['hamlet']} ({row['commune']}, mã {row['code']}): {row['head_name'] or 'chưa ghi tên'} — {row['note']}"
        )
    return 0


def add_parsers(sub) -> None:
    hamlets = sub.add_parser("hamlets", help="thôn, tổ dân phố")
    hamlets_sub = hamlets.add_subparsers(dest="hamlets_command", required=True)
    unmatched = hamlets_sub.add_parser(
        "unmatched-heads", help="trưởng thôn trước đây ghi là đảng viên nhưng chưa khớp được hồ sơ đảng viên"
    )
    unmatched.add_argument("--org", help="mã tổ chức (mặc định: toàn bộ)")
    unmatched.add_argument("--format", choices=("text", "json"), default="text")
    unmatched.set_defaults(func=cmd_unmatched_heads)
