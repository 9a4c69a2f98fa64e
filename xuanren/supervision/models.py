"""Supervision around a case (DOMAIN §3 step 12, §5): the public notice before
appointment (任前公示) and the reports (举报) the public sends during it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from xuanren.procedure.models import Candidate, Case


class NoticeUnit(models.TextChoices):
    CALENDAR_DAYS = "calendar_days", _("自然日")
    WORKING_DAYS = "working_days", _("工作日")


class PublicNotice(models.Model):
    """One publication of a case's notice. A case may publish again (a
    correction restarts the period); the latest publication is the one in
    force and the one the guards read. Never updated once published."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="public_notices", verbose_name=_("选任事项")
    )
    text = models.TextField(_("公示正文"))
    start = models.DateField(_("公示开始日期"))
    end = models.DateField(_("公示截止日期"))
    length = models.PositiveSmallIntegerField(_("公示期长度"))
    unit = models.CharField(_("公示期单位"), max_length=16, choices=NoticeUnit.choices)
    # The fallback warning of the working calendar when the period runs over a
    # year whose official arrangement is not loaded; "" otherwise.
    calendar_warning = models.CharField(_("日历提示"), max_length=200, blank=True)
    persons = models.JSONField(_("公示对象"), default=list)
    channels = models.JSONField(_("举报受理方式"), default=list)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("发布人"),
    )
    published_at = models.DateTimeField(_("发布时间"))

    class Meta:
        verbose_name = _("任前公示")
        verbose_name_plural = _("任前公示")
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["start", "end"])]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="notice_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.start}—{self.end}"


class ReportSource(models.TextChoices):
    ONLINE = "online", _("网上举报")
    LETTER = "letter", _("来信")
    PHONE = "phone", _("来电")
    VISIT = "visit", _("来访")


class ReportStatus(models.TextChoices):
    REGISTERED = "registered", _("已受理")
    ASSIGNED = "assigned", _("已分派")
    INVESTIGATING = "investigating", _("调查核实中")
    # Standing channel only: the answer has gone to the reporter (docs/decisions/0127).
    REPLIED = "replied", _("已答复")
    CLOSED = "closed", _("已办结")


class ReportKind(models.TextChoices):
    REPORT = "report", _("举报")
    CONSULTATION = "consultation", _("咨询")


class ReplyChannel(models.TextChoices):
    PHONE = "phone", _("电话")
    LETTER = "letter", _("书面")
    VISIT = "visit", _("当面")
    SMS = "sms", _("短信")


class Finding(models.TextChoices):
    NONE = "none", _("不影响任用")
    SUSPEND = "suspend", _("暂缓任用")
    DROP = "drop", _("不予任用")
    # The standing channel's conclusions (docs/decisions/0127): a report is
    # verified as true, partly true or unfounded; a consultation is answered.
    TRUE = "true", _("反映属实")
    PARTLY = "partly", _("部分属实")
    UNFOUNDED = "unfounded", _("反映不实")
    ANSWERED = "answered", _("已解答")


#: The conclusions a standing-channel entry may close with, by kind.
CHANNEL_FINDINGS: dict[str, tuple[str, ...]] = {
    ReportKind.REPORT: (Finding.TRUE, Finding.PARTLY, Finding.UNFOUNDED),
    ReportKind.CONSULTATION: (Finding.ANSWERED,),
}


class Report(models.Model):
    """A report about a person on a case's notice, or an entry of the
    standing reporting and consultation channel (`channel`, DOMAIN §6: a
    report or a consultation not tied to a case, which may be linked to a
    cadre and/or a case). The reporter's receipt number is shown to them
    once; only its SHA-256 is kept. `unit` is the scope the entry is read in
    (the case's unit; for the channel, the receiving unit or that of the
    cadre or case it concerns: docs/decisions/0127)."""

    notice = models.ForeignKey(
        PublicNotice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("任前公示"),
    )
    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("选任事项"),
    )
    candidate = models.ForeignKey(
        Candidate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("被举报人选"),
    )
    unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("受理范围"),
    )
    channel = models.BooleanField(_("常设举报咨询渠道"), default=False)
    kind = models.CharField(
        _("类别"), max_length=16, choices=ReportKind.choices, default=ReportKind.REPORT
    )
    cadre = models.ForeignKey(
        "people.Cadre",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("所涉干部"),
    )
    about_name = models.CharField(_("被举报人姓名"), max_length=30, blank=True)
    content = models.TextField(_("举报内容"))
    source = models.CharField(
        _("来源"), max_length=10, choices=ReportSource.choices, default=ReportSource.ONLINE
    )
    anonymous = models.BooleanField(_("匿名"), default=True)
    reporter_name = models.CharField(_("举报人姓名"), max_length=30, blank=True)
    reporter_phone = models.CharField(_("举报人电话"), max_length=20, blank=True)
    receipt_hash = models.CharField(_("回执编号哈希"), max_length=64, unique=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.REGISTERED
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    received_at = models.DateTimeField(_("受理时间"))
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_reports",
        verbose_name=_("承办人"),
    )
    joint_with_discipline = models.BooleanField(_("会同纪委监委调查"), default=False)
    assigned_at = models.DateTimeField(_("分派时间"), null=True, blank=True)
    due_on = models.DateField(_("办理期限"), null=True, blank=True)
    investigation_note = models.TextField(_("调查核实情况"), blank=True)
    investigating_at = models.DateTimeField(_("开始调查时间"), null=True, blank=True)
    reply_text = models.TextField(_("答复内容"), blank=True)
    replied_on = models.DateField(_("答复日期"), null=True, blank=True)
    reply_channel = models.CharField(
        _("答复方式"), max_length=10, choices=ReplyChannel.choices, blank=True
    )
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("答复人"),
    )
    finding = models.CharField(_("查核结论"), max_length=10, choices=Finding.choices, blank=True)
    finding_text = models.TextField(_("查核结论说明"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("办结人"),
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("举报")
        verbose_name_plural = _("举报")
        ordering = ["-received_at", "-id"]
        permissions = [
            ("assign_report", _("分派举报")),
            ("investigate_report", _("调查核实和办结举报")),
        ]
        indexes = [
            models.Index(fields=["case", "status"]),
            models.Index(fields=["channel", "status", "due_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="closed") | ~Q(finding=""),
                name="report_closed_has_finding",
            ),
            # A notice report belongs to its case; only the channel stands alone.
            models.CheckConstraint(
                condition=Q(channel=True) | Q(case__isnull=False),
                name="report_case_unless_channel",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.about_name}"


class ReportAttachment(models.Model):
    """A file sent with a report, stored under its SHA-256 (never overwritten)."""

    report = models.ForeignKey(
        Report, on_delete=models.PROTECT, related_name="attachments", verbose_name=_("举报")
    )
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("举报附件")
        verbose_name_plural = _("举报附件")
        ordering = ["report", "id"]

    def __str__(self) -> str:
        return self.name


# ---- 回头看 self-inspection (issue 14, docs/decisions/0124–0126) --------------------


class LookbackRun(models.Model):
    """One 回头看: the appointments decided in a period in a unit subtree (and
    at the levels chosen), each re-checked when the run is made."""

    name = models.CharField(_("名称"), max_length=100)
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位范围")
    )
    levels = models.JSONField(_("职务层次"), default=list)
    appointments = models.PositiveIntegerField(_("检查的任职人数"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("发起人"),
    )
    created_at = models.DateTimeField(_("发起时间"))
    # 备案: the report filed with the higher department, and its acknowledgement.
    filed_to = models.CharField(_("报送备案机关"), max_length=100, blank=True)
    filed_on = models.DateField(_("报送日期"), null=True, blank=True)
    filed_document = models.CharField(_("报送文号"), max_length=100, blank=True)
    filed_sha256 = models.CharField(_("报送报告的SHA-256"), max_length=64, blank=True)
    acknowledged_on = models.DateField(_("备案回执日期"), null=True, blank=True)
    acknowledgement = models.CharField(_("备案回执"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("回头看")
        verbose_name_plural = _("回头看")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class LookbackKind(models.TextChoices):
    RULE = "rule", _("任职资格不符合")
    STEP_MISSING = "step_missing", _("程序环节缺失")
    PROCEDURE = "procedure", _("程序不规范")
    ARCHIVE = "archive", _("“三龄二历一身份”不一致")
    RECORD_CHANGED = "record_changed", _("档案信息事后修改")


class LookbackFinding(models.Model):
    """One problem found: what, about whom, as of which day, under which rule."""

    run = models.ForeignKey(
        LookbackRun, on_delete=models.PROTECT, related_name="findings", verbose_name=_("回头看")
    )
    kind = models.CharField(_("问题类别"), max_length=16, choices=LookbackKind.choices)
    candidate = models.ForeignKey(
        Candidate, on_delete=models.PROTECT, related_name="+", verbose_name=_("任职人选")
    )
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="+", verbose_name=_("选任事项")
    )
    cadre = models.ForeignKey(
        "people.Cadre", on_delete=models.PROTECT, related_name="+", verbose_name=_("干部")
    )
    what = models.TextField(_("问题"))
    as_of = models.DateField(_("认定日期"))
    source = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("回头看问题")
        verbose_name_plural = _("回头看问题")
        ordering = ["run", "kind", "id"]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.kind}:{self.cadre_id}"


class RectificationTask(models.Model):
    """The rectification (整改) of one finding: who answers for it, by when,
    and what was done."""

    finding = models.OneToOneField(
        LookbackFinding,
        on_delete=models.PROTECT,
        related_name="task",
        verbose_name=_("回头看问题"),
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("整改责任人"),
    )
    deadline = models.DateField(_("整改期限"), null=True, blank=True)
    outcome = models.TextField(_("整改结果"), blank=True)
    closed_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("办结人"),
    )

    class Meta:
        verbose_name = _("整改任务")
        verbose_name_plural = _("整改任务")
        permissions = [("run_lookback", _("开展回头看和分派整改任务"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | ~Q(outcome=""),
                name="rectification_closed_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"


# ---- 征询意见 and 一报告两评议 (issue 14, docs/decisions/0130–0132) ------------------

from xuanren.supervision.models_opinion import (  # noqa: E402, F401 — defined in their own module
    Appraisal,
    AppraisedCadre,
    Opinion,
    OpinionCategory,
    OpinionRecipient,
    OpinionRound,
    OpinionStatus,
)
