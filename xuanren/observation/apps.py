from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObservationConfig(AppConfig):
    name = "xuanren.observation"
    verbose_name = _("诫勉谈话与察看期")
