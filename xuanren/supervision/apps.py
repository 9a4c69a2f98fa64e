from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "xuanren.supervision"
    verbose_name = _("干部监督")
