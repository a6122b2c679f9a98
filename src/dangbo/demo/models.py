from django.db import models


class DemoDataset(models.Model):
    """Which demo province this database holds, so `dangbo demo` builds it only once."""

    profile = models.CharField(max_length=40)
    seed = models.IntegerField()
    members = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    seconds = models.FloatField(default=0)

    def __str__(self) -> str:
        return f"{self.profile} (seed {self.seed}, {self.members} members)"
