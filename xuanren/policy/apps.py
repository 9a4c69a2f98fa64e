from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PolicyConfig(AppConfig):
    name = "xuanren.policy"
    verbose_name = _("任职资格规则")

    def ready(self) -> None:
        from xuanren.policy.services import sync_packs_after_migrate

        # The packs shipped with this release are data the app needs to run.
        post_migrate.connect(sync_packs_after_migrate, dispatch_uid="xuanren.policy.packs")
