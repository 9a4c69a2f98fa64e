"""Work plans (工作方案, issue 16; docs/decisions/0183–0186): a plan issued by
a unit for a year, in phases, with tasks (responsible office and person,
deadline, progress) and reports due under a deadline rule (recurrence.py),
each report's submissions with their attachments, and the plan's 备案 to the
higher department with its acknowledgement (the shape of 回头看's)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from xuanren.common.choices import ChoiceLabels
from xuanren.org.models import Unit
from xuanren.plans.recurrence import DueRule, RuleKind


class WorkPlan(models.Model):
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="work_plans", verbose_name=_("制定单位")
    )
    title = models.CharField(_("方案名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"))
    #: The document the plan comes from, by its own title (and article).
    source_document = models.CharField(_("依据文件"), max_length=200)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    # 备案: filed with the higher department, and its acknowledgement.
    filed_to = models.CharField(_("报送备案机关"), max_length=100, blank=True)
    filed_on = models.DateField(_("报送日期"), null=True, blank=True)
    filed_document = models.CharField(_("报送文号"), max_length=100, blank=True)
    acknowledged_on = models.DateField(_("备案回执日期"), null=True, blank=True)
    acknowledgement = models.CharField(_("备案回执"), max_length=200, blank=True)
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
        verbose_name = _("工作方案")
        verbose_name_plural = _("工作方案")
        ordering = ["-year", "-pk"]
        permissions = [("manage_workplan", _("制定工作方案、登记任务进展和报送材料"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="workplan_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PlanPhase(models.Model):
    plan = models.ForeignKey(
        WorkPlan, on_delete=models.CASCADE, related_name="phases", verbose_name=_("工作方案")
    )
    name = models.CharField(_("阶段名称"), max_length=100)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))

    class Meta:
        verbose_name = _("方案阶段")
        verbose_name_plural = _("方案阶段")
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="planphase_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TaskStatus(models.TextChoices):
    PENDING = "pending", _("未开始")
    ONGOING = "ongoing", _("推进中")
    DONE = "done", _("已完成")


class PlanTask(ChoiceLabels, models.Model):
    plan = models.ForeignKey(
        WorkPlan, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("工作方案")
    )
    phase = models.ForeignKey(
        PlanPhase,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("所属阶段"),
    )
    title = models.CharField(_("工作任务"), max_length=300)
    office = models.CharField(_("责任科室"), max_length=100)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_tasks",
        verbose_name=_("责任人"),
    )
    deadline = models.DateField(_("完成时限"), db_index=True)
    status = models.CharField(
        _("进展状态"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.PENDING
    )
    progress = models.TextField(_("工作进展"), blank=True)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    source_article = models.CharField(_("方案条目"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("方案任务")
        verbose_name_plural = _("方案任务")
        ordering = ["deadline", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="done") & Q(done_on__isnull=False))
                | (~Q(status="done") & Q(done_on__isnull=True)),
                name="plantask_done_on_when_done",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PlanReport(ChoiceLabels, models.Model):
    """A report due under the plan, once or recurring (recurrence.DueRule)."""

    plan = models.ForeignKey(
        WorkPlan, on_delete=models.CASCADE, related_name="reports", verbose_name=_("工作方案")
    )
    title = models.CharField(_("报送事项"), max_length=300)
    recipient = models.CharField(_("报送对象"), max_length=200)
    office = models.CharField(_("责任科室"), max_length=100)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_reports",
        verbose_name=_("责任人"),
    )
    rule_kind = models.CharField(_("时限规则"), max_length=12, choices=RuleKind.choices)
    due_date = models.DateField(_("报送时限"), null=True, blank=True)
    rule_month = models.PositiveSmallIntegerField(_("月份"), default=0)
    rule_day = models.PositiveSmallIntegerField(_("日"), default=0)
    next_working_day = models.BooleanField(_("逢节假日顺延"), default=False)
    source_article = models.CharField(_("方案条目"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("报送事项")
        verbose_name_plural = _("报送事项")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(rule_kind="once") & Q(due_date__isnull=False))
                | (~Q(rule_kind="once") & Q(due_date__isnull=True) & Q(rule_day__gte=1)),
                name="planreport_rule_complete",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def rule(self) -> DueRule:
        return DueRule(
            kind=self.rule_kind,
            date=self.due_date,
            month=self.rule_month,
            day=self.rule_day,
            next_working_day=self.next_working_day,
        )


class ReportSubmission(models.Model):
    """One occurrence of a report, submitted (keyed by its period's first day)."""

    report = models.ForeignKey(
        PlanReport, on_delete=models.CASCADE, related_name="submissions", verbose_name=_("报送事项")
    )
    period_start = models.DateField(_("报送期间"))
    due = models.DateField(_("报送时限"))
    submitted_on = models.DateField(_("报送日期"))
    note = models.TextField(_("报送说明"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("报送记录")
        verbose_name_plural = _("报送记录")
        ordering = ["period_start", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "period_start"], name="reportsubmission_once_per_period"
            ),
        ]


class PlanAttachment(models.Model):
    """A file submitted with a report, kept by its SHA-256 where the case
    attachments are (procedure.services.attachment_path)."""

    submission = models.ForeignKey(
        ReportSubmission,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("报送记录"),
    )
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("报送附件")
        verbose_name_plural = _("报送附件")
        ordering = ["pk"]
