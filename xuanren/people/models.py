"""Cadre records (DOMAIN §2): the person and everything an approval form and a
qualification check read about them."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xuanren.common.choices import ChoiceLabels
from xuanren.org.models import Level, Post, Unit


class Sex(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class PoliticalStatus(models.TextChoices):
    CPC_MEMBER = "cpc_member", _("中共党员")
    CPC_PROBATIONARY = "cpc_probationary", _("中共预备党员")
    CYL_MEMBER = "cyl_member", _("共青团员")
    DEMOCRATIC_PARTY = "democratic_party", _("民主党派")
    NON_PARTISAN = "non_partisan", _("无党派人士")
    MASSES = "masses", _("群众")


PARTY_STATUSES = frozenset({PoliticalStatus.CPC_MEMBER, PoliticalStatus.CPC_PROBATIONARY})


class EducationLevel(models.TextChoices):
    POSTGRADUATE = "postgraduate", _("研究生")
    BACHELOR = "bachelor", _("大学本科")
    JUNIOR_COLLEGE = "junior_college", _("大学专科")
    SECONDARY_VOCATIONAL = "secondary_vocational", _("中专")
    HIGH_SCHOOL = "high_school", _("高中")
    JUNIOR_HIGH_OR_BELOW = "junior_high_or_below", _("初中及以下")


#: Higher = more education; rules compare these numbers ("大专及以上" = rank >= 4).
EDUCATION_RANK: dict[str, int] = {
    EducationLevel.POSTGRADUATE: 6,
    EducationLevel.BACHELOR: 5,
    EducationLevel.JUNIOR_COLLEGE: 4,
    EducationLevel.SECONDARY_VOCATIONAL: 3,
    EducationLevel.HIGH_SCHOOL: 2,
    EducationLevel.JUNIOR_HIGH_OR_BELOW: 1,
}


class Degree(models.TextChoices):
    DOCTOR = "doctor", _("博士")
    MASTER = "master", _("硕士")
    BACHELOR = "bachelor", _("学士")
    NONE = "none", _("无")


class EducationKind(models.TextChoices):
    FULL_TIME = "full_time", _("全日制教育")
    IN_SERVICE = "in_service", _("在职教育")
    # 中央党校/省委党校 研究生、大学、大专: in-service study at a party school,
    # recognised for cadre management at the level it names (decision 0082).
    PARTY_SCHOOL = "party_school", _("党校教育")


#: The kinds the form's 在职教育 line shows (party school is in-service study).
IN_SERVICE_KINDS = frozenset({EducationKind.IN_SERVICE, EducationKind.PARTY_SCHOOL})


class CadreStatus(models.TextChoices):
    ACTIVE = "active", _("在职")
    RETIRED = "retired", _("退休")
    LEFT = "left", _("调出")


class PersonalMattersStatus(models.TextChoices):
    NOT_REPORTED = "not_reported", _("未报告")
    REPORTED = "reported", _("已报告")
    VERIFIED = "verified", _("已核实一致")
    DISCREPANCY = "discrepancy", _("核实不一致")


class ArchiveReviewStatus(models.TextChoices):
    NOT_REVIEWED = "not_reviewed", _("未审核")
    PASSED = "passed", _("审核通过")
    ISSUES_FOUND = "issues_found", _("发现问题")


class CadreIdentity(models.TextChoices):
    """身份, the 一身份 of 三龄二历一身份: which staffing system the cadre is in."""

    CIVIL_SERVANT = "civil_servant", _("公务员")
    REFERENCE_CIVIL_SERVANT = "reference_civil_servant", _("参照公务员法管理")
    PUBLIC_INSTITUTION = "public_institution", _("事业单位")
    STATE_ENTERPRISE = "state_enterprise", _("国有企业")
    OTHER = "other", _("其他")


class Cadre(ChoiceLabels, models.Model):
    name = models.CharField(_("姓名"), max_length=30)
    name_initials = models.CharField(_("姓名拼音首字母"), max_length=30, db_index=True)
    sex = models.CharField(_("性别"), max_length=6, choices=Sex.choices)
    ethnicity = models.CharField(_("民族"), max_length=20, default="汉族")
    birth_date = models.DateField(_("出生日期"), db_index=True)
    native_place = models.CharField(_("籍贯"), max_length=60, blank=True)
    birthplace = models.CharField(_("出生地"), max_length=60, blank=True)
    id_number = models.CharField(_("公民身份号码"), max_length=18, unique=True)
    political_status = models.CharField(
        _("政治面貌"), max_length=20, choices=PoliticalStatus.choices
    )
    party_join_date = models.DateField(_("入党时间"), null=True, blank=True)
    party_full_date = models.DateField(_("转正时间"), null=True, blank=True)
    work_start_date = models.DateField(_("参加工作时间"), null=True, blank=True)
    health = models.CharField(_("健康状况"), max_length=30, default="健康")
    professional_title = models.CharField(_("专业技术职务"), max_length=60, blank=True)
    # Blank: not recorded.
    identity = models.CharField(
        _("身份"), max_length=24, choices=CadreIdentity.choices, blank=True, default=""
    )
    specialty = models.CharField(_("熟悉专业有何专长"), max_length=100, blank=True)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="cadres",
        verbose_name=_("所在单位"),
    )
    current_post_title = models.CharField(_("现任职务"), max_length=120, blank=True)
    level = models.CharField(
        _("职务层次"), max_length=32, choices=Level.choices, blank=True, default=""
    )
    level_since = models.DateField(_("任现职务层次时间"), null=True, blank=True)
    rank = models.CharField(_("职级"), max_length=30, blank=True)
    rank_since = models.DateField(_("任现职级时间"), null=True, blank=True)
    # Highest education across full-time and in-service entries, kept by the
    # services so that search and screening compare one indexed column.
    education_level = models.CharField(
        _("最高学历"), max_length=24, choices=EducationLevel.choices, blank=True, default=""
    )
    education_rank = models.PositiveSmallIntegerField(_("最高学历序"), default=0)
    # When the highest education was completed (its 毕业时间); None when unknown,
    # and then it counts as held on any date (rules.education_at, decision 0089).
    education_since = models.DateField(_("最高学历毕业时间"), null=True, blank=True)
    # 基层工作经历, in months, as established by the archive review; None when
    # not yet established (a rule that needs it then fails with 资料不全).
    grassroots_months = models.PositiveIntegerField(_("基层工作经历（月）"), null=True, blank=True)
    # Facts from the cadre's records that 智能选人 tests on every candidate, kept
    # by the services that write those records (policy.kept, decision 0161):
    # bit k of good_assessment_years is a 称职 or better (or 不定等次) assessment
    # of the year ASSESSMENT_BASE_YEAR + k; discipline_records, a 惩处 or 认定
    # on record (in force or not); family_abroad, the 配偶（子女）已移居 case.
    good_assessment_years = models.BigIntegerField(_("称职以上考核年度"), default=0, editable=False)
    discipline_records = models.BooleanField(_("有惩处或认定记录"), default=False, editable=False)
    family_abroad = models.BooleanField(
        _("配偶已移居或无配偶而子女均已移居国（境）外"), default=False, editable=False
    )
    personal_matters_status = models.CharField(
        _("个人有关事项报告"),
        max_length=16,
        choices=PersonalMattersStatus.choices,
        default=PersonalMattersStatus.NOT_REPORTED,
    )
    archive_review_status = models.CharField(
        _("档案审核"),
        max_length=16,
        choices=ArchiveReviewStatus.choices,
        default=ArchiveReviewStatus.NOT_REVIEWED,
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=CadreStatus.choices, default=CadreStatus.ACTIVE
    )
    photo = models.BinaryField(_("照片"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    #: Raised by one on every write of this row through a service; an editor
    #: sends back the version it saw and a stale one is refused (StaleWrite).
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        verbose_name = _("干部")
        verbose_name_plural = _("干部")
        ordering = ["id"]
        permissions = [("view_full_id_number", _("查看完整公民身份号码"))]
        indexes = [
            models.Index(fields=["unit", "level"]),
            models.Index(fields=["level", "birth_date"]),
            models.Index(fields=["name"]),
            # compile.needs_history: does any level or education begin after a date?
            models.Index(fields=["level_since"], name="cadre_level_since"),
            models.Index(fields=["education_since"], name="cadre_education_since"),
            # 临近退休 (approaching_age_limit, the dashboard): the oldest of
            # each unit in scope, a short range per unit instead of every cadre.
            # With the education and status: the cadre search by unit, age and
            # education counts its matches from the index alone (decision 0162).
            models.Index(
                fields=["unit", "birth_date", "education_rank", "status"],
                name="cadre_unit_birth_edu_status",
            ),
            # The same for an unrestricted user (issue 13): the oldest women, and
            # the oldest of one identity, without reading every man first.
            models.Index(fields=["sex", "birth_date"], name="cadre_sex_birth_date"),
            models.Index(fields=["sex", "identity", "birth_date"], name="cadre_sex_identity_birth"),
            # A name prefix (王) among the active cadres (the list's count, capped at
            # 10,001, decision 0109): an index-only range instead of a scan of the
            # table until 10,001 matches (decision 0113). Pattern ops: LIKE on
            # PostgreSQL under a non-C collation; SQLite ignores them.
            models.Index(
                fields=["name"],
                opclasses=["varchar_pattern_ops"],
                condition=Q(status="active"),
                name="cadre_active_name_like",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(work_start_date__isnull=True) | Q(work_start_date__gt=F("birth_date")),
                name="cadre_work_after_birth",
            ),
            models.CheckConstraint(
                condition=Q(party_join_date__isnull=True) | Q(party_join_date__gt=F("birth_date")),
                name="cadre_party_after_birth",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CadreChild(ChoiceLabels, models.Model):
    """Base of the records hanging off a cadre; deleting a cadre is refused
    while any exist (PROTECT), since archives are never silently dropped."""

    cadre = models.ForeignKey(Cadre, on_delete=models.PROTECT, verbose_name=_("干部"))

    class Meta:
        abstract = True


class Education(CadreChild):
    kind = models.CharField(_("教育类别"), max_length=12, choices=EducationKind.choices)
    # Blank when the 学历 as written is none of the levels (level_text keeps it).
    level = models.CharField(_("学历"), max_length=24, choices=EducationLevel.choices, blank=True)
    # The 学历 as written when it is not one of the level words: a party
    # school's ("中央党校大学") or one no level matches; exported as written.
    level_text = models.CharField(_("学历（原文）"), max_length=40, blank=True)
    degree = models.CharField(_("学位"), max_length=10, choices=Degree.choices, default=Degree.NONE)
    school = models.CharField(_("毕业院校"), max_length=80)
    major = models.CharField(_("专业"), max_length=60, blank=True)
    start_date = models.DateField(_("入学时间"), null=True, blank=True)
    end_date = models.DateField(_("毕业时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("学历学位")
        verbose_name_plural = _("学历学位")
        ordering = ["cadre", "start_date", "id"]
        default_related_name = "educations"
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gt=F("start_date")),
                name="education_dates_ordered",
            ),
        ]


class ResumeEntry(CadreChild):
    """One line of the 简历: a period of study or work, month precision."""

    start_date = models.DateField(_("起始年月"))
    end_date = models.DateField(_("截止年月"), null=True, blank=True)
    text = models.CharField(_("单位及职务"), max_length=200)
    note = models.CharField(_("其间"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("简历")
        verbose_name_plural = _("简历")
        ordering = ["cadre", "start_date", "id"]
        default_related_name = "resume_entries"
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="resume_dates_ordered",
            ),
        ]


class TenureMethod(models.TextChoices):
    APPOINTED = "appointed", _("委任")
    # 选任 is also the product's name; the context keeps the two apart.
    ELECTED = "elected", pgettext_lazy("tenure method", "选任")
    HIRED = "hired", _("聘任")
    COMPETITIVE = "competitive", _("竞争上岗")
    OPEN_SELECTION = "open_selection", _("公开选拔")


class Tenure(CadreChild):
    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, related_name="tenures", verbose_name=_("职位")
    )
    start_date = models.DateField(_("任职时间"))
    end_date = models.DateField(_("免职时间"), null=True, blank=True)
    document_number = models.CharField(_("任免文号"), max_length=60, blank=True)
    method = models.CharField(
        _("任职方式"), max_length=16, choices=TenureMethod.choices, default=TenureMethod.APPOINTED
    )
    probation_until = models.DateField(_("试用期截止"), null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("record", "任职")
        verbose_name_plural = pgettext_lazy("record", "任职")
        ordering = ["cadre", "start_date", "id"]
        default_related_name = "tenures"
        indexes = [
            models.Index(fields=["post", "end_date"]),
            # 待办's probations ending within a month (decision 0113): a short
            # range, the soonest first, instead of reading every tenure.
            models.Index(
                fields=["probation_until"],
                name="tenure_probation_until",
                condition=Q(probation_until__isnull=False),
            ),
            # The tenures whose being in force on a day differs from being open
            # (decision 0137): open ones starting after the day, closed ones
            # ending after it — a short range each, not every tenure.
            models.Index(
                fields=["start_date"],
                name="tenure_open_start_date",
                condition=Q(end_date__isnull=True),
            ),
            models.Index(
                fields=["end_date"],
                name="tenure_closed_end_date",
                condition=Q(end_date__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gt=F("start_date")),
                name="tenure_end_after_start",
            ),
        ]


class Relation(models.TextChoices):
    """家庭成员及重要社会关系. The recusal rule (DOMAIN §4) reads these codes."""

    SPOUSE = "spouse", _("配偶")
    FATHER = "father", _("父亲")
    MOTHER = "mother", _("母亲")
    SON = "son", _("儿子")
    DAUGHTER = "daughter", _("女儿")
    ELDER_BROTHER = "elder_brother", _("哥哥")
    YOUNGER_BROTHER = "younger_brother", _("弟弟")
    ELDER_SISTER = "elder_sister", _("姐姐")
    YOUNGER_SISTER = "younger_sister", _("妹妹")
    GRANDPARENT = "grandparent", _("祖父母、外祖父母")
    GRANDCHILD = "grandchild", _("孙子女、外孙子女")
    UNCLE_AUNT = "uncle_aunt", _("伯叔姑舅姨")
    NEPHEW_NIECE = "nephew_niece", _("侄子女、甥子女")
    COUSIN = "cousin", _("堂表兄弟姐妹")
    FATHER_IN_LAW = "father_in_law", _("岳父、公公")
    MOTHER_IN_LAW = "mother_in_law", _("岳母、婆婆")
    SIBLING_IN_LAW = "sibling_in_law", _("配偶的兄弟姐妹及其配偶")
    CHILD_IN_LAW = "child_in_law", _("儿媳、女婿")
    CHILD_IN_LAW_PARENT = "child_in_law_parent", _("子女配偶的父母")
    SIBLING_SPOUSE = "sibling_spouse", _("兄弟姐妹的配偶")
    OTHER = "other", _("其他重要社会关系")


class FamilyMember(CadreChild):
    relation = models.CharField(_("称谓"), max_length=24, choices=Relation.choices)
    name = models.CharField(_("姓名"), max_length=30)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    political_status = models.CharField(
        _("政治面貌"), max_length=20, choices=PoliticalStatus.choices, blank=True
    )
    work_unit_and_post = models.CharField(_("工作单位及职务"), max_length=120, blank=True)
    related_cadre = models.ForeignKey(
        Cadre,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="relatives_of",
        verbose_name=_("对应干部"),
    )
    emigrated = models.BooleanField(_("已移居国（境）外"), default=False)

    class Meta:
        verbose_name = _("家庭成员及重要社会关系")
        verbose_name_plural = _("家庭成员及重要社会关系")
        ordering = ["cadre", "id"]
        default_related_name = "family_members"
        constraints = [
            models.CheckConstraint(condition=~Q(related_cadre=F("cadre")), name="family_not_self"),
        ]


class AssessmentGrade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    COMPETENT = "competent", _("称职")
    BASICALLY_COMPETENT = "basically_competent", _("基本称职")
    INCOMPETENT = "incompetent", _("不称职")
    NOT_GRADED = "not_graded", _("不定等次")


class Assessment(CadreChild):
    year = models.PositiveSmallIntegerField(_("年度"))
    grade = models.CharField(_("考核结果"), max_length=20, choices=AssessmentGrade.choices)

    class Meta:
        verbose_name = _("年度考核")
        verbose_name_plural = _("年度考核")
        ordering = ["cadre", "-year"]
        default_related_name = "assessments"
        constraints = [
            models.UniqueConstraint(fields=["cadre", "year"], name="assessment_one_per_year"),
        ]


class RecordKind(models.TextChoices):
    REWARD = "reward", _("奖励")
    PUNISHMENT = "punishment", _("惩处")
    # A finding that is not a sanction but bars the cadre from being an
    # inspection candidate while in force (《党政领导干部选拔任用工作条例》
    # 第五章 考察, 不得列为考察对象的情形; docs/decisions/0085).
    FINDING = "finding", _("认定")


class RecordCategory(models.TextChoices):
    COMMENDATION = "commendation", _("表彰奖励")
    MERIT = "merit", _("记功")
    WARNING_TALK = "warning_talk", _("诫勉")
    ORGANIZATIONAL_HANDLING = "organizational_handling", _("组织处理")
    PARTY_DISCIPLINE = "party_discipline", _("党纪处分")
    GOVERNMENT_SANCTION = "government_sanction", _("政务处分")
    # findings (kind "finding"): by the discipline commission, or from the
    # democratic recommendation and evaluation results
    POLITICAL_DISCIPLINE = "political_discipline", _("违反政治纪律和政治规矩")
    LOW_RECOGNITION = "low_recognition", _("群众公认度不高")
    OFFICE_SEEKING = "office_seeking", _("跑官要官、拉票贿选等非组织行为")


FINDING_CATEGORIES = frozenset(
    {
        RecordCategory.POLITICAL_DISCIPLINE,
        RecordCategory.LOW_RECOGNITION,
        RecordCategory.OFFICE_SEEKING,
    }
)


class RewardPunishment(CadreChild):
    kind = models.CharField(_("类别"), max_length=12, choices=RecordKind.choices)
    category = models.CharField(_("种类"), max_length=30, choices=RecordCategory.choices)
    title = models.CharField(_("名称"), max_length=120)
    decided_on = models.DateField(_("决定日期"))
    effect_until = models.DateField(_("影响期截止"), null=True, blank=True)
    document = models.CharField(_("文件"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("奖惩")
        verbose_name_plural = _("奖惩")
        ordering = ["cadre", "-decided_on"]
        default_related_name = "rewards_punishments"
        constraints = [
            models.CheckConstraint(
                condition=Q(effect_until__isnull=True) | Q(effect_until__gte=F("decided_on")),
                name="punishment_effect_after_decision",
            ),
        ]


class Training(CadreChild):
    year = models.PositiveSmallIntegerField(_("年度"))
    hours = models.PositiveIntegerField(_("学时"))
    title = models.CharField(_("培训名称"), max_length=120)

    class Meta:
        verbose_name = _("教育培训")
        verbose_name_plural = _("教育培训")
        ordering = ["cadre", "-year"]
        default_related_name = "trainings"


class TrainingClass(ChoiceLabels, models.Model):
    """A training class (培训班次) held by an organiser: each participant who
    completes it gets a Training row of the class's hours for the year it ends
    (people.services.training_class_enrol). `unit` is the unit that records the
    class, for scope."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, verbose_name=_("登记单位"))
    name = models.CharField(_("班次名称"), max_length=120)
    organiser = models.CharField(_("主办单位"), max_length=120)
    start_date = models.DateField(_("开班日期"))
    end_date = models.DateField(_("结业日期"))
    hours = models.PositiveIntegerField(_("学时"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("培训班次")
        verbose_name_plural = _("培训班次")
        ordering = ["-start_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="training_class_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TrainingClassParticipant(models.Model):
    """A cadre who completed a class, and the Training row that completion wrote
    (removing the participant removes that row)."""

    training_class = models.ForeignKey(
        TrainingClass,
        on_delete=models.PROTECT,
        related_name="participants",
        verbose_name=_("培训班次"),
    )
    cadre = models.ForeignKey(Cadre, on_delete=models.PROTECT, verbose_name=_("干部"))
    training = models.OneToOneField(
        Training,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="class_participation",
        verbose_name=_("培训记录"),
    )

    class Meta:
        verbose_name = _("班次学员")
        verbose_name_plural = _("班次学员")
        constraints = [
            models.UniqueConstraint(
                fields=["training_class", "cadre"], name="training_class_participant_once"
            ),
        ]


class TemporaryPosting(CadreChild):
    """A time-limited posting elsewhere (挂职锻炼): at a unit of the system
    (`host_unit`) or one outside it named in `host_name` (a city organ, a
    company), with the title held there (docs/decisions/0158)."""

    host_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_postings",
        verbose_name=_("挂职单位"),
    )
    host_name = models.CharField(_("挂职单位名称"), max_length=100, blank=True)
    post_title = models.CharField(_("挂职职务"), max_length=60)
    start_date = models.DateField(_("挂职开始"))
    end_date = models.DateField(_("挂职结束"))
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("挂职锻炼")
        verbose_name_plural = _("挂职锻炼")
        ordering = ["cadre", "-start_date", "-id"]
        default_related_name = "temporary_postings"
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="posting_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(host_unit__isnull=False) | ~Q(host_name=""), name="posting_has_host"
            ),
        ]

    @property
    def host(self) -> str:
        return self.host_unit.name if self.host_unit is not None else self.host_name
