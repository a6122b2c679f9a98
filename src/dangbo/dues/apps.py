from django.apps import AppConfig


class DuesConfig(AppConfig):
    name = "dangbo.dues"
    label = "dues"
    verbose_name = "Đảng phí"

    def ready(self) -> None:
        # A member's monthly dues account follows their cell and membership; members with unpaid
        # months, three of them in a year, or no dues basis join the to-do list; the unpaid months
        # stand beside the striking-off form and in its event (members.hooks).
        # In ready(): the modules import the models, which Django loads after this one.
        from dangbo.dues.accounts import ledger_changed
        from dangbo.dues.jobs import KINDS
        from dangbo.dues.todo import dues_due_counts, dues_due_items, strike_off_evidence
        from dangbo.jobs import registry
        from dangbo.members.hooks import (
            register_due_source,
            register_ledger_listener,
            register_strike_off_evidence,
        )

        register_ledger_listener(ledger_changed)
        register_due_source(dues_due_items, counter=dues_due_counts)
        register_strike_off_evidence(strike_off_evidence)
        for kind in KINDS:  # opening a month's accounts runs in the background
            registry.register(kind)
