"""干部任免审批表: the view model both renderers (DOCX and PDF) print.

`build_approval_form` turns one cadre (with the relations `cadre_get`
prefetches) and the optional case context into plain strings, so that the
renderers only lay text out. No queries here beyond the prefetched relations;
the permission checks are in documents.selectors.

`fit_resume` decides how the 简历 fits page 1 (docs/decisions/0023): the type
shrinks step by step; a resume too long even at the smallest size continues on
a 简历（续） sheet inserted before page 2, instead of being cut.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from xuanren.common.dates import completed_years
from xuanren.people.formatting import resume_period, ym
from xuanren.people.models import (
    EDUCATION_RANK,
    IN_SERVICE_KINDS,
    PARTY_STATUSES,
    Cadre,
    Degree,
    Education,
    EducationKind,
    RecordKind,
)


@dataclass(frozen=True)
class FormContext:
    """What the officer adds to the cadre's records for one form."""

    proposed_post: str = ""
    removed_post: str = ""
    reasons: str = ""
    submitting_unit: str = ""
    reference_date: dt.date | None = None
    filled_by: str = ""
    case_id: int | None = None


@dataclass(frozen=True)
class ResumeLine:
    period: str  # "2007.08--2010.12" ("" on a continuation line)
    text: str

    @property
    def line(self) -> str:
        return f"{self.period}  {self.text}" if self.period else self.text


@dataclass(frozen=True)
class FamilyRow:
    relation: str
    name: str
    age: str
    political_status: str
    work: str


@dataclass(frozen=True)
class ApprovalForm:
    cadre_id: int
    name: str
    sex: str
    birth: str  # YYYY.MM
    age: int
    ethnicity: str
    native_place: str
    birthplace: str
    party_join: str
    work_start: str
    health: str
    professional_title: str
    specialty: str
    full_time_education: str
    full_time_school: str
    in_service_education: str
    in_service_school: str
    current_post: str
    proposed_post: str
    removed_post: str
    resume: list[ResumeLine]
    rewards_punishments: str
    assessments: str
    reasons: str
    family: list[FamilyRow]
    submitting_unit: str
    reference_date: dt.date
    fill_date: dt.date
    filled_by: str
    photo: bytes | None = None
    photo_mime: str = ""
    case_id: int | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def birth_with_age(self) -> str:
        return _("%(b)s（%(a)s岁）") % {"b": self.birth, "a": self.age}


def image_mime(data: bytes | None) -> str:
    """JPEG or PNG by their magic numbers; "" for anything else (not printed)."""
    if not data:
        return ""
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    return ""


def _best(entries: list[Education]) -> Education | None:
    ranked = sorted(
        entries, key=lambda e: (EDUCATION_RANK.get(e.level, 0), e.degree != Degree.NONE)
    )
    return ranked[-1] if ranked else None


def _education_text(entry: Education | None) -> tuple[str, str]:
    """(学历 and 学位 on two lines, 院校系及专业) for the highest entry of a kind."""
    if entry is None:
        return "", ""
    text = entry.level_text or str(entry.get_level_display())
    if entry.degree and entry.degree != Degree.NONE:
        text += "\n" + _("%(d)s学位") % {"d": entry.get_degree_display()}
    school = entry.school
    if entry.major:
        major = entry.major if entry.major.endswith("专业") else entry.major + _("专业")
        school += major
    return text, school


def _current_post(cadre: Cadre, on: dt.date) -> str:
    if cadre.current_post_title.strip():
        return cadre.current_post_title.strip()
    held = [
        t
        for t in cadre.tenures.all()
        if t.start_date <= on and (t.end_date is None or t.end_date > on)
    ]
    return "、".join(f"{t.post.unit.name}{t.post.title}" for t in held)


def _resume(cadre: Cadre) -> list[ResumeLine]:
    lines: list[ResumeLine] = []
    for entry in cadre.resume_entries.all():
        # The period as the cadre page prints it ("2011.01--" when open); the
        # renderers hang the text after a period column.
        lines.append(ResumeLine(resume_period(entry).strip(), entry.text))
        if entry.note:
            note = entry.note.strip()
            if not note.startswith("（"):
                note = _("（其间：%(n)s）") % {"n": note}
            lines.append(ResumeLine("", note))
    return lines


def _rewards(cadre: Cadre) -> str:
    # Findings (认定, docs/decisions/0085) are not 奖惩: not on the approval form.
    records = sorted(
        (r for r in cadre.rewards_punishments.all() if r.kind != RecordKind.FINDING),
        key=lambda r: r.decided_on,
    )
    if not records:
        return _("无")
    out = []
    for r in records:
        text = f"{ym(r.decided_on)}  {r.title}"
        if r.document:
            text += f"（{r.document}）"
        out.append(text)
    return "\n".join(out)


def _assessments(cadre: Cadre, ref: dt.date, years: int = 3) -> str:
    """The latest `years` annual results before the reference year, oldest first."""
    got = sorted((a for a in cadre.assessments.all() if a.year < ref.year), key=lambda a: a.year)[
        -years:
    ]
    return _("；").join(
        _("%(y)s年度考核%(g)s") % {"y": a.year, "g": a.get_grade_display()} for a in got
    )


def _family(cadre: Cadre, ref: dt.date) -> list[FamilyRow]:
    return [
        FamilyRow(
            relation=str(f.get_relation_display()),
            name=f.name,
            age=str(completed_years(f.birth_date, ref)) if f.birth_date else "",
            political_status=str(f.get_political_status_display()) if f.political_status else "",
            work=f.work_unit_and_post,
        )
        for f in cadre.family_members.all()
    ]


def build_approval_form(cadre: Cadre, context: FormContext, *, on: dt.date) -> ApprovalForm:
    """The form's content. `on` is the fill date (today); ages are counted at
    the context's reference date, or at `on` when none is given. The form is an
    official record: it is always in Chinese, whatever the officer's language."""
    ref = context.reference_date or on
    with translation.override(settings.LANGUAGE_CODE):
        educations = list(cadre.educations.all())
        full_time = _education_text(
            _best([e for e in educations if e.kind == EducationKind.FULL_TIME])
        )
        in_service = _education_text(_best([e for e in educations if e.kind in IN_SERVICE_KINDS]))
        party = cadre.political_status in PARTY_STATUSES
        photo = bytes(cadre.photo) if cadre.photo else None
        return ApprovalForm(
            cadre_id=cadre.pk,
            name=cadre.name,
            sex=str(cadre.get_sex_display()),
            birth=ym(cadre.birth_date),
            age=completed_years(cadre.birth_date, ref),
            ethnicity=cadre.ethnicity,
            native_place=cadre.native_place,
            birthplace=cadre.birthplace,
            party_join=ym(cadre.party_join_date)
            if party
            else str(cadre.get_political_status_display()),
            work_start=ym(cadre.work_start_date),
            health=cadre.health,
            professional_title=cadre.professional_title,
            specialty=cadre.specialty,
            full_time_education=full_time[0],
            full_time_school=full_time[1],
            in_service_education=in_service[0],
            in_service_school=in_service[1],
            current_post=_current_post(cadre, ref),
            proposed_post=context.proposed_post.strip(),
            removed_post=context.removed_post.strip(),
            resume=_resume(cadre),
            rewards_punishments=_rewards(cadre),
            assessments=_assessments(cadre, ref),
            reasons=context.reasons.strip(),
            family=_family(cadre, ref),
            submitting_unit=context.submitting_unit.strip(),
            reference_date=ref,
            fill_date=on,
            filled_by=context.filled_by,
            photo=photo if image_mime(photo) else None,
            photo_mime=image_mime(photo),
            case_id=context.case_id,
        )


# ---- fitting the 简历 on page 1 ------------------------------------------------------

#: Type sizes tried in turn (points): 五号 10.5, then smaller.
RESUME_SIZES: tuple[float, ...] = (10.5, 9.5, 8.5, 7.5)
#: The 简历 cell on page 1, inside its padding (mm); the renderers use these too.
RESUME_WIDTH_MM = 140.0
RESUME_HEIGHT_MM = 124.0
#: The period column "2007.08--2010.12" takes 9 ems (its 16 narrow glyphs + gap).
PERIOD_EMS = 9.0
LINE_HEIGHT = 1.4
#: A continuation sheet holds this much more height than the page-1 cell.
CONTINUATION_HEIGHT_MM = 240.0
PT_MM = 25.4 / 72


def text_ems(text: str) -> float:
    """Printed width in ems: wide (CJK) characters 1, others half."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in text)


def wrapped_lines(line: ResumeLine, size_pt: float, width_mm: float = RESUME_WIDTH_MM) -> int:
    per_line = (width_mm / (size_pt * PT_MM)) - PERIOD_EMS
    return max(1, math.ceil(text_ems(line.text) / max(per_line, 1.0)))


def lines_that_fit(size_pt: float, height_mm: float) -> int:
    return int(height_mm // (size_pt * LINE_HEIGHT * PT_MM))


@dataclass(frozen=True)
class ResumeFit:
    size_pt: float
    page1: list[ResumeLine]
    continued: list[ResumeLine]  # empty for a resume that fits page 1


def fit_resume(lines: list[ResumeLine]) -> ResumeFit:
    """The largest size at which the whole resume fits the page-1 cell; at the
    smallest size, the lines that do not fit go on to a continuation sheet
    (whole entries stay together where they can)."""
    for size in RESUME_SIZES:
        need = sum(wrapped_lines(line, size) for line in lines)
        if need <= lines_that_fit(size, RESUME_HEIGHT_MM):
            return ResumeFit(size, list(lines), [])
    size = RESUME_SIZES[-1]
    room = lines_that_fit(size, RESUME_HEIGHT_MM)
    used = 0
    cut = 0
    for i, line in enumerate(lines):
        used += wrapped_lines(line, size)
        if used > room:
            break
        cut = i + 1
    # Keep an entry's "（其间：…）" line with its entry.
    while 0 < cut < len(lines) and not lines[cut].period:
        cut -= 1
    return ResumeFit(size, list(lines[:cut]), list(lines[cut:]))
