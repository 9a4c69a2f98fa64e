from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class StatisticsConfig(AppConfig):
    """Figures that look back over the records: selection statistics
    (选人用人统计) and structure analysis (干部队伍结构分析), issue 14."""

    name = "xuanren.statistics"
    verbose_name = _("统计分析")

    def ready(self) -> None:
        from xuanren.statistics.targets import sync_targets_after_migrate

        # The structure targets shipped with this release are data the page needs.
        post_migrate.connect(sync_targets_after_migrate, dispatch_uid="xuanren.statistics.targets")
