"""征询意见 rounds and 一报告两评议 (issue 14, docs/decisions/0130–0132).

A round of opinion letters (征询意见书) goes to a list of party
representatives; each reply is recorded (returned or not, on which day) with
the opinions it carries, and each opinion is followed to its answer (seed §8:
"每年两次向党代表发出“征询意见书”…共发送3277份，收集…意见和建议150条").

一报告两评议: per unit and year, the annual report on selection work, the
democratic appraisal of that work (好/较好/一般/差) and of each cadre newly
promoted in the year (认同/基本认同/不认同), entered as totals counted from
the paper ballots (docs/decisions/0131)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class OpinionRound(models.Model):
    """One round of opinion letters, issued on a day with a reply deadline."""

    title = models.CharField(_("名称"), max_length=100)
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("组织单位")
    )
    period_start = models.DateField(_("征询期间自"))
    period_end = models.DateField(_("征询期间至"))
    issued_on = models.DateField(_("发出日期"))
    reply_deadline = models.DateField(_("回复截止日期"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("经办人"),
    )
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("征询意见")
        verbose_name_plural = _("征询意见")
        ordering = ["-issued_on", "-id"]
        permissions = [("manage_opinionround", _("发出征询意见书、登记回复和意见、分派答复"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="opinion_period_order"
            ),
            models.CheckConstraint(
                condition=Q(reply_deadline__gte=F("issued_on")), name="opinion_deadline_after_issue"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class OpinionRecipient(models.Model):
    """A party representative the round's letter went to, and whether the
    letter came back. The list belongs to the round: it is who was written to
    then (docs/decisions/0130)."""

    round = models.ForeignKey(
        OpinionRound,
        on_delete=models.PROTECT,
        related_name="recipients",
        verbose_name=_("征询意见"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    unit_name = models.CharField(_("单位"), max_length=100, blank=True)
    contact = models.CharField(_("联系方式"), max_length=100, blank=True)
    returned_on = models.DateField(_("回复日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("征询对象")
        verbose_name_plural = _("征询对象")
        ordering = ["round", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "name", "unit_name"], name="opinion_recipient_once"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OpinionCategory(models.TextChoices):
    SELECTION = "selection", _("干部选拔任用")
    VOTING = "voting", _("票决任免")
    SUPERVISION = "supervision", _("干部监督")
    CONDUCT = "conduct", _("干部作风")
    TEAM = "team", _("班子和队伍建设")
    OTHER = "other", _("其他")


class OpinionStatus(models.TextChoices):
    OPEN = "open", _("待分派")
    ASSIGNED = "assigned", _("办理中")
    ANSWERED = "answered", _("已答复")


class Opinion(models.Model):
    """One opinion or suggestion in a reply, and its answer."""

    recipient = models.ForeignKey(
        OpinionRecipient,
        on_delete=models.PROTECT,
        related_name="opinions",
        verbose_name=_("党代表"),
    )
    text = models.TextField(_("意见内容"))
    category = models.CharField(_("类别"), max_length=16, choices=OpinionCategory.choices)
    cadre = models.ForeignKey(
        "people.Cadre",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("涉及干部"),
    )
    concerning_unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("涉及单位"),
    )
    status = models.CharField(
        _("办理状态"), max_length=16, choices=OpinionStatus.choices, default=OpinionStatus.OPEN
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("承办人"),
    )
    answer_due = models.DateField(_("答复期限"), null=True, blank=True)
    answer = models.TextField(_("答复内容"), blank=True)
    answered_on = models.DateField(_("答复日期"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("答复人"),
    )
    recorded_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("征询意见条目")
        verbose_name_plural = _("征询意见条目")
        ordering = ["recipient__round", "id"]
        indexes = [models.Index(fields=["assignee", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="answered") | (~Q(answer="") & Q(answered_on__isnull=False)),
                name="opinion_answered_has_answer",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"


class Appraisal(models.Model):
    """一报告两评议 of one unit for one year: the report, the appraisal of
    the selection work, and (rows below) of each newly promoted cadre."""

    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    report = models.TextField(_("选人用人工作报告"), blank=True)
    held_on = models.DateField(_("评议日期"), null=True, blank=True)
    participants = models.PositiveIntegerField(_("参加评议人数"), default=0)
    good = models.PositiveIntegerField(_("好"), default=0)
    fairly_good = models.PositiveIntegerField(_("较好"), default=0)
    average = models.PositiveIntegerField(_("一般"), default=0)
    poor = models.PositiveIntegerField(_("差"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("经办人"),
    )
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("一报告两评议")
        verbose_name_plural = _("一报告两评议")
        ordering = ["-year", "unit__path"]
        permissions = [("manage_appraisal", _("办理一报告两评议"))]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="appraisal_once_a_year"),
            models.CheckConstraint(
                condition=Q(
                    participants__gte=F("good") + F("fairly_good") + F("average") + F("poor")
                ),
                name="appraisal_ratings_within_participants",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.unit_id}"


class AppraisedCadre(models.Model):
    """A cadre promoted in the appraisal's year (from the cases) and the
    totals of the ballots about them."""

    appraisal = models.ForeignKey(
        Appraisal, on_delete=models.PROTECT, related_name="cadres", verbose_name=_("一报告两评议")
    )
    candidate = models.ForeignKey(
        "procedure.Candidate",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("任职人选"),
    )
    cadre = models.ForeignKey(
        "people.Cadre", on_delete=models.PROTECT, related_name="+", verbose_name=_("干部")
    )
    post_text = models.CharField(_("任职职务"), max_length=200)
    decided_on = models.DateField(_("任职决定日期"))
    participants = models.PositiveIntegerField(_("参加评议人数"), default=0)
    agree = models.PositiveIntegerField(_("认同"), default=0)
    mostly_agree = models.PositiveIntegerField(_("基本认同"), default=0)
    disagree = models.PositiveIntegerField(_("不认同"), default=0)

    class Meta:
        verbose_name = _("新提拔干部评议")
        verbose_name_plural = _("新提拔干部评议")
        ordering = ["appraisal", "decided_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["appraisal", "candidate"], name="appraised_once"),
            models.CheckConstraint(
                condition=Q(participants__gte=F("agree") + F("mostly_agree") + F("disagree")),
                name="appraised_ratings_within_participants",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.appraisal_id}:{self.cadre_id}"
