"""Base classes for models."""

import uuid

from django.db import models


class UUIDModel(models.Model):
    """Keys that never collide when provinces are federated into one national database."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    class Meta:
        abstract = True


class Decision(models.Model):
    """The decision (quyết định) behind a change: number, date and issuing body."""

    decision_no = models.CharField("số quyết định", max_length=60, blank=True)
    decision_on = models.DateField("ngày quyết định", null=True, blank=True)
    decision_body = models.CharField("cơ quan ban hành", max_length=200, blank=True)

    class Meta:
        abstract = True


def is_uuid(value) -> bool:
    """Whether ``value`` (from a URL or a form) can be a key of a UUIDModel."""
    try:
        uuid.UUID(str(value))
        return True
    except ValueError:
        return False
