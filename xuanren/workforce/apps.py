from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkforceConfig(AppConfig):
    name = "xuanren.workforce"
    verbose_name = _("干部队伍管理")
