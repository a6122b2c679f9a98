"""The data package (issue 22): one JSON file a level sends to the level above.

    {"schema": "dangbo.exchange/1", "manifest": {...}, "payload": {...}, "signature": "..."}

``manifest.payload_sha256`` is the SHA-256 of the payload's canonical JSON (keys sorted,
UTF-8, no spaces); ``signature`` is Ed25519 over the manifest's canonical JSON, base64. So the
signature covers the payload through its checksum: a changed figure breaks the checksum, a
changed manifest (another organization, date, checksum) breaks the signature. The schema is
documented in docs/exchange.md; this module builds a package and checks its shape, checksum
and signature. Which key, which organizations and which user may import it is
``services.package_import``'s business.

Every refusal is a ``PackageRefused`` whose text is the Vietnamese message for the user.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from dangbo.exchange import keys

SCHEMA = "dangbo.exchange/1"
KINDS = ("indicators", "statform", "member_counts")
KIND_LABELS = {
    "indicators": "Các chỉ tiêu",
    "statform": "Biểu thống kê",
    "member_counts": "Số đảng viên theo tổ chức",
}


class PackageRefused(ValueError):
    """The file is not a package this installation accepts; ``str()`` is the Vietnamese reason."""


def canonical(value) -> bytes:
    """The one byte string a JSON value has: keys sorted, UTF-8, no spaces."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def payload_digest(payload: dict) -> str:
    return hashlib.sha256(canonical(payload)).hexdigest()


@dataclass(frozen=True)
class ReportRef:
    """What a package reports on: the kind (and form), the organization's code, the date of
    the stock figures and the period of the flow figures."""

    kind: str
    org_code: str
    as_of: date
    start: date
    end: date
    form: str | None = None

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "form": self.form,
            "org": self.org_code,
            "as_of": self.as_of.isoformat(),
            "period": {"from": self.start.isoformat(), "to": self.end.isoformat()},
        }

    @property
    def label(self) -> str:
        kind = KIND_LABELS[self.kind] + (f" {self.form}" if self.form else "")
        return f"{kind} — ngày {self.as_of:%d/%m/%Y} (kỳ {self.start:%d/%m/%Y}–{self.end:%d/%m/%Y})"


@dataclass(frozen=True)
class Package:
    manifest: dict
    payload: dict
    signature: str

    @property
    def package_id(self) -> uuid.UUID:
        return uuid.UUID(self.manifest["package_id"])

    @property
    def producer_code(self) -> str:
        return self.manifest["producer"]["org"]["code"]

    @property
    def fingerprint(self) -> str:
        return self.manifest["producer"]["key_fingerprint"]

    @property
    def report(self) -> ReportRef:
        r = self.manifest["report"]
        return ReportRef(
            kind=r["kind"],
            form=r.get("form"),
            org_code=r["org"],
            as_of=date.fromisoformat(r["as_of"]),
            start=date.fromisoformat(r["period"]["from"]),
            end=date.fromisoformat(r["period"]["to"]),
        )

    @property
    def rows(self) -> list[dict]:
        return self.payload["rows"]

    def as_dict(self) -> dict:
        return {
            "schema": SCHEMA,
            "manifest": self.manifest,
            "payload": self.payload,
            "signature": self.signature,
        }

    def to_bytes(self) -> bytes:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


def package_build(
    *,
    report: ReportRef,
    payload: dict,
    producer_code: str,
    producer_name: str,
    installation: str,
    created_at: datetime,
) -> Package:
    """A signed package of ``payload`` with this installation's key."""
    key = keys.signing_key()
    manifest = {
        "package_id": str(uuid.uuid4()),
        "created_at": created_at.isoformat(),
        "producer": {
            "installation": installation,
            "org": {"code": producer_code, "name": producer_name},
            "key_fingerprint": keys.fingerprint(keys.public_key_text(key)),
        },
        "report": report.as_dict(),
        "payload_sha256": payload_digest(payload),
        "row_count": len(payload["rows"]),
    }
    return Package(manifest=manifest, payload=payload, signature=keys.sign(canonical(manifest), key))


# --- reading a file --------------------------------------------------------------------------

NOT_A_PACKAGE = "Tệp không phải gói báo cáo của dangbo"


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".replace(".", ",")


def too_large(size: int, max_bytes: int) -> PackageRefused:
    return PackageRefused(
        f"Tệp quá lớn ({_mb(size)} MB); giới hạn là {_mb(max_bytes)} MB (DANGBO_EXCHANGE_MAX_MB)."
    )


def package_parse(data: bytes, *, max_bytes: int) -> Package:
    """The package in ``data``, its shape checked (not yet its checksum or signature)."""
    if len(data) > max_bytes:
        raise too_large(len(data), max_bytes)
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise PackageRefused(f"{NOT_A_PACKAGE}: nội dung không phải JSON (UTF-8).") from None
    if not isinstance(document, dict) or "schema" not in document:
        raise PackageRefused(f"{NOT_A_PACKAGE}: thiếu trường «schema».")
    if document["schema"] != SCHEMA:
        raise PackageRefused(
            f"{NOT_A_PACKAGE} theo định dạng {SCHEMA}: trường «schema» là «{str(document['schema'])[:40]}»."
        )
    problems = _shape_problems(document)
    if problems:
        raise PackageRefused(f"{NOT_A_PACKAGE} hợp lệ: " + "; ".join(problems[:5]) + ".")
    return Package(document["manifest"], document["payload"], document["signature"])


def _is_date(value) -> bool:
    try:
        date.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


def _shape_problems(document: dict) -> list[str]:
    manifest, payload, signature = (
        document.get("manifest"),
        document.get("payload"),
        document.get("signature"),
    )
    problems: list[str] = []
    if not isinstance(manifest, dict):
        return ["thiếu «manifest»"]
    if not isinstance(payload, dict) or not isinstance(payload.get("rows"), list):
        problems.append("thiếu «payload.rows»")
    if not isinstance(signature, str) or not signature:
        problems.append("thiếu chữ ký «signature»")
    try:
        uuid.UUID(str(manifest.get("package_id")))
    except ValueError:
        problems.append("«manifest.package_id» không phải UUID")
    producer = manifest.get("producer")
    if not (
        isinstance(producer, dict)
        and isinstance(producer.get("org"), dict)
        and isinstance(producer["org"].get("code"), str)
        and isinstance(producer.get("key_fingerprint"), str)
    ):
        problems.append("thiếu «manifest.producer» (tổ chức, dấu vân tay khóa)")
    report = manifest.get("report")
    if (
        not isinstance(report, dict)
        or report.get("kind") not in KINDS
        or not isinstance(report.get("org"), str)
    ):
        problems.append("«manifest.report» không rõ loại báo cáo hoặc tổ chức")
    elif not (
        _is_date(report.get("as_of"))
        and isinstance(report.get("period"), dict)
        and _is_date(report["period"].get("from"))
        and _is_date(report["period"].get("to"))
    ):
        problems.append("«manifest.report» thiếu ngày báo cáo hoặc kỳ báo cáo")
    elif report["kind"] == "statform" and not isinstance(report.get("form"), str):
        problems.append("«manifest.report.form» thiếu mã biểu")
    if not isinstance(manifest.get("payload_sha256"), str):
        problems.append("thiếu «manifest.payload_sha256»")
    if not isinstance(manifest.get("row_count"), int):
        problems.append("thiếu «manifest.row_count»")
    if problems or not isinstance(payload, dict):
        return problems
    rows = payload["rows"]
    for number, row in enumerate(rows, start=1):
        if not (
            isinstance(row, dict)
            and isinstance(row.get("org"), str)
            and isinstance(row.get("row", ""), str)
            and isinstance(row.get("figures"), dict)
            and all(isinstance(v, (int, float)) or v is None for v in row["figures"].values())
        ):
            return [f"dòng {number} của «payload.rows» sai dạng (cần «org», «figures» là các số)"]
    if manifest["row_count"] != len(rows):
        problems.append(f"«row_count» là {manifest['row_count']} nhưng gói có {len(rows)} dòng")
    return problems


def package_check_integrity(package: Package, *, public_key: str) -> None:
    """The payload's checksum, then the manifest's signature with ``public_key``."""
    if payload_digest(package.payload) != package.manifest["payload_sha256"]:
        raise PackageRefused(
            "Số liệu trong gói đã bị thay đổi sau khi đóng gói: mã kiểm tra (payload_sha256) không khớp. "
            "Hãy đề nghị cấp dưới gửi lại tệp gốc."
        )
    if not keys.signature_valid(canonical(package.manifest), package.signature, public_key):
        raise PackageRefused(
            "Chữ ký của gói không đúng với khóa công khai đã đăng ký của "
            f"{package.producer_code}: phần mô tả gói (manifest) đã bị sửa hoặc gói không do tổ chức này ký."
        )
