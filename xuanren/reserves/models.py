"""后备干部 三荐双考 (issue 15, docs/decisions/0153–0155).

A selection round (unit scope, year) records the nominations of the three
channels (组织推荐, 群众推荐, 个人自荐) per person, the closed-book test
(政治、科技、法律、经济) against the round's pass line, the organizational
inspection, and the resulting list with its tiers (近期, 中远期); the list is
reviewed every two years and everyone who left it is kept with the reason.
The practice is the district's own (DOMAIN §3: "成绩相对较差者不予列入后备干部名单",
"分近、中远期培养", "每隔二年对后备干部队伍进行调整充实"); no document fixes a pass line
or the interval, so the pass line is data of the round and the interval a
setting (XUANREN_RESERVE_REVIEW_MONTHS, docs/decisions/0154)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from xuanren.org.models import Level


class Channel(models.TextChoices):
    ORGANIZATION = "organization", _("组织推荐")
    MASSES = "masses", _("群众推荐")
    SELF = "self", _("个人自荐")


class InspectionResult(models.TextChoices):
    PENDING = "pending", _("未考察")
    PASSED = "passed", _("考察合格")
    FAILED = "failed", _("考察不合格")


class Tier(models.TextChoices):
    NEAR = "near", _("近期")
    LONGER = "longer", _("中远期")


class LeaveReason(models.TextChoices):
    PROMOTED = "promoted", _("已提拔任用")
    OVER_AGE = "over_age", _("超过年龄")
    FAILED_TEST = "failed_test", _("测试不合格")
    DISCIPLINE = "discipline", _("违纪违法受到处理")
    OTHER = "other", _("其他")


class SubjectMode(models.TextChoices):
    """How the closed-book test's subjects make the total (decision 0173):
    each subject's points are its full marks (a plain sum) or its weight in
    percent of a 0–100 subject score (weighted); either way they sum to 100."""

    SUM = "sum", _("各科成绩相加（分值为该科满分）")
    WEIGHTED = "weighted", _("各科百分制成绩加权（分值为权重%）")


class ReserveRound(models.Model):
    """One selection of reserve cadres for the cadres of `unit`'s subtree."""

    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("组织单位")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=100)
    pass_line = models.DecimalField(_("测试合格分数线"), max_digits=4, decimal_places=1)
    listed_on = models.DateField(_("名单确定日期"), null=True, blank=True)
    # The test's subjects, [{"name": "政治理论", "points": 25}, ...] (decision
    # 0173); empty: one total score is entered as before.
    subjects = models.JSONField(_("测试科目"), default=list, blank=True)
    subject_mode = models.CharField(
        _("科目计分方式"), max_length=10, choices=SubjectMode.choices, default=SubjectMode.SUM
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("经办人"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("后备干部选拔")
        verbose_name_plural = _("后备干部选拔")
        ordering = ["-year", "-id"]
        permissions = [("manage_reserveround", _("办理后备干部推荐、测试、考察和名单调整"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_line__gte=0) & Q(pass_line__lte=100),
                name="reserve_pass_line_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Nominee(models.Model):
    """A cadre nominated in a round (by one or more channels), with the test
    score and the inspection result."""

    round = models.ForeignKey(
        ReserveRound, on_delete=models.PROTECT, related_name="nominees",
        verbose_name=_("后备干部选拔"),
    )  # fmt: skip
    cadre = models.ForeignKey(
        "people.Cadre", on_delete=models.PROTECT, related_name="+", verbose_name=_("干部")
    )
    score = models.DecimalField(
        _("测试成绩"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    tested_on = models.DateField(_("测试日期"), null=True, blank=True)
    # Per subject, {"政治理论": "22.5", ...}, when the round has subjects; the
    # total (`score`) is computed from them.
    subject_scores = models.JSONField(_("各科成绩"), default=dict, blank=True)
    inspection = models.CharField(
        _("组织考察"), max_length=16, choices=InspectionResult.choices,
        default=InspectionResult.PENDING,
    )  # fmt: skip
    inspected_on = models.DateField(_("考察日期"), null=True, blank=True)
    inspection_note = models.CharField(_("考察意见"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("后备干部推荐人选")
        verbose_name_plural = _("后备干部推荐人选")
        ordering = ["round", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "cadre"], name="reserve_nominee_once"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=0) & Q(score__lte=100)),
                name="reserve_score_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.cadre_id}"


class Nomination(models.Model):
    """One channel's nomination of a nominee."""

    nominee = models.ForeignKey(
        Nominee, on_delete=models.PROTECT, related_name="nominations",
        verbose_name=_("推荐人选"),
    )  # fmt: skip
    channel = models.CharField(_("推荐渠道"), max_length=16, choices=Channel.choices)
    nominated_on = models.DateField(_("推荐日期"))
    note = models.CharField(_("推荐说明"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("后备干部推荐")
        verbose_name_plural = _("后备干部推荐")
        ordering = ["nominee", "channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["nominee", "channel"], name="reserve_nomination_once_per_channel"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nominee_id}:{self.channel}"


class Review(models.Model):
    """A two-yearly review (调整充实) of a round's list."""

    round = models.ForeignKey(
        ReserveRound, on_delete=models.PROTECT, related_name="reviews",
        verbose_name=_("后备干部选拔"),
    )  # fmt: skip
    held_on = models.DateField(_("调整日期"))
    note = models.CharField(_("调整说明"), max_length=500, blank=True)
    stayed = models.PositiveIntegerField(_("保留人数"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("经办人"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("后备干部名单调整")
        verbose_name_plural = _("后备干部名单调整")
        ordering = ["round", "held_on", "id"]

    def __str__(self) -> str:
        return f"{self.round_id}@{self.held_on}"


class Member(models.Model):
    """A nominee on the list: from `listed_on` (None: the list is not fixed
    yet) until `left_on` (exclusive; None: still on it)."""

    nominee = models.ForeignKey(
        Nominee, on_delete=models.PROTECT, related_name="memberships",
        verbose_name=_("推荐人选"),
    )  # fmt: skip
    cadre = models.ForeignKey(
        "people.Cadre", on_delete=models.PROTECT, related_name="reserve_memberships",
        verbose_name=_("干部"),
    )  # fmt: skip
    tier = models.CharField(_("培养期"), max_length=16, choices=Tier.choices)
    target_level = models.CharField(
        _("拟培养职务层次"), max_length=32, choices=Level.choices, blank=True
    )
    target_post = models.CharField(_("拟培养方向（职位）"), max_length=100, blank=True)
    listed_on = models.DateField(_("列入日期"), null=True, blank=True)
    added_by_review = models.ForeignKey(
        Review, on_delete=models.PROTECT, related_name="added", null=True, blank=True,
        verbose_name=_("调整时列入"),
    )  # fmt: skip
    left_on = models.DateField(_("退出日期"), null=True, blank=True)
    leave_reason = models.CharField(
        _("退出原因"), max_length=16, choices=LeaveReason.choices, blank=True
    )
    leave_note = models.CharField(_("退出说明"), max_length=200, blank=True)
    left_by_review = models.ForeignKey(
        Review, on_delete=models.PROTECT, related_name="left", null=True, blank=True,
        verbose_name=_("调整时退出"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("后备干部")
        verbose_name_plural = _("后备干部")
        ordering = ["nominee__round", "tier", "id"]
        indexes = [models.Index(fields=["cadre", "listed_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(listed_on__isnull=False),
                name="reserve_left_after_listed",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("listed_on")),
                name="reserve_left_not_before_listed",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | ~Q(leave_reason=""),
                name="reserve_left_has_reason",
            ),
            models.UniqueConstraint(
                fields=["nominee"], condition=Q(left_on__isnull=True), name="reserve_listed_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nominee_id}:{self.tier}"
