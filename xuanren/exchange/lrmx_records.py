"""Cadre records ↔ LRMX records (the thin layer between the ORM and the pure
module `lrmx`).

The form's words (男, 大学本科, 妻子, 中共党员, 优秀) are fixed Chinese here,
not gettext: the file is the same whatever the reader's language.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import Any

from django.utils.translation import gettext as _
from stdnum.cn import ric

from xuanren.common.cells import formula_like, formula_message
from xuanren.common.dates import today
from xuanren.common.errors import ErrorCollector
from xuanren.exchange.lrmx import (
    EducationText,
    FamilyItem,
    LrmxFormatError,
    LrmxProblem,
    LrmxRecord,
    PartialDate,
    ResumePeriod,
    parse_assessments,
    parse_rewards,
    render_assessments,
    render_rewards,
)
from xuanren.people.models import (
    EDUCATION_RANK,
    IN_SERVICE_KINDS,
    PARTY_STATUSES,
    Cadre,
    Education,
    EducationKind,
    RecordCategory,
    RecordKind,
    Relation,
)
from xuanren.people.services import CadreInput
from xuanren.people.validation import CadreFacts, check_id_number, validate_cadre

SEX_TEXT = {"male": "男", "female": "女"}
SEX_FROM_TEXT = {"男": "male", "女": "female"}

LEVEL_TEXT = {
    "postgraduate": "研究生",
    "bachelor": "大学本科",
    "junior_college": "大学专科",
    "secondary_vocational": "中专",
    "high_school": "高中",
    "junior_high_or_below": "初中及以下",
}
LEVEL_FROM_TEXT = {
    **{text: code for code, text in LEVEL_TEXT.items()},
    "研究生学历": "postgraduate",
    "博士研究生": "postgraduate",
    "硕士研究生": "postgraduate",
    "大学": "bachelor",
    "本科": "bachelor",
    "大学学历": "bachelor",
    "大专": "junior_college",
    "专科": "junior_college",
    "中等专科": "secondary_vocational",
    "中技": "secondary_vocational",
    "初中": "junior_high_or_below",
    "小学": "junior_high_or_below",
}
#: 中央党校/省委党校 (and 自治区、直辖市) 研究生、大学、大专 as the form writes
#: them: in-service study at a party school, of kind 党校 (decision 0082).
_PARTY_SCHOOL_RE = re.compile(
    r"^(?:中共)?(中央|\S{0,10}?(?:省委|区委|市委|党委))党校"
    r"(研究生|大学本科|大学|本科|大专|大学专科|专科)(?:学历)?$"
)
_PARTY_SCHOOL_LEVEL = {
    "研究生": "postgraduate",
    "大学本科": "bachelor",
    "大学": "bachelor",
    "本科": "bachelor",
    "大专": "junior_college",
    "大学专科": "junior_college",
    "专科": "junior_college",
}


def party_school_level(text: str) -> tuple[str, str] | None:
    """(level, school) of a party-school 学历 ("中央党校大学" → bachelor,
    中央党校), None for any other text."""
    match = _PARTY_SCHOOL_RE.match(text.strip())
    if match is None:
        return None
    school = text.strip()[: match.end(1)] + "党校"
    return _PARTY_SCHOOL_LEVEL[match[2]], school


DEGREE_TEXT = {"doctor": "博士", "master": "硕士", "bachelor": "学士", "none": ""}

STATUS_TEXT = {
    "cpc_member": "中共党员",
    "cpc_probationary": "中共预备党员",
    "cyl_member": "共青团员",
    "democratic_party": "民主党派",
    "non_partisan": "无党派人士",
    "masses": "群众",
}
DEMOCRATIC_PARTIES = ("民革", "民盟", "民建", "民进", "农工党", "致公党", "九三学社", "台盟")
RELATION_TEXT = {
    "spouse": "配偶",
    "father": "父亲",
    "mother": "母亲",
    "son": "儿子",
    "daughter": "女儿",
    "elder_brother": "哥哥",
    "younger_brother": "弟弟",
    "elder_sister": "姐姐",
    "younger_sister": "妹妹",
    "grandparent": "祖父母",
    "grandchild": "孙子女",
    "uncle_aunt": "伯叔姑舅姨",
    "nephew_niece": "侄子女",
    "cousin": "堂表兄弟姐妹",
    "father_in_law": "岳父",
    "mother_in_law": "岳母",
    "sibling_in_law": "配偶的兄弟姐妹",
    "child_in_law": "儿媳",
    "child_in_law_parent": "子女配偶的父母",
    "sibling_spouse": "兄弟姐妹的配偶",
    "other": "其他",
}
RELATION_FROM_TEXT = {
    **{text: code for code, text in RELATION_TEXT.items()},
    "妻子": "spouse",
    "丈夫": "spouse",
    "夫": "spouse",
    "妻": "spouse",
    "父": "father",
    "母": "mother",
    "长子": "son",
    "次子": "son",
    "子": "son",
    "长女": "daughter",
    "次女": "daughter",
    "女": "daughter",
    "兄": "elder_brother",
    "弟": "younger_brother",
    "姐": "elder_sister",
    "妹": "younger_sister",
    "祖父": "grandparent",
    "祖母": "grandparent",
    "外祖父": "grandparent",
    "外祖母": "grandparent",
    "公公": "father_in_law",
    "婆婆": "mother_in_law",
    "女婿": "child_in_law",
}
GRADE_TEXT = {
    "excellent": "优秀",
    "competent": "称职",
    "basically_competent": "基本称职",
    "incompetent": "不称职",
    "not_graded": "不定等次",
}
GRADE_FROM_TEXT = {text: code for code, text in GRADE_TEXT.items()}
CATEGORY_TEXT = {
    "commendation": "表彰奖励",
    "merit": "记功",
    "warning_talk": "诫勉",
    "organizational_handling": "组织处理",
    "party_discipline": "党纪处分",
    "government_sanction": "政务处分",
}
CATEGORY_FROM_TEXT = {text: code for code, text in CATEGORY_TEXT.items()}
REWARD_CATEGORIES = frozenset({RecordCategory.COMMENDATION, RecordCategory.MERIT})

#: Schools end in one of these; what follows is the major ("浙江大学计算机专业").
_SCHOOL_RE = re.compile(r"^(.*(?:大学|学院|学校|党校|研究院|研究生院|中学|分校))(.+?)(?:专业)?$")


def _ym(day: dt.date | None) -> PartialDate | None:
    return PartialDate(day.year, day.month) if day is not None else None


def _ymd(day: dt.date | None) -> PartialDate | None:
    return PartialDate(day.year, day.month, day.day) if day is not None else None


def _to_date(value: PartialDate | None) -> dt.date | None:
    if value is None:
        return None
    return dt.date(value.year, value.month, value.day or 1)


def school_and_major(text: str) -> tuple[str, str]:
    """ "浙江大学计算机科学与技术专业" → ("浙江大学", "计算机科学与技术")."""
    match = _SCHOOL_RE.match(text.strip())
    if match is None:
        return text.strip(), ""
    return match[1], match[2]


def _school_text(education: Education) -> str:
    if not education.major:
        return education.school
    major = education.major.removesuffix("专业")
    return f"{education.school}{major}专业"


def _education_text(educations: list[Education]) -> EducationText:
    """The highest education of one kind (the form has one line for each)."""
    if not educations:
        return EducationText()
    best = max(
        educations,
        key=lambda e: (EDUCATION_RANK.get(e.level, 0), e.end_date or dt.date.min, e.pk),
    )
    school = _school_text(best)
    degree = DEGREE_TEXT.get(best.degree, "")
    return EducationText(
        level=best.level_text or LEVEL_TEXT.get(best.level, ""),
        degree=degree,
        level_school=school,
        degree_school=school if degree else "",
    )


def _relation_text(code: str, cadre_sex: str) -> str:
    if code == "spouse":
        return "妻子" if cadre_sex == "male" else "丈夫"
    return RELATION_TEXT.get(code, "其他")


@dataclass(frozen=True)
class ExportContext:
    """What the form says about a case rather than the person (all optional)."""

    proposed_post: str = ""
    post_to_remove: str = ""
    reasons: str = ""
    submitting_unit: str = ""
    age_reference: dt.date | None = None
    filled_on: dt.date | None = None
    filled_by: str = ""


def record_from_cadre(cadre: Cadre, context: ExportContext | None = None) -> LrmxRecord:
    """The LRMX record of a cadre (with educations, resume, family, assessments
    and rewards prefetched or not: this only reads)."""
    ctx = context or ExportContext()
    educations = list(cadre.educations.all())
    party = cadre.political_status in PARTY_STATUSES and cadre.party_join_date is not None
    # Findings (认定, docs/decisions/0085) are not 奖惩 and stay out of the exchanged form.
    rewards = sorted(
        (r for r in cadre.rewards_punishments.all() if r.kind != RecordKind.FINDING),
        key=lambda r: (r.decided_on, r.pk),
    )
    return LrmxRecord(
        name=cadre.name,
        id_number=cadre.id_number,
        sex=SEX_TEXT.get(cadre.sex, ""),
        birth=_ym(cadre.birth_date),
        ethnicity=cadre.ethnicity,
        native_place=cadre.native_place,
        birthplace=cadre.birthplace,
        party_join=_ym(cadre.party_join_date) if party else None,
        party_text=""
        if party or cadre.political_status == "masses"
        else STATUS_TEXT.get(cadre.political_status, ""),
        work_start=_ym(cadre.work_start_date),
        health=cadre.health,
        professional_title=cadre.professional_title,
        specialty=cadre.specialty,
        full_time=_education_text([e for e in educations if e.kind == EducationKind.FULL_TIME]),
        in_service=_education_text([e for e in educations if e.kind in IN_SERVICE_KINDS]),
        current_post=cadre.current_post_title,
        proposed_post=ctx.proposed_post,
        post_to_remove=ctx.post_to_remove,
        resume=tuple(
            ResumePeriod(_ym(e.start_date) or PartialDate(1900, 1), _ym(e.end_date), e.text, e.note)
            for e in sorted(cadre.resume_entries.all(), key=lambda e: (e.start_date, e.pk))
        ),
        rewards_punishments=render_rewards(
            [
                (
                    PartialDate(r.decided_on.year, r.decided_on.month),
                    CATEGORY_TEXT[r.category],
                    r.title,
                )
                for r in rewards
            ]
        ),
        assessments=render_assessments(
            [(a.year, GRADE_TEXT[a.grade]) for a in cadre.assessments.all()]
        ),
        reasons=ctx.reasons,
        family=tuple(
            FamilyItem(
                relation=_relation_text(f.relation, cadre.sex),
                name=f.name,
                birth=_ym(f.birth_date),
                political_status=STATUS_TEXT.get(f.political_status, ""),
                work_unit_and_post=f.work_unit_and_post,
            )
            for f in sorted(cadre.family_members.all(), key=lambda f: f.pk)
        ),
        submitting_unit=ctx.submitting_unit,
        age_reference=_ymd(ctx.age_reference),
        filled_on=_ymd(ctx.filled_on),
        filled_by=ctx.filled_by,
        photo=bytes(cadre.photo) if cadre.photo else None,
    )


# ---- import: what a file asks to save -------------------------------------------------


@dataclass(frozen=True)
class EducationPlan:
    kind: str
    level: str  # "" when the 学历 as written is none of the levels
    degree: str
    school: str
    major: str
    level_text: str = ""  # the 学历 as written, when not a plain level word


@dataclass(frozen=True)
class FamilyPlan:
    relation: str
    name: str
    birth_date: dt.date | None
    political_status: str
    work_unit_and_post: str


@dataclass(frozen=True)
class RewardPlan:
    kind: str
    category: str
    title: str
    decided_on: dt.date


@dataclass
class ImportPlan:
    """A file read into the terms of the cadre records, not yet compared with
    any existing record. `values` holds only what the file states (an empty
    element states nothing and never erases a value)."""

    id_number: str
    birth_date: dt.date
    values: dict[str, Any]
    party_status: str | None  # political status the file implies, if any
    month_dates: frozenset[str]  # date fields the file gives to the month only
    educations: list[EducationPlan]
    resume: list[ResumePeriod]
    family: list[FamilyPlan]
    assessments: list[tuple[int, str]]
    rewards: list[RewardPlan]
    photo: bytes | None
    warnings: list[str] = field(default_factory=list)


def _status_from_text(text: str) -> str | None:
    if not text:
        return None
    for code, label in STATUS_TEXT.items():
        if text == label:
            return code
    if text in ("党员", "中国共产党党员"):
        return "cpc_member"
    if text in ("团员", "共青团"):
        return "cyl_member"
    if text.startswith("无党派"):
        return "non_partisan"
    if any(text.startswith(p) or p in text for p in DEMOCRATIC_PARTIES):
        return "democratic_party"
    return None


def _education_plan(
    kind: str,
    prefix: str,
    edu: EducationText,
    problems: list[LrmxProblem],
    warnings: list[str],
) -> EducationPlan | None:
    """The education of one line of the form. A party school's 学历 is of
    kind 党校; a 学历 no level matches is kept as written, with a warning."""
    if not edu.level and not edu.level_school:
        return None
    written = edu.level.strip()
    level_text = ""
    party_school_name = ""
    level = LEVEL_FROM_TEXT.get(written)
    party = party_school_level(written) if level is None else None
    if party is not None:
        level, party_school_name = party
        kind, level_text = EducationKind.PARTY_SCHOOL, written
    elif level is None and written:
        level, level_text = "", written[:40]
        warnings.append(
            _(
                "%(k)s学历“%(v)s”无法识别为研究生、大学本科、大学专科、中专、高中等，"
                "按原文导入，不计入学历条件。"
            )
            % {
                "k": _("全日制教育") if kind == EducationKind.FULL_TIME else _("在职教育"),
                "v": written,
            }
        )
    elif level is None:
        problems.append(LrmxProblem(f"{prefix}_XueLi", _("填写了毕业院校，但缺少学历。")))
        return None
    degree = "none"
    for word, code in (("博士", "doctor"), ("硕士", "master"), ("学士", "bachelor")):
        if word in edu.degree:
            degree = code
            break
    school, major = school_and_major(edu.level_school or edu.degree_school)
    school = school or party_school_name
    if not school:
        problems.append(
            LrmxProblem(f"{prefix}_XueLi_BiYeYuanXiaoXi", _("填写了学历，但缺少毕业院校。"))
        )
        return None
    return EducationPlan(kind, level, degree, school, major, level_text)


def plan_from_record(record: LrmxRecord) -> ImportPlan:
    """Check what only the cadre records can judge (ID number, sex, words of
    the form) and translate. Raises LrmxFormatError naming the elements."""
    problems: list[LrmxProblem] = []
    warnings: list[str] = list(record.warnings)
    ids = ErrorCollector()
    number = check_id_number(record.id_number, birth_date=None, sex=None, out=ids)
    for error in ids.errors:
        problems.append(LrmxProblem("ShenFenZheng", error.message))
    birth: dt.date | None = None
    if not ids.errors:
        birth = ric.get_birth_date(number)
        given = record.birth
        if given is not None and (
            (given.year, given.month) != (birth.year, birth.month)
            or (given.day is not None and given.day != birth.day)
        ):
            problems.append(
                LrmxProblem(
                    "ChuShengNianYue",
                    _("出生年月 %(g)s 与公民身份号码中的出生日期 %(b)s 不一致。")
                    % {"g": given.lrmx(), "b": birth.strftime("%Y%m%d")},
                )
            )
    sex = SEX_FROM_TEXT.get(record.sex.strip())
    if record.sex.strip() and sex is None:
        problems.append(
            LrmxProblem("XingBie", _("性别应为“男”或“女”，实为“%(v)s”。") % {"v": record.sex})
        )
    if sex is None and not ids.errors:
        sex = "male" if int(number[16]) % 2 == 1 else "female"
    educations = [
        plan
        for plan in (
            _education_plan(
                EducationKind.FULL_TIME, "QuanRiZhiJiaoYu", record.full_time, problems, warnings
            ),
            _education_plan(
                EducationKind.IN_SERVICE, "ZaiZhiJiaoYu", record.in_service, problems, warnings
            ),
        )
        if plan is not None
    ]
    family = []
    for index, item in enumerate(record.family, start=1):
        relation = RELATION_FROM_TEXT.get(item.relation.strip())
        if relation is None:
            relation = Relation.OTHER
            warnings.append(
                _("家庭成员 %(n)s 的称谓“%(r)s”无法识别，按“其他重要社会关系”导入。")
                % {"n": item.name, "r": item.relation}
            )
        status = _status_from_text(item.political_status.strip()) or ""
        if item.political_status.strip() and not status:
            warnings.append(
                _("家庭成员 %(n)s 的政治面貌“%(s)s”无法识别，未导入该项。")
                % {"n": item.name, "s": item.political_status}
            )
        family.append(
            FamilyPlan(relation, item.name, _to_date(item.birth), status, item.work_unit_and_post)
        )
        del index
    assessments = []
    for year, word in parse_assessments(record.assessments):
        if birth is not None and not (birth.year < year <= today().year + 1):
            problems.append(
                LrmxProblem("NianDuKaoHeJieGuo", _("考核年度 %(y)d 无效。") % {"y": year})
            )
            continue
        assessments.append((year, GRADE_FROM_TEXT[word]))
    rewards = []
    lines, other = parse_rewards(record.rewards_punishments)
    for when, category_text, title in lines:
        category = CATEGORY_FROM_TEXT.get(category_text)
        if category is None:
            other.append(f"{when.dotted()} {category_text}：{title}")
            continue
        kind = RecordKind.REWARD if category in REWARD_CATEGORIES else RecordKind.PUNISHMENT
        rewards.append(RewardPlan(kind, category, title, dt.date(when.year, when.month, 1)))
    for line in other:
        warnings.append(_("奖惩情况“%(l)s”无法识别为奖惩记录，未导入该行。") % {"l": line[:40]})
    if problems or birth is None or sex is None:
        raise LrmxFormatError(problems)
    values: dict[str, Any] = {
        "name": record.name.strip(),
        "sex": sex,
        "birth_date": birth,
        "id_number": number,
        "ethnicity": record.ethnicity,
        "native_place": record.native_place,
        "birthplace": record.birthplace,
        "work_start_date": _to_date(record.work_start),
        "health": record.health,
        "professional_title": record.professional_title,
        "specialty": record.specialty,
        "current_post_title": record.current_post,
    }
    party_status: str | None = None
    if record.party_join is not None:
        values["party_join_date"] = _to_date(record.party_join)
        party_status = "cpc_member"
    elif record.party_text:
        party_status = _status_from_text(record.party_text)
        if party_status is None or party_status in PARTY_STATUSES:
            warnings.append(
                _("入党时间“%(v)s”既不是日期也不是政治面貌，未导入该项。")
                % {"v": record.party_text}
            )
            party_status = None
    return ImportPlan(
        id_number=number,
        birth_date=birth,
        values={k: v for k, v in values.items() if v not in ("", None)},
        party_status=party_status,
        month_dates=frozenset({"party_join_date", "work_start_date"}),
        educations=educations,
        resume=list(record.resume),
        family=family,
        assessments=assessments,
        rewards=rewards,
        photo=record.photo,
        warnings=warnings,
    )


def merged_input(existing: CadreInput | None, plan: ImportPlan) -> CadreInput:
    """The cadre's scalar fields after the import: the existing values with
    what the file states laid over them. A month-only date that agrees with
    the stored date to the month keeps the stored day."""
    if existing is None:
        base = CadreInput(
            name="",
            sex="",
            birth_date=None,
            id_number=plan.id_number,
            political_status="masses",
        )
    else:
        base = existing
    values = dict(plan.values)
    for name in plan.month_dates:
        new, old = values.get(name), getattr(base, name)
        if new is not None and old is not None and (new.year, new.month) == (old.year, old.month):
            values[name] = old
    merged = replace(base, **values)
    if plan.party_status is not None:
        if plan.party_status in PARTY_STATUSES:
            if base.political_status not in PARTY_STATUSES:
                merged = replace(merged, political_status=plan.party_status)
            full, join = merged.party_full_date, merged.party_join_date
            if full is not None and join is not None and full <= join:
                merged = replace(merged, party_full_date=None)
        else:
            merged = replace(
                merged,
                political_status=plan.party_status,
                party_join_date=None,
                party_full_date=None,
            )
    return merged


#: CadreInput field → the LRMX element it comes from (for error messages).
FIELD_ELEMENT = {
    "name": "XingMing",
    "sex": "XingBie",
    "birth_date": "ChuShengNianYue",
    "id_number": "ShenFenZheng",
    "political_status": "RuDangShiJian",
    "party_join_date": "RuDangShiJian",
    "party_full_date": "RuDangShiJian",
    "work_start_date": "CanJiaGongZuoShiJian",
    "ethnicity": "MinZu",
    "native_place": "JiGuan",
    "birthplace": "ChuShengDi",
    "health": "JianKangZhuangKuang",
    "professional_title": "ZhuanYeJiShuZhiWu",
    "specialty": "ShuXiZhuanYeYouHeZhuanChang",
    "current_post_title": "XianRenZhiWu",
}

#: Longest lengths of the cadre columns a file fills.
FIELD_LIMITS = {
    "name": 30,
    "ethnicity": 20,
    "native_place": 60,
    "birthplace": 60,
    "health": 30,
    "professional_title": 60,
    "specialty": 100,
    "current_post_title": 120,
}


def check_merged(data: CadreInput, plan: ImportPlan, today: dt.date) -> list[LrmxProblem]:
    """The people validation of the merged record, and the checks of the
    records the import adds, as problems naming elements."""
    facts = CadreFacts(
        name=data.name,
        sex=data.sex,
        birth_date=data.birth_date,
        id_number=data.id_number,
        political_status=data.political_status,
        party_join_date=data.party_join_date,
        party_full_date=data.party_full_date,
        work_start_date=data.work_start_date,
        level_since=data.level_since,
    )
    out = validate_cadre(facts, today=today)
    problems = [LrmxProblem(FIELD_ELEMENT.get(e.field, e.field), e.message) for e in out.errors]
    for name, limit in FIELD_LIMITS.items():
        value = getattr(data, name)
        if len(value) > limit:
            problems.append(
                LrmxProblem(
                    FIELD_ELEMENT[name],
                    _("内容过长（最多 %(n)d 个字，实为 %(m)d 个字）。")
                    % {"n": limit, "m": len(value)},
                )
            )
    birth = plan.birth_date
    for index, period in enumerate(plan.resume, start=1):
        start = _to_date(period.start)
        if start is not None and start <= birth:
            problems.append(
                LrmxProblem("JianLi", _("第 %(n)d 段的起始年月早于出生日期。") % {"n": index})
            )
        if len(period.text) > 200 or len(period.note) > 200:
            problems.append(LrmxProblem("JianLi", _("第 %(n)d 段超过 200 个字。") % {"n": index}))
    for name in FIELD_LIMITS:
        value = getattr(data, name)
        if formula_like(value):
            problems.append(LrmxProblem(FIELD_ELEMENT[name], formula_message(value)))
    for index, member in enumerate(plan.family, start=1):
        for element, value in (
            ("XingMing", member.name),
            ("GongZuoDanWeiJiZhiWu", member.work_unit_and_post),
        ):
            if formula_like(value):
                problems.append(
                    LrmxProblem(f"JiaTingChengYuan/Item[{index}]/{element}", formula_message(value))
                )
        if member.birth_date is not None and member.birth_date > today:
            problems.append(
                LrmxProblem(
                    f"JiaTingChengYuan/Item[{index}]/ChuShengRiQi",
                    _("出生日期不能晚于今天。"),
                )
            )
    return problems


def resume_of(cadre: Cadre) -> list[ResumePeriod]:
    return [
        ResumePeriod(
            PartialDate(e.start_date.year, e.start_date.month), _ym(e.end_date), e.text, e.note
        )
        for e in sorted(cadre.resume_entries.all(), key=lambda e: (e.start_date, e.pk))
    ]


def resume_rows(periods: list[ResumePeriod]) -> list[tuple[dt.date, dt.date | None, str, str]]:
    rows = []
    for p in periods:
        start = _to_date(p.start)
        assert start is not None
        rows.append((start, _to_date(p.end), p.text, p.note))
    return rows
