from django.apps import AppConfig


class DuesConfig(AppConfig):
    name = "dangbo.dues"
    label = "dues"
    verbose_name = "Đảng phí"

    def ready(self) -> None:
        # A member's monthly dues account follows their cell and membership (members.hooks).
        # In ready(): the module imports the models, which Django loads after this one.
        from dangbo.dues.accounts import ledger_changed
        from dangbo.dues.jobs import KINDS
        from dangbo.jobs import registry
        from dangbo.members.hooks import register_ledger_listener

        register_ledger_listener(ledger_changed)
        for kind in KINDS:  # opening a month's accounts runs in the background
            registry.register(kind)
