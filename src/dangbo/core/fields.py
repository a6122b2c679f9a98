"""Model fields shared by the contexts."""

from django.db import models


class BinaryCharField(models.CharField):
    """A CharField compared byte by byte on every database.

    Paths, search keys and sort keys are ordered and range-scanned
    (``path >= p AND path < p || '~'``); a linguistic collation would ignore the
    punctuation in them and break the ranges. PostgreSQL gets ``COLLATE "C"``;
    SQLite compares with BINARY by default.
    """

    def db_parameters(self, connection):
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params
