"""The poor-performance track (issue 15; docs/decisions/0156): a warning talk
(诫勉谈话) given to a cadre who does not fit the post opens a six-month
observation period (察看期); when it is over the organization department
records an outcome — confirmed in the post, demoted, or moved to a
non-leadership post — and the last two are written into the tenure history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from xuanren.common.choices import ChoiceLabels
from xuanren.people.models import Cadre, RewardPunishment, Tenure


class ObservationReason(models.TextChoices):
    """Why the cadre was found not to fit the post."""

    ASSESSMENT_BASIC = "assessment_basically_competent", _("年度考核基本称职")
    ASSESSMENT_INCOMPETENT = "assessment_incompetent", _("年度考核不称职")
    # The organization department's own finding (实绩不突出、群众反映较差 …).
    FINDING = "finding", _("组织认定实绩不突出、群众反映较差")


#: The annual-assessment grade each assessment reason needs on record.
REASON_GRADES: dict[str, str] = {
    ObservationReason.ASSESSMENT_BASIC: "basically_competent",
    ObservationReason.ASSESSMENT_INCOMPETENT: "incompetent",
}


class ObservationStatus(models.TextChoices):
    OPEN = "open", _("察看中")
    CLOSED = "closed", _("已作结论")


class ObservationOutcome(models.TextChoices):
    CONFIRMED = "confirmed", _("期满合格，继续任职")
    DEMOTED = "demoted", _("降职")
    MOVED = "moved", _("转任非领导职务")


class Observation(ChoiceLabels, models.Model):
    cadre = models.ForeignKey(
        Cadre, on_delete=models.PROTECT, related_name="observations", verbose_name=_("干部")
    )
    #: The post the cadre did not fit (held on the day of the talk).
    tenure = models.ForeignKey(
        Tenure, on_delete=models.PROTECT, related_name="observations", verbose_name=_("所任职务")
    )
    reason_kind = models.CharField(_("察看原因"), max_length=40, choices=ObservationReason.choices)
    assessment_year = models.PositiveSmallIntegerField(_("考核年度"), null=True, blank=True)
    reason = models.TextField(_("情况说明"))
    talk_date = models.DateField(_("谈话日期"))
    talked_by = models.CharField(_("谈话人"), max_length=120)
    talk_record = models.TextField(_("谈话记录"))
    document = models.CharField(_("诫勉文号"), max_length=80, blank=True)
    #: The 诫勉 row on the cadre's 奖惩 record, which the screening rule reads.
    warning = models.OneToOneField(
        RewardPunishment,
        on_delete=models.PROTECT,
        related_name="observation",
        verbose_name=_("诫勉记录"),
    )
    #: The day the period is completed (add_months(talk_date, 6)): its last
    #: day is the day before, and the outcome is due from this day.
    ends_on = models.DateField(_("察看期满"), db_index=True)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=ObservationStatus.choices,
        default=ObservationStatus.OPEN,
    )
    outcome = models.CharField(
        _("察看结论"), max_length=12, choices=ObservationOutcome.choices, blank=True
    )
    outcome_on = models.DateField(_("结论日期"), null=True, blank=True)
    outcome_note = models.TextField(_("结论说明"), blank=True)
    outcome_document = models.CharField(_("任免文号"), max_length=60, blank=True)
    ended_tenure = models.ForeignKey(
        Tenure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("免去的职务"),
    )
    new_tenure = models.ForeignKey(
        Tenure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("降职后的职务"),
    )
    new_rank = models.CharField(_("转任的职级"), max_length=30, blank=True)
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
        verbose_name = _("察看期")
        verbose_name_plural = _("察看期")
        ordering = ["ends_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("talk_date")), name="observation_ends_after_talk"
            ),
            models.CheckConstraint(
                condition=(Q(status="open") & Q(outcome="") & Q(outcome_on__isnull=True))
                | (Q(status="closed") & ~Q(outcome="") & Q(outcome_on__gte=F("ends_on"))),
                name="observation_outcome_when_closed",
            ),
            # One observation at a time per cadre.
            models.UniqueConstraint(
                fields=["cadre"], condition=Q(status="open"), name="observation_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cadre.name} {self.talk_date:%Y.%m.%d}"
