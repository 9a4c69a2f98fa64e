"""Rule packs as versioned data, which packs a post uses, and exceptional
promotions (破格)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from xuanren.org.models import Post
from xuanren.people.models import Cadre


class RulePack(models.Model):
    """One version of one pack. The rules are kept as the pack file states
    them (JSON); rules.rule_from_data reads them."""

    code = models.CharField(_("规则包代码"), max_length=40)
    version = models.PositiveIntegerField(_("版本"))
    name = models.CharField(_("名称"), max_length=100)
    source = models.CharField(_("来源"), max_length=200)
    effective_from = models.DateField(_("生效日期"))
    effective_to = models.DateField(_("失效日期"), null=True, blank=True)
    default_for_levels = models.JSONField(_("默认适用职务层次"), default=list, blank=True)
    rules = models.JSONField(_("规则"), default=list)
    sha256 = models.CharField(_("内容哈希"), max_length=64)
    loaded_at = models.DateTimeField(_("载入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("规则包")
        verbose_name_plural = _("规则包")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="rulepack_code_version"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="rulepack_effective_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class PostRulePacks(models.Model):
    """A post's own choice of packs, replacing the defaults for its level."""

    post = models.OneToOneField(
        Post, on_delete=models.PROTECT, related_name="rule_packs", verbose_name=_("职位")
    )
    pack_codes = models.JSONField(_("适用规则包"), default=list)

    class Meta:
        verbose_name = _("职位适用规则包")
        verbose_name_plural = _("职位适用规则包")

    def __str__(self) -> str:
        return f"{self.post_id}: {','.join(self.pack_codes)}"


class ExceptionReason(models.TextChoices):
    """破格的理由 (DOMAIN §4)."""

    OUTSTANDING = "outstanding", _("经过实践考验、特别优秀")
    TEAM_STRUCTURE = "team_structure", _("班子结构需要")
    URGENT_SPECIALIST = "urgent_specialist", _("专业性较强的岗位急需")
    REMOTE_AREA = "remote_area", _("艰苦边远地区、贫困地区急需")


class ExceptionStatus(models.TextChoices):
    REQUESTED = "requested", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("未批准")


class PromotionException(models.Model):
    """A request to promote `cadre` to `post` waiving some waivable rules."""

    cadre = models.ForeignKey(
        Cadre, on_delete=models.PROTECT, related_name="promotion_exceptions", verbose_name=_("干部")
    )
    post = models.ForeignKey(
        Post,
        on_delete=models.PROTECT,
        related_name="promotion_exceptions",
        verbose_name=_("拟任职位"),
    )
    rule_ids = models.JSONField(_("破格的条件"))
    reason = models.CharField(_("破格理由类别"), max_length=24, choices=ExceptionReason.choices)
    explanation = models.TextField(_("具体说明"))
    approving_body = models.CharField(_("审批机关"), max_length=100, blank=True)
    document = models.CharField(_("批准文件"), max_length=100, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ExceptionStatus.choices, default=ExceptionStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("申请人"),
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审批人"),
    )
    decided_on = models.DateField(_("审批日期"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)

    class Meta:
        verbose_name = _("破格提拔")
        verbose_name_plural = _("破格提拔")
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["post", "status"])]

    def __str__(self) -> str:
        return f"{self.cadre_id}→{self.post_id} ({self.status})"
