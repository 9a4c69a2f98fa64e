"""年度考核 writes (docs/decisions/0150–0152): open a unit's round for a
year (its weights, bands and 优秀 share copied from the settings, the unit's
cadres listed), set the weights, record the scores from the paper sheets,
record a 述职, confirm a grade — held to the round's 优秀 quota and written
into people.Assessment in the same transaction. Each one transaction with
its journal event."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xuanren.access.policy import has_perm, require_perm, unit_in_scope
from xuanren.assessment import scoring
from xuanren.assessment.models import (
    GROUP_WORDS,
    AssessedCadre,
    AssessmentRound,
    Dimension,
    RaterGroup,
    Score,
)
from xuanren.assessment.selectors import MANAGE_ROUNDS, VIEW_ROUNDS, bands_of, line_of
from xuanren.ballots.models import (
    BallotMethod,
    EvaluationScale,
    Meeting,
    MeetingKind,
    MeetingStatus,
    PaperMode,
)
from xuanren.ballots.selectors import score_means
from xuanren.ballots.services import meeting_create
from xuanren.common.dates import today
from xuanren.common.errors import Conflict, ErrorCollector, NotFound
from xuanren.journal.models import EventType
from xuanren.journal.services import journal_record
from xuanren.org.models import Unit
from xuanren.people.models import AssessmentGrade, Cadre, CadreStatus
from xuanren.people.services import assessment_set

FIRST_YEAR = 1990
MAX_REPORT = 20_000
MAX_SCORE = Decimal(100)


def default_group_weights() -> dict[str, int]:
    return {g: int(settings.XUANREN_ASSESSMENT_GROUP_WEIGHTS[g]) for g in scoring.GROUPS}


def default_dimension_weights() -> dict[str, int]:
    return {d: int(settings.XUANREN_ASSESSMENT_DIMENSION_WEIGHTS[d]) for d in scoring.DIMENSIONS}


def _check_weights(
    out: ErrorCollector, field: str, what: str, weights: Mapping[str, Any], keys: tuple[str, ...]
) -> dict[str, int]:
    """Every key present, each a whole number 0–100, together exactly 100."""
    clean: dict[str, int] = {}
    for key in keys:
        value = weights.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            out.add(f"{field}.{key}", _("权重须为 0 至 100 的整数（百分比）。"))
        else:
            clean[key] = value
    unknown = set(weights) - set(keys)
    if unknown:
        out.add(field, _("无效的权重项：%(k)s。") % {"k": "、".join(sorted(map(str, unknown)))})
    if len(clean) == len(keys) and sum(clean.values()) != 100:
        out.add(
            field,
            _("%(what)s合计为 %(s)d%%，须恰好为 100%%，请调整后再保存。")
            % {"what": what, "s": sum(clean.values())},
        )
    return clean


def _weights_checked(
    group_weights: Mapping[str, Any], dimension_weights: Mapping[str, Any]
) -> tuple[dict[str, int], dict[str, int]]:
    out = ErrorCollector()
    groups = _check_weights(
        out,
        "group_weights",
        _("评分主体权重（上级领导、同级干部、党员群众）"),
        group_weights,
        scoring.GROUPS,
    )
    dims = _check_weights(
        out,
        "dimension_weights",
        _("考核内容权重（德、能、勤、绩、廉）"),
        dimension_weights,
        scoring.DIMENSIONS,
    )
    out.raise_if_any(_("考核权重有误，未保存。"))
    return groups, dims


def _weight_fields(groups: Mapping[str, int], dims: Mapping[str, int]) -> dict[str, int]:
    return {
        **{f"w_{g}": groups[g] for g in scoring.GROUPS},
        **{f"w_{d}": dims[d] for d in scoring.DIMENSIONS},
    }


@transaction.atomic
def round_create(
    *,
    actor: Any,
    unit: Unit,
    year: int,
    group_weights: Mapping[str, Any] | None = None,
    dimension_weights: Mapping[str, Any] | None = None,
) -> AssessmentRound:
    """The annual assessment of `unit` for `year`, listing the unit's cadres in
    service (a snapshot), with the given weights or the default ones."""
    require_perm(actor, MANAGE_ROUNDS)
    if not unit_in_scope(actor, unit):
        raise NotFound(_("未找到该单位，或其不在您的管理范围内。"))
    out = ErrorCollector()
    if not FIRST_YEAR <= year <= today().year:
        out.add("year", _("年度须在 %(a)d 至 %(b)d 之间。") % {"a": FIRST_YEAR, "b": today().year})
    out.raise_if_any(_("年度考核未登记。"))
    groups, dims = _weights_checked(
        default_group_weights() if group_weights is None else group_weights,
        default_dimension_weights() if dimension_weights is None else dimension_weights,
    )
    if AssessmentRound.objects.filter(unit=unit, year=year).exists():
        raise Conflict(
            _("%(u)s%(y)d 年度考核已经登记，请在原记录中办理。") % {"u": unit.name, "y": year}
        )
    bands = settings.XUANREN_ASSESSMENT_BANDS
    r = AssessmentRound.objects.create(
        unit=unit,
        year=year,
        **_weight_fields(groups, dims),
        band_excellent=int(bands[AssessmentGrade.EXCELLENT]),
        band_competent=int(bands[AssessmentGrade.COMPETENT]),
        band_basic=int(bands[AssessmentGrade.BASICALLY_COMPETENT]),
        excellent_share=int(settings.XUANREN_ASSESSMENT_EXCELLENT_SHARE),
        created_by=actor,
        created_at=timezone.now(),
    )
    cadres = list(
        Cadre.objects.filter(unit=unit, status=CadreStatus.ACTIVE)
        .order_by("pk")
        .values_list("pk", "current_post_title")
    )
    AssessedCadre.objects.bulk_create(
        AssessedCadre(round=r, cadre_id=pk, post_text=title[:200]) for pk, title in cadres
    )
    journal_record(
        actor=actor,
        event_type=EventType.ASSESSMENT_ROUND_CREATED,
        subject=r,
        payload={
            "unit": unit.pk,
            "year": year,
            "cadres": len(cadres),
            "group_weights": groups,
            "dimension_weights": dims,
            "bands": bands_of(r),
            "excellent_share": r.excellent_share,
        },
    )
    return r


def _locked(actor: Any, r: AssessmentRound) -> AssessmentRound:
    """The round locked (confirmations in a round go one at a time), after
    the scope (404) and the permission to change it (403)."""
    locked = (
        AssessmentRound.objects.select_for_update(of=("self",))
        .select_related("unit")
        .filter(pk=r.pk)
        .first()
    )
    if locked is None or not has_perm(actor, VIEW_ROUNDS) or not unit_in_scope(actor, locked.unit):
        raise NotFound(_("未找到该年度考核，或其不在您的管理范围内。"))
    require_perm(actor, MANAGE_ROUNDS)
    return locked


@transaction.atomic
def round_weights_set(
    *,
    actor: Any,
    round: AssessmentRound,
    group_weights: Mapping[str, Any],
    dimension_weights: Mapping[str, Any],
) -> AssessmentRound:
    """New weights for the round, while no grade is confirmed in it."""
    r = _locked(actor, round)
    groups, dims = _weights_checked(group_weights, dimension_weights)
    if AssessedCadre.objects.filter(round=r).exclude(grade="").exists():
        raise Conflict(_("本次考核已有确定的等次，不能再修改权重。"))
    before = {"group_weights": r.group_weights(), "dimension_weights": r.dimension_weights()}
    for name, value in _weight_fields(groups, dims).items():
        setattr(r, name, value)
    r.save(update_fields=list(_weight_fields(groups, dims)))
    journal_record(
        actor=actor,
        event_type=EventType.ASSESSMENT_WEIGHTS_SET,
        subject=r,
        payload={"before": before, "after": {"group_weights": groups, "dimension_weights": dims}},
    )
    return r


@dataclass(frozen=True)
class ScoreEntry:
    """One cell of the grid: None clears it."""

    assessed_id: int
    group: str
    dimension: str
    score: Decimal | str | None


def _score_value(raw: Any) -> Decimal | None:
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or not Decimal(0) <= value <= MAX_SCORE:
        return None
    if value != value.quantize(scoring.CENT):
        return None
    return value.quantize(scoring.CENT)


@transaction.atomic
def scores_record(
    *,
    actor: Any,
    round: AssessmentRound,
    entries: Sequence[ScoreEntry],
    meeting: Meeting | None = None,
) -> AssessmentRound:
    """Scores as counted from the paper sheets (each 0–100, at most two
    decimals), or imported from the round's evaluation meeting (`meeting`,
    named in the journal event); all or nothing. A cadre whose grade is
    confirmed is not rescored."""
    r = _locked(actor, round)
    rows = {a.pk: a for a in AssessedCadre.objects.filter(round=r).select_related("cadre")}
    out = ErrorCollector()
    clean: list[tuple[AssessedCadre, str, str, Decimal | None]] = []
    for e in entries:
        where = f"{e.assessed_id}.{e.group}.{e.dimension}"
        row = rows.get(e.assessed_id)
        if row is None:
            out.add(where, _("该干部不在本次年度考核名单中。"))
            continue
        if e.group not in RaterGroup.values or e.dimension not in Dimension.values:
            out.add(where, _("无效的评分主体或考核内容。"))
            continue
        value = None if e.score is None else _score_value(e.score)
        if e.score is not None and value is None:
            out.add(
                where,
                _("%(n)s：%(g)s“%(d)s”得分须为 0 至 100 之间、至多两位小数的数。")
                % {
                    "n": row.cadre.name,
                    "g": RaterGroup(e.group).label,
                    "d": Dimension(e.dimension).label,
                },
            )
            continue
        clean.append((row, e.group, e.dimension, value))
    existing = {
        (s.assessed_id, s.group, s.dimension): s
        for s in Score.objects.filter(assessed_id__in=rows.keys())
    }
    changes: list[tuple[AssessedCadre, str, str, Decimal | None, Score | None]] = []
    for row, g, d, value in clean:
        current = existing.get((row.pk, g, d))
        if (current.score if current else None) == value:
            continue
        if row.grade:
            out.add(
                f"{row.pk}.{g}.{d}",
                _("%(n)s 的等次已经确定，不能再修改评分。") % {"n": row.cadre.name},
            )
            continue
        changes.append((row, g, d, value, current))
    out.raise_if_any(_("评分有误，未保存。"))
    # Three statements whatever the number of cells (a whole grid at once).
    cleared = [current.pk for _r, _g, _d, value, current in changes if value is None and current]
    changed: list[Score] = []
    added: list[Score] = []
    for row, g, d, value, current in changes:
        if value is not None and current is not None:
            current.score = value
            changed.append(current)
        elif value is not None:
            added.append(Score(assessed=row, group=g, dimension=d, score=value))
    if cleared:
        Score.objects.filter(pk__in=cleared).delete()
    if changed:
        Score.objects.bulk_update(changed, ["score"])
    if added:
        Score.objects.bulk_create(added)
    if changes:
        journal_record(
            actor=actor,
            event_type=EventType.ASSESSMENT_SCORES_RECORDED,
            subject=r,
            payload={
                "cells": len(changes),
                "cadres": sorted({row.cadre_id for row, *_rest in changes}),
                **({"meeting": meeting.pk, "source": "ballots"} if meeting is not None else {}),
            },
        )
    return r


# ---- from an evaluation meeting (decision 0172) -----------------------------------------

MAX_VOTERS = 2000


@dataclass(frozen=True)
class RaterVoter:
    """One voter of the evaluation meeting: their rater group and, to vote
    with their own login instead of a code, their account."""

    name: str
    group: str
    user: Any = None


@transaction.atomic
def meeting_start(
    *,
    actor: Any,
    round: AssessmentRound,
    meeting_date: Any,
    voters: Sequence[RaterVoter],
    method: str = BallotMethod.ELECTRONIC,
    sheet_count: int = 0,
) -> Meeting:
    """发起测评投票: an evaluation meeting of the round's unit with no case,
    one section per dimension (德能勤绩廉) naming every cadre of the round,
    scored 0–100, the voters' groups being the rater groups. It runs in the
    ballots app (codes, count key, paper sheets, the count) like any other
    meeting; one meeting at a time per round."""
    r = _locked(actor, round)
    out = ErrorCollector()
    rows = list(AssessedCadre.objects.filter(round=r).select_related("cadre").order_by("pk"))
    if not rows:
        out.add("voters", _("本次年度考核没有参加考核的干部，不能发起测评投票。"))
    if r.meeting_id is not None:
        current = Meeting.objects.get(pk=r.meeting_id)
        if current.status in (MeetingStatus.SETUP, MeetingStatus.OPEN):
            raise Conflict(
                _("本次考核的测评投票“%(t)s”尚未结束：请先在计票台计票或作废后再发起。")
                % {"t": current.title}
            )
    if len(voters) > MAX_VOTERS:
        out.add("voters", _("参加测评的人员不能超过 %(n)d 人。") % {"n": MAX_VOTERS})
    for v in voters:
        if v.group not in RaterGroup.values:
            out.add(
                "voters",
                _("%(n)s的评分主体须为上级领导、同级干部或党员群众。") % {"n": v.name},
            )
    out.raise_if_any(_("测评投票未发起。"))
    if AssessedCadre.objects.filter(round=r).exclude(grade="").count() == len(rows):
        raise Conflict(_("本次考核的等次已全部确定，不需要再测评。"))
    meeting = meeting_create(
        actor=actor,
        kind=MeetingKind.EVALUATION,
        title=_("%(u)s%(y)d 年度考核测评") % {"u": r.unit.name, "y": r.year},
        unit=r.unit,
        meeting_date=meeting_date,
        sections=[
            {
                "title": Dimension(d).label,
                "items": [{"name": row.cadre.name, "cadre": row.cadre} for row in rows],
            }
            for d in scoring.DIMENSIONS
        ],
        voters=[
            {"name": v.name, "group": GROUP_WORDS.get(v.group, ""), "user": v.user} for v in voters
        ],
        method=method,
        paper_mode=PaperMode.SHEETS,
        sheet_count=sheet_count,
        scale=EvaluationScale.SCORE,
        groups=tuple(GROUP_WORDS[g] for g in scoring.GROUPS),
    )
    r.meeting = meeting
    r.meeting_imported_at = None
    r.save(update_fields=["meeting", "meeting_imported_at"])
    return meeting


def meeting_entries(r: AssessmentRound, meeting: Meeting) -> list[ScoreEntry]:
    """The closed meeting's means as score cells: section n is dimension n,
    a name is the round's row of its cadre, a voters' group its rater group.
    A cell no valid ballot scored is left out (it keeps what it holds)."""
    rows = dict(AssessedCadre.objects.filter(round=r).values_list("cadre_id", "pk"))
    dimension_of = {
        pk: scoring.DIMENSIONS[order - 1]
        for pk, order in meeting.sections.values_list("pk", "order")
        if 1 <= order <= len(scoring.DIMENSIONS)
    }
    group_of = {word: g for g, word in GROUP_WORDS.items()}
    means = score_means(meeting)
    entries = []
    for item_pk, section_pk, cadre_pk in meeting.items.values_list("pk", "section_id", "cadre_id"):
        assessed = rows.get(cadre_pk)
        dimension = dimension_of.get(section_pk)
        if assessed is None or dimension is None:
            continue
        for word, mean in means.get(str(item_pk), {}).items():
            if mean is not None and word in group_of:
                entries.append(ScoreEntry(assessed, group_of[word], dimension, mean))
    return entries


@transaction.atomic
def meeting_import(*, actor: Any, round: AssessmentRound) -> AssessmentRound:
    """导入测评结果: the closed meeting's mean per name × rater group ×
    dimension written into the round's scores through `scores_record`, as one
    journalled import naming the meeting. Once per meeting."""
    r = _locked(actor, round)
    if r.meeting_id is None:
        raise Conflict(
            _("本次考核没有发起测评投票：请先发起测评投票，或在评分表中录入纸质票的统计结果。")
        )
    meeting = Meeting.objects.get(pk=r.meeting_id)
    if meeting.status != MeetingStatus.CLOSED:
        raise Conflict(
            _("测评投票“%(t)s”尚未计票，不能导入：请在计票台计票后再导入。") % {"t": meeting.title}
        )
    if r.meeting_imported_at is not None:
        raise Conflict(_("该次测评结果已经导入，不能重复导入。"))
    entries = meeting_entries(r, meeting)
    if not entries:
        raise Conflict(_("该次测评没有有效的评分，没有可导入的结果。"))
    scores_record(actor=actor, round=r, entries=entries, meeting=meeting)
    r.meeting_imported_at = timezone.now()
    r.save(update_fields=["meeting_imported_at"])
    return r


@transaction.atomic
def report_set(*, actor: Any, assessed: AssessedCadre, report: str) -> AssessedCadre:
    """The cadre's 述职 as written (may be redone)."""
    _locked(actor, assessed.round)
    row = AssessedCadre.objects.select_related("cadre").get(pk=assessed.pk)
    report = report.strip()
    out = ErrorCollector()
    if not report:
        out.add("report", _("请填写述职报告。"))
    elif len(report) > MAX_REPORT:
        out.add("report", _("述职报告不能超过 %(n)d 个字。") % {"n": MAX_REPORT})
    out.raise_if_any(_("述职报告未保存。"))
    row.report = report
    row.save(update_fields=["report"])
    journal_record(
        actor=actor,
        event_type=EventType.ASSESSMENT_REPORT_RECORDED,
        subject=row,
        payload={"cadre": row.cadre_id, "chars": len(report)},
    )
    return row


@transaction.atomic
def grade_confirm(*, actor: Any, assessed: AssessedCadre, grade: str) -> AssessedCadre:
    """The grade the officer confirms, written into the cadre's record
    (people.Assessment) in this transaction. 优秀 needs the composite on or
    above the 优秀 line and a place within the round's quota; any grade but
    不定等次 needs all fifteen scores."""
    r = _locked(actor, assessed.round)
    row = AssessedCadre.objects.select_related("cadre").get(pk=assessed.pk)
    out = ErrorCollector()
    if grade not in AssessmentGrade.values:
        out.add("grade", _("请选择考核等次。"))
        out.raise_if_any(_("等次未确定。"))
    scores = {(s.group, s.dimension): s.score for s in Score.objects.filter(assessed=row)}
    line = line_of(r, row, scores)
    if grade != AssessmentGrade.NOT_GRADED and line.composite is None:
        out.add(
            "grade",
            _(
                "%(n)s 的评分尚未录全（须录入三类评分主体对德、能、勤、绩、廉的 15 项得分），不能确定等次；未参加考核的可确定为“不定等次”。"
            )
            % {"n": row.cadre.name},
        )
    elif grade == AssessmentGrade.EXCELLENT and line.proposed != AssessmentGrade.EXCELLENT:
        out.add(
            "grade",
            _("%(n)s 综合得分 %(s)s，低于优秀分数线 %(b)d，不能确定为优秀。")
            % {"n": row.cadre.name, "s": line.composite, "b": r.band_excellent},
        )
    out.raise_if_any(_("等次未确定。"))
    if grade == AssessmentGrade.EXCELLENT and row.grade != AssessmentGrade.EXCELLENT:
        assessed_count = AssessedCadre.objects.filter(round=r).count()
        quota = scoring.excellent_quota(assessed_count, r.excellent_share)
        taken = AssessedCadre.objects.filter(round=r, grade=AssessmentGrade.EXCELLENT).count()
        if taken + 1 > quota:
            raise Conflict(
                _(
                    "%(u)s本次参加考核 %(n)d 人，优秀等次最多 %(q)d 人（参加考核人数的 %(p)d%%，向下取整），已确定 %(t)d 人，不能再确定优秀。如需调整，请先改定其他人的等次。"
                )
                % {
                    "u": r.unit.name,
                    "n": assessed_count,
                    "q": quota,
                    "p": r.excellent_share,
                    "t": taken,
                }
            )
    previous = row.grade
    row.grade = grade
    row.confirmed_by = actor
    row.confirmed_at = timezone.now()
    row.save(update_fields=["grade", "confirmed_by", "confirmed_at"])
    assessment_set(actor=actor, cadre=row.cadre, year=r.year, grade=grade)
    journal_record(
        actor=actor,
        event_type=EventType.ASSESSMENT_GRADE_CONFIRMED,
        subject=row,
        payload={
            "cadre": row.cadre_id,
            "year": r.year,
            "composite": line.composite,
            "proposed": line.proposed,
            "grade": grade,
            "previous": previous,
        },
    )
    return row
