from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompetitionConfig(AppConfig):
    name = "xuanren.competition"
    verbose_name = _("竞聘评分")
