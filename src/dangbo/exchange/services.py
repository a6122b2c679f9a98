"""Writing side of the exchange: a package exported (signed, audited), a package imported at
the level above (every check, then stored once, audited), a lower organization's key
registered or revoked.

An import checks, in this order, and refuses at the first problem with a Vietnamese message,
storing nothing: the size and the JSON and its shape (``package.package_parse``), the
payload's checksum, the producing organization (known here, within the user's scope), its
registered key that is not revoked and whose fingerprint the manifest names, the signature,
the organization reported on (within the producer's subtree), and every row's organization
(known here, within the producer's subtree and the user's scope). A package id already
stored is said so and not stored again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction

from dangbo.audit.services import Action, audit_record
from dangbo.core import clock
from dangbo.core.violations import NotInScope, RuleViolation, input_violation
from dangbo.exchange import keys
from dangbo.exchange.contents import compare, payload_for
from dangbo.exchange.models import ExchangePeer, SubmittedReport
from dangbo.exchange.package import (
    Package,
    PackageRefused,
    ReportRef,
    package_build,
    package_check_integrity,
    package_parse,
    too_large,
)
from dangbo.exchange.selectors import may_manage_keys
from dangbo.orgs.models import Org
from dangbo.stats.frames import ReportInputError
from dangbo.stats.selectors import report_context

DEFAULT_MAX_MB = 10


def max_bytes() -> int:
    return int(float(getattr(settings, "DANGBO_EXCHANGE_MAX_MB", DEFAULT_MAX_MB)) * 1024 * 1024)


def installation_name() -> str:
    return str(getattr(settings, "DANGBO_INSTALLATION_NAME", "") or "")


# --- export ------------------------------------------------------------------------------------


def package_export(
    *,
    actor,
    org: Org,
    kind: str,
    form: str | None = None,
    as_of: date | None = None,
    start: date | None = None,
    end: date | None = None,
) -> Package:
    """The signed package of ``org``'s report. Raises ``NotInScope`` outside the actor's scope,
    ``ReportInputError`` for bad dates or an unknown form."""
    ctx = report_context(actor=actor, org=org, as_of=as_of, start=start, end=end, with_children=True)
    payload = payload_for(ctx=ctx, kind=kind, form=form)
    frame = ctx.frame
    report = ReportRef(
        kind=kind,
        form=payload["form"]["code"] if kind == "statform" else None,
        org_code=org.code,
        as_of=frame.as_of,
        start=frame.start,
        end=frame.end,
    )
    package = package_build(
        report=report,
        payload=payload,
        producer_code=org.code,
        producer_name=org.name,
        installation=installation_name(),
        created_at=clock.now(),
    )
    audit_record(
        action=Action.EXPORTED,
        subject_type="org",
        subject_id=str(org.pk),
        data={
            "list": "exchange_package",
            "package_id": str(package.package_id),
            "report": report.as_dict(),
            "rows": len(payload["rows"]),
        },
    )
    return package


# --- import ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Imported:
    report: SubmittedReport
    created: bool  # False: this package was received before, nothing stored again


def _names(codes) -> str:
    codes = sorted(codes)
    return ", ".join(f"«{c}»" for c in codes[:5]) + (
        f" và {len(codes) - 5} mã khác" if len(codes) > 5 else ""
    )


def _check(package: Package, *, actor) -> tuple[Org, Org, ExchangePeer]:
    """The producer, the organization reported on and the key that signed, or ``PackageRefused``."""
    producer = Org.objects.filter(code=package.producer_code).first()
    if producer is None:
        raise PackageRefused(f"Tổ chức gửi gói «{package.producer_code}» không có trong dữ liệu của cấp này.")
    if not actor.can_write_path(producer.path):
        raise PackageRefused(
            f"Tổ chức gửi gói «{producer.code}» không thuộc phạm vi tài khoản của đồng chí được nhận báo cáo."
        )
    peers = ExchangePeer.objects.filter(org=producer, fingerprint=package.fingerprint)
    peer = peers.filter(revoked_at__isnull=True).first()
    if peer is None:
        if peers.exists():
            raise PackageRefused(
                f"Khóa {package.fingerprint} của {producer.name} đã bị thu hồi; gói ký bằng khóa này không được nhận."
            )
        raise PackageRefused(
            f"Chưa đăng ký khóa công khai {package.fingerprint} cho {producer.name} ({producer.code}); "
            "hãy đăng ký khóa do cấp dưới gửi lên trước khi nhận báo cáo."
        )
    package_check_integrity(package, public_key=peer.public_key)
    report_code = package.report.org_code
    org = producer if report_code == producer.code else Org.objects.filter(code=report_code).first()
    if org is None or not org.path.startswith(producer.path):
        raise PackageRefused(f"Tổ chức được báo cáo «{report_code}» không thuộc {producer.name}.")
    codes = {row["org"] for row in package.rows}
    paths = dict(Org.objects.filter(code__in=codes).values_list("code", "path"))
    unknown = codes - set(paths)
    if unknown:
        raise PackageRefused(f"Gói có số liệu của tổ chức không có ở cấp này: {_names(unknown)}.")
    outside = {c for c, p in paths.items() if not p.startswith(org.path) or not actor.can_read_path(p)}
    if outside:
        raise PackageRefused(
            f"Gói có số liệu của tổ chức ngoài {org.name} hoặc ngoài phạm vi tài khoản: {_names(outside)}."
        )
    return producer, org, peer


def _refused(refusal: PackageRefused, size: int) -> None:
    audit_record(
        action=Action.REFUSED,
        subject_type="exchange_package",
        data={"reason": str(refusal)[:300], "bytes": size},
    )


def upload_bytes(upload) -> bytes:
    """An uploaded file's bytes, refused (``PackageRefused``) above the limit before it is read."""
    if upload.size > max_bytes():
        refusal = too_large(upload.size, max_bytes())
        _refused(refusal, upload.size)
        raise refusal
    return upload.read()


def package_import(*, actor, user, data: bytes) -> Imported:
    """Check and store a package received from below. Raises ``PackageRefused``."""
    try:
        package = package_parse(data, max_bytes=max_bytes())
        producer, org, peer = _check(package, actor=actor)
    except PackageRefused as refusal:
        _refused(refusal, len(data))
        raise
    existing = SubmittedReport.objects.filter(package_id=package.package_id).first()
    if existing is not None:
        return Imported(existing, created=False)
    report = package.report
    try:
        with transaction.atomic():
            stored = SubmittedReport.objects.create(
                org=org,
                producer=producer,
                kind=report.kind,
                form=report.form or "",
                as_of=report.as_of,
                period_start=report.start,
                period_end=report.end,
                package_id=package.package_id,
                manifest=package.manifest,
                payload=package.payload,
                signature=package.signature,
                key_fingerprint=peer.fingerprint,
                peer=peer,
                received_by=user,
                received_at=clock.now(),
            )
            audit_record(
                action=Action.CREATED,
                subject_type="org",
                subject_id=str(org.pk),
                data={
                    "list": "exchange_report",
                    "package_id": str(package.package_id),
                    "report": report.as_dict(),
                    "key": peer.fingerprint,
                },
            )
    except IntegrityError:  # the same package, stored by a request that ran at the same time
        return Imported(SubmittedReport.objects.get(package_id=package.package_id), created=False)
    report_compare(actor=actor, report=stored)
    return Imported(stored, created=True)


def report_compare(*, actor, report: SubmittedReport):
    """The differences between the submitted figures and this installation's own for the same
    organization and frame (kept as the report's count); None when they cannot be computed
    here (the organization's records do not reach that date)."""
    try:
        ctx = report_context(
            actor=actor, org=report.org, as_of=report.as_of, start=report.period_start, end=report.period_end
        )
        local = payload_for(ctx=ctx, kind=report.kind, form=report.form or None)
    except ReportInputError:
        return None
    differences = compare(kind=report.kind, submitted=report.payload, local=local)
    count = sum(1 for d in differences if d.differs)
    if report.difference_count != count:
        SubmittedReport.objects.filter(pk=report.pk).update(difference_count=count, compared_at=clock.now())
        report.difference_count = count
    return differences


# --- keys of the organizations below -----------------------------------------------------------


def peer_trust(*, actor, user, org: Org, public_key: str) -> ExchangePeer:
    """Register ``org``'s public key. Administrators, and officers above ``org``."""
    if not may_manage_keys(actor=actor, org=org):
        raise NotInScope(org.pk)
    try:
        key = keys.public_key_check(public_key)
    except keys.KeyInputError as error:
        raise RuleViolation([input_violation("public_key", str(error))]) from None
    fingerprint = keys.fingerprint(key)
    if ExchangePeer.objects.filter(org=org, fingerprint=fingerprint, revoked_at__isnull=True).exists():
        raise RuleViolation(
            [input_violation("public_key", f"Khóa {fingerprint} đã được đăng ký cho {org.name}.")]
        )
    with transaction.atomic():
        peer = ExchangePeer.objects.create(
            org=org, public_key=key, fingerprint=fingerprint, added_by=user, added_at=clock.now()
        )
        audit_record(
            action=Action.CREATED,
            subject_type="org",
            subject_id=str(org.pk),
            data={"list": "exchange_key", "fingerprint": fingerprint},
        )
    return peer


def peer_revoke(*, actor, user, peer: ExchangePeer) -> ExchangePeer:
    if not may_manage_keys(actor=actor, org=peer.org):
        raise NotInScope(peer.pk)
    if peer.revoked_at is not None:
        return peer
    with transaction.atomic():
        peer.revoked_at, peer.revoked_by = clock.now(), user
        peer.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            action=Action.UPDATED,
            subject_type="org",
            subject_id=str(peer.org_id),
            data={"list": "exchange_key", "fingerprint": peer.fingerprint, "revoked": True},
        )
    return peer
