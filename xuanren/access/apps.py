from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "xuanren.access"
    verbose_name = _("用户与权限")

    def ready(self) -> None:
        from xuanren.access.roles import sync_roles_after_migrate

        # Groups need the permissions that only exist after every app migrated.
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="xuanren.access.roles")

        from django.contrib.auth.signals import user_logged_in

        from xuanren.access.signals import second_factor_on_login

        user_logged_in.connect(second_factor_on_login, dispatch_uid="xuanren.access.2fa")
