"""Writes of 竞聘评分 (docs/decisions/0147–0149): set up a case's competition
with its weighted sub-tests, the two panels, each judge's scores, and the
supervision panel's sign-off that locks the sheet. Each is one transaction
with its journal event; every check is here, for every caller.

Permissions: `competition.manage_competition` (the case officer) sets up and
enters; `competition.sign_off_competition` (the case officer recording the
panel's signatures, or the discipline commission) signs off. The case's unit
must be in the actor's scope: out of scope 404, a reader's write 403."""

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
from xuanren.common.errors import Conflict, ErrorCollector, NotFound, ValidationFailed
from xuanren.competition import calc
from xuanren.competition.models import (
    Competition,
    CompetitionStatus,
    PanelKind,
    PanelMember,
    Score,
    SubTest,
    SubTestKind,
)
from xuanren.competition.selectors import (
    MANAGE,
    SIGN_OFF,
    VIEW,
    candidates,
    members,
    not_found,
    sheet_json,
    sheet_of,
)
from xuanren.journal.models import EventType
from xuanren.journal.services import journal_record
from xuanren.procedure.models import Case, CaseStatus

MAX_NAME = 50
MAX_TITLE = 100
#: A panel of a county's competitive selection has a handful of people.
MAX_MEMBERS = 30
#: The steps whose scores the sheet gives: set up before the first is done.
SCORED_STEPS = ("written_exam", "interview")


@dataclass(frozen=True)
class ScoreIn:
    """One cell of a judge's grid: a candidate, a sub-test, the score as typed
    (blank: no score, removing one entered before)."""

    candidate: int
    sub_test: int
    value: str | Decimal | None


def _locked(actor: Any, competition: Competition, perm: str = MANAGE) -> Competition:
    """The competition locked, after the checks: out of scope 404, a reader's write 403."""
    found = (
        Competition.objects.select_for_update(of=("self",))
        .select_related("case__unit")
        .filter(pk=competition.pk)
        .first()
    )
    if found is None or not has_perm(actor, VIEW) or not unit_in_scope(actor, found.case.unit):
        raise not_found()
    require_perm(actor, perm)
    return found


def _open(competition: Competition) -> None:
    if competition.status == CompetitionStatus.SIGNED_OFF:
        raise Conflict(
            _(
                "竞聘评分已经竞聘监督小组签字确认，成绩已锁定，不能再更改；"
                "如确有错误，须经竞聘监督小组另行处理。"
            )
        )


def _weights(out: ErrorCollector, weights: Mapping[str, Any]) -> dict[str, int]:
    """The weights as whole percents per known sub-test; problems into `out`."""
    clean: dict[str, int] = {}
    for kind, raw in weights.items():
        if kind not in SubTestKind.values:
            out.add("weights", _("没有“%(k)s”这个测试项目。") % {"k": kind})
            continue
        label = SubTestKind(kind).label
        if raw in (None, "", 0, "0"):
            continue  # not used in this competition
        try:
            value = int(str(raw).strip())
        except ValueError:
            out.add(f"weights.{kind}", _("“%(t)s”的权重应为整数（百分比）。") % {"t": label})
            continue
        if not 1 <= value <= 100:
            out.add(f"weights.{kind}", _("“%(t)s”的权重应在 1 到 100 之间。") % {"t": label})
            continue
        clean[kind] = value
    if not out.errors:
        problem = calc.weights_problem(clean)
        if problem == "empty":
            out.add("weights", _("请至少设置一个测试项目及其权重。"))
        elif problem == "not_100":
            out.add(
                "weights",
                _("各测试项目的权重合计为 %(s)d%%，应为 100%%：请调整后再保存。")
                % {"s": sum(clean.values())},
            )
    return clean


@transaction.atomic
def competition_create(
    *, actor: Any, case: Case, weights: Mapping[str, Any], trim_min_judges: int | None = None
) -> Competition:
    """Set up 竞聘评分 for `case`: its sub-tests with weights summing to 100%,
    and the number of judges from which the highest and lowest are dropped
    (the setting by default, kept on the competition)."""
    case = Case.objects.select_for_update().select_related("unit", "template").get(pk=case.pk)
    require_perm(actor, VIEW)
    if not unit_in_scope(actor, case.unit):
        raise NotFound(_("未找到该选任事项，或其不在您的管理范围内。"))
    require_perm(actor, MANAGE)
    if case.status != CaseStatus.OPEN:
        raise Conflict(_("该事项已办结或终止，不能再组织竞聘评分。"))
    from xuanren.procedure.services import template_def

    codes = [s.code for s in template_def(case.template).steps]
    if not any(code in codes for code in SCORED_STEPS):
        raise Conflict(_("该事项的程序没有笔试、面试环节，不需要竞聘评分。"))
    done = set(case.steps.filter(step__in=SCORED_STEPS).values_list("step", flat=True))
    if done:
        raise Conflict(
            _("该事项的笔试或面试环节已经办理，成绩已按录入的分数记载，不能再改为竞聘评分。")
        )
    if Competition.objects.filter(case=case).exists():
        raise Conflict(_("该事项已经建立竞聘评分，请在原评分表中办理。"))
    out = ErrorCollector()
    clean = _weights(out, weights)
    trim = (
        settings.XUANREN_COMPETITION_TRIM_MIN_JUDGES if trim_min_judges is None else trim_min_judges
    )
    if isinstance(trim, bool) or not isinstance(trim, int) or not calc.TRIM_FLOOR <= trim <= 99:
        out.add(
            "trim_min_judges",
            _("去掉最高分和最低分的最少评委人数应为 %(n)d 到 99 之间的整数。")
            % {"n": calc.TRIM_FLOOR},
        )
    out.raise_if_any(_("竞聘评分未建立。"))
    competition = Competition.objects.create(
        case=case, trim_min_judges=trim, created_by=actor, created_at=timezone.now()
    )
    SubTest.objects.bulk_create(
        SubTest(competition=competition, kind=k, weight=w) for k, w in clean.items()
    )
    journal_record(
        actor=actor,
        event_type=EventType.COMPETITION_CREATED,
        subject=competition,
        payload={"case": case.pk, "weights": clean, "trim_min_judges": trim},
    )
    return competition


@transaction.atomic
def competition_weights_set(
    *, actor: Any, competition: Competition, weights: Mapping[str, Any]
) -> Competition:
    """Change the sub-tests and their weights (summing to 100%) before the
    sign-off; a sub-test with scores entered cannot be taken off."""
    competition = _locked(actor, competition)
    _open(competition)
    out = ErrorCollector()
    clean = _weights(out, weights)
    out.raise_if_any(_("测试项目及权重未保存。"))
    current = {t.kind: t for t in competition.sub_tests.all()}
    for kind, test in current.items():
        if kind not in clean and test.scores.exists():
            raise Conflict(
                _("“%(t)s”已录入评分，不能取消；如确需取消，请先删除其评分。")
                % {"t": test.get_kind_display()}
            )
    for kind, test in current.items():
        if kind not in clean:
            test.delete()
        elif test.weight != clean[kind]:
            test.weight = clean[kind]
            test.save(update_fields=["weight"])
    SubTest.objects.bulk_create(
        SubTest(competition=competition, kind=k, weight=w)
        for k, w in clean.items()
        if k not in current
    )
    journal_record(
        actor=actor,
        event_type=EventType.COMPETITION_WEIGHTS_SET,
        subject=competition,
        payload={"weights": clean},
    )
    return competition


@transaction.atomic
def panel_member_add(
    *, actor: Any, competition: Competition, panel: str, name: str, title: str = ""
) -> PanelMember:
    """A judge of the 竞聘小组 or a member of the 竞聘监督小组; one person sits
    on one panel only."""
    competition = _locked(actor, competition)
    _open(competition)
    out = ErrorCollector()
    name = (name or "").strip()
    title = (title or "").strip()
    if panel not in PanelKind.values:
        out.add("panel", _("请选择竞聘小组或竞聘监督小组。"))
    if not name:
        out.add("name", _("请填写姓名。"))
    elif len(name) > MAX_NAME:
        out.add("name", _("姓名不能超过 %(n)d 个字。") % {"n": MAX_NAME})
    if len(title) > MAX_TITLE:
        out.add("title", _("单位及职务不能超过 %(n)d 个字。") % {"n": MAX_TITLE})
    out.raise_if_any(_("竞聘小组成员未增加。"))
    existing = competition.members.filter(name=name).first()
    if existing is not None:
        raise Conflict(
            _("%(n)s已是%(p)s成员：同一人不能重复列入，也不能既当评委又当监督小组成员。")
            % {"n": name, "p": existing.get_panel_display()}
        )
    if competition.members.count() >= MAX_MEMBERS:
        raise Conflict(_("竞聘小组和监督小组合计最多 %(n)d 人。") % {"n": MAX_MEMBERS})
    seq = (
        competition.members.filter(panel=panel)
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
        or 0
    ) + 1
    member = PanelMember.objects.create(
        competition=competition, panel=panel, name=name, title=title, seq=seq
    )
    journal_record(
        actor=actor,
        event_type=EventType.COMPETITION_MEMBER_ADDED,
        subject=competition,
        payload={"member": member.pk, "panel": panel, "name": name, "title": title},
    )
    return member


@transaction.atomic
def panel_member_remove(*, actor: Any, competition: Competition, member: PanelMember) -> None:
    """Take a member off a panel before the sign-off; a judge who has scored
    cannot be taken off (their scores are part of the sheet)."""
    competition = _locked(actor, competition)
    _open(competition)
    if member.competition_id != competition.pk:
        raise NotFound(_("该人员不是本次竞聘的小组成员。"))
    if member.scores.exists():
        raise Conflict(_("%(n)s已录入评分，不能移出竞聘小组。") % {"n": member.name})
    journal_record(
        actor=actor,
        event_type=EventType.COMPETITION_MEMBER_REMOVED,
        subject=competition,
        payload={"member": member.pk, "panel": member.panel, "name": member.name},
    )
    member.delete()


def _value(raw: str | Decimal | None) -> Decimal | str | None:
    """The score as a Decimal, None for blank, or the problem's key."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip())
    except InvalidOperation:
        return "not_a_number"
    return calc.score_problem(value) or value


@transaction.atomic
def scores_enter(
    *, actor: Any, competition: Competition, judge: PanelMember, scores: Sequence[ScoreIn]
) -> int:
    """Enter (or change) one judge's scores: each cell a candidate of the
    sheet and a sub-test of this competition, 0–100 with at most one decimal;
    a blank cell removes the judge's score there. All or nothing; refused
    after the sign-off and for anyone not a judge of this competition's panel.
    Returns the number of cells changed."""
    competition = _locked(actor, competition)
    _open(competition)
    if judge.competition_id != competition.pk or judge.panel != PanelKind.JUDGE:
        raise ValidationFailed(
            _("%(n)s不是本次竞聘小组的评委，不能录入其评分：请先将其列入竞聘小组。")
            % {"n": judge.name}
        )
    tests = {t.pk: t for t in competition.sub_tests.all()}
    people = {c.pk: c for c in candidates(competition)}
    current = {
        (s.candidate_id, s.sub_test_id): s
        for s in Score.objects.filter(judge=judge, sub_test__competition=competition)
    }
    out = ErrorCollector()
    wanted: dict[tuple[int, int], Decimal | None] = {}
    for cell in scores:
        where = f"score.{cell.candidate}.{cell.sub_test}"
        cand = people.get(cell.candidate)
        test = tests.get(cell.sub_test)
        if cand is None or test is None:
            out.add(where, _("所填人选或测试项目不属于本次竞聘。"))
            continue
        value = _value(cell.value)
        label = test.get_kind_display()
        if isinstance(value, str):
            message = {
                "not_a_number": _("%(c)s的“%(t)s”得分应为数字。"),
                "out_of_range": _("%(c)s的“%(t)s”得分应在 0 到 100 之间。"),
                "too_many_decimals": _("%(c)s的“%(t)s”得分最多保留一位小数。"),
            }[value]
            out.add(where, message % {"c": cand.cadre.name, "t": label})
            continue
        wanted[(cand.pk, test.pk)] = value
    out.raise_if_any(_("%(n)s的评分未保存：请按提示修改后再提交。") % {"n": judge.name})
    changed: list[dict[str, Any]] = []
    for key, value in wanted.items():
        old = current.get(key)
        if value is None:
            if old is not None:
                old.delete()
                changed.append({"candidate": key[0], "sub_test": key[1], "value": None})
        elif old is None:
            Score.objects.create(sub_test_id=key[1], judge=judge, candidate_id=key[0], value=value)
            changed.append({"candidate": key[0], "sub_test": key[1], "value": str(value)})
        elif old.value != value:
            old.value = value
            old.save(update_fields=["value"])
            changed.append({"candidate": key[0], "sub_test": key[1], "value": str(value)})
    if changed:
        journal_record(
            actor=actor,
            event_type=EventType.COMPETITION_SCORES_ENTERED,
            subject=competition,
            payload={"judge": judge.pk, "name": judge.name, "cells": changed},
        )
    return len(changed)


@transaction.atomic
def competition_sign_off(*, actor: Any, competition: Competition) -> Competition:
    """The supervision panel signed the sheet: only when the weights sum to
    100%, there is a supervision panel, and every judge scored every candidate
    in every sub-test. The computed sheet is stored as it was signed, and no
    score may change after."""
    competition = _locked(actor, competition, SIGN_OFF)
    _open(competition)
    problems = ErrorCollector()
    if not members(competition, PanelKind.JUDGE):
        problems.add("judges", _("竞聘小组还没有评委。"))
    supervisors = members(competition, PanelKind.SUPERVISOR)
    if not supervisors:
        problems.add("supervisors", _("竞聘监督小组还没有成员，不能签字确认。"))
    sheet = sheet_of(competition)
    if not sheet.weights_ok:
        problems.add("weights", _("各测试项目的权重合计不是 100%。"))
    if not sheet.posts:
        problems.add("candidates", _("评分表上没有人选。"))
    if sheet.missing:
        problems.add(
            "scores",
            _("还有 %(n)d 个评分未录入：每名评委须对每名人选的每个测试项目评分。")
            % {"n": sheet.missing},
        )
    problems.raise_if_any(_("竞聘评分不能签字确认。"))
    result = sheet_json(sheet)
    result["supervisors"] = [{"name": m.name, "title": m.title} for m in supervisors]
    result["judges"] = [m.name for m in members(competition, PanelKind.JUDGE)]
    result["trim_min_judges"] = competition.trim_min_judges
    competition.status = CompetitionStatus.SIGNED_OFF
    competition.signed_off_by = actor
    competition.signed_off_at = timezone.now()
    competition.result = result
    competition.save(update_fields=["status", "signed_off_by", "signed_off_at", "result"])
    journal_record(
        actor=actor,
        event_type=EventType.COMPETITION_SIGNED_OFF,
        subject=competition,
        payload={
            "case": competition.case_id,
            "supervisors": [m.name for m in supervisors],
            "rows": [
                {"candidate": r["candidate"], "composite": r["composite"], "rank": r["rank"]}
                for r in result["rows"]
            ],
        },
    )
    return competition
