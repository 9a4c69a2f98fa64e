from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatisticsConfig(AppConfig):
    """Figures that look back over the records: selection statistics
    (选人用人统计) and structure analysis (干部队伍结构分析), issue 14."""

    name = "xuanren.statistics"
    verbose_name = _("统计分析")
