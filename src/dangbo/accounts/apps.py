from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dangbo.accounts"
    label = "accounts"
    verbose_name = "Tài khoản và phân quyền"

    def ready(self) -> None:
        # Connects the receivers that audit sign-in, sign-out, failed sign-in and lockout. Importing a
        # module for its side effect is what Django's ready() is for.
        # Changes of accounts made outside accounts' services are audited from the models' signals.
        from dangbo.accounts import (
            signals,  # noqa: F401
            watch,
        )

        watch.connect()

        # Background jobs act as their owner: the worker reads the owner's scope this way.
        from dangbo.accounts.scope import scope_for
        from dangbo.jobs import registry

        registry.register_actor_loader(scope_for)
