"""Pre-aggregated counts (DESIGN.md: national scale reads pre-aggregated tables).

``OrgTally`` holds, for every organization, how many active members (đảng số) its whole
subtree has with each value of each attribute: the province's row for ``gender = F`` is
the province's women. A dashboard of any subtree reads the root's rows and its
children's, a few hundred rows, instead of counting hundreds of thousands of members.

The rows are written only by ``stats.tallies``: as the ledger and identity edits apply
(``tally_member_changed``) and by a full recount (``tally_rebuild``). ``dangbo check
--aggregates`` proves them equal to a recount.
"""

from django.db import models


class OrgTally(models.Model):
    # No foreign key in the database: the rows are derived and rebuilt whole, organizations
    # are never deleted, and a national recount writes 40 million rows whose deferred checks
    # alone took a quarter of an hour at its COMMIT (bench/results/national.md).
    org = models.ForeignKey("orgs.Org", models.CASCADE, related_name="+", db_index=False, db_constraint=False)
    dimension = models.CharField(max_length=32)
    value = models.CharField(max_length=120)
    count = models.BigIntegerField(default=0)  # dues amounts (VND) of a province pass 2^31

    class Meta:
        verbose_name = "số liệu tổng hợp sẵn"
        constraints = [models.UniqueConstraint(fields=["org", "dimension", "value"], name="org_tally_key")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.dimension}={self.value}: {self.count}"


class TallyRun(models.Model):
    """When the tallies were last recounted in full, and how long it took."""

    finished_at = models.DateTimeField(auto_now_add=True)
    seconds = models.FloatField()
    rows = models.PositiveIntegerField()

    class Meta:
        ordering = ["-finished_at"]

    def __str__(self) -> str:
        return f"recount at {self.finished_at:%Y-%m-%d %H:%M} ({self.rows} rows, {self.seconds:.1f} s)"
