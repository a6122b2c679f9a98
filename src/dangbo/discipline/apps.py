from django.apps import AppConfig


class DisciplineConfig(AppConfig):
    name = "dangbo.discipline"
    label = "discipline"
    verbose_name = "Kỷ luật đảng viên"

    def ready(self) -> None:
        # An open case bars resignation (members.hooks).
        from dangbo.discipline.selectors import has_open_case
        from dangbo.members.hooks import register_discipline_pending

        register_discipline_pending(has_open_case)
