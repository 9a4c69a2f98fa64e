"""竞聘评分 (competition score) of a competitive-selection case: the panel of
judges (竞聘小组) and the supervision panel (竞聘监督小组), the weighted
sub-tests, each judge's score per candidate per sub-test, and the supervision
panel's sign-off that locks the sheet (docs/decisions/0147–0149)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xuanren.procedure.models import Candidate, Case


class CompetitionStatus(models.TextChoices):
    SCORING = "scoring", _("评分中")
    SIGNED_OFF = "signed_off", _("监督小组已签字确认")


class PanelKind(models.TextChoices):
    JUDGE = "judge", _("竞聘小组（评委）")
    SUPERVISOR = "supervisor", _("竞聘监督小组")


class SubTestKind(models.TextChoices):
    # The order of the sheet and of the tie rule (calc.TIE_ORDER).
    WRITTEN = "written", _("笔试")
    SITUATIONAL = "situational", _("管理情景模拟测试")
    GROUP_DISCUSSION = "group_discussion", _("无领导小组讨论")
    SPEECH = "speech", _("竞岗演说及答辩")


class Competition(models.Model):
    case = models.OneToOneField(
        Case, on_delete=models.PROTECT, related_name="competition", verbose_name=_("选任事项")
    )
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=CompetitionStatus.choices,
        default=CompetitionStatus.SCORING,
    )
    trim_min_judges = models.PositiveSmallIntegerField(_("去掉最高分和最低分的最少评委人数"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("建立人"),
    )
    created_at = models.DateTimeField(_("建立时间"))
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("签字确认登记人"),
    )
    signed_off_at = models.DateTimeField(_("签字确认时间"), null=True, blank=True)
    #: The sheet as it was signed: the ranked rows, frozen (names, scores, ranks).
    result = models.JSONField(_("签字确认的评分结果"), default=dict, blank=True)

    class Meta:
        verbose_name = _("竞聘评分")
        verbose_name_plural = _("竞聘评分")
        permissions = [
            ("manage_competition", _("组织竞聘评分（评委、测试项目、录入成绩）")),
            ("sign_off_competition", _("登记竞聘监督小组签字确认")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="scoring")
                | models.Q(signed_off_at__isnull=False, signed_off_by__isnull=False),
                name="competition_signed_off_has_who_and_when",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}"


class PanelMember(models.Model):
    competition = models.ForeignKey(
        Competition, on_delete=models.CASCADE, related_name="members", verbose_name=_("竞聘评分")
    )
    panel = models.CharField(_("小组"), max_length=12, choices=PanelKind.choices)
    name = models.CharField(_("姓名"), max_length=50)
    title = models.CharField(_("单位及职务"), max_length=100, blank=True)
    seq = models.PositiveSmallIntegerField(_("序号"))

    class Meta:
        verbose_name = _("竞聘小组成员")
        verbose_name_plural = _("竞聘小组成员")
        ordering = ["panel", "seq"]
        constraints = [
            # One person sits on one panel of a competition: a judge does not supervise.
            models.UniqueConstraint(fields=["competition", "name"], name="panel_member_once"),
        ]

    def __str__(self) -> str:
        return self.name


class SubTest(models.Model):
    competition = models.ForeignKey(
        Competition, on_delete=models.CASCADE, related_name="sub_tests", verbose_name=_("竞聘评分")
    )
    kind = models.CharField(_("测试项目"), max_length=20, choices=SubTestKind.choices)
    weight = models.PositiveSmallIntegerField(_("权重（%）"))

    class Meta:
        verbose_name = _("测试项目")
        verbose_name_plural = _("测试项目")
        constraints = [
            models.UniqueConstraint(fields=["competition", "kind"], name="sub_test_once"),
            models.CheckConstraint(
                condition=models.Q(weight__gte=1, weight__lte=100), name="sub_test_weight_1_100"
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class Score(models.Model):
    """One judge's score for one candidate in one sub-test (竞聘评分)."""

    sub_test = models.ForeignKey(
        SubTest, on_delete=models.PROTECT, related_name="scores", verbose_name=_("测试项目")
    )
    judge = models.ForeignKey(
        PanelMember, on_delete=models.PROTECT, related_name="scores", verbose_name=_("评委")
    )
    candidate = models.ForeignKey(
        Candidate,
        on_delete=models.PROTECT,
        related_name="competition_scores",
        verbose_name=_("人选"),
    )
    value = models.DecimalField(_("得分"), max_digits=4, decimal_places=1)

    class Meta:
        verbose_name = _("竞聘评分")
        verbose_name_plural = _("竞聘评分")
        constraints = [
            models.UniqueConstraint(
                fields=["sub_test", "judge", "candidate"], name="competition_score_once"
            ),
            models.CheckConstraint(
                condition=models.Q(value__gte=0, value__lte=100), name="competition_score_0_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.judge_id}:{self.candidate_id}:{self.value}"
