"""Report packages between levels (issue 22): exported and signed at a lower organization,
imported by the upper level's officer, compared with the figures this installation holds;
every refusal says why in Vietnamese and stores nothing."""

from __future__ import annotations

import json
import os
import stat
from datetime import date

import pytest
from django.contrib.auth.models import User

from dangbo.accounts.models import AccessRole
from dangbo.accounts.scope import SYSTEM, scope_for
from dangbo.accounts.services import role_grant
from dangbo.audit.models import AuditEntry
from dangbo.core import clock
from dangbo.core.violations import NotInScope
from dangbo.exchange import keys
from dangbo.exchange.models import ExchangePeer, SubmittedReport
from dangbo.exchange.package import Package, PackageRefused, canonical, package_build
from dangbo.exchange.selectors import submitted_get, submitted_list
from dangbo.exchange.services import package_export, package_import, peer_revoke, peer_trust, report_compare


@pytest.fixture(autouse=True)
def key_file(settings, tmp_path):
    settings.DANGBO_EXCHANGE_KEY_FILE = tmp_path / "keys" / "exchange_ed25519"
    return settings.DANGBO_EXCHANGE_KEY_FILE


@pytest.fixture
def world(populated, frozen_today):
    frozen_today()
    peer = peer_trust(actor=SYSTEM, user=None, org=populated.commune, public_key=keys.public_key_text())
    officer = User.objects.create_user("canbo-huyen", password="mat-khau-dai-du-1")
    role_grant(user=officer, role=AccessRole.OFFICER, org=populated.district)
    sibling = User.objects.create_user("canbo-huyen-hai", password="mat-khau-dai-du-1")
    role_grant(user=sibling, role=AccessRole.OFFICER, org=populated.district2)
    return populated, peer, officer, sibling


def _export(org, kind="member_counts", form=None, **dates) -> bytes:
    return package_export(actor=SYSTEM, org=org, kind=kind, form=form, **dates).to_bytes()


def _import(user, data: bytes):
    return package_import(actor=scope_for(user), user=user, data=data)


def _refused(user, data: bytes) -> str:
    with pytest.raises(PackageRefused) as refused:
        _import(user, data)
    assert SubmittedReport.objects.count() == 0
    return str(refused.value)


def test_the_key_file_is_created_once_with_mode_0600_and_the_public_key_has_a_fingerprint(key_file):
    public = keys.public_key_text()
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert keys.public_key_text() == public  # read again, not replaced
    assert len(keys.fingerprint(public)) == 39 and keys.fingerprint(public).count(":") == 7


def test_a_package_is_canonical_json_with_a_checksum_and_an_ed25519_signature(world):
    tree, *_ = world
    document = json.loads(_export(tree.commune, as_of=date(2026, 11, 20)))
    assert document["schema"] == "dangbo.exchange/1"
    manifest = document["manifest"]
    assert manifest["report"] == {
        "kind": "member_counts",
        "form": None,
        "org": "X1",
        "as_of": "2026-11-20",
        "period": {"from": "2026-01-01", "to": "2026-11-20"},
    }
    assert manifest["producer"]["org"] == {"code": "X1", "name": tree.commune.name}
    assert manifest["producer"]["key_fingerprint"] == keys.fingerprint(keys.public_key_text())
    assert manifest["row_count"] == 3  # the commune and its two cells, by code
    rows = {row["org"]: row["figures"] for row in document["payload"]["rows"]}
    assert set(rows) == {"X1", "X1A", "X1B"}
    assert (rows["X1"]["members"], rows["X1A"]["members"], rows["X1B"]["full"]) == (3, 2, 1)
    assert "id" not in json.dumps(document["payload"]).lower().replace("ident", "")
    import hashlib

    assert manifest["payload_sha256"] == hashlib.sha256(canonical(document["payload"])).hexdigest()
    assert keys.signature_valid(canonical(manifest), document["signature"], keys.public_key_text())
    exported = AuditEntry.objects.filter(action="exported", subject_id=str(tree.commune.pk)).last()
    assert exported.data["package_id"] == manifest["package_id"]


@pytest.mark.parametrize(("kind", "form"), [("member_counts", None), ("indicators", None), ("statform", "1")])
def test_round_trip_has_no_differences_until_the_data_here_changes(world, make_member, kind, form):
    tree, _, officer, _ = world
    imported = _import(officer, _export(tree.commune, kind, form))
    report = imported.report
    assert imported.created and report.org == tree.commune and report.received_by == officer
    assert report.difference_count == 0
    make_member(tree.cell_a, admitted_on=date(2026, 6, 1), full=False, gender="F")
    differences = report_compare(actor=scope_for(officer), report=report)
    changed = {(d.org_code, d.figure) for d in differences if d.differs}
    if kind == "member_counts":
        figures = {"members", "probationary", "women", "admitted"}
        assert changed == {(org, f) for org in ("X1", "X1A") for f in figures}
        one = next(d for d in differences if (d.org_code, d.figure) == ("X1A", "members"))
        assert (one.submitted, one.local, one.difference) == (2, 3, -1)
    else:
        assert changed and {org for org, _ in changed} <= {"X1", "X1A"}
        assert all(d.differs for d in differences[: len(changed)])  # the differences come first
    assert SubmittedReport.objects.get().difference_count == len(changed)


def test_a_changed_figure_breaks_the_checksum(world):
    tree, _, officer, _ = world
    document = json.loads(_export(tree.commune))
    document["payload"]["rows"][1]["figures"]["members"] += 1
    message = _refused(officer, json.dumps(document).encode())
    assert "payload_sha256" in message and "bị thay đổi" in message


def test_a_changed_manifest_breaks_the_signature(world):
    tree, _, officer, _ = world
    document = json.loads(_export(tree.commune))
    document["manifest"]["report"]["as_of"] = "2026-10-01"
    assert "Chữ ký của gói không đúng" in _refused(officer, json.dumps(document).encode())
    refusal = AuditEntry.objects.filter(action="refused", subject_type="exchange_package").last()
    assert "Chữ ký" in refusal.data["reason"]


def test_a_package_signed_with_a_key_not_registered_here_is_refused(world, settings, tmp_path):
    tree, _, officer, _ = world
    settings.DANGBO_EXCHANGE_KEY_FILE = tmp_path / "other" / "key"
    assert "Chưa đăng ký khóa công khai" in _refused(officer, _export(tree.commune))


def test_a_package_signed_with_a_revoked_key_is_refused(world):
    tree, peer, officer, _ = world
    data = _export(tree.commune)
    peer_revoke(actor=SYSTEM, user=None, peer=peer)
    assert "đã bị thu hồi" in _refused(officer, data)


def test_an_organization_outside_the_importers_scope_is_refused(world):
    tree, _, _, sibling = world
    assert "không thuộc phạm vi" in _refused(sibling, _export(tree.commune))


def test_a_row_of_an_organization_outside_the_producers_subtree_refuses_the_package(world):
    tree, _, officer, _ = world
    good = Package(**{k: v for k, v in json.loads(_export(tree.commune)).items() if k != "schema"})
    payload = {"rows": [*good.rows, {"org": "CQ1", "row": "", "label": "x", "figures": {"members": 1}}]}
    forged = package_build(
        report=good.report,
        payload=payload,
        producer_code="X1",
        producer_name=tree.commune.name,
        installation="",
        created_at=clock.now(),
    )
    message = _refused(officer, forged.to_bytes())
    assert "ngoài" in message and "«CQ1»" in message
    unknown = {"rows": [{"org": "KHONGCO", "row": "", "label": "x", "figures": {"members": 1}}]}
    forged = package_build(
        report=good.report,
        payload=unknown,
        producer_code="X1",
        producer_name="",
        installation="",
        created_at=clock.now(),
    )
    assert "«KHONGCO»" in _refused(officer, forged.to_bytes())


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"\x89PNG\r\n\x1a\n not json", "không phải JSON"),
        (b'{"hello": 1}', "thiếu trường «schema»"),
        (b'{"schema": "other/2"}', "dangbo.exchange/1"),
        (
            b'{"schema": "dangbo.exchange/1", "manifest": {}, "payload": {"rows": []}, "signature": "x"}',
            "package_id",
        ),
    ],
)
def test_a_file_that_is_not_a_package_is_refused(world, data, said):
    _, _, officer, _ = world
    message = _refused(officer, data)
    assert "Tệp không phải gói báo cáo" in message and said in message


def test_a_file_above_the_limit_is_refused_before_it_is_read(world, settings):
    tree, _, officer, _ = world
    data = _export(tree.commune)
    settings.DANGBO_EXCHANGE_MAX_MB = len(data) / (1024 * 1024) / 2
    assert "Tệp quá lớn" in _refused(officer, data)


def test_the_same_package_twice_is_stored_once_and_said_so(world):
    tree, _, officer, _ = world
    data = _export(tree.commune)
    first = _import(officer, data)
    again = _import(officer, data)
    assert first.created and not again.created and again.report.pk == first.report.pk
    assert SubmittedReport.objects.count() == 1


def test_a_user_of_a_sibling_subtree_sees_no_submitted_report(world):
    tree, _, officer, sibling = world
    report = _import(officer, _export(tree.commune)).report
    assert list(submitted_list(actor=scope_for(officer))) == [report]
    assert list(submitted_list(actor=scope_for(sibling))) == []
    with pytest.raises(NotInScope):
        submitted_get(actor=scope_for(sibling), report_id=report.pk)


def test_a_key_is_registered_only_once_and_only_above_the_organization(world):
    from dangbo.core.violations import RuleViolation

    tree, _, officer, sibling = world
    with pytest.raises(RuleViolation):
        peer_trust(actor=SYSTEM, user=None, org=tree.commune, public_key=keys.public_key_text())
    with pytest.raises(NotInScope):
        peer_trust(
            actor=scope_for(sibling), user=sibling, org=tree.commune, public_key=keys.public_key_text()
        )
    with pytest.raises(RuleViolation):
        peer_trust(actor=scope_for(officer), user=officer, org=tree.cell_a, public_key="không phải khóa")
    assert ExchangePeer.objects.count() == 1
