from django.apps import AppConfig

from dangbo.members.hooks import register_due_source


class CandidatesConfig(AppConfig):
    name = "dangbo.candidates"
    label = "candidates"
    verbose_name = "Quần chúng cảm tình Đảng, kết nạp"

    def ready(self) -> None:
        # The admission decision and the ceremony join the to-do list (members.hooks).
        # In ready(): the selectors import the models, which Django loads after this module.
        from dangbo.candidates.selectors import candidate_due_counts, candidate_due_items

        register_due_source(candidate_due_items, counter=candidate_due_counts)
