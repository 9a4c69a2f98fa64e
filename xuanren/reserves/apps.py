from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReservesConfig(AppConfig):
    name = "xuanren.reserves"
    verbose_name = _("后备干部")
