from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_save


class CoreConfig(AppConfig):
    name = "dangbo.core"
    verbose_name = "Lõi"

    def ready(self) -> None:
        # Imported here: both modules read settings or models, loaded only now.
        from dangbo.core import checks  # noqa: F401  (registers the deployment checks)
        from dangbo.core.lengths import guard_text_lengths

        pre_save.connect(guard_text_lengths, dispatch_uid="dangbo.core.lengths")
        from dangbo.core.data_version import install

        # the register's version (core.data_version): its triggers on every table, new ones too
        post_migrate.connect(install, sender=self, dispatch_uid="dangbo.core.data_version")
        from django.db import models

        from dangbo.core.lookups import AnyOf

        for field in (models.UUIDField, models.ForeignKey):
            field.register_lookup(AnyOf)
