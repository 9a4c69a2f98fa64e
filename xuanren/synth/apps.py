from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SynthConfig(AppConfig):
    name = "xuanren.synth"
    verbose_name = _("演示与生成数据")
