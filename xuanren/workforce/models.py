"""Workforce management (issue 16; docs/decisions/0179–0182): plans to digest
over-quota cadres (超职数消化) per unit and 职务层次, and how each cadre
entered the service (凡进必考) with the register of the cleanup (清理登记)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xuanren.common.choices import ChoiceLabels
from xuanren.org.models import Level, Unit
from xuanren.people.models import Cadre


class DigestionMeans(models.TextChoices):
    """How one over-quota cadre leaves the unit's level (seed §2)."""

    RETIREMENT = "retirement", _("到龄退休")
    TRANSFER = "transfer", _("转任")
    EXCHANGE = "exchange", _("交流")
    NON_LEADERSHIP = "non_leadership", _("改任非领导职务")


class DigestionPlan(ChoiceLabels, models.Model):
    """A plan to bring one unit's over-quota cadres of one level to zero by
    `target_on`. Its progress is never typed: it is counted from the tenure
    records at each month end (workforce.overquota)."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="digestion_plans", verbose_name=_("单位")
    )
    level = models.CharField(_("职务层次"), max_length=32, choices=Level.choices)
    #: The day the over-quota was found; its count then is read from the records.
    baseline_on = models.DateField(_("基准日期"))
    baseline_over = models.PositiveIntegerField(_("基准日超职数"))
    target_on = models.DateField(_("计划消化完毕日期"))
    document = models.CharField(_("方案文号"), max_length=80, blank=True)
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("超职数消化计划")
        verbose_name_plural = _("超职数消化计划")
        ordering = ["unit__path", "level", "pk"]
        permissions = [("manage_digestionplan", _("制定和调整超职数消化计划"))]
        constraints = [
            models.UniqueConstraint(fields=["unit", "level"], name="digestion_plan_one_per_level"),
            models.CheckConstraint(
                condition=Q(target_on__gt=models.F("baseline_on")),
                name="digestion_plan_target_after_baseline",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.name} {self.get_level_display()}"


class DigestionItem(ChoiceLabels, models.Model):
    """One over-quota cadre of a plan, the means and the expected date
    (for 到龄退休 the statutory retirement date, computed, never typed)."""

    plan = models.ForeignKey(
        DigestionPlan, on_delete=models.CASCADE, related_name="items", verbose_name=_("计划")
    )
    cadre = models.ForeignKey(
        Cadre, on_delete=models.PROTECT, related_name="digestion_items", verbose_name=_("干部")
    )
    means = models.CharField(_("消化方式"), max_length=20, choices=DigestionMeans.choices)
    expected_on = models.DateField(_("预计消化日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("超职数消化人员")
        verbose_name_plural = _("超职数消化人员")
        ordering = ["expected_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "cadre"], name="digestion_item_once"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}:{self.cadre_id}"


class EntryMethod(models.TextChoices):
    """How a cadre entered the civil service (凡进必考)."""

    EXAMINATION = "examination", _("考试录用")
    SELECTED_GRADUATE = "selected_graduate", _("选调")
    TRANSFER_IN = "transfer_in", _("调任")
    TRANSFER = "transfer", _("转任")
    MILITARY = "military", _("军转安置")
    OPEN_SELECTION = "open_selection", _("公开遴选")
    OTHER = "other", _("其他")


class EntryRecord(ChoiceLabels, models.Model):
    """The one record of how a cadre entered, with the date and document."""

    cadre = models.OneToOneField(
        Cadre, on_delete=models.CASCADE, related_name="entry", verbose_name=_("干部")
    )
    method = models.CharField(_("进人方式"), max_length=20, choices=EntryMethod.choices)
    entered_on = models.DateField(_("进入时间"))
    document = models.CharField(_("文件文号"), max_length=80, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    updated_at = models.DateTimeField(_("登记时间"), auto_now=True)

    class Meta:
        verbose_name = _("进人方式")
        verbose_name_plural = _("进人方式")
        permissions = [("manage_entryrecord", _("登记进人方式和清理登记"))]

    def __str__(self) -> str:
        return f"{self.cadre_id}:{self.method}"


class CleanupOutcome(models.TextChoices):
    """What became of a person entered outside 凡进必考 (seed §2)."""

    ADMITTED = "admitted", _("录用/保留")
    REMOVED = "removed", _("未录用-已清退")
    NOT_REMOVED = "not_removed", _("未录用-未清退")
    PENDING = "pending", _("待定")
    EXCLUDED = "excluded", _("不纳入")


class CleanupCase(ChoiceLabels, models.Model):
    """清理登记: one person found to have entered outside 凡进必考."""

    cadre = models.OneToOneField(
        Cadre, on_delete=models.PROTECT, related_name="cleanup", verbose_name=_("干部")
    )
    outcome = models.CharField(
        _("处理结果"),
        max_length=20,
        choices=CleanupOutcome.choices,
        default=CleanupOutcome.PENDING,
    )
    reason = models.TextField(_("情况和理由"))
    decided_on = models.DateField(_("处理日期"), null=True, blank=True)
    document = models.CharField(_("文件文号"), max_length=80, blank=True)
    #: The day the case became 待定 (registered, or set back to it); its 待办
    #: is due PENDING_DAYS later (docs/decisions/0188). None once decided.
    pending_since = models.DateField(_("待定起始日期"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    updated_at = models.DateTimeField(_("登记时间"), auto_now=True)

    class Meta:
        verbose_name = _("清理登记")
        verbose_name_plural = _("清理登记")
        ordering = ["cadre__unit__path", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="pending") | Q(decided_on__isnull=False),
                name="cleanup_decided_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cadre_id}:{self.outcome}"
