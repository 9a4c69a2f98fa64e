"""Rotation and exchange (issue 16; docs/decisions/0175–0178): exchange
records (交流) of a cadre, and a unit's rotation plan (轮岗计划) with the
cadres listed to rotate. The alerts are not stored: they are read from the
tenure history (selectors.alerts). Temporary postings (挂职) stay in
people.TemporaryPosting; an exchange record may point at one."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xuanren.common.choices import ChoiceLabels
from xuanren.org.models import Post, Unit
from xuanren.people.models import Cadre, TemporaryPosting


class ExchangeKind(models.TextChoices):
    CROSS_DEPARTMENT = "cross_department", _("跨部门交流")
    CROSS_SYSTEM = "cross_system", _("跨系统交流")
    CROSS_LEVEL = "cross_level", _("跨层级交流")
    CROSS_REGION = "cross_region", _("跨地区交流")


class ExchangeRecord(ChoiceLabels, models.Model):
    """A cadre moved from one post (or an outside unit named in text) to
    another. A post of the system is chosen where there is one; a unit
    outside it (another county) is named."""

    cadre = models.ForeignKey(
        Cadre, on_delete=models.PROTECT, related_name="exchange_records", verbose_name=_("干部")
    )
    kind = models.CharField(_("交流类别"), max_length=20, choices=ExchangeKind.choices)
    from_post = models.ForeignKey(
        Post,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("原职位"),
    )
    from_name = models.CharField(_("原单位及职务"), max_length=120, blank=True)
    to_post = models.ForeignKey(
        Post,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("交流到的职位"),
    )
    to_name = models.CharField(_("交流到的单位及职务"), max_length=120, blank=True)
    date = models.DateField(_("交流时间"), db_index=True)
    document = models.CharField(_("文件文号"), max_length=80, blank=True)
    posting = models.ForeignKey(
        TemporaryPosting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exchange_records",
        verbose_name=_("对应挂职"),
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("交流记录")
        verbose_name_plural = _("交流记录")
        ordering = ["cadre", "-date", "-pk"]
        permissions = [("view_rotation_alerts", _("查看轮岗交流提示"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(from_post__isnull=False) | ~Q(from_name=""), name="exchange_has_from"
            ),
            models.CheckConstraint(
                condition=Q(to_post__isnull=False) | ~Q(to_name=""), name="exchange_has_to"
            ),
        ]

    @property
    def from_text(self) -> str:
        return str(self.from_post) if self.from_post is not None else self.from_name

    @property
    def to_text(self) -> str:
        return str(self.to_post) if self.to_post is not None else self.to_name


class RotationPlan(ChoiceLabels, models.Model):
    """A unit's plan for rotating its cadres in a year."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="rotation_plans", verbose_name=_("单位")
    )
    title = models.CharField(_("计划名称"), max_length=120)
    year = models.PositiveSmallIntegerField(_("年度"))
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("制定人"),
    )
    created_at = models.DateTimeField(_("制定时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("轮岗计划")
        verbose_name_plural = _("轮岗计划")
        ordering = ["-year", "unit__path", "pk"]

    def __str__(self) -> str:
        return self.title


class EntryStatus(models.TextChoices):
    PLANNED = "planned", _("计划轮岗")
    DONE = "done", _("已轮岗")
    CANCELLED = "cancelled", _("取消")


class RotationPlanEntry(ChoiceLabels, models.Model):
    plan = models.ForeignKey(
        RotationPlan, on_delete=models.PROTECT, related_name="entries", verbose_name=_("轮岗计划")
    )
    cadre = models.ForeignKey(
        Cadre, on_delete=models.PROTECT, related_name="rotation_entries", verbose_name=_("干部")
    )
    #: The post held when listed (the alert's post).
    from_post = models.ForeignKey(
        Post,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("现任职位"),
    )
    target_post = models.ForeignKey(
        Post,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("拟轮岗到的职位"),
    )
    target_name = models.CharField(_("拟轮岗去向"), max_length=120, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=EntryStatus.choices, default=EntryStatus.PLANNED
    )
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    exchange = models.ForeignKey(
        ExchangeRecord,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_entries",
        verbose_name=_("交流记录"),
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("轮岗计划人员")
        verbose_name_plural = _("轮岗计划人员")
        ordering = ["plan", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "cadre"], name="rotation_entry_once"),
            models.CheckConstraint(
                condition=Q(target_post__isnull=False) | ~Q(target_name=""),
                name="rotation_entry_has_target",
            ),
            models.CheckConstraint(
                condition=(Q(status="done") & Q(done_on__isnull=False))
                | (~Q(status="done") & Q(done_on__isnull=True)),
                name="rotation_entry_done_on",
            ),
        ]

    @property
    def target_text(self) -> str:
        return str(self.target_post) if self.target_post is not None else self.target_name
