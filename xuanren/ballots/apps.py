from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BallotsConfig(AppConfig):
    name = "xuanren.ballots"
    verbose_name = _("投票表决")
