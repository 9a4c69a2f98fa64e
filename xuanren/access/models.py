"""Who may see what: a user's jurisdiction (scope) and machine tokens."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xuanren.org.models import Unit


class Role(models.TextChoices):
    """DOMAIN §1. Each role is a Django group of the same name (see roles.py)."""

    CASE_OFFICER = "case_officer", _("组织部干部科")
    COMMITTEE_MEMBER = "committee_member", _("党委（党组）成员")
    DISCIPLINE_COMMISSION = "discipline_commission", _("纪委监委")
    AUDIT_OFFICE = "audit_office", _("审计局")
    INSPECTION_TEAM = "inspection_team", _("考察组")
    UNIT_HR = "unit_hr", _("单位人事联络员")
    PARTICIPANT = "participant", _("推荐测评参与人")
    ADMINISTRATOR = "administrator", _("系统管理员")


class Scope(models.Model):
    """The subtree of units a user works in. A county's case officer has the
    county; a unit's HR contact has their unit; a user without a scope sees
    no records at all."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="scope",
        verbose_name=_("用户"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("管辖单位")
    )

    class Meta:
        verbose_name = _("用户范围")
        verbose_name_plural = _("用户范围")

    def __str__(self) -> str:
        return f"{self.user_id}→{self.unit_id}"


class ApiToken(models.Model):
    """A bearer token for machine clients; only its SHA-256 is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_tokens",
        verbose_name=_("用户"),
    )
    name = models.CharField(_("名称"), max_length=60)
    token_hash = models.CharField(_("令牌哈希"), max_length=64, unique=True)
    prefix = models.CharField(_("令牌前缀"), max_length=8)
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
