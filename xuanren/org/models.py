"""Units, posts and quotas (DOMAIN §2, §5)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xuanren.common.choices import ChoiceLabels

# Materialized path: each level adds a fixed-width base-36 segment, so a
# subtree is one indexed prefix match (`path LIKE 'xxxx%'`) at any depth.
PATH_SEGMENT = 4
PATH_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def path_and_ancestors(path: str) -> list[str]:
    """The paths of a unit's ancestors and its own, root first."""
    return [path[:cut] for cut in range(PATH_SEGMENT, len(path) + 1, PATH_SEGMENT)]


class UnitKind(models.TextChoices):
    REGION = "region", _("党委政府（区域）")
    PARTY_ORGAN = "party_organ", _("党委工作部门")
    GOVERNMENT_DEPARTMENT = "government_department", _("政府工作部门")
    OTHER_ORGAN = "other_organ", _("人大政协法检群团机关")
    TOWNSHIP = "township", _("乡镇")
    STREET_OFFICE = "street_office", _("街道办事处")
    PUBLIC_INSTITUTION = "public_institution", _("事业单位")
    STATE_COMPANY = "state_company", _("国有企业")
    SCHOOL = "school", _("学校")
    INTERNAL_OFFICE = "internal_office", _("内设机构")


#: Kinds the county rule pack treats as "county organs" (县直机关) as opposed to
#: townships (乡镇、街道).
COUNTY_ORGAN_KINDS = frozenset(
    {
        UnitKind.REGION,
        UnitKind.PARTY_ORGAN,
        UnitKind.GOVERNMENT_DEPARTMENT,
        UnitKind.OTHER_ORGAN,
        UnitKind.PUBLIC_INSTITUTION,
    }
)
TOWNSHIP_KINDS = frozenset({UnitKind.TOWNSHIP, UnitKind.STREET_OFFICE})


class Level(models.TextChoices):
    """职务层次, highest first. Codes are stable; order is in LEVEL_RANK."""

    BUREAU_PRINCIPAL = "bureau_principal", _("正厅级")
    BUREAU_DEPUTY = "bureau_deputy", _("副厅级")
    DIVISION_PRINCIPAL = "division_principal", _("正处级")
    DIVISION_DEPUTY = "division_deputy", _("副处级")
    SECTION_PRINCIPAL = "section_principal", _("正科级")
    SECTION_DEPUTY = "section_deputy", _("副科级")
    SUBSECTION_PRINCIPAL = "subsection_principal", _("正股级")
    SUBSECTION_DEPUTY = "subsection_deputy", _("副股级")


#: Higher number = higher level; one step is one level (used for "two-level jumps").
LEVEL_RANK: dict[str, int] = {
    Level.BUREAU_PRINCIPAL: 8,
    Level.BUREAU_DEPUTY: 7,
    Level.DIVISION_PRINCIPAL: 6,
    Level.DIVISION_DEPUTY: 5,
    Level.SECTION_PRINCIPAL: 4,
    Level.SECTION_DEPUTY: 3,
    Level.SUBSECTION_PRINCIPAL: 2,
    Level.SUBSECTION_DEPUTY: 1,
}


class PostCategory(models.TextChoices):
    """Post type, for the rule against mixed-post staffing (混岗配备)."""

    PARTY = "party", _("党委（党组）职务")
    GOVERNMENT = "government", _("行政职务")
    INSTITUTION = "institution", _("事业单位管理岗位")
    COMPANY = "company", _("企业经营管理岗位")
    INTERNAL = "internal", _("内设机构职务")


class Unit(ChoiceLabels, models.Model):
    name = models.CharField(_("单位名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    #: The name's pinyin initials and full pinyin (xuanren.org.pinyin), for
    #: the unit picker; every unit write path sets them (decision 0117).
    name_initials = models.CharField(
        _("名称拼音首字母"), max_length=100, blank=True, default="", editable=False
    )
    name_pinyin = models.CharField(
        _("名称拼音"), max_length=255, blank=True, default="", editable=False
    )
    code = models.CharField(_("单位代码"), max_length=32, unique=True)
    kind = models.CharField(_("单位类别"), max_length=32, choices=UnitKind.choices)
    level = models.CharField(
        _("机构规格"), max_length=32, choices=Level.choices, blank=True, default=""
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级单位"),
    )
    path = models.CharField(_("路径"), max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("层级"), editable=False)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    establishment_document = models.CharField(_("三定方案文件"), max_length=100, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["path"]
        indexes = [
            # Prefix matches on path (subtrees) need a pattern index on PostgreSQL
            # when the collation is not C; varchar_pattern_ops is added by migration.
            models.Index(fields=["kind"]),
            # The picker's prefix matches (LIKE 'yl%'): pattern ops on PostgreSQL,
            # a plain index elsewhere (the opclass is PostgreSQL's only).
            models.Index(
                fields=["name_initials"],
                name="org_unit_initials_pattern",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(
                fields=["name_pinyin"],
                name="org_unit_pinyin_pattern",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def subtree_q(self, prefix: str = "") -> Q:
        """Q matching this unit and every unit below it (on a unit relation `prefix`)."""
        return Q(**{f"{prefix}path__startswith": self.path})

    @property
    def is_township(self) -> bool:
        return self.kind in TOWNSHIP_KINDS


class Post(ChoiceLabels, models.Model):
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="posts", verbose_name=_("单位")
    )
    title = models.CharField(_("职务名称"), max_length=60)
    #: The title's pinyin initials and full pinyin (xuanren.org.pinyin), for
    #: the post picker; every post write path sets them (decision 0140).
    title_initials = models.CharField(
        _("职务名称拼音首字母"), max_length=60, blank=True, default="", editable=False
    )
    title_pinyin = models.CharField(
        _("职务名称拼音"), max_length=255, blank=True, default="", editable=False
    )
    level = models.CharField(_("职务层次"), max_length=32, choices=Level.choices)
    category = models.CharField(
        _("职务类别"), max_length=20, choices=PostCategory.choices, default=PostCategory.GOVERNMENT
    )
    is_principal = models.BooleanField(_("正职"), default=False)
    is_party_government_principal = models.BooleanField(_("党政正职（一把手）"), default=False)
    professional_requirement = models.CharField(_("专业要求"), max_length=100, blank=True)
    counts_against_quota = models.BooleanField(_("占职数"), default=True)
    seats = models.PositiveSmallIntegerField(_("职位数"), default=1)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("职位")
        verbose_name_plural = _("职位")
        ordering = ["unit__path", "sort_order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(seats__gte=1), name="post_seats_positive"),
            models.CheckConstraint(
                condition=Q(is_party_government_principal=False) | Q(is_principal=True),
                name="post_party_gov_principal_is_principal",
            ),
        ]
        indexes = [
            # The picker's prefix matches (LIKE 'dwsj%'), as the unit's (decision
            # 0117). Its contains matches on the title use a trigram index that
            # only PostgreSQL has (migration org 0004, decision 0140).
            models.Index(
                fields=["title_initials"],
                name="org_post_initials_pattern",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(
                fields=["title_pinyin"],
                name="org_post_pinyin_pattern",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.name}{self.title}"


class Quota(models.Model):
    """职数: how many posts of one level a unit's establishment plan approves."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="quotas", verbose_name=_("单位")
    )
    level = models.CharField(_("职务层次"), max_length=32, choices=Level.choices)
    approved = models.PositiveIntegerField(_("核定职数"))
    source = models.CharField(_("依据"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("职数")
        verbose_name_plural = _("职数")
        constraints = [
            models.UniqueConstraint(fields=["unit", "level"], name="quota_unique_unit_level"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}:{self.level}={self.approved}"


class UnitCount(models.Model):
    """What the home page's figures and the quota report's subtree totals add
    up, kept per unit and 职务层次 by the services that write the records, in
    their own transaction (docs/decisions/0136): a province's totals read these
    rows instead of a million cadres and every tenure.

    The row with `level` "" holds the unit's active cadres; a row with a level
    holds that level's posts, approved quota (职数) and filled seats: tenures
    still open (no 免职时间) on the unit's posts of that level that count
    against the quota. Which tenures are in force on a given day differs from
    "open" only for tenures dated after that day; the selectors correct for
    those (docs/decisions/0137). `xuanren recount` rebuilds the rows from the
    records and reports what differed."""

    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="counts", verbose_name=_("单位")
    )
    level = models.CharField(
        _("职务层次"), max_length=32, choices=Level.choices, blank=True, default=""
    )
    # Signed on purpose: a count that went wrong must not stop a write; the
    # recount reports it and puts it right.
    cadres = models.IntegerField(_("在职干部数"), default=0)
    posts = models.IntegerField(_("职位数"), default=0)
    approved = models.IntegerField(_("核定职数"), default=0)
    filled = models.IntegerField(_("在任人数"), default=0)

    class Meta:
        verbose_name = _("单位计数")
        verbose_name_plural = _("单位计数")
        constraints = [
            models.UniqueConstraint(fields=["unit", "level"], name="unitcount_unique_unit_level"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}:{self.level or '-'}"
