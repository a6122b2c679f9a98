"""Checks of the deployment settings (``dangbo manage check --deploy``), beside Django's own:
the proxy and the audit key as docs/operators.md describes them for production."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def proxy_and_audit_key(app_configs=None, **kwargs) -> list[Warning]:
    found = []
    if getattr(settings, "DANGBO_BEHIND_PROXY", False):
        found.append(
            Warning(
                "DANGBO_BEHIND_PROXY believes X-Forwarded-For from any client.",
                hint="Set DANGBO_TRUSTED_PROXY to the proxy's address instead (docs/operators.md).",
                id="dangbo.W001",
            )
        )
    if getattr(settings, "SECURE_SSL_REDIRECT", False) and not getattr(settings, "DANGBO_TRUSTED_PROXY", ""):
        found.append(
            Warning(
                "DANGBO_HTTPS=1 without DANGBO_TRUSTED_PROXY: X-Forwarded-Proto is believed from any client.",
                hint="Set DANGBO_TRUSTED_PROXY to the TLS proxy's address (docs/operators.md).",
                id="dangbo.W002",
            )
        )
    default_key_file = settings.VAR_DIR / "audit_key"
    if not settings.DANGBO_AUDIT_KEY and default_key_file == settings.DANGBO_AUDIT_KEY_FILE:
        found.append(
            Warning(
                "The audit key is the file generated beside the data (VAR_DIR/audit_key).",
                hint="Name it with DANGBO_AUDIT_KEY_FILE or DANGBO_AUDIT_KEY and keep it off the database "
                "host and its backups (docs/operators.md).",
                id="dangbo.W003",
            )
        )
    return found
