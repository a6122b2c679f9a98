from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dangbo.accounts"
    label = "accounts"
    verbose_name = "Tài khoản và phân quyền"

    def ready(self) -> None:
        # Connects the receivers that audit sign-in, sign-out and failed sign-in. Importing a
        # module for its side effect is what Django's ready() is for.
        from dangbo.accounts import signals  # noqa: F401
