from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "dangbo.meetings"
    label = "meetings"
    verbose_name = "Sinh hoạt chi bộ"

    def ready(self) -> None:
        # Members absent without reason three months of a year join the to-do list, and their
        # absences stand beside the striking-off form and in its event (members.hooks).
        # In ready(): the module imports the models, which Django loads after this one.
        from dangbo.meetings.todo import absence_review_counts, absence_review_items, strike_off_evidence
        from dangbo.members.hooks import register_due_source, register_strike_off_evidence

        register_due_source(absence_review_items, counter=absence_review_counts)
        register_strike_off_evidence(strike_off_evidence)
