"""What a public notice says about each person (DOMAIN §3 step 12, seed §5):
name, sex, ethnicity, birth (YYYY.MM), native place, education, party and work
dates, detailed work history, current and proposed post, and 破格 where it
applies. Shared by the publishing service and the notice_complete guard."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuanren.people.models import EDUCATION_RANK, PARTY_STATUSES, Degree
from xuanren.policy.models import ExceptionStatus, PromotionException
from xuanren.procedure.models import Candidate, CandidateStatus, Case
from xuanren.supervision.strokes import by_strokes


def month(day: dt.date | None) -> str:
    """A date as notices print it: 1985.03."""
    return f"{day.year}.{day.month:02d}" if day else ""


def approved_candidates(case: Case) -> QuerySet[Candidate]:
    return (
        Candidate.objects.filter(case=case, status=CandidateStatus.APPROVED)
        .select_related("cadre", "post__unit", "exception")
        .prefetch_related(
            "cadre__resume_entries", "cadre__educations", "cadre__tenures__post__unit"
        )
    )


def approved_exception(candidate: Candidate) -> PromotionException | None:
    """The approved 破格 for this candidacy: the one recorded on the candidate,
    or any approved request for the same cadre and post."""
    if candidate.exception is not None and candidate.exception.status == ExceptionStatus.APPROVED:
        return candidate.exception
    return (
        PromotionException.objects.filter(
            cadre_id=candidate.cadre_id,
            post_id=candidate.post_id,
            status=ExceptionStatus.APPROVED,
        )
        .order_by("-decided_on", "-id")
        .first()
    )


def _education(candidate: Candidate) -> str:
    cadre = candidate.cadre
    if not cadre.education_level:
        return ""
    text = str(cadre.get_education_level_display())
    entries = sorted(
        cadre.educations.all(),
        key=lambda e: (EDUCATION_RANK.get(e.level, 0), e.degree != Degree.NONE),
    )
    if entries and entries[-1].degree != Degree.NONE:
        text += _("，%(d)s学位") % {"d": entries[-1].get_degree_display()}
    return text


def _current_post(candidate: Candidate) -> str:
    cadre = candidate.cadre
    if cadre.current_post_title.strip():
        return cadre.current_post_title.strip()
    held = [t for t in cadre.tenures.all() if t.end_date is None]
    return "、".join(f"{t.post.unit.name}{t.post.title}" for t in held)


def notice_person(candidate: Candidate) -> dict[str, Any]:
    """The notice's content about one candidate, as plain Chinese text (the
    notice is a public record: it does not follow the officer's language)."""
    cadre = candidate.cadre
    post = candidate.post
    with translation.override(settings.LANGUAGE_CODE):
        exception = approved_exception(candidate)
        party = cadre.political_status in PARTY_STATUSES
        resume = [
            {
                "period": f"{month(e.start_date)}—{month(e.end_date)}",
                "text": e.text + (f"（{e.note}）" if e.note else ""),
            }
            for e in cadre.resume_entries.all()
        ]
        person: dict[str, Any] = {
            "candidate": candidate.pk,
            "cadre": cadre.pk,
            "name": cadre.name,
            "sex": str(cadre.get_sex_display()),
            "ethnicity": cadre.ethnicity,
            "birth": month(cadre.birth_date),
            "native_place": cadre.native_place,
            "education": _education(candidate),
            "political_status": str(cadre.get_political_status_display()),
            "party_member": party,
            "party_join": month(cadre.party_join_date) if party else "",
            "work_start": month(cadre.work_start_date),
            "resume": resume,
            "current_post": _current_post(candidate),
            "proposed_post": f"{post.unit.name}{post.title}",
            "exception": None,
        }
        if exception is not None:
            person["exception"] = {
                "id": exception.pk,
                "reason": str(exception.get_reason_display()),
                "explanation": exception.explanation,
                "document": exception.document,
                "statement": _("破格提拔。破格理由：%(r)s。%(e)s")
                % {"r": exception.get_reason_display(), "e": exception.explanation},
            }
    return person


def notice_persons(case: Case) -> list[dict[str, Any]]:
    """The content for every APPROVED candidate, by surname strokes (按姓氏笔画)."""
    candidates = by_strokes(approved_candidates(case), name=lambda c: c.cadre.name)
    return [notice_person(c) for c in candidates]


#: Fields a notice must state for every person, with their Chinese names.
REQUIRED_FIELDS: tuple[tuple[str, Any], ...] = (
    ("name", gettext_lazy("姓名")),
    ("sex", gettext_lazy("性别")),
    ("ethnicity", gettext_lazy("民族")),
    ("birth", gettext_lazy("出生年月")),
    ("native_place", gettext_lazy("籍贯")),
    ("education", gettext_lazy("学历")),
    ("work_start", gettext_lazy("参加工作时间")),
    ("resume", gettext_lazy("工作简历")),
    ("current_post", gettext_lazy("现任职务")),
    ("proposed_post", gettext_lazy("拟任职务")),
)


def person_gaps(person: dict[str, Any], *, exception_expected: bool) -> list[str]:
    """What the notice lacks about one person (empty when complete)."""
    gaps = [str(label) for key, label in REQUIRED_FIELDS if not person.get(key)]
    if person.get("party_member") and not person.get("party_join"):
        gaps.append(_("入党时间"))
    statement = (person.get("exception") or {}).get("statement")
    if exception_expected and not statement:
        gaps.append(_("破格提拔说明"))
    return gaps


def content_problems(persons: list[dict[str, Any]], candidates: list[Candidate]) -> list[str]:
    """Each APPROVED candidate must be on the notice with complete content and
    with 破格 stated when an approved 破格 applies to them."""
    stored = {p.get("candidate"): p for p in persons}
    problems = []
    for candidate in by_strokes(candidates, name=lambda c: c.cadre.name):
        person = stored.get(candidate.pk)
        post = f"{candidate.post.unit.name}{candidate.post.title}"
        if person is None:
            problems.append(
                _("%(n)s（拟任%(p)s）未列入任前公示，须重新发布公示。")
                % {"n": candidate.cadre.name, "p": post}
            )
            continue
        expected = approved_exception(candidate) is not None
        gaps = person_gaps(person, exception_expected=expected)
        if gaps:
            problems.append(
                _("%(n)s的公示内容缺少：%(g)s。")
                % {"n": candidate.cadre.name, "g": "、".join(gaps)}
            )
    return problems
