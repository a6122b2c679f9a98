from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "dangbo.members"
    verbose_name = "Đảng viên"

    def ready(self) -> None:
        # A long member list, or to-do list, is exported by a background job; their kinds are
        # registered here.
        from dangbo.jobs import registry
        from dangbo.members.jobs import KINDS
        from dangbo.members.todo_export import KINDS as DUE_LIST_KINDS

        for kind in (*KINDS, *DUE_LIST_KINDS):
            registry.register(kind)
