from django.apps import AppConfig


class CandidatesConfig(AppConfig):
    name = "dangbo.candidates"
    label = "candidates"
    verbose_name = "Quần chúng cảm tình Đảng, kết nạp"

    def ready(self) -> None:
        # The admission decision and the ceremony join the to-do list (members.hooks).
        from dangbo.candidates.selectors import candidate_due_items
        from dangbo.members.hooks import register_due_source

        register_due_source(candidate_due_items)
