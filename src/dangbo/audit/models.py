"""The audit trail: one row per read of a person, list, search, export, reveal, write,
sign-in and sign-out. Append-only and chained by a keyed hash (``audit.chain``).

A row is written unsealed, in its business transaction and without any lock: ``seq`` is
its number in order of writing (given by the database, with gaps on PostgreSQL where a
transaction rolled back). The sealing step (``services.audit_seal``), after the commit,
gives it its place in the chain (``chain_seq``: 1, 2, 3 ... without gaps, in the order the
rows were committed and sealed), the previous link's hash and its own.

The table is created by the migration's own SQL with triggers that refuse UPDATE,
DELETE (and TRUNCATE on PostgreSQL), so the model is unmanaged: Django's ``flush``
(tests, ``demo --reset``) skips it and the trail survives. For the same reason it has
no foreign keys: the actor is kept as id and user name, subjects as type and id.
"""

from __future__ import annotations

from django.db import models

from dangbo.audit import chain

GENESIS_HASH = "0" * 64


class AuditEntry(models.Model):
    seq = models.BigAutoField(primary_key=True)
    at = models.DateTimeField("thời điểm")
    actor_id = models.IntegerField(null=True)
    actor_name = models.CharField("người thực hiện", max_length=150)
    actor_role = models.CharField("vai trò", max_length=200)
    scope = models.TextField("phạm vi")
    action = models.CharField("hành động", max_length=40)
    subject_type = models.CharField(max_length=20)
    subject_id = models.CharField(max_length=64)
    data = models.JSONField(default=dict)
    ip = models.CharField("địa chỉ", max_length=45)
    request_id = models.CharField(max_length=64)  # made by the server
    client_request_id = models.CharField(max_length=64, default="")  # the client's X-Request-ID, if any
    chain_seq = models.BigIntegerField(null=True, unique=True)  # NULL until sealed
    prev_hash = models.CharField(max_length=64, default="")  # "" until sealed
    hash = models.CharField(max_length=64, default="")  # "" until sealed

    class Meta:
        managed = False
        db_table = "audit_entry"
        ordering = ["-seq"]
        verbose_name = "nhật ký"
        verbose_name_plural = "nhật ký"

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.subject_type}:{self.subject_id}"

    @property
    def sealed(self) -> bool:
        return self.chain_seq is not None

    def chained_content(self) -> bytes:
        """Canonical bytes of everything the hash covers (``audit.chain.content``)."""
        return chain.content(**{name: getattr(self, name) for name in chain.CONTENT_COLUMNS})

    def compute_hash(self, key: bytes | None = None) -> str:
        """The keyed hash (HMAC-SHA256, ``audit.chain``) this row's link must carry."""
        return chain.link_hash(self, key)
