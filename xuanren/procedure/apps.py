from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ProcedureConfig(AppConfig):
    name = "xuanren.procedure"
    verbose_name = _("选任程序")

    def ready(self) -> None:
        from xuanren.procedure import todo_roles  # noqa: F401  (registers the roles' 待办)
        from xuanren.procedure.services import sync_templates_after_migrate

        # The procedure templates shipped with this release are data the app needs.
        post_migrate.connect(
            sync_templates_after_migrate, dispatch_uid="xuanren.procedure.templates"
        )
