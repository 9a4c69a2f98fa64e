"""年度考核 (annual assessment, issue 15; docs/decisions/0150–0152): a round
per unit and year holding its own weights, score bands and 优秀 share; the
cadres assessed in it; their scores per rater group and dimension, entered
from the paper sheets; the grade the officer confirms (written into
people.Assessment by the service)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from xuanren.common.choices import ChoiceLabels
from xuanren.people.models import AssessmentGrade


class RaterGroup(models.TextChoices):
    SUPERIOR = "superior", _("上级领导")
    PEER = "peer", _("同级干部")
    PUBLIC = "public", _("党员群众")


#: The rater groups as a score meeting's roster and sheets name them (data,
#: like the participant groups of the ballots app; decision 0172).
GROUP_WORDS = {"superior": "上级领导", "peer": "同级干部", "public": "党员群众"}


class Dimension(models.TextChoices):
    VIRTUE = "virtue", _("德")
    ABILITY = "ability", _("能")
    DILIGENCE = "diligence", _("勤")
    ACHIEVEMENT = "achievement", _("绩")
    INTEGRITY = "integrity", _("廉")


class AssessmentRound(models.Model):
    """One unit's annual assessment for one year. Weights are whole
    percentages (each set sums to 100, a database constraint too); band lines
    are scores out of 100 (on the line is the higher grade); the 优秀 share a
    percentage of those assessed, rounded down."""

    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    w_superior = models.PositiveSmallIntegerField(_("上级领导评分权重"))
    w_peer = models.PositiveSmallIntegerField(_("同级干部评分权重"))
    w_public = models.PositiveSmallIntegerField(_("党员群众评分权重"))
    w_virtue = models.PositiveSmallIntegerField(_("德权重"))
    w_ability = models.PositiveSmallIntegerField(_("能权重"))
    w_diligence = models.PositiveSmallIntegerField(_("勤权重"))
    w_achievement = models.PositiveSmallIntegerField(_("绩权重"))
    w_integrity = models.PositiveSmallIntegerField(_("廉权重"))
    band_excellent = models.PositiveSmallIntegerField(_("优秀分数线"))
    band_competent = models.PositiveSmallIntegerField(_("称职分数线"))
    band_basic = models.PositiveSmallIntegerField(_("基本称职分数线"))
    excellent_share = models.PositiveSmallIntegerField(_("优秀等次比例（%）"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("经办人"),
    )
    created_at = models.DateTimeField(_("登记时间"))
    # The evaluation meeting (民主测评, score ballots) started from the round,
    # and when its means were imported into the scores (decision 0172).
    meeting = models.ForeignKey(
        "ballots.Meeting",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("测评投票会议"),
    )
    meeting_imported_at = models.DateTimeField(_("测评结果导入时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("年度考核")
        verbose_name_plural = _("年度考核")
        ordering = ["-year", "unit__path"]
        permissions = [("manage_assessmentround", _("办理年度考核"))]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="assessment_round_once_a_year"),
            models.CheckConstraint(
                condition=Q(w_superior=100 - F("w_peer") - F("w_public")),
                name="assessment_round_groups_sum_100",
            ),
            models.CheckConstraint(
                condition=Q(
                    w_virtue=100
                    - F("w_ability")
                    - F("w_diligence")
                    - F("w_achievement")
                    - F("w_integrity")
                ),
                name="assessment_round_dimensions_sum_100",
            ),
            models.CheckConstraint(
                condition=Q(band_excellent__lte=100)
                & Q(band_excellent__gt=F("band_competent"))
                & Q(band_competent__gt=F("band_basic")),
                name="assessment_round_bands_ordered",
            ),
            models.CheckConstraint(
                condition=Q(excellent_share__lte=100), name="assessment_round_share_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.unit_id}"

    def group_weights(self) -> dict[str, int]:
        return {
            RaterGroup.SUPERIOR: self.w_superior,
            RaterGroup.PEER: self.w_peer,
            RaterGroup.PUBLIC: self.w_public,
        }

    def dimension_weights(self) -> dict[str, int]:
        return {
            Dimension.VIRTUE: self.w_virtue,
            Dimension.ABILITY: self.w_ability,
            Dimension.DILIGENCE: self.w_diligence,
            Dimension.ACHIEVEMENT: self.w_achievement,
            Dimension.INTEGRITY: self.w_integrity,
        }


class AssessedCadre(ChoiceLabels, models.Model):
    """A cadre assessed in the round: their 述职 and the confirmed grade."""

    round = models.ForeignKey(
        AssessmentRound, on_delete=models.PROTECT, related_name="cadres", verbose_name=_("年度考核")
    )
    cadre = models.ForeignKey(
        "people.Cadre", on_delete=models.PROTECT, related_name="+", verbose_name=_("干部")
    )
    post_text = models.CharField(_("职务"), max_length=200, blank=True)
    report = models.TextField(_("述职报告"), blank=True)
    grade = models.CharField(
        _("确定等次"), max_length=20, choices=AssessmentGrade.choices, blank=True, default=""
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确定人"),
    )
    confirmed_at = models.DateTimeField(_("确定时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("参加考核干部")
        verbose_name_plural = _("参加考核干部")
        ordering = ["round", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "cadre"], name="assessed_once_per_round"),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.cadre_id}"


class Score(models.Model):
    """The score (0–100, two decimals) one rater group gave one cadre on one
    dimension, as totalled on the paper sheets."""

    assessed = models.ForeignKey(
        AssessedCadre,
        on_delete=models.CASCADE,
        related_name="scores",
        verbose_name=_("参加考核干部"),
    )
    group = models.CharField(_("评分主体"), max_length=12, choices=RaterGroup.choices)
    dimension = models.CharField(_("考核内容"), max_length=12, choices=Dimension.choices)
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("考核评分")
        verbose_name_plural = _("考核评分")
        ordering = ["assessed", "group", "dimension"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessed", "group", "dimension"], name="assessment_score_once"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=100), name="assessment_score_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessed_id}:{self.group}:{self.dimension}"
