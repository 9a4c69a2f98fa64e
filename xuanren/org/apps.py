from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "xuanren.org"
    verbose_name = _("机构与职数")
