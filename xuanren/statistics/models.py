"""Structure targets (班子结构要求) held as data with their source, issue 14."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from xuanren.common.choices import ChoiceLabels
from xuanren.statistics.structure_rules import TargetKind, TargetSpec


class StructureTargetKind(models.TextChoices):
    WOMEN = TargetKind.WOMEN, _("女干部")
    NON_PARTY = TargetKind.NON_PARTY, _("党外干部")
    MINORITY = TargetKind.MINORITY, _("少数民族干部")
    YOUNG = TargetKind.YOUNG, _("年轻干部")


class StructureTarget(ChoiceLabels, models.Model):
    """One requirement on the make-up of leadership teams: a unit's team is the
    holders, on the reference date, of the unit's posts at `levels`. At least
    `min_count` members of the kind, or at least `min_percent` per cent of the
    team; young cadres are those aged `age_at_most` or less (周岁, 以下 includes
    the number). `source` cites the document that asks for it, by its own title
    and article (docs/decisions/0119)."""

    code = models.SlugField(_("代码"), max_length=60, unique=True)
    name = models.CharField(_("要求"), max_length=120)
    kind = models.CharField(_("类别"), max_length=16, choices=StructureTargetKind.choices)
    min_count = models.PositiveSmallIntegerField(_("至少人数"), default=1)
    min_percent = models.PositiveSmallIntegerField(
        _("至少比例（%）"), null=True, blank=True, help_text=_("填写后按比例核对，不再按人数。")
    )
    age_at_most = models.PositiveSmallIntegerField(_("年龄上限（周岁，含）"), null=True, blank=True)
    levels = models.JSONField(_("班子职务层次"), default=list)
    unit_kinds = models.JSONField(_("适用单位类别"), default=list, blank=True)
    min_members = models.PositiveSmallIntegerField(_("班子人数达到时适用"), default=1)
    source = models.CharField(_("依据文件"), max_length=300)
    source_article = models.CharField(_("依据条款"), max_length=200, blank=True)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("适用单位（含下级）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("不填写：适用于全部单位。"),
    )
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("取代的要求"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    effective_from = models.DateField(_("生效日期"))
    effective_to = models.DateField(_("失效日期"), null=True, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("班子结构要求")
        verbose_name_plural = _("班子结构要求")
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=TargetKind.YOUNG) | Q(age_at_most__isnull=False),
                name="structure_target_young_has_age",
            ),
            models.CheckConstraint(
                condition=Q(min_percent__isnull=True) | Q(min_percent__lte=100),
                name="structure_target_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="structure_target_effective_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def citation(self) -> str:
        """The document's own title followed by the article cited."""
        return f"{self.source}{self.source_article}"

    def applies_to(self, path: str) -> bool:
        """Whether the team of the unit at `path` is checked against it."""
        return self.unit is None or path.startswith(self.unit.path)

    @property
    def spec(self) -> TargetSpec:
        return TargetSpec(
            kind=self.kind,
            min_count=self.min_count,
            min_percent=self.min_percent,
            age_at_most=self.age_at_most,
            min_members=self.min_members,
        )
