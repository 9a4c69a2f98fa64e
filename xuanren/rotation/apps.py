from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RotationConfig(AppConfig):
    name = "xuanren.rotation"
    verbose_name = _("轮岗交流")
