"""`passed_within_seats`: a decision result that passes more candidates for a
post than it has seats is not applied until the choice of who takes the
seats is recorded, with a reason (issue 11; docs/decisions/0055).

Self-contained: it reads the decision step's submitted data as decisions
0014 and 0022 describe it (`meeting_date`, `present`, `votes` with
`candidate`, `agree`, `disagree`, `abstain`, `defer_votes`, `recused`) and
the optional `seat_choice` — `[{"post": id, "candidates": [ids], "reason":
text}]` — and runs the one arithmetic, `tally.decide`, with the template's
fractions. By 差额票决 the seats go to the candidates with the most agreeing
votes: the choice must name exactly them. A tie at the last seat is left to
`quorum_and_majority`, which asks for a new vote. Data it cannot read is
left to the other guards of the step (this one then says nothing).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from xuanren.procedure import tally
from xuanren.procedure.guards.registry import GuardContext, guard
from xuanren.procedure.models import Candidate, CandidateStatus, CasePost, CommitteeMembership

CODE = "passed_within_seats"


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _rules(parameters: dict[str, Any]) -> tally.Rules:
    fractions = {}
    for key in ("quorum", "majority", "deferral"):
        raw = parameters.get(key)
        if raw is None:
            continue
        num, den = (int(x) for x in raw)
        fractions[key] = tally.Fraction(num, den)
    return tally.Rules(**fractions)


def _rows(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    raw = data.get(key)
    return [r for r in raw if isinstance(r, dict)] if isinstance(raw, list) else []


@guard(CODE)
def passed_within_seats(ctx: GuardContext) -> list[str]:
    data = ctx.data
    try:
        day = dt.date.fromisoformat(str(data.get("meeting_date") or ""))
    except ValueError:
        return []
    members = [
        str(pk)
        for pk in CommitteeMembership.objects.filter(
            committee_id=ctx.case.committee_id, start_date__lte=day
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=day))
        .values_list("pk", flat=True)
    ]
    raw_present = data.get("present")
    present = [str(p) for p in (raw_present if isinstance(raw_present, list) else [])]
    votes: dict[str, tally.CandidateVotes] = {}
    posts: dict[str, int] = {}
    cands = {c.pk: c for c in Candidate.objects.filter(case=ctx.case).select_related("cadre")}
    for row in _rows(data, "votes"):
        cid = _int(row.get("candidate"))
        if cid is None or cid not in cands:
            return []
        counts = [_int(row.get(k, 0)) for k in ("agree", "disagree", "abstain", "defer_votes")]
        if any(n is None for n in counts):
            return []
        agree, disagree, abstain, defer = (int(n or 0) for n in counts)
        recused = row.get("recused")
        votes[str(cid)] = tally.CandidateVotes(
            agree=agree,
            disagree=disagree,
            abstain=abstain,
            defer_votes=defer,
            recused=frozenset(str(r) for r in (recused if isinstance(recused, list) else [])),
        )
        posts[str(cid)] = _int(row.get("post")) or cands[cid].post_id
    try:
        result = tally.decide(
            members=members,
            present=[p for p in present if p in set(members)],
            votes=votes,
            rules=_rules(ctx.template.parameters),
        )
    except (ValueError, TypeError):
        return []  # quorum_and_majority names what is wrong
    seats = dict(CasePost.objects.filter(case=ctx.case).values_list("post_id", "seats"))
    for c in cands.values():
        if c.status == CandidateStatus.APPROVED:
            seats[c.post_id] = seats.get(c.post_id, 0) - 1
    passed: dict[int, list[tuple[int, int]]] = {}
    for key, r in result.results.items():
        if r.outcome is tally.Outcome.PASSED:
            passed.setdefault(posts[key], []).append((r.agree, int(key)))
    choices = {_int(c.get("post")): c for c in _rows(data, "seat_choice")}
    problems: list[str] = []
    for post_id, rows in sorted(passed.items()):
        n = max(seats.get(post_id, 0), 0)
        if len(rows) <= n:
            continue
        rows.sort(key=lambda row: (-row[0], row[1]))
        if n and rows[n - 1][0] == rows[n][0]:
            continue  # a tie: quorum_and_majority asks for a new vote
        post = cands[rows[0][1]].post
        names = "、".join(cands[cid].cadre.name for _a, cid in rows)
        top = sorted(cid for _a, cid in rows[:n])
        choice = choices.get(post_id)
        if choice is None:
            problems.append(
                _(
                    "%(p)s拟配 %(s)d 人，表决通过 %(k)d 人（%(n)s）：须先由计票人或经办人"
                    "确定拟任人选并说明理由，结果才能计入。"
                )
                % {"p": post, "s": n, "k": len(rows), "n": names}
            )
            continue
        raw = choice.get("candidates")
        chosen = sorted(c for c in (_int(x) for x in (raw if isinstance(raw, list) else [])) if c)
        if chosen != top:
            problems.append(
                _("%(p)s拟配 %(s)d 人：按差额票决，应由同意票多的%(e)s任职，不能另行指定。")
                % {"p": post, "s": n, "e": "、".join(cands[c].cadre.name for c in top)}
            )
        if not str(choice.get("reason") or "").strip():
            problems.append(_("%(p)s：请填写确定拟任人选的理由。") % {"p": post})
    return problems
