"""Cases (选任事项) moving through a procedure template's steps, the
committees that decide them, and the record of every step (纪实)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from xuanren.common.choices import ChoiceLabels
from xuanren.org.models import Post, Unit
from xuanren.people.models import Cadre


class ProcedureTemplate(models.Model):
    """One version of one procedure template, as its definition file states it."""

    code = models.CharField(_("模板代码"), max_length=40)
    version = models.PositiveIntegerField(_("版本"))
    name = models.CharField(_("名称"), max_length=100)
    source = models.CharField(_("来源"), max_length=200)
    effective_from = models.DateField(_("生效日期"))
    parameters = models.JSONField(_("参数"))
    steps = models.JSONField(_("环节"))
    sha256 = models.CharField(_("内容哈希"), max_length=64)
    loaded_at = models.DateTimeField(_("载入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("程序模板")
        verbose_name_plural = _("程序模板")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="proctemplate_code_version"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class CommitteeKind(models.TextChoices):
    PARTY_COMMITTEE = "party_committee", _("党委（党组）")
    STANDING_COMMITTEE = "standing_committee", _("常委会")
    DEPARTMENT_MEETING = "department_meeting", _("部务会")
    CADRE_GROUP = "cadre_group", _("干部小组")


class Committee(models.Model):
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="committees", verbose_name=_("所属单位")
    )
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=24, choices=CommitteeKind.choices)

    class Meta:
        verbose_name = _("决定机构")
        verbose_name_plural = _("决定机构")

    def __str__(self) -> str:
        return self.name


class CommitteeRole(models.TextChoices):
    SECRETARY = "secretary", _("书记（主要负责人）")
    DEPUTY_SECRETARY = "deputy_secretary", _("副书记")
    MEMBER = "member", _("委员")


class CommitteeMembership(models.Model):
    """A member over a period: who should attend a meeting on a date is known,
    and recusal can be detected through the linked cadre record."""

    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("决定机构")
    )
    name = models.CharField(_("姓名"), max_length=30)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="committee_memberships",
        verbose_name=_("用户"),
    )
    cadre = models.ForeignKey(
        Cadre,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="committee_memberships",
        verbose_name=_("干部记录"),
    )
    role = models.CharField(
        _("职务"), max_length=20, choices=CommitteeRole.choices, default=CommitteeRole.MEMBER
    )
    start_date = models.DateField(_("起始日期"))
    end_date = models.DateField(_("截止日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("决定机构成员")
        verbose_name_plural = _("决定机构成员")
        ordering = ["committee", "start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gt=F("start_date")),
                name="membership_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CaseStatus(models.TextChoices):
    OPEN = "open", _("办理中")
    CLOSED = "closed", _("已办结")
    ABANDONED = "abandoned", _("已终止")
    WITHDRAWN = "withdrawn", _("已撤回")


class Case(ChoiceLabels, models.Model):
    number = models.CharField(_("编号"), max_length=40, unique=True)
    title = models.CharField(_("事项名称"), max_length=200)
    template = models.ForeignKey(
        ProcedureTemplate,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("程序模板"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="cases", verbose_name=_("主办单位")
    )
    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="cases", verbose_name=_("决定机构")
    )
    posts: models.ManyToManyField[Post, CasePost] = models.ManyToManyField(
        Post, through="CasePost", verbose_name=_("职位")
    )
    reference_date = models.DateField(_("资格计算基准日"))
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("经办人"),
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    # Code of the next step to complete; empty once every step is done.
    current_step = models.CharField(_("当前环节"), max_length=32)
    opened_at = models.DateTimeField(_("立项时间"))
    last_activity_at = models.DateTimeField(_("最近办理时间"))
    # Set when the case is terminated (终止) or withdrawn (撤回) before its end.
    ended_at = models.DateTimeField(_("终止（撤回）时间"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("终止（撤回）人"),
    )
    ended_at_step = models.CharField(_("终止（撤回）时的环节"), max_length=32, blank=True)
    end_reason = models.TextField(_("终止（撤回）理由"), blank=True)

    class Meta:
        verbose_name = _("选任事项")
        verbose_name_plural = _("选任事项")
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["status", "last_activity_at"])]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class CasePost(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="case_posts")
    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="case_posts")
    seats = models.PositiveSmallIntegerField(_("拟配人数"), default=1)

    class Meta:
        verbose_name = _("事项职位")
        verbose_name_plural = _("事项职位")
        constraints = [models.UniqueConstraint(fields=["case", "post"], name="casepost_unique")]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.post_id}"


class CaseStep(models.Model):
    """One completed step, or a correction of one. Never updated: a correction
    is a new row pointing at the row it corrects."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="steps")
    step = models.CharField(_("环节"), max_length=32)
    seq = models.PositiveIntegerField(_("顺序号"))
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("办理人"),
    )
    completed_at = models.DateTimeField(_("办理时间"))
    data = models.JSONField(_("内容"), default=dict)
    note = models.TextField(_("说明"), blank=True)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("更正的记录"),
    )
    journal_hash = models.CharField(_("日志哈希"), max_length=64)

    class Meta:
        verbose_name = _("环节记录")
        verbose_name_plural = _("环节记录")
        ordering = ["case", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="casestep_seq_unique")]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.step}"


class Attachment(models.Model):
    """A file kept by content: stored under its SHA-256, never overwritten."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments")
    step = models.ForeignKey(
        CaseStep, on_delete=models.PROTECT, null=True, blank=True, related_name="attachments"
    )
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return self.name


class CandidateStatus(models.TextChoices):
    NOMINATED = "nominated", _("人选")
    INSPECTION = "inspection", _("考察对象")
    EXCLUDED = "excluded", _("已排除")
    DEFERRED = "deferred", _("缓议")
    APPROVED = "approved", _("通过")
    REJECTED = "rejected", _("未通过")
    SUSPENDED = "suspended", _("暂缓任职")
    APPOINTED = "appointed", _("已任职")
    CONFIRMED = "confirmed", _("试用期满正式任职")
    REMOVED = "removed", _("试用期满免去试任职务")


class Candidate(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="candidates")
    cadre = models.ForeignKey(Cadre, on_delete=models.PROTECT, related_name="candidacies")
    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="candidacies")
    status = models.CharField(
        _("状态"), max_length=12, choices=CandidateStatus.choices, default=CandidateStatus.NOMINATED
    )
    added_at_step = models.CharField(_("列入环节"), max_length=32)
    status_reason = models.CharField(_("状态说明"), max_length=200, blank=True)
    exception = models.ForeignKey(
        "policy.PromotionException",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="candidacies",
        verbose_name=_("破格提拔"),
    )
    rank = models.PositiveSmallIntegerField(_("排序"), null=True, blank=True)

    class Meta:
        verbose_name = _("人选")
        verbose_name_plural = _("人选")
        constraints = [
            models.UniqueConstraint(fields=["case", "cadre", "post"], name="candidate_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.cadre_id}→{self.post_id}"


class MotionProposalStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待处理")
    ACCEPTED = "accepted", _("已采纳")
    DECLINED = "declined", _("未采纳")


class MotionProposal(models.Model):
    """A unit's proposal to fill posts (动议建议, DOMAIN §3 step 1): the unit's
    HR contact proposes, the organization department decides; an accepted one
    opens a case with the proposal's posts."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="motion_proposals", verbose_name=_("提议单位")
    )
    posts: models.ManyToManyField[Post, MotionProposalPost] = models.ManyToManyField(
        Post, through="MotionProposalPost", verbose_name=_("职位")
    )
    reasons = models.TextField(_("动议理由"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("提议人"),
    )
    proposed_at = models.DateTimeField(_("提出时间"))
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=MotionProposalStatus.choices,
        default=MotionProposalStatus.SUBMITTED,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("处理人"),
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decision_reason = models.TextField(_("处理意见"), blank=True)
    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        related_name="motion_proposals",
        null=True,
        blank=True,
        verbose_name=_("立项的事项"),
    )

    class Meta:
        verbose_name = _("动议建议")
        verbose_name_plural = _("动议建议")
        ordering = ["-proposed_at", "-id"]
        indexes = [models.Index(fields=["status", "proposed_at"])]

    def __str__(self) -> str:
        return f"{self.unit_id}:{self.pk}"


class MotionProposalPost(models.Model):
    proposal = models.ForeignKey(
        MotionProposal, on_delete=models.PROTECT, related_name="proposal_posts"
    )
    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="+")
    seats = models.PositiveSmallIntegerField(_("拟配人数"), default=1)

    class Meta:
        verbose_name = _("动议建议职位")
        verbose_name_plural = _("动议建议职位")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "post"], name="motionproposalpost_unique")
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}:{self.post_id}"


# ---- who does which step (docs/decisions/0061–0065) ----------------------------------


class InspectionTeamMember(models.Model):
    """A member of a case's inspection team (考察组): a user account assigned
    by the case officer. Members read the case by this assignment (not by
    unit scope), record the inspection and sign its report."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="team_members", verbose_name=_("选任事项")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="inspection_teams",
        verbose_name=_("成员"),
    )
    is_leader = models.BooleanField(_("组长"), default=False)
    duty = models.CharField(_("身份"), max_length=100, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("指派人"),
    )
    assigned_at = models.DateTimeField(_("指派时间"))

    class Meta:
        verbose_name = _("考察组成员")
        verbose_name_plural = _("考察组成员")
        ordering = ["case", "-is_leader", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="teammember_unique"),
            models.UniqueConstraint(
                fields=["case"], condition=Q(is_leader=True), name="teammember_one_leader"
            ),
        ]
        permissions = [("serve_inspectionteam", _("可担任考察组成员"))]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.user_id}"


class InspectionMaterial(models.Model):
    """An attachment of the case that is part of the inspection materials
    (考察材料), uploaded by a team member or the case officer."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="inspection_materials")
    attachment = models.OneToOneField(
        Attachment, on_delete=models.PROTECT, related_name="inspection_material"
    )

    class Meta:
        verbose_name = _("考察材料")
        verbose_name_plural = _("考察材料")
        ordering = ["case", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.attachment_id}"


class InspectionSignature(models.Model):
    """One member's signature on the inspection materials, with their own
    login; it covers the materials as they were (their SHA-256s) when signed."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="team_signatures")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("署名人"),
    )
    signed_at = models.DateTimeField(_("署名时间"))
    materials = models.JSONField(_("署名的考察材料"), default=list)

    class Meta:
        verbose_name = _("考察材料署名")
        verbose_name_plural = _("考察材料署名")
        ordering = ["case", "signed_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.user_id}"


class StepRequest(models.Model):
    """A letter the officer sends for a step another body answers (the
    integrity opinion, the audit): who registered it and when; the request in
    force is the latest."""

    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("发函人"),
    )
    sent_at = models.DateTimeField(_("登记时间"))

    class Meta:
        abstract = True
        ordering = ["case", "-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.document}"  # type: ignore[attr-defined]


class IntegrityRequest(StepRequest):
    """The written request for the discipline commission's integrity opinion
    (征求廉政意见函); answered by completing the case's integrity_opinion step."""

    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        related_name="integrity_requests",
        verbose_name=_("选任事项"),
    )
    document = models.CharField(_("征求函文号"), max_length=100)
    sent_on = models.DateField(_("发函日期"))
    meeting_date = models.DateField(_("拟召开讨论决定会议日期"))
    deadline = models.DateField(_("答复期限"))
    candidates: models.ManyToManyField[Candidate, Any] = models.ManyToManyField(
        Candidate, related_name="integrity_requests", verbose_name=_("人选")
    )

    class Meta(StepRequest.Meta):
        verbose_name = _("廉政意见征求")
        verbose_name_plural = _("廉政意见征求")
        permissions = [("answer_integrityrequest", _("可答复廉政意见征求"))]


class AuditRequest(StepRequest):
    """The request for an economic-responsibility audit (经济责任审计) of the
    candidates the template names; answered by completing the audit step."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="audit_requests", verbose_name=_("选任事项")
    )
    document = models.CharField(_("委托函文号"), max_length=100)
    sent_on = models.DateField(_("发函日期"))
    due_on = models.DateField(_("要求完成日期"), null=True, blank=True)
    candidates: models.ManyToManyField[Candidate, Any] = models.ManyToManyField(
        Candidate, related_name="audit_requests", verbose_name=_("人选")
    )

    class Meta(StepRequest.Meta):
        verbose_name = _("经济责任审计委托")
        verbose_name_plural = _("经济责任审计委托")
        permissions = [("answer_auditrequest", _("可记录经济责任审计结论"))]
