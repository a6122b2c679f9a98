from django.apps import AppConfig
from django.db.models.signals import pre_save


class CoreConfig(AppConfig):
    name = "dangbo.core"
    verbose_name = "Lõi"

    def ready(self) -> None:
        # Imported here: both modules read settings or models, loaded only now.
        from dangbo.core import checks  # noqa: F401  (registers the deployment checks)
        from dangbo.core.lengths import guard_text_lengths

        pre_save.connect(guard_text_lengths, dispatch_uid="dangbo.core.lengths")
        from django.db import models

        from dangbo.core.lookups import AnyOf

        for field in (models.UUIDField, models.ForeignKey):
            field.register_lookup(AnyOf)
