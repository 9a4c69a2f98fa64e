"""后备干部 writes: a round, its nominations (三荐), test scores and
inspections (双考), the list, who leaves it and the two-yearly review. Each is
one transaction with its journal event; every check is here, for the pages,
the API and the demo alike (docs/decisions/0153–0155)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xuanren.access.policy import has_perm, require_perm, unit_in_scope
from xuanren.common.dates import today
from xuanren.common.errors import Conflict, ErrorCollector, NotFound
from xuanren.journal.models import EventType
from xuanren.journal.services import journal_record
from xuanren.org.models import Level, Unit
from xuanren.people.models import Cadre, CadreStatus
from xuanren.reserves.calc import passes, subject_total
from xuanren.reserves.models import (
    Channel,
    InspectionResult,
    LeaveReason,
    Member,
    Nomination,
    Nominee,
    ReserveRound,
    Review,
    SubjectMode,
    Tier,
)
from xuanren.reserves.selectors import MANAGE_ROUNDS, VIEW_ROUNDS

MAX_TITLE = 100
MAX_NOTE = 200
MAX_INSPECTION_NOTE = 500
MAX_REVIEW_NOTE = 500
MAX_POST = 100
HUNDRED = Decimal(100)
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class LeaveIn:
    member: Member
    reason: str
    note: str = ""


@dataclass(frozen=True)
class AddIn:
    nominee: Nominee
    tier: str
    target_level: str = ""
    target_post: str = ""


def _not_found() -> NotFound:
    return NotFound(_("未找到该后备干部选拔，或其不在您的管理范围内。"))


def _round_locked(actor: Any, round_: ReserveRound) -> ReserveRound:
    """The round locked, after the checks: out of scope 404, a reader's write 403."""
    locked = (
        ReserveRound.objects.select_for_update().select_related("unit").filter(pk=round_.pk).first()
    )
    if locked is None or not has_perm(actor, VIEW_ROUNDS) or not unit_in_scope(actor, locked.unit):
        raise _not_found()
    require_perm(actor, MANAGE_ROUNDS)
    return locked


def _score(out: ErrorCollector, field: str, value: Any, what: str) -> Decimal | None:
    """A score from 0 to 100 with at most one decimal place."""
    try:
        score = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        out.add(field, _("%(w)s应为 0 至 100 之间的数，最多一位小数。") % {"w": what})
        return None
    if not score.is_finite() or score < 0 or score > HUNDRED or score != score.quantize(TENTH):
        out.add(field, _("%(w)s应为 0 至 100 之间的数，最多一位小数。") % {"w": what})
        return None
    return score.quantize(TENTH)


def _text(out: ErrorCollector, field: str, value: str, limit: int) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        out.add(field, _("不能超过 %(n)d 个字。") % {"n": limit})
    return value


def _day_not_future(out: ErrorCollector, field: str, day: dt.date, what: str) -> None:
    if day > today():
        out.add(field, _("%(w)s不能晚于今天：请在办理后登记。") % {"w": what})


@transaction.atomic
def reserve_round_create(
    *, actor: Any, unit: Unit, year: int, title: str, pass_line: Any
) -> ReserveRound:
    """A selection of reserve cadres among the cadres of `unit`'s subtree; the
    test's pass line is the round's own (those below it are not listed)."""
    require_perm(actor, MANAGE_ROUNDS)
    if not unit_in_scope(actor, unit):
        raise NotFound(_("未找到该单位，或其不在您的管理范围内。"))
    out = ErrorCollector()
    title = (title or "").strip()
    if not title:
        out.add("title", _("请填写名称，如“2026年度科级后备干部选拔”。"))
    elif len(title) > MAX_TITLE:
        out.add("title", _("名称不能超过 %(n)d 个字。") % {"n": MAX_TITLE})
    this_year = today().year
    if not (2000 <= year <= this_year + 1):
        out.add("year", _("年度应在 2000 年至 %(y)d 年之间。") % {"y": this_year + 1})
    line = _score(out, "pass_line", pass_line, _("合格分数线"))
    out.raise_if_any(_("后备干部选拔未登记。"))
    assert line is not None
    round_ = ReserveRound.objects.create(
        unit=unit,
        year=year,
        title=title,
        pass_line=line,
        created_by=actor,
        created_at=timezone.now(),
    )
    journal_record(
        actor=actor,
        event_type=EventType.RESERVE_ROUND_CREATED,
        subject=round_,
        payload={"unit": unit.pk, "year": year, "title": title, "pass_line": line},
    )
    return round_


@transaction.atomic
def reserve_nominate(
    *,
    actor: Any,
    round: ReserveRound,
    cadre: Cadre,
    channel: str,
    nominated_on: dt.date,
    note: str = "",
) -> Nominee:
    """Record one channel's nomination of `cadre`. The same cadre nominated by
    another channel is the same nominee (one person, several channels); the
    same channel twice is refused."""
    round_ = _round_locked(actor, round)
    out = ErrorCollector()
    if channel not in Channel.values:
        out.add("channel", _("请选择推荐渠道：组织推荐、群众推荐或个人自荐。"))
    cadre = Cadre.objects.select_related("unit").get(pk=cadre.pk)
    if not cadre.unit.path.startswith(round_.unit.path):
        out.add(
            "cadre",
            _("%(n)s不在%(u)s及其下级单位，不能在本次选拔中推荐。")
            % {"n": cadre.name, "u": round_.unit.name},
        )
    elif cadre.status != CadreStatus.ACTIVE:
        out.add("cadre", _("%(n)s不是在职干部，不能推荐为后备干部。") % {"n": cadre.name})
    _day_not_future(out, "nominated_on", nominated_on, _("推荐日期"))
    note = _text(out, "note", note, MAX_NOTE)
    out.raise_if_any(_("推荐未登记。"))
    if round_.listed_on is not None:
        raise Conflict(_("本次选拔的后备干部名单已经确定，不再登记推荐；请开展新的选拔。"))
    nominee, _created = Nominee.objects.get_or_create(round=round_, cadre=cadre)
    if Nomination.objects.filter(nominee=nominee, channel=channel).exists():
        raise Conflict(
            _("%(n)s已由%(c)s推荐，不能重复登记。") % {"n": cadre.name, "c": Channel(channel).label}
        )
    Nomination.objects.create(
        nominee=nominee,
        channel=channel,
        nominated_on=nominated_on,
        note=note,
        recorded_at=timezone.now(),
    )
    journal_record(
        actor=actor,
        event_type=EventType.RESERVE_NOMINATED,
        subject=nominee,
        payload={
            "round": round_.pk,
            "cadre": cadre.pk,
            "channel": channel,
            "nominated_on": nominated_on,
            "note": note,
        },
    )
    return nominee


def _nominee_locked(actor: Any, nominee: Nominee) -> tuple[ReserveRound, Nominee]:
    round_ = _round_locked(actor, nominee.round)
    locked = Nominee.objects.select_for_update().select_related("cadre").get(pk=nominee.pk)
    return round_, locked


def _refuse_if_listed(nominee: Nominee) -> None:
    if Member.objects.filter(nominee=nominee).exists():
        raise Conflict(
            _("%(n)s已列入后备干部名单，测试成绩和考察结果不能再改。") % {"n": nominee.cadre.name}
        )


MAX_SUBJECTS = 12
MAX_SUBJECT_NAME = 20


@transaction.atomic
def reserve_subjects_set(
    *, actor: Any, round: ReserveRound, mode: str, subjects: Sequence[tuple[str, Any]]
) -> ReserveRound:
    """The closed-book test's subjects (name, points) and how they make the
    total (decision 0173): the points sum to 100 — full marks per subject for
    a plain sum, weights in percent for a weighted total — so the pass line
    applies to the total as before. No subjects: one total score, as before.
    Only while no score has been recorded in the round."""
    round_ = _round_locked(actor, round)
    out = ErrorCollector()
    if mode not in SubjectMode.values:
        out.add("mode", _("请选择科目计分方式。"))
    clean: list[dict[str, Any]] = []
    names: set[str] = set()
    if len(subjects) > MAX_SUBJECTS:
        out.add("subjects", _("测试科目不能超过 %(n)d 个。") % {"n": MAX_SUBJECTS})
    for n, (raw_name, raw_points) in enumerate(subjects[:MAX_SUBJECTS], start=1):
        name = str(raw_name or "").strip()
        if not name or len(name) > MAX_SUBJECT_NAME:
            out.add("subjects", _("第 %(n)d 个科目须有名称，且不超过 %(m)d 个字。")
                    % {"n": n, "m": MAX_SUBJECT_NAME})  # fmt: skip
            continue
        if name in names:
            out.add("subjects", _("科目“%(s)s”重复。") % {"s": name})
            continue
        names.add(name)
        points = (
            raw_points if isinstance(raw_points, int) and not isinstance(raw_points, bool) else None
        )
        if isinstance(raw_points, str) and raw_points.strip().isdigit():
            points = int(raw_points.strip())
        if points is None or not 1 <= points <= 100:
            out.add("subjects", _("科目“%(s)s”的分值应为 1 至 100 的整数。") % {"s": name})
            continue
        clean.append({"name": name, "points": points})
    if clean and len(clean) == len(subjects) and sum(c["points"] for c in clean) != 100:
        out.add(
            "subjects",
            _("各科分值合计为 %(t)d，须恰好为 100（相加时为各科满分，加权时为权重%%）。")
            % {"t": sum(c["points"] for c in clean)},
        )
    out.raise_if_any(_("测试科目未保存。"))
    if Nominee.objects.filter(round=round_, score__isnull=False).exists():
        raise Conflict(_("本次选拔已经登记了测试成绩，不能再修改测试科目。"))
    before = {"mode": round_.subject_mode, "subjects": round_.subjects}
    round_.subjects = clean
    round_.subject_mode = mode
    round_.save(update_fields=["subjects", "subject_mode"])
    journal_record(
        actor=actor,
        event_type=EventType.RESERVE_SUBJECTS_SET,
        subject=round_,
        payload={"before": before, "after": {"mode": mode, "subjects": clean}},
    )
    return round_


def _subject_scores(
    out: ErrorCollector, round_: ReserveRound, given: Mapping[str, Any]
) -> dict[str, Decimal]:
    """Every subject's score, each from 0 to its full marks (a plain sum) or
    to 100 (weighted), at most one decimal place."""
    clean: dict[str, Decimal] = {}
    unknown = set(map(str, given)) - {s["name"] for s in round_.subjects}
    if unknown:
        out.add(
            "subject_scores", _("本次测试没有科目：%(s)s。") % {"s": "、".join(sorted(unknown))}
        )
    for subject in round_.subjects:
        name, points = subject["name"], int(subject["points"])
        top = HUNDRED if round_.subject_mode == SubjectMode.WEIGHTED else Decimal(points)
        raw = given.get(name)
        if raw is None or str(raw).strip() == "":
            out.add(f"subject_scores.{name}", _("请填写“%(s)s”的成绩。") % {"s": name})
            continue
        value = _score(out, f"subject_scores.{name}", raw, name)
        if value is None:
            continue
        if value > top:
            out.add(f"subject_scores.{name}", _("“%(s)s”满分 %(t)s，成绩不能超过满分。")
                    % {"s": name, "t": top})  # fmt: skip
            continue
        clean[name] = value
    return clean


@transaction.atomic
def reserve_test_record(
    *,
    actor: Any,
    nominee: Nominee,
    score: Any = None,
    tested_on: dt.date,
    subject_scores: Mapping[str, Any] | None = None,
) -> Nominee:
    """The closed-book test's total score (政治、科技、法律、经济); below the
    round's pass line the nominee is recorded as failed and cannot be listed.
    A round with subjects takes every subject's score and computes the total
    (decision 0173); one without takes the total."""
    round_, nominee = _nominee_locked(actor, nominee)
    out = ErrorCollector()
    per_subject: dict[str, Decimal] = {}
    if round_.subjects:
        if score not in (None, ""):
            out.add("score", _("本次测试分科目计分：请填写各科成绩，总成绩由系统计算。"))
        per_subject = _subject_scores(out, round_, subject_scores or {})
        value = None
    else:
        if subject_scores:
            out.add("subject_scores", _("本次测试没有设置科目：请直接填写测试总成绩。"))
        value = _score(out, "score", score, _("测试成绩"))
    _day_not_future(out, "tested_on", tested_on, _("测试日期"))
    out.raise_if_any(_("测试成绩未登记。"))
    if round_.subjects:
        value = subject_total(
            round_.subject_mode,
            [(s["name"], int(s["points"])) for s in round_.subjects],
            per_subject,
        )
    assert value is not None
    _refuse_if_listed(nominee)
    before = nominee.score
    nominee.score = value
    nominee.tested_on = tested_on
    nominee.subject_scores = {k: str(v) for k, v in per_subject.items()}
    nominee.save(update_fields=["score", "tested_on", "subject_scores"])
    journal_record(
        actor=actor,
        event_type=EventType.RESERVE_TEST_RECORDED,
        subject=nominee,
        payload={
            "round": round_.pk,
            "cadre": nominee.cadre_id,
            "score": value,
            "before": before,
            "tested_on": tested_on,
            "passed": passes(value, round_.pass_line),
            **({"subject_scores": nominee.subject_scores} if per_subject else {}),
        },
    )
    return nominee


@transaction.atomic
def reserve_inspection_record(
    *, actor: Any, nominee: Nominee, result: str, inspected_on: dt.date, note: str = ""
) -> Nominee:
    """The organizational inspection: passed or failed (a failure says why)."""
    round_, nominee = _nominee_locked(actor, nominee)
    out = ErrorCollector()
    if result not in (InspectionResult.PASSED, InspectionResult.FAILED):
        out.add("result", _("请选择考察结果：考察合格或考察不合格。"))
    _day_not_future(out, "inspected_on", inspected_on, _("考察日期"))
    note = _text(out, "note", note, MAX_INSPECTION_NOTE)
    if result == InspectionResult.FAILED and not note:
        out.add("note", _("考察不合格时请写明考察意见。"))
    out.raise_if_any(_("考察结果未登记。"))
    _refuse_if_listed(nominee)
    nominee.inspection = result
    nominee.inspected_on = inspected_on
    nominee.inspection_note = note
    nominee.save(update_fields=["inspection", "inspected_on", "inspection_note"])
    journal_record(
        actor=actor,
        event_type=EventType.RESERVE_INSPECTION_RECORDED,
        subject=nominee,
        payload={
            "round": round_.pk,
            "cadre": nominee.cadre_id,
            "result": result,
            "inspected_on": inspected_on,
            "note": note,
        },
    )
    return nominee


def _add_errors(out: ErrorCollector, field: str, round_: ReserveRound, add: AddIn) -> AddIn:
    """Whether `add.nominee` may be listed: tested at or above the line and
    inspected as passed, not on the list already, still active."""
    nominee = add.nominee
    name = nominee.cadre.name
    if nominee.round_id != round_.pk:
        out.add(field, _("%(n)s不是本次选拔的推荐人选。") % {"n": name})
    if nominee.score is None:
        out.add(field, _("%(n)s尚未参加测试，不能列入名单。") % {"n": name})
    elif not passes(nominee.score, round_.pass_line):
        out.add(
            field,
            _("%(n)s测试成绩 %(s)s 分，低于合格分数线 %(l)s 分，不予列入后备干部名单。")
            % {"n": name, "s": nominee.score, "l": round_.pass_line},
        )
    if nominee.inspection != InspectionResult.PASSED:
        out.add(field, _("%(n)s未经组织考察合格，不能列入名单。") % {"n": name})
    if nominee.cadre.status != CadreStatus.ACTIVE:
        out.add(field, _("%(n)s不是在职干部，不能列入名单。") % {"n": name})
    if Member.objects.filter(nominee=nominee, left_on__isnull=True).exists():
        out.add(field, _("%(n)s已在后备干部名单中。") % {"n": name})
    if add.tier not in Tier.values:
        out.add(f"{field}.tier", _("请选择培养期：近期或中远期。"))
    if add.target_level and add.target_level not in Level.values:
        out.add(f"{field}.target_level", _("请从列表中选择拟培养职务层次。"))
    post = _text(out, f"{field}.target_post", add.target_post, MAX_POST)
    return AddIn(nominee, add.tier, add.target_level, post)


def _member_create(round_: ReserveRound, add: AddIn, listed_on: dt.date | None,
                   review: Review | None = None) -> Member:  # fmt: skip
    return Member.objects.create(
        nominee=add.nominee,
        cadre=add.nominee.cadre,
        tier=add.tier,
        target_level=add.target_level,
        target_post=add.target_post,
        listed_on=listed_on,
        added_by_review=review,
    )


@transaction.atomic
def reserve_member_add(
    *,
    actor: Any,
    nominee: Nominee,
    tier: str,
    target_level: str = "",
    target_post: str = "",
) -> Member:
    """Put a nominee who passed the test and the inspection on the round's
    list (before the list is fixed; afterwards a review adds people)."""
    round_, nominee = _nominee_locked(actor, nominee)
    if round_.listed_on is not None:
        raise Conflict(_("名单已经确定；增列人选请在名单调整中办理。"))
    out = ErrorCollector()
    add = _add_errors(out, "nominee", round_, AddIn(nominee, tier, target_level, target_post))
    out.raise_if_any(_("未列入后备干部名单。"))
    member = _member_create(round_, add, None)
    journal_record(
        actor=actor,
        event_type=EventType.RESERVE_MEMBER_LISTED,
        subject=member,
        payload={
            "round": round_.pk,
            "cadre": nominee.cadre_id,
            "tier": add.tier,
            "target_level": add.target_level,
            "target_post": add.target_post,
        },
    )
    return member


@transaction.atomic
def reserve_member_remove(*, actor: Any, member: Member) -> None:
    """Take someone off a list that is not fixed yet (a correction)."""
    round_ = _round_locked(actor, member.nominee.round)
    if round_.listed_on is not None:
        raise Conflict(_("名单已经确定；退出名单请登记退出原因。"))
    member = Member.objects.select_related("cadre").get(pk=member.pk)
    journal_record(
        actor=actor,
        event_type=EventType.RESERVE_MEMBER_LEFT,
        subject=member,
        payload={"round": round_.pk, "cadre": member.cadre_id, "removed": True},
    )
    member.delete()


@transaction.atomic
def reserve_list_fix(*, actor: Any, round: ReserveRound, listed_on: dt.date) -> ReserveRound:
    """Fix the list on `listed_on`: its members are reserve cadres from that
    day, and the review is due XUANREN_RESERVE_REVIEW_MONTHS later."""
    round_ = _round_locked(actor, round)
    if round_.listed_on is not None:
        raise Conflict(_("名单已于 %(d)s 确定。") % {"d": f"{round_.listed_on:%Y-%m-%d}"})
    out = ErrorCollector()
    _day_not_future(out, "listed_on", listed_on, _("名单确定日期"))
    members = Member.objects.filter(nominee__round=round_)
    count = members.count()
    if not count:
        out.add("listed_on", _("名单中还没有人，请先列入考察和测试合格的人选。"))
    out.raise_if_any(_("名单未确定。"))
    members.update(listed_on=listed_on)
    round_.listed_on = listed_on
    round_.save(update_fields=["listed_on"])
    journal_record(
        actor=actor,
        event_type=EventType.RESERVE_LIST_FIXED,
        subject=round_,
        payload={"listed_on": listed_on, "members": count},
    )
    return round_


def _leave_errors(
    out: ErrorCollector, field: str, round_: ReserveRound, leave: LeaveIn, left_on: dt.date
) -> LeaveIn:
    m = leave.member
    name = m.cadre.name
    if m.nominee.round_id != round_.pk:
        out.add(field, _("%(n)s不在本次选拔的名单中。") % {"n": name})
    if m.left_on is not None:
        out.add(field, _("%(n)s已于 %(d)s 退出名单。") % {"n": name, "d": f"{m.left_on:%Y-%m-%d}"})
    elif m.listed_on is not None and left_on < m.listed_on:
        out.add(field, _("退出日期不能早于列入日期 %(d)s。") % {"d": f"{m.listed_on:%Y-%m-%d}"})
    if leave.reason not in LeaveReason.values:
        out.add(f"{field}.reason", _("请选择退出原因。"))
    note = _text(out, f"{field}.note", leave.note, MAX_NOTE)
    if leave.reason == LeaveReason.OTHER and not note:
        out.add(f"{field}.note", _("退出原因为“其他”时请写明说明。"))
    return LeaveIn(m, leave.reason, note)


def _leave(member: Member, leave: LeaveIn, left_on: dt.date, review: Review | None) -> None:
    member.left_on = left_on
    member.leave_reason = leave.reason
    member.leave_note = leave.note
    member.left_by_review = review
    member.save(update_fields=["left_on", "leave_reason", "leave_note", "left_by_review"])


@transaction.atomic
def reserve_member_leave(
    *, actor: Any, member: Member, left_on: dt.date, reason: str, note: str = ""
) -> Member:
    """Someone leaves a fixed list between reviews (promoted, over age,
    failed the test, discipline, other), kept with the reason."""
    round_ = _round_locked(actor, member.nominee.round)
    if round_.listed_on is None:
        raise Conflict(_("名单尚未确定；未确定的名单可直接移出。"))
    member = Member.objects.select_for_update().select_related("cadre", "nominee").get(pk=member.pk)
    out = ErrorCollector()
    _day_not_future(out, "left_on", left_on, _("退出日期"))
    leave = _leave_errors(out, "member", round_, LeaveIn(member, reason, note), left_on)
    out.raise_if_any(_("退出未登记。"))
    _leave(member, leave, left_on, None)
    journal_record(
        actor=actor,
        event_type=EventType.RESERVE_MEMBER_LEFT,
        subject=member,
        payload={
            "round": round_.pk,
            "cadre": member.cadre_id,
            "left_on": left_on,
            "reason": leave.reason,
            "note": leave.note,
        },
    )
    return member


@transaction.atomic
def reserve_review_record(
    *,
    actor: Any,
    round: ReserveRound,
    held_on: dt.date,
    note: str = "",
    leaving: Sequence[LeaveIn] = (),
    adding: Sequence[AddIn] = (),
) -> Review:
    """The two-yearly review (调整充实) of a fixed list: who leaves and why,
    who is added (nominees of the round who passed both tests), and so who
    stays. All or nothing."""
    round_ = _round_locked(actor, round)
    if round_.listed_on is None:
        raise Conflict(_("名单尚未确定，不能调整。"))
    out = ErrorCollector()
    _day_not_future(out, "held_on", held_on, _("调整日期"))
    last = Review.objects.filter(round=round_).order_by("-held_on").first()
    since = last.held_on if last else round_.listed_on
    if held_on < since:
        out.add("held_on", _("调整日期不能早于 %(d)s。") % {"d": f"{since:%Y-%m-%d}"})
    note = _text(out, "note", note, MAX_REVIEW_NOTE)
    leave_ids = [x.member.pk for x in leaving]
    locked = {
        m.pk: m
        for m in Member.objects.select_for_update()
        .select_related("cadre", "nominee")
        .filter(pk__in=leave_ids)
    }
    leaves = []
    for i, x in enumerate(leaving, start=1):
        member = locked.get(x.member.pk)
        if member is None:
            out.add(f"leaving.{i}", _("未找到该后备干部。"))
            continue
        leaves.append(_leave_errors(out, f"leaving.{i}", round_, LeaveIn(member, x.reason, x.note),
                                    held_on))  # fmt: skip
    if len(set(leave_ids)) != len(leave_ids):
        out.add("leaving", _("同一人不能两次退出。"))
    nominee_ids = [x.nominee.pk for x in adding]
    fresh = {
        n.pk: n
        for n in Nominee.objects.select_for_update()
        .select_related("cadre")
        .filter(pk__in=nominee_ids)
    }
    adds = []
    for i, a in enumerate(adding, start=1):
        nominee = fresh.get(a.nominee.pk)
        if nominee is None:
            out.add(f"adding.{i}", _("未找到该推荐人选。"))
            continue
        adds.append(_add_errors(out, f"adding.{i}", round_,
                                AddIn(nominee, a.tier, a.target_level, a.target_post)))  # fmt: skip
    if len(set(nominee_ids)) != len(nominee_ids):
        out.add("adding", _("同一人不能两次列入。"))
    out.raise_if_any(_("名单调整未登记。"))
    current = Member.objects.filter(nominee__round=round_, left_on__isnull=True).count()
    review = Review.objects.create(
        round=round_,
        held_on=held_on,
        note=note,
        stayed=current - len(leaves),
        created_by=actor,
        created_at=timezone.now(),
    )
    for leave in leaves:
        _leave(leave.member, leave, held_on, review)
    added = [_member_create(round_, add, held_on, review) for add in adds]
    journal_record(
        actor=actor,
        event_type=EventType.RESERVE_REVIEWED,
        subject=review,
        payload={
            "round": round_.pk,
            "held_on": held_on,
            "note": note,
            "stayed": review.stayed,
            "left": [
                {"cadre": x.member.cadre_id, "reason": x.reason, "note": x.note} for x in leaves
            ],
            "added": [{"cadre": m.cadre_id, "tier": m.tier} for m in added],
        },
    )
    return review
