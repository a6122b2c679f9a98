from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _fill_missing_tallies(sender, verbosity: int = 1, **kwargs) -> None:
    from dangbo.stats.tallies.upgrade import fill_missing_tallies

    fill_missing_tallies(say=print if verbosity >= 1 else (lambda text: None))


class StatsConfig(AppConfig):
    name = "dangbo.stats"
    verbose_name = "Chỉ tiêu, báo cáo thống kê"

    def ready(self) -> None:
        # The counts follow the ledger and the tree through core.projections (the apps that
        # change them sit below stats and do not import it).
        from dangbo.core.projections import register_tallies
        from dangbo.stats.projection import StatsTallies

        register_tallies(StatsTallies())
        # counts a new version keeps and an upgraded database lacks: filled once after migrate
        post_migrate.connect(_fill_missing_tallies, sender=self)

        # The forms' files are written by background jobs; their kind is registered here.
        from dangbo.jobs import registry
        from dangbo.stats.jobs import KINDS

        for kind in KINDS:
            registry.register(kind)
