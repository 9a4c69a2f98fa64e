from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    name = "xuanren.reminders"
    verbose_name = _("待办提醒")
