from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "dangbo.members"
    verbose_name = "Đảng viên"

    def ready(self) -> None:
        # A long member list is exported by a background job; its kind is registered here.
        from dangbo.jobs import registry
        from dangbo.members.jobs import KINDS

        for kind in KINDS:
            registry.register(kind)
