"""Writes of the poor-performance track (docs/decisions/0156, 0157). Each
service checks the permission and the cadre's unit, validates everything
before writing anything, writes through the people services where a cadre's
record changes (the 诫勉 row, the tenures, the level), and journals in the
same transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from xuanren.access.policy import require_perm, require_unit, unit_in_scope
from xuanren.common.dates import today
from xuanren.common.errors import Conflict, ErrorCollector, NotFound
from xuanren.journal.models import EventType
from xuanren.journal.services import journal_record
from xuanren.observation.models import (
    REASON_GRADES,
    Observation,
    ObservationOutcome,
    ObservationReason,
    ObservationStatus,
)
from xuanren.observation.periods import (
    observation_ends_on,
    observation_months,
    warning_effect_months,
    warning_effect_until,
)
from xuanren.org.models import LEVEL_RANK, Level, Post
from xuanren.people.models import (
    Assessment,
    AssessmentGrade,
    Cadre,
    CadreStatus,
    RecordCategory,
    RecordKind,
    Tenure,
)
from xuanren.people.services import (
    cadre_update,
    reward_punishment_add,
    tenure_end,
    tenure_start,
)

OPEN_PERM = "observation.add_observation"
CLOSE_PERM = "observation.change_observation"


def _d(day: dt.date) -> str:
    return f"{day:%Y.%m.%d}"


def _held_on(cadre: Cadre, day: dt.date) -> list[Tenure]:
    return list(
        Tenure.objects.filter(cadre=cadre, start_date__lte=day, end_date__isnull=True)
        .select_related("post__unit")
        .order_by("start_date", "pk")
    )


@transaction.atomic
def observation_open(
    *,
    actor: Any,
    cadre: Cadre,
    talk_date: dt.date,
    talked_by: str,
    reason_kind: str,
    reason: str,
    talk_record: str,
    assessment_year: int | None = None,
    document: str = "",
    tenure: Tenure | None = None,
) -> Observation:
    """Record a warning talk (诫勉谈话) with a cadre who does not fit the post
    they hold, which opens an observation period of XUANREN_OBSERVATION_MONTHS
    months (six): the talk is also written on the cadre's 奖惩 record as 诫勉
    with its effect period, which the screening rule
    `national.negative.sanction` reads."""
    cadre = Cadre.objects.select_for_update(of=("self",)).select_related("unit").get(pk=cadre.pk)
    require_unit(actor, OPEN_PERM, cadre.unit)
    require_unit(actor, "people.change_cadre", cadre.unit)
    out = ErrorCollector()
    talked_by, reason, talk_record = talked_by.strip(), reason.strip(), talk_record.strip()
    document = document.strip()
    if cadre.status != CadreStatus.ACTIVE:
        out.add("cadre", _("%(n)s不是在职干部，不适用察看期。") % {"n": cadre.name})
    if talk_date > today():
        out.add(
            "talk_date",
            _("谈话日期 %(d)s 晚于今天，请填写已进行谈话的日期。") % {"d": _d(talk_date)},
        )
    elif talk_date <= cadre.birth_date:
        out.add("talk_date", _("谈话日期早于出生日期，请核对。"))
    if not talked_by:
        out.add("talked_by", _("请填写谈话人（姓名及职务）。"))
    elif len(talked_by) > 120:
        out.add("talked_by", _("谈话人过长（最多 120 个字）。"))
    if not talk_record:
        out.add("talk_record", _("请填写谈话记录：谈话指出的问题、本人表态和改进要求。"))
    if not reason:
        out.add("reason", _("请说明不适宜担任现职的具体情况。"))
    if len(document) > 80:
        out.add("document", _("文号过长（最多 80 个字）。"))
    if reason_kind not in ObservationReason.values:
        out.add("reason_kind", _("请选择察看原因。"))
    elif reason_kind in REASON_GRADES:
        grade = REASON_GRADES[reason_kind]
        if assessment_year is None:
            out.add("assessment_year", _("请填写考核结果所属的年度。"))
        else:
            found = (
                Assessment.objects.filter(cadre=cadre, year=assessment_year)
                .values_list("grade", flat=True)
                .first()
            )
            if found != grade:
                have = (
                    _("未录入该年度考核结果")
                    if found is None
                    else _("该年度考核结果为%(g)s") % {"g": AssessmentGrade(found).label}
                )
                out.add(
                    "assessment_year",
                    _("%(n)s %(y)d 年度考核不是%(want)s（%(have)s），请核对察看原因或年度。")
                    % {
                        "n": cadre.name,
                        "y": assessment_year,
                        "want": AssessmentGrade(grade).label,
                        "have": have,
                    },
                )
    else:
        assessment_year = None
    held = _held_on(cadre, talk_date) if "talk_date" not in {e.field for e in out.errors} else []
    if tenure is not None:
        if tenure.pk not in {t.pk for t in held}:
            out.add("tenure", _("所选职务不是该干部在谈话日期担任的职务，请重新选择。"))
        else:
            tenure = next(t for t in held if t.pk == tenure.pk)
    elif "talk_date" in {e.field for e in out.errors}:
        pass
    elif not held:
        out.add(
            "tenure",
            _("%(n)s在 %(d)s 没有担任职务：察看期适用于不适宜担任现职的干部。")
            % {"n": cadre.name, "d": _d(talk_date)},
        )
    elif len(held) > 1:
        out.add("tenure", _("该干部同时担任多个职务，请选择不适宜担任的职务。"))
    else:
        tenure = held[0]
    out.raise_if_any(_("诫勉谈话信息有误，未保存。"))
    assert tenure is not None
    if Observation.objects.filter(cadre=cadre, status=ObservationStatus.OPEN).exists():
        raise Conflict(
            _("%(n)s已在察看期内，请先对该察看期作出结论，再登记新的诫勉谈话。") % {"n": cadre.name}
        )
    months = warning_effect_months()
    warning = reward_punishment_add(
        actor=actor,
        cadre=cadre,
        kind=RecordKind.PUNISHMENT,
        category=RecordCategory.WARNING_TALK,
        title=_("诫勉谈话（不适宜担任%(p)s）") % {"p": tenure.post.title},
        decided_on=talk_date,
        effect_until=warning_effect_until(talk_date, months),
        document=document,
    )
    try:
        with transaction.atomic():
            observation = Observation.objects.create(
                cadre=cadre,
                tenure=tenure,
                reason_kind=reason_kind,
                assessment_year=assessment_year,
                reason=reason,
                talk_date=talk_date,
                talked_by=talked_by,
                talk_record=talk_record,
                document=document,
                warning=warning,
                ends_on=observation_ends_on(talk_date, observation_months()),
                recorded_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError as exc:  # a second talk recorded at the same moment
        raise Conflict(_("%(n)s已在察看期内，请刷新页面后核对。") % {"n": cadre.name}) from exc
    journal_record(
        actor=actor,
        event_type=EventType.OBSERVATION_OPENED,
        subject=observation,
        payload={
            "cadre": cadre.pk,
            "tenure": tenure.pk,
            "post": tenure.post_id,
            "reason_kind": reason_kind,
            "assessment_year": assessment_year,
            "talk_date": talk_date,
            "talked_by": talked_by,
            "document": document,
            "ends_on": observation.ends_on,
            "warning": warning.pk,
            "warning_effect_until": warning.effect_until,
        },
    )
    return observation


def _close_errors(
    observation: Observation,
    *,
    outcome: str,
    decided_on: dt.date,
    post: Post | None,
    rank: str,
    document: str,
) -> ErrorCollector:
    out = ErrorCollector()
    last_day = observation.ends_on - dt.timedelta(days=1)
    if decided_on < observation.ends_on:
        out.add(
            "decided_on",
            _("察看期至 %(last)s 届满，尚未期满：请于 %(due)s 起作出结论。")
            % {"last": _d(last_day), "due": _d(observation.ends_on)},
        )
    elif decided_on > today():
        out.add("decided_on", _("结论日期 %(d)s 晚于今天，请核对。") % {"d": _d(decided_on)})
    if outcome not in ObservationOutcome.values:
        out.add("outcome", _("请选择察看结论：期满合格、降职或转任非领导职务。"))
        return out
    if outcome == ObservationOutcome.CONFIRMED:
        return out
    tenure = observation.tenure
    if tenure.end_date is not None:
        out.add(
            "outcome",
            _("原任职务已于 %(d)s 免去，无法再降职或转任；请选择“期满合格”并在说明中写明。")
            % {"d": _d(tenure.end_date)},
        )
    if not document:
        out.add("document", _("降职或转任须填写任免文号。"))
    elif len(document) > 60:
        out.add("document", _("任免文号过长（最多 60 个字）。"))
    if outcome == ObservationOutcome.DEMOTED:
        held = LEVEL_RANK.get(tenure.post.level, 0)
        if post is None:
            out.add("post", _("请选择降职后担任的职务。"))
        elif LEVEL_RANK.get(post.level, 0) >= held:
            out.add(
                "post",
                _("降职须任低于原职务层次（%(l)s）的职务；“%(p)s”为%(pl)s。")
                % {
                    "l": Level(tenure.post.level).label,
                    "p": str(post),
                    "pl": Level(post.level).label,
                },
            )
    elif outcome == ObservationOutcome.MOVED:
        if not rank:
            out.add("rank", _("请填写转任的非领导职务（职级），如“一级主任科员”。"))
        elif len(rank) > 30:
            out.add("rank", _("职级名称过长（最多 30 个字）。"))
    return out


@transaction.atomic
def observation_close(
    *,
    actor: Any,
    observation: Observation,
    outcome: str,
    decided_on: dt.date,
    note: str = "",
    document: str = "",
    post: Post | None = None,
    rank: str = "",
) -> Observation:
    """Record the outcome of an observation once it is completed (from
    `ends_on`): confirmed in the post; demoted (the post held ends and a post
    of a lower level starts, through tenure_end/tenure_start so that the kept
    counts follow, and the cadre's level becomes the new post's); or moved to
    a non-leadership post (the post held ends and the 职级 is recorded)."""
    observation = (
        Observation.objects.select_for_update(of=("self",))
        .select_related("cadre__unit", "tenure__post__unit")
        .get(pk=observation.pk)
    )
    cadre = observation.cadre
    require_unit(actor, CLOSE_PERM, cadre.unit)
    if outcome != ObservationOutcome.CONFIRMED:
        require_unit(actor, "people.change_cadre", cadre.unit)
    if observation.status != ObservationStatus.OPEN:
        raise Conflict(
            _("该察看期已于 %(d)s 作出结论（%(o)s），不能再次作出结论。")
            % {"d": _d(observation.outcome_on or today()), "o": observation.get_outcome_display()}
        )
    note, document, rank = note.strip(), document.strip(), rank.strip()
    if post is not None:
        post = Post.objects.select_related("unit").get(pk=post.pk)
    out = _close_errors(
        observation, outcome=outcome, decided_on=decided_on, post=post, rank=rank, document=document
    )
    out.raise_if_any(_("察看结论有误，未保存。"))
    ended = new = None
    if outcome != ObservationOutcome.CONFIRMED:
        ended = tenure_end(
            actor=actor, tenure=observation.tenure, end_date=decided_on, document_number=document
        )
        if outcome == ObservationOutcome.DEMOTED:
            assert post is not None
            new = tenure_start(
                actor=actor,
                cadre=cadre,
                post=post,
                start_date=decided_on,
                document_number=document,
            )
            cadre_update(
                actor=actor,
                cadre=cadre,
                changes={"level": post.level, "level_since": decided_on},
            )
        else:
            unit = observation.tenure.post.unit
            cadre_update(
                actor=actor,
                cadre=cadre,
                changes={
                    "rank": rank,
                    "rank_since": decided_on,
                    "current_post_title": f"{unit.short_name or unit.name}{rank}",
                },
            )
    observation.status = ObservationStatus.CLOSED
    observation.outcome = outcome
    observation.outcome_on = decided_on
    observation.outcome_note = note
    observation.outcome_document = document
    observation.ended_tenure = ended
    observation.new_tenure = new
    observation.new_rank = rank if outcome == ObservationOutcome.MOVED else ""
    observation.save(
        update_fields=[
            "status",
            "outcome",
            "outcome_on",
            "outcome_note",
            "outcome_document",
            "ended_tenure",
            "new_tenure",
            "new_rank",
        ]
    )
    journal_record(
        actor=actor,
        event_type=EventType.OBSERVATION_CLOSED,
        subject=observation,
        payload={
            "cadre": cadre.pk,
            "outcome": outcome,
            "decided_on": decided_on,
            "note": note,
            "document": document,
            "ended_tenure": ended.pk if ended else None,
            "new_tenure": new.pk if new else None,
            "new_post": post.pk if new and post else None,
            "new_rank": observation.new_rank,
        },
    )
    return observation


# ---- corrections (docs/decisions/0174) --------------------------------------------------

#: What may be corrected, with its length limit: the talk's record, and the
#: outcome's wording once it is recorded. The talk date and the outcome itself
#: are not (decision 0174).
TALK_FIELDS = {"reason": 5000, "talked_by": 120, "talk_record": 20000, "document": 80}
OUTCOME_FIELDS = {"outcome_note": 5000, "outcome_document": 60}
MAX_CORRECTION_REASON = 500


@transaction.atomic
def observation_correct(
    *, actor: Any, observation: Observation, why: str, changes: dict[str, str]
) -> Observation:
    """Correct what was recorded of the 诫勉谈话 (情况说明、谈话人、谈话记录、
    诫勉文号) or, once recorded, the outcome's wording (结论说明、任免文号), with a
    required reason; journalled old → new. The talk date and the outcome itself
    are refused (decision 0174): they wrote the 诫勉 row and the tenure history."""
    observation = (
        Observation.objects.select_for_update(of=("self",))
        .select_related("cadre__unit")
        .get(pk=observation.pk)
    )
    if not unit_in_scope(actor, observation.cadre.unit):
        raise NotFound(_("未找到该察看期记录，或其干部不在您的管理范围内。"))
    require_perm(actor, CLOSE_PERM)
    out = ErrorCollector()
    why = (why or "").strip()
    if not why:
        out.add("why", _("请填写更正原因。"))
    elif len(why) > MAX_CORRECTION_REASON:
        out.add("why", _("更正原因不能超过 %(n)d 个字。") % {"n": MAX_CORRECTION_REASON})
    allowed = dict(TALK_FIELDS)
    if observation.status == ObservationStatus.CLOSED:
        allowed |= OUTCOME_FIELDS
    diff: dict[str, list[str]] = {}
    for field, raw in changes.items():
        if field in ("talk_date", "outcome", "outcome_on", "status"):
            out.add(
                field,
                _(
                    "谈话日期和察看结论已写入干部的诫勉记录和任职经历，不能在此更正；确属登记错误的，请联系系统管理员依据更正文件处理。"
                ),
            )
            continue
        if field not in allowed:
            out.add(
                field,
                _("察看期尚未作出结论，没有可更正的结论内容。")
                if field in OUTCOME_FIELDS
                else _("该项不能更正。"),
            )
            continue
        value = str(raw or "").strip()
        if len(value) > allowed[field]:
            out.add(field, _("不能超过 %(n)d 个字。") % {"n": allowed[field]})
            continue
        if not value and field in ("reason", "talked_by", "talk_record"):
            out.add(field, _("该项不能为空。"))
            continue
        old = getattr(observation, field)
        if value != old:
            diff[field] = [old, value]
    out.raise_if_any(_("更正未保存。"))
    if not diff:
        raise Conflict(_("没有需要更正的内容：请修改后再提交。"))
    for field, (_old, new) in diff.items():
        setattr(observation, field, new)
    observation.save(update_fields=list(diff))
    journal_record(
        actor=actor,
        event_type=EventType.OBSERVATION_CORRECTED,
        subject=observation,
        payload={"cadre": observation.cadre_id, "why": why, "changes": diff},
    )
    return observation
