from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BallotsConfig(AppConfig):
    name = "xuanren.ballots"
    verbose_name = _("投票表决")

    def ready(self) -> None:
        # The decision step's seats guard (docs/decisions/0055) lives beside
        # the other guards; importing it registers it.
        from xuanren.procedure.guards import seats  # noqa: F401
