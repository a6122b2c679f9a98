from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "dangbo.stats"
    verbose_name = "Chỉ tiêu, báo cáo thống kê"

    def ready(self) -> None:
        # The counts follow the ledger and the tree through core.projections (the apps that
        # change them sit below stats and do not import it).
        from dangbo.core.projections import register_tallies
        from dangbo.stats.projection import StatsTallies

        register_tallies(StatsTallies())

        # The forms' files are written by background jobs; their kind is registered here.
        from dangbo.jobs import registry
        from dangbo.stats.jobs import KINDS

        for kind in KINDS:
            registry.register(kind)
