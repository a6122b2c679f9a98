from django.apps import AppConfig

from dangbo.members.hooks import register_discipline_pending


class DisciplineConfig(AppConfig):
    name = "dangbo.discipline"
    label = "discipline"
    verbose_name = "Kỷ luật đảng viên"

    def ready(self) -> None:
        # An open case bars resignation (members.hooks).
        # In ready(): the selectors import the models, which Django loads after this module.
        from dangbo.discipline.selectors import has_open_case

        register_discipline_pending(has_open_case)
