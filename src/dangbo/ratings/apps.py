from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "dangbo.ratings"
    label = "ratings"
    verbose_name = "Đánh giá, xếp loại chất lượng"

    def ready(self) -> None:
        # Members rated «not completed» two years running join the to-do list, and their ratings
        # stand beside the striking-off form (members.hooks). In ready(): the modules import the
        # models, which Django loads after this one.
        from dangbo.jobs import registry
        from dangbo.members.hooks import register_due_source, register_strike_off_evidence
        from dangbo.ratings.jobs import KINDS
        from dangbo.ratings.todo import (
            campaign_due_items,
            failed_years_counts,
            failed_years_items,
            strike_off_evidence,
        )

        register_due_source(failed_years_items, counter=failed_years_counts)
        register_due_source(campaign_due_items)
        register_strike_off_evidence(strike_off_evidence)
        for kind in KINDS:  # a campaign's list is drawn in the background
            registry.register(kind)
