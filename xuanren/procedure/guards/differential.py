"""`full_differential` (全程差额): when the template's parameter
`full_differential` says so, every stage of the selection offers more
candidates than seats for each post — 差额推荐, 差额提名, 差额考察, 差额酝酿
and 差额票决 (市委干部选拔任用监督做法: "在选拔党政正职领导干部时，采取差额
提名、差额推荐、差额考察、差额酝酿、…全委会差额票决等全程差额的方式";
docs/decisions/0087).

The parameter is `false` (off), `true` (every post of the case) or
`"principal"` (the principal posts only, as the source says). 差额 means more
than the seats (at least seats + 1); the 1.3 ratio of 差额考察 stays with
`differential_count`. A template that turns it on lists this guard at each
of those steps it has (checked when the template is loaded).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from xuanren.procedure.guards.decision import read_meeting
from xuanren.procedure.guards.registry import GuardContext, guard
from xuanren.procedure.guards.selection import _case_posts, _read_choices, _read_rows, _running
from xuanren.procedure.models import Candidate, CandidateStatus

CODE = "full_differential"
VALUES = (False, True, "principal")

#: Step → (the stage's name, who is counted), in Chinese.
STAGES: dict[str, tuple[Any, Any]] = {
    "recommendation": (_lazy("差额推荐"), _lazy("得到署名推荐的人选")),
    "candidates": (_lazy("差额提名"), _lazy("考察对象")),
    "inspection": (_lazy("差额考察"), _lazy("考察对象")),
    "deliberation": (_lazy("差额酝酿"), _lazy("提交酝酿的人选")),
    "decision": (_lazy("差额票决"), _lazy("提交表决的人选")),
}


def scope(parameters: dict[str, Any]) -> Any:
    """The template's `full_differential` (false when absent)."""
    return parameters.get(CODE, False)


def _counts(ctx: GuardContext) -> dict[int, int]:
    """Distinct candidates per post at this step."""
    people: dict[int, set[int]] = defaultdict(set)
    if ctx.step == "recommendation":
        rows, _problems = _read_rows(ctx.data, _case_posts(ctx), ctx.step)
        for row in rows:
            if row.count:
                people[row.post].add(row.cadre)
    elif ctx.step == "candidates":
        choices, _problems = _read_choices(ctx)
        for c in choices:
            if c.passed:
                people[c.post].add(c.cadre)
    elif ctx.step == "decision":
        inspected = dict(
            Candidate.objects.filter(case=ctx.case, status=CandidateStatus.INSPECTION).values_list(
                "pk", "post_id"
            )
        )
        for vote in read_meeting(ctx).votes:
            if vote.candidate_id in inspected:
                people[inspected[vote.candidate_id]].add(vote.candidate_id)
    else:  # inspection, deliberation: the candidates still in the selection
        for cand in _running(ctx):
            people[cand.post_id].add(cand.cadre_id)
    return {pid: len(ids) for pid, ids in people.items()}


@guard(CODE)
def full_differential(ctx: GuardContext) -> list[str]:
    """Each post the parameter covers has more candidates than seats at this
    stage; equal numbers (等额) block. Off: nothing to check. A later
    meeting on deferred candidates (缓议) is not a new 差额票决."""
    which = scope(ctx.template.parameters)
    if which is False or ctx.step not in STAGES:
        return []
    if which not in VALUES:
        return [_("程序模板关于全程差额的参数有误：请联系系统管理员。")]
    if ctx.step == "decision" and ctx.resumed:
        return []
    stage, who = STAGES[ctx.step]
    counts = _counts(ctx)
    problems = []
    for pid, cp in _case_posts(ctx).items():
        if which == "principal" and not cp.post.is_principal:
            continue
        have = counts.get(pid, 0)
        if have <= cp.seats:
            problems.append(
                _(
                    "本类事项实行全程差额（%(st)s）：职位“%(p)s”拟配 %(s)d 人，%(w)s应多于"
                    "拟配人数即至少 %(n)d 人，现为 %(c)d 人，不能等额进行。"
                )
                % {"st": stage, "p": cp.post, "s": cp.seats, "w": who, "n": cp.seats + 1, "c": have}
            )
    return problems
