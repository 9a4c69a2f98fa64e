"""Guards of the first steps: quota, plan, publication, appointment document."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from xuanren.org.models import Post, PostCategory, Quota, Unit, UnitKind
from xuanren.org.selectors import active_tenure_q
from xuanren.people.models import CadreIdentity, Tenure
from xuanren.procedure.guards.registry import GuardContext, guard
from xuanren.procedure.models import Candidate, CandidateStatus, CasePost


def seat_problem(post: Post, seats: int, on: dt.date) -> str | None:
    """Why `seats` more cannot be appointed to `post` on `on`, with its
    occupancy (who holds it, seats, vacancies); None when there is room.
    Shared by the guard and by opening a case (decision 0069)."""
    holders = [
        t.cadre.name
        for t in post.tenures.filter(active_tenure_q(on)).select_related("cadre").order_by("id")
    ]
    if len(holders) + seats <= post.seats:
        return None
    return _(
        "职位“%(p)s”共 %(n)d 个，现有 %(h)d 人在任（%(who)s），空缺 %(v)d 个，不能再配 %(s)d 人。"
    ) % {
        "p": post,
        "n": post.seats,
        "h": len(holders),
        "who": "、".join(holders) or _("无"),
        "v": max(post.seats - len(holders), 0),
        "s": seats,
    }


# 混岗配备 (docs/decisions/0088): a person placed in a post of another type —
# the post's establishment (机关, 事业单位, 企业) against the person's 身份.
POST_TYPE_WORDS = {
    "organ": _lazy("机关职务"),
    "institution": _lazy("事业单位管理岗位"),
    "company": _lazy("企业经营管理岗位"),
}
FITTING_IDENTITIES = {
    "organ": {CadreIdentity.CIVIL_SERVANT, CadreIdentity.REFERENCE_CIVIL_SERVANT},
    "institution": {CadreIdentity.PUBLIC_INSTITUTION, CadreIdentity.REFERENCE_CIVIL_SERVANT},
    "company": {CadreIdentity.STATE_ENTERPRISE},
}
#: Candidates still proposed for their post (not excluded, rejected or done).
PROPOSED_STATUSES = (
    CandidateStatus.NOMINATED,
    CandidateStatus.INSPECTION,
    CandidateStatus.DEFERRED,
    CandidateStatus.APPROVED,
)


def post_type(post: Post) -> str:
    """The establishment a post belongs to: "organ", "institution" or "company".
    A 内设机构职务 takes the type of the nearest unit above it that is not an
    internal office."""
    if post.category in (PostCategory.PARTY, PostCategory.GOVERNMENT):
        return "organ"
    if post.category == PostCategory.INSTITUTION:
        return "institution"
    if post.category == PostCategory.COMPANY:
        return "company"
    unit: Unit | None = post.unit
    while unit is not None and unit.kind == UnitKind.INTERNAL_OFFICE:
        unit = unit.parent
    kind = unit.kind if unit is not None else ""
    if kind in (UnitKind.PUBLIC_INSTITUTION, UnitKind.SCHOOL):
        return "institution"
    if kind == UnitKind.STATE_COMPANY:
        return "company"
    return "organ"


def mixed_post_problems(case: Any) -> list[str]:
    """不准混岗配备 (seed §3): every person still proposed on the case has a 身份
    that fits the type of the post proposed for them. A blank 身份 cannot be
    checked and is refused until recorded (docs/decisions/0091)."""
    problems = []
    types: dict[int, str] = {}
    proposed = Candidate.objects.filter(case=case, status__in=PROPOSED_STATUSES).select_related(
        "cadre", "post__unit"
    )
    for c in proposed.order_by("id"):
        identity = c.cadre.identity
        if not identity:
            problems.append(
                _(
                    "%(c)s的身份未记录，无法核对是否混岗配备：请先在干部信息中填写其身份"
                    "（公务员、参照公务员法管理、事业单位、国有企业或其他）。"
                )
                % {"c": c.cadre.name}
            )
            continue
        if c.post_id not in types:
            types[c.post_id] = post_type(c.post)
        kind = types[c.post_id]
        if identity in FITTING_IDENTITIES[kind]:
            continue
        problems.append(
            _("%(c)s身份为%(i)s，拟任职位“%(p)s”属%(t)s，不准混岗配备。")
            % {
                "c": c.cadre.name,
                "i": c.cadre.get_identity_display(),
                "p": c.post,
                "t": POST_TYPE_WORDS[kind],
            }
        )
    return problems


@guard("quota_allows")
def quota_allows(ctx: GuardContext) -> list[str]:
    """No appointment beyond the approved number, nor to a post of another
    type (不准超职数配备、不准混岗配备, seed §3)."""
    problems = mixed_post_problems(ctx.case)
    case_posts = list(CasePost.objects.filter(case=ctx.case).select_related("post__unit"))
    for cp in case_posts:
        post = cp.post
        if not post.is_active:
            problems.append(_("职位“%(p)s”已撤销。") % {"p": post})
            continue
        occupied = seat_problem(post, cp.seats, ctx.on)
        if occupied:
            problems.append(occupied)
        if not post.counts_against_quota:
            continue
        quota = Quota.objects.filter(unit=post.unit, level=post.level).first()
        if quota is None:
            problems.append(
                _("%(u)s未核定%(l)s职数，不能配备。")
                % {"u": post.unit, "l": post.get_level_display()}
            )
            continue
        filled = Tenure.objects.filter(
            active_tenure_q(ctx.on),
            post__unit=post.unit,
            post__level=post.level,
            post__counts_against_quota=True,
        ).count()
        wanted = sum(
            other.seats
            for other in case_posts
            if other.post.unit_id == post.unit_id
            and other.post.level == post.level
            and other.post.counts_against_quota
        )
        if filled + wanted > quota.approved:
            problems.append(
                _("%(u)s%(l)s核定职数 %(a)d 名，实有 %(f)d 名，本次拟配 %(w)d 名，将超职数配备。")
                % {
                    "u": post.unit,
                    "l": post.get_level_display(),
                    "a": quota.approved,
                    "f": filled,
                    "w": wanted,
                }
            )
    return sorted(set(problems))


@guard("consultation_recorded")
def consultation_recorded(ctx: GuardContext) -> list[str]:
    comments = ctx.data.get("consultation", [])
    if not comments:
        return [_("方案征求意见稿的意见尚未记录（至少一条：征求对象及意见）。")]
    return []


def plan_approval_required(parameters: dict[str, Any], plan: dict[str, Any]) -> bool:
    """Whether the plan needs the higher department's approval: the template's
    `plan_approval_by_higher` is true (always), false (never) or "competitive"
    (only when the plan adopts 竞争上岗, as the 股级 rules' 第二项 says:
    “如对调整股级干部实行竞争上岗方法……报县委组织部审批”)."""
    mode = parameters.get("plan_approval_by_higher", False)
    if mode == "competitive":
        return bool(plan.get("competitive"))
    return mode is True


@guard("higher_approval")
def higher_approval(ctx: GuardContext) -> list[str]:
    if not plan_approval_required(ctx.template.parameters, ctx.data):
        return []
    approval = ctx.data.get("higher_approval") or {}
    if not approval.get("body") or not approval.get("document"):
        if ctx.template.parameters.get("plan_approval_by_higher") == "competitive":
            return [
                _(
                    "方案采用竞争上岗方法的，须报上级组织部门审批同意后实施；"
                    "请记录审批机关和批准文件。"
                )
            ]
        return [_("本类事项的方案须报上级组织部门审批；请记录审批机关和批准文件。")]
    return []


@guard("after_publication")
def after_publication(ctx: GuardContext) -> list[str]:
    if ctx.done("publication") is None:
        return [_("职位公告尚未发布：须先公告职位、资格条件和方法程序，再开展推荐或报名。")]
    return []


@guard("document_recorded")
def document_recorded(ctx: GuardContext) -> list[str]:
    problems = []
    if not str(ctx.data.get("document_number", "")).strip():
        problems.append(_("请填写任职文号。"))
    if not ctx.data.get("document_date"):
        problems.append(_("请填写任职文件日期。"))
    return problems
