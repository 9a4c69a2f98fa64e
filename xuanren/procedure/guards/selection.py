"""Guards and effects of the selection stage: democratic recommendation
(DOMAIN §3.4), choosing inspection candidates (§3.5), inspection (§3.7), and
the competitive template's qualification review, exams and evaluation.

The shape of each step's `data` is fixed in docs/decisions/0013. A guard names
the row, the person and the rule that is wrong, and says what to do.

"Running" candidates are those still in the selection: NOMINATED (named by the
recommendation, or passed the qualification review) or INSPECTION (chosen as
inspection candidates).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from xuanren.common.dates import SHANGHAI, add_months
from xuanren.people.models import (
    ArchiveReviewStatus,
    Cadre,
    CadreStatus,
    PersonalMattersStatus,
    Relation,
)
from xuanren.policy.models import ExceptionStatus, PromotionException
from xuanren.policy.rules import Explanation, Status, explain
from xuanren.policy.selectors import approved_waivers, cadre_facts, post_facts, rules_for_post
from xuanren.procedure.candidates import candidate_add, candidate_set_status
from xuanren.procedure.catalogue import STEPS
from xuanren.procedure.effects import effect
from xuanren.procedure.guards.registry import GuardContext, guard
from xuanren.procedure.models import Candidate, CandidateStatus, CasePost, CaseStep
from xuanren.procedure.recusal import conflicts

# ---- vocabulary ---------------------------------------------------------------------

#: Participant groups of a recommendation or evaluation (seed §3, §7, §8).
PARTICIPANT_GROUPS = (
    "领导班子成员",
    "中层干部",
    "下属单位主要负责人",
    "其他干部",
    "老同志代表",
    "代表",
    "职工群众",
)
#: Recommendation records: a meeting recommendation and a talk recommendation.
RECORD_KINDS = {"meeting": "会议推荐", "talk": "谈话推荐"}
#: Recommendations that are recorded but never counted (seed §2).
NOT_COUNTED_KINDS = {"unsigned": "未署名推荐", "phone": "电话推荐", "verbal": "口头推荐"}
#: Keys that, on a result row, would mean uncounted recommendations were counted.
UNCOUNTED_KEYS = {"unsigned": "未署名", "phone": "电话", "verbal": "口头", "oral": "口头"}
RUNNING = (CandidateStatus.NOMINATED, CandidateStatus.INSPECTION)
#: The column holding a result row's count, by step.
COUNT_KEY = {"recommendation": "signed", "evaluation": "votes"}


# ---- small readers ------------------------------------------------------------------


def _count(value: Any) -> int | None:
    """A non-negative integer, or None."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


def _pk(value: Any) -> int | None:
    """A record id as JSON gives it (number or digit string), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip()) or None
    return None


def _day(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _score(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _fmt(number: float) -> str:
    return f"{number:g}"


def required_count(seats: int, ratio: Any) -> int:
    """Inspection candidates needed for `seats`: seats × num/den rounded up."""
    num, den = (int(x) for x in ratio)
    return -(-seats * num // den)


def _ratio_words(ratio: Any) -> str:
    num, den = (int(x) for x in ratio)
    return _fmt(num / den)


def _rows(data: Any) -> list[Any]:
    return data if isinstance(data, list) else []


def _obj(data: Any) -> dict[str, Any]:
    return data if isinstance(data, dict) else {}


def _case_posts(ctx: GuardContext) -> dict[int, CasePost]:
    return {
        cp.post_id: cp
        for cp in CasePost.objects.filter(case=ctx.case).select_related("post__unit").order_by("pk")
    }


def _cadres(ids: Iterable[int]) -> dict[int, Cadre]:
    return {c.pk: c for c in Cadre.objects.filter(pk__in=set(ids))}


def _names(ids: Iterable[int]) -> dict[int, str]:
    return dict(Cadre.objects.filter(pk__in=set(ids)).values_list("pk", "name"))


def _running(ctx: GuardContext) -> list[Candidate]:
    return list(
        Candidate.objects.filter(case=ctx.case, status__in=RUNNING)
        .select_related("cadre", "post__unit")
        .order_by("post_id", "pk")
    )


def _row_post(row: dict[str, Any], posts: dict[int, CasePost]) -> tuple[int | None, str]:
    """(post id, problem): a row names a post of the case; with one post it may omit it."""
    raw = row.get("post")
    if raw in (None, ""):
        if len(posts) == 1:
            return next(iter(posts)), ""
        return None, _("未注明职位（本事项有多个职位，须逐行注明拟任职位）")
    pid = _pk(raw)
    if pid is None or pid not in posts:
        return None, _("所注职位（%(p)s）不是本事项的职位") % {"p": raw}
    return pid, ""


# ---- recommendation and evaluation: reading the data --------------------------------


@dataclass(frozen=True)
class _Record:
    number: int  # 1-based, as the officer counts
    kind: str
    day: dt.date | None
    participants: dict[str, int]
    posts: frozenset[int]
    covers_all: bool
    staff_total: int | None


@dataclass(frozen=True)
class _Row:
    number: int
    cadre: int
    post: int
    group: str
    kind: str
    count: int | None


def _read_records(
    data: dict[str, Any], posts: dict[int, CasePost], step: str, on: dt.date
) -> tuple[list[_Record], list[str]]:
    problems: list[str] = []
    records: list[_Record] = []
    kinds = RECORD_KINDS if step == "recommendation" else {"meeting": "民主测评会议"}
    for n, raw in enumerate(_rows(data.get("meetings")), start=1):
        where = _("第 %(n)d 条会议（谈话）记录") % {"n": n}
        if not isinstance(raw, dict):
            problems.append(_("%(w)s格式不正确。") % {"w": where})
            continue
        kind = raw.get("kind", "meeting" if step != "recommendation" else None)
        if kind not in kinds:
            problems.append(
                _("%(w)s的方式应为%(k)s之一。")
                % {"w": where, "k": "、".join(f"{v}（{k}）" for k, v in kinds.items())}
            )
            continue
        day = _day(raw.get("date"))
        if day is None:
            problems.append(_("%(w)s缺少日期。") % {"w": where})
        elif day > on:
            problems.append(
                _("%(w)s的日期 %(d)s 晚于办理日期 %(o)s，不能预先记录。")
                % {"w": where, "d": day, "o": on}
            )
        participants: dict[str, int] = {}
        given = raw.get("participants")
        if not isinstance(given, dict) or not given:
            problems.append(_("%(w)s未按类别记录参加人数。") % {"w": where})
        else:
            for group, amount in given.items():
                if group not in PARTICIPANT_GROUPS:
                    problems.append(
                        _("%(w)s的参加人员类别“%(g)s”不在规定类别中（%(all)s）。")
                        % {"w": where, "g": group, "all": "、".join(PARTICIPANT_GROUPS)}
                    )
                elif _count(amount) is None:
                    problems.append(
                        _("%(w)s中“%(g)s”的参加人数应为非负整数。") % {"w": where, "g": group}
                    )
                elif amount:
                    participants[group] = amount
            if not participants and given:
                problems.append(_("%(w)s没有参加人员。") % {"w": where})
        covers_all = raw.get("posts") in (None, [])
        covered: set[int] = set(posts) if covers_all else set()
        if not covers_all:
            for p in _rows(raw.get("posts")):
                pid = _pk(p)
                if pid is None or pid not in posts:
                    problems.append(
                        _("%(w)s所列职位（%(p)s）不是本事项的职位。") % {"w": where, "p": p}
                    )
                else:
                    covered.add(pid)
            covers_all = covered == set(posts)
        records.append(
            _Record(
                n,
                kind,
                day,
                participants,
                frozenset(covered),
                covers_all,
                _count(raw.get("staff_total")),
            )
        )
    return records, problems


def _read_rows(
    data: dict[str, Any], posts: dict[int, CasePost], step: str
) -> tuple[list[_Row], list[str]]:
    """Result rows with a valid cadre id and post; the problems of the others."""
    problems: list[str] = []
    rows: list[_Row] = []
    key = COUNT_KEY.get(step, "signed")
    raw_rows = _rows(data.get("results"))
    cadre_ids = [_pk(r.get("cadre")) for r in raw_rows if isinstance(r, dict)]
    known = _names(i for i in cadre_ids if i is not None)
    for n, raw in enumerate(raw_rows, start=1):
        where = _("推荐（测评）结果第 %(n)d 行") % {"n": n}
        if not isinstance(raw, dict):
            problems.append(_("%(w)s格式不正确。") % {"w": where})
            continue
        cadre = _pk(raw.get("cadre"))
        if cadre is None or cadre not in known:
            problems.append(
                _("%(w)s的人选（干部编号 %(c)s）不存在，请从干部库中选择。")
                % {"w": where, "c": raw.get("cadre")}
            )
            continue
        post, wrong = _row_post(raw, posts)
        if post is None:
            problems.append(f"{where}：{wrong}。")
            continue
        group = raw.get("group")
        if group not in PARTICIPANT_GROUPS:
            problems.append(
                _("%(w)s（%(c)s）的推荐人类别“%(g)s”不在规定类别中（%(all)s）。")
                % {"w": where, "c": known[cadre], "g": group, "all": "、".join(PARTICIPANT_GROUPS)}
            )
            continue
        kind = raw.get("kind", "meeting" if step != "recommendation" else None)
        if step == "recommendation" and kind not in RECORD_KINDS:
            problems.append(
                _("%(w)s（%(c)s）未注明是会议推荐还是谈话推荐。") % {"w": where, "c": known[cadre]}
            )
            continue
        rows.append(_Row(n, cadre, post, str(group), str(kind), _count(raw.get(key))))
    return rows, problems


# ---- recommendation guards ----------------------------------------------------------


@guard("signed_recommendations")
def signed_recommendations(ctx: GuardContext) -> list[str]:
    """Only signed recommendations count; unsigned, phone and verbal ones are
    recorded apart and never counted (seed §2)."""
    problems: list[str] = []
    results = _rows(ctx.data.get("results"))
    if not results:
        return [_("尚未录入推荐结果：请按人选、推荐人类别逐行录入署名推荐票数。")]
    total = 0
    for n, row in enumerate(results, start=1):
        if not isinstance(row, dict):
            continue  # reported by results_per_group
        where = _("推荐结果第 %(n)d 行") % {"n": n}
        if row.get("signed") is False or row.get("form", "signed") != "signed":
            problems.append(
                _(
                    "%(w)s不是署名推荐：电话、口头或未署名的推荐不计入推荐结果，"
                    "请移入“不计票的推荐”单独记录。"
                )
                % {"w": where}
            )
            continue
        for key, word in UNCOUNTED_KEYS.items():
            if row.get(key):
                problems.append(
                    _(
                        "%(w)s计入了%(k)s推荐（%(v)s）：只计署名推荐，%(k)s推荐不得计入，"
                        "请从该行删去并在“不计票的推荐”中单独记录。"
                    )
                    % {"w": where, "k": word, "v": row[key]}
                )
        signed = _count(row.get("signed"))
        if signed is None:
            problems.append(_("%(w)s缺少署名推荐票数（非负整数）。") % {"w": where})
        else:
            total += signed
    for n, item in enumerate(_rows(ctx.data.get("not_counted")), start=1):
        if (
            not isinstance(item, dict)
            or item.get("kind") not in NOT_COUNTED_KINDS
            or _count(item.get("count")) is None
        ):
            problems.append(
                _("“不计票的推荐”第 %(n)d 条：类别应为未署名、电话或口头推荐，并注明件数。")
                % {"n": n}
            )
    if not problems and total == 0:
        problems.append(
            _("推荐结果中没有任何署名推荐票，不能作为确定考察对象的依据；请核对后录入。")
        )
    return problems


@guard("results_per_group")
def results_per_group(ctx: GuardContext) -> list[str]:
    """Participants and their groups recorded; results kept per group; the
    meeting and the talk recommendation both recorded (seed §3, §7, §8)."""
    posts = _case_posts(ctx)
    records, problems = _read_records(ctx.data, posts, ctx.step, ctx.on)
    rows, row_problems = _read_rows(ctx.data, posts, ctx.step)
    problems += row_problems
    recommending = ctx.step == "recommendation"
    word = _("推荐") if recommending else _("测评")
    if not records:
        problems.append(_("尚未记录%(w)s的会议及参加人员：请按类别记录参加人数。") % {"w": word})
        return problems
    # Which record each (kind, post) refers to: exactly one of each kind per post.
    by_kind_post: dict[tuple[str, int], list[_Record]] = defaultdict(list)
    for rec in records:
        for pid in rec.posts:
            by_kind_post[rec.kind, pid].append(rec)
    kinds = RECORD_KINDS if recommending else {"meeting": _("民主测评会议")}
    for pid, cp in posts.items():
        for kind, kind_word in kinds.items():
            found = by_kind_post.get((kind, pid), [])
            if not found:
                problems.append(
                    _("职位“%(p)s”尚未记录%(k)s（参加人员及其类别）。")
                    % {"p": cp.post, "k": kind_word}
                )
            elif len(found) > 1:
                problems.append(
                    _("职位“%(p)s”的%(k)s记录了 %(n)d 次，同一职位的%(k)s只能记录一次。")
                    % {"p": cp.post, "k": kind_word, "n": len(found)}
                )
    if recommending:
        problems += _mode_problems(ctx, posts, records)
        problems += _talk_coverage_problems(ctx, records)
    # Every row belongs to a record, within that group's participants.
    key = COUNT_KEY.get(ctx.step, "signed")
    names = _names(r.cadre for r in rows)
    seen_groups: set[tuple[int, str]] = set()
    posts_with_rows: set[int] = set()
    for row in rows:
        where = _("推荐（测评）结果第 %(n)d 行（%(c)s）") % {"n": row.number, "c": names[row.cadre]}
        found = by_kind_post.get((row.kind, row.post), [])
        if len(found) != 1:
            if not found:
                problems.append(
                    _("%(w)s：职位“%(p)s”没有对应的%(k)s记录。")
                    % {"w": where, "p": posts[row.post].post, "k": kinds.get(row.kind, row.kind)}
                )
            continue
        rec = found[0]
        attended = rec.participants.get(row.group)
        if not attended:
            problems.append(
                _("%(w)s：第 %(r)d 条记录没有“%(g)s”类别的参加人员，不能有该类别的结果。")
                % {"w": where, "r": rec.number, "g": row.group}
            )
            continue
        seen_groups.add((rec.number, row.group))
        posts_with_rows.add(row.post)
        if row.count is None:
            if not recommending:
                problems.append(_("%(w)s缺少票数（%(k)s，非负整数）。") % {"w": where, "k": key})
            continue
        if row.count > attended:
            problems.append(
                _("%(w)s的票数 %(v)d 超过“%(g)s”类别的参加人数 %(a)d，请核对。")
                % {"w": where, "v": row.count, "g": row.group, "a": attended}
            )
    for rec in records:
        for group in rec.participants:
            if (rec.number, group) not in seen_groups:
                problems.append(
                    _("第 %(r)d 条记录有“%(g)s”类别的参加人员，但没有该类别的%(w)s结果。")
                    % {"r": rec.number, "g": group, "w": word}
                )
    for pid, cp in posts.items():
        if pid not in posts_with_rows:
            problems.append(_("职位“%(p)s”没有%(w)s结果。") % {"p": cp.post, "w": word})
    if not recommending:
        evaluated = {(r.cadre, r.post) for r in rows}
        for c in _running(ctx):
            if (c.cadre_id, c.post_id) not in evaluated:
                problems.append(
                    _("人选%(c)s（拟任%(p)s）没有民主测评结果。") % {"c": c.cadre.name, "p": c.post}
                )
    return problems


def _mode_problems(
    ctx: GuardContext, posts: dict[int, CasePost], records: list[_Record]
) -> list[str]:
    """全额定向推荐 (seed §3): a whole unit's posts in one recommendation."""
    if ctx.template.parameters.get("recommendation_mode", "per_post") != "full_directed":
        return []
    problems = []
    units = {cp.post.unit_id: cp.post.unit.name for cp in posts.values()}
    if len(units) > 1:
        problems.append(
            _(
                "全额定向推荐用于一个单位职位的全面调整，本事项的职位应属于同一单位"
                "（现涉及：%(u)s）。"
            )
            % {"u": "、".join(sorted(units.values()))}
        )
    for kind, word in RECORD_KINDS.items():
        of_kind = [r for r in records if r.kind == kind]
        if len(of_kind) != 1 or not of_kind[0].covers_all:
            problems.append(
                _(
                    "全额定向推荐应对本单位全部拟任职位一次推荐：%(k)s应只有一次，"
                    "并覆盖本事项的全部职位。"
                )
                % {"k": word}
            )
    return problems


def _talk_coverage_problems(ctx: GuardContext, records: list[_Record]) -> list[str]:
    """Talk recommendation with at least the share of staff the template asks
    for (`talk_coverage` = [num, den]; county-leading: 60%, seed §7), in whole
    numbers: talked × den ≥ staff × num."""
    share = ctx.template.parameters.get("talk_coverage")
    if not share:
        return []
    num, den = (int(x) for x in share)
    problems = []
    for rec in records:
        if rec.kind != "talk":
            continue
        talked = sum(rec.participants.values())
        if rec.staff_total is None or rec.staff_total == 0:
            problems.append(
                _("第 %(r)d 条记录（谈话推荐）未填写应参加人数，无法核对谈话覆盖面。")
                % {"r": rec.number}
            )
        elif talked * den < rec.staff_total * num:
            problems.append(
                _(
                    "谈话推荐应覆盖在职人员的 %(pct)s%% 以上：在职 %(s)d 人，应至少谈话 %(need)d 人，"
                    "现为 %(t)d 人。"
                )
                % {
                    "pct": _fmt(num * 100 / den),
                    "s": rec.staff_total,
                    "need": -(-rec.staff_total * num // den),
                    "t": talked,
                }
            )
    return problems


@effect("recommendation")
def recommendation_names_candidates(ctx: GuardContext, record: CaseStep, actor: Any) -> None:
    """Everyone who received signed recommendations for a post becomes a
    candidate (NOMINATED) for it."""
    posts = _case_posts(ctx)
    rows, _problems = _read_rows(record.data, posts, "recommendation")
    existing = set(Candidate.objects.filter(case=ctx.case).values_list("cadre_id", "post_id"))
    cadres = _cadres(r.cadre for r in rows)
    for row in rows:
        if not row.count or (row.cadre, row.post) in existing:
            continue
        existing.add((row.cadre, row.post))
        candidate_add(
            actor=actor,
            case=ctx.case,
            cadre=cadres[row.cadre],
            post=posts[row.post].post,
            step=ctx.step,
            status=CandidateStatus.NOMINATED,
        )


# ---- choosing inspection candidates; qualification review ---------------------------


@dataclass(frozen=True)
class _Choice:
    number: int
    cadre: int
    post: int
    passed: bool
    reason: str


CHOICE_KEY = {"candidates": "chosen", "qualification_review": "registrants"}


def _read_choices(
    ctx: GuardContext, data: dict[str, Any] | None = None
) -> tuple[list[_Choice], list[str]]:
    data = ctx.data if data is None else data
    key = CHOICE_KEY.get(ctx.step, "chosen")
    label = _("考察对象") if key == "chosen" else _("报名人员")
    raw_rows = _rows(data.get(key))
    if not raw_rows:
        return [], [_("尚未列出%(l)s（%(k)s）。") % {"l": label, "k": key}]
    posts = _case_posts(ctx)
    ids = [_pk(r.get("cadre")) for r in raw_rows if isinstance(r, dict)]
    known = _names(i for i in ids if i is not None)
    problems: list[str] = []
    choices: list[_Choice] = []
    seen: set[tuple[int, int]] = set()
    for n, raw in enumerate(raw_rows, start=1):
        where = _("%(l)s第 %(n)d 行") % {"l": label, "n": n}
        if not isinstance(raw, dict):
            problems.append(_("%(w)s格式不正确。") % {"w": where})
            continue
        cadre = _pk(raw.get("cadre"))
        if cadre is None or cadre not in known:
            problems.append(
                _("%(w)s的干部（编号 %(c)s）不存在，请从干部库中选择。")
                % {"w": where, "c": raw.get("cadre")}
            )
            continue
        post, wrong = _row_post(raw, posts)
        if post is None:
            problems.append(f"{where}（{known[cadre]}）：{wrong}。")
            continue
        if (cadre, post) in seen:
            problems.append(_("%(w)s：%(c)s对同一职位重复列出。") % {"w": where, "c": known[cadre]})
            continue
        seen.add((cadre, post))
        passed = raw.get("passed", True) is not False
        choices.append(_Choice(n, cadre, post, passed, str(raw.get("reason", "")).strip()))
    return choices, problems


def _explanations(
    ctx: GuardContext, pairs: Iterable[tuple[int, int]]
) -> dict[tuple[int, int], Explanation]:
    """The rule packs' verdict for each (cadre, post) at the case's reference
    date, approved 破格 applied: what explain_for gives, without its
    per-user scope check (the step's actor was checked by the service)."""
    pairs = list(pairs)
    ref = ctx.case.reference_date
    facts = {f.id: f for f in cadre_facts(Cadre.objects.filter(pk__in={c for c, _p in pairs}))}
    posts = _case_posts(ctx)
    out: dict[tuple[int, int], Explanation] = {}
    by_post: dict[int, list[int]] = defaultdict(list)
    for cadre_id, post_id in pairs:
        by_post[post_id].append(cadre_id)
    for pid, cadre_ids in by_post.items():
        post = posts[pid].post
        rules = rules_for_post(post, ref)
        pf = post_facts(post)
        waivers = approved_waivers(post, cadre_ids)
        for cadre in cadre_ids:
            waived = frozenset(rid for rid, ids in waivers.items() if cadre in ids)
            out[cadre, pid] = explain(rules, facts[cadre], pf, ref, waived)
    return out


@guard("candidates_qualified")
def candidates_qualified(ctx: GuardContext) -> list[str]:
    """Every candidate passes every rule of the post's packs at the reference
    date, or the failed rules are waived by an approved 破格 (DOMAIN §4)."""
    choices, problems = _read_choices(ctx)
    posts = _case_posts(ctx)
    cadres = _cadres(c.cadre for c in choices)
    accepted = []
    for c in choices:
        if not c.passed:
            if not c.reason:
                problems.append(
                    _("报名人员第 %(n)d 行（%(c)s）未通过资格审查，请写明不通过的理由。")
                    % {"n": c.number, "c": cadres[c.cadre].name}
                )
            continue
        if cadres[c.cadre].status != CadreStatus.ACTIVE:
            problems.append(
                _("%(c)s的干部状态为“%(s)s”，不能作为人选。")
                % {"c": cadres[c.cadre].name, "s": cadres[c.cadre].get_status_display()}
            )
            continue
        accepted.append(c)
    verdicts = _explanations(ctx, ((c.cadre, c.post) for c in accepted))
    for c in accepted:
        for result in verdicts[c.cadre, c.post].failed:
            if result.rule.waivable and result.rule.exception:
                advice = _("该条件有例外（%(e)s），须经上级组织部门批准后适用；或更换人选。") % {
                    "e": result.rule.exception
                }
            elif result.rule.waivable:
                advice = _(
                    "该条件可以破格，但没有经上级组织部门批准的破格提拔；请先办理破格审批，或更换人选。"
                )
            else:
                advice = _("该条件属于基本资格条件，不得破格；请更换人选。")
            problems.append(
                _("%(c)s（拟任%(p)s）不符合“%(r)s”：%(s)s。%(a)s")
                % {
                    "c": cadres[c.cadre].name,
                    "p": posts[c.post].post,
                    "r": result.rule.title,
                    "s": result.sentence,
                    "a": advice,
                }
            )
    return problems


@guard("differential_count")
def differential_count(ctx: GuardContext) -> list[str]:
    """Inspection candidates exceed the seats by the template's ratio, rounded
    up (差额考察, seed §2: at least 30% more)."""
    differential = ctx.template.parameters.get("differential_required", True)
    ratio = ctx.template.parameters.get("differential_ratio", [13, 10]) if differential else [1, 1]
    posts = _case_posts(ctx)
    count: dict[int, int] = defaultdict(int)
    if ctx.step == "candidates":
        choices, _problems = _read_choices(ctx)
        for c in choices:
            if c.passed:
                count[c.post] += 1
    else:
        for cand in _running(ctx):
            count[cand.post_id] += 1
    problems = []
    for pid, cp in posts.items():
        need = required_count(cp.seats, ratio)
        if count[pid] < need and not differential:
            problems.append(
                _(
                    "职位“%(p)s”拟配 %(s)d 人，考察对象不少于拟配人数即 %(n)d 人，"
                    "现为 %(c)d 人；请增加考察对象。"
                )
                % {"p": cp.post, "s": cp.seats, "n": need, "c": count[pid]}
            )
        elif count[pid] < need:
            problems.append(
                _(
                    "职位“%(p)s”拟配 %(s)d 人，差额考察要求考察对象不少于拟配人数的 %(r)s 倍"
                    "（向上取整）即 %(n)d 人，现为 %(c)d 人；请增加考察对象。"
                )
                % {
                    "p": cp.post,
                    "s": cp.seats,
                    "r": _ratio_words(ratio),
                    "n": need,
                    "c": count[pid],
                }
            )
    return problems


@guard("not_rejected_last_time")
def not_rejected_last_time(ctx: GuardContext) -> list[str]:
    """Nobody rejected for the same post in the most recent earlier decision
    of another case goes into the next plan again (seed §8)."""
    choices, _problems = _read_choices(ctx)
    posts = _case_posts(ctx)
    names = _names(c.cadre for c in choices)
    problems = []
    last: dict[int, CaseStep | None] = {}
    for c in choices:
        if not c.passed:
            continue
        if c.post not in last:
            last[c.post] = (
                CaseStep.objects.filter(step="decision", case__case_posts__post_id=c.post)
                .exclude(case=ctx.case)
                .select_related("case")
                .order_by("-completed_at", "-pk")
                .first()
            )
        decision = last[c.post]
        if decision is None:
            continue
        rejected = Candidate.objects.filter(
            case=decision.case, post_id=c.post, cadre_id=c.cadre, status=CandidateStatus.REJECTED
        ).exists()
        if rejected:
            problems.append(
                _(
                    "%(c)s在上一次讨论决定（事项 %(n)s，%(d)s）中拟任“%(p)s”未获通过；"
                    "被否决的人选不得再列入下一次方案，请更换人选。"
                )
                % {
                    "c": names[c.cadre],
                    "n": decision.case.number,
                    "d": decision.completed_at.astimezone(SHANGHAI).date(),
                    "p": posts[c.post].post,
                }
            )
    return problems


def recommendation_date(record: CaseStep) -> dt.date:
    """When the recommendation results were formed: the earliest meeting or
    talk date recorded, else the day the step was completed."""
    days = [
        d
        for d in (
            _day(m.get("date")) for m in _rows(record.data.get("meetings")) if isinstance(m, dict)
        )
        if d is not None
    ]
    return min(days) if days else timezone.localtime(record.completed_at, SHANGHAI).date()


@guard("recommendation_fresh")
def recommendation_fresh(ctx: GuardContext) -> list[str]:
    """The recommendation is less than `recommendation_valid_months` old, and
    a directed recommendation counts only for its post (national pack)."""
    record = ctx.done("recommendation")
    if record is None:
        return [_("本事项尚无民主推荐记录，不能确定考察对象；请先完成民主推荐。")]
    months = int(ctx.template.parameters.get("recommendation_valid_months", 12))
    formed = recommendation_date(record)
    problems = []
    expires = add_months(formed, months)
    if ctx.on >= expires:
        problems.append(
            _(
                "民主推荐结果形成于 %(f)s，有效期 %(m)d 个月（至 %(u)s），至 %(o)s 已过期，"
                "须重新进行民主推荐。"
            )
            % {"f": formed, "m": months, "u": expires - dt.timedelta(days=1), "o": ctx.on}
        )
    posts = _case_posts(ctx)
    rows, _problems = _read_rows(record.data, posts, "recommendation")
    recommended: dict[int, set[int]] = defaultdict(set)
    for row in rows:
        if row.count:
            recommended[row.cadre].add(row.post)
    choices, _problems = _read_choices(ctx)
    names = _names(c.cadre for c in choices)
    for c in choices:
        if not c.passed or c.post in recommended[c.cadre]:
            continue
        if recommended[c.cadre]:
            others = "、".join(str(posts[p].post) for p in sorted(recommended[c.cadre]))
            problems.append(
                _(
                    "%(c)s的民主推荐是对“%(o)s”的定向推荐，只对该职位有效，"
                    "不能作为拟任“%(p)s”的考察对象。"
                )
                % {"c": names[c.cadre], "o": others, "p": posts[c.post].post}
            )
        else:
            problems.append(
                _("%(c)s在本事项民主推荐中没有获得拟任“%(p)s”的署名推荐，不能列为考察对象。")
                % {"c": names[c.cadre], "p": posts[c.post].post}
            )
    return problems


def _approved_exception(cadre_id: int, post_id: int) -> PromotionException | None:
    return (
        PromotionException.objects.filter(
            cadre_id=cadre_id, post_id=post_id, status=ExceptionStatus.APPROVED
        )
        .order_by("-decided_on", "-pk")
        .first()
    )


def _promote(
    ctx: GuardContext,
    actor: Any,
    choice: _Choice,
    verdict: Explanation,
    status: CandidateStatus,
    reason: str,
) -> None:
    """Put `choice` in `status`, linking the approved 破格 where a rule was waived."""
    posts = _case_posts(ctx)
    candidate = Candidate.objects.filter(
        case=ctx.case, cadre_id=choice.cadre, post_id=choice.post
    ).first()
    if candidate is None:
        candidate = candidate_add(
            actor=actor,
            case=ctx.case,
            cadre=Cadre.objects.get(pk=choice.cadre),
            post=posts[choice.post].post,
            step=ctx.step,
            status=CandidateStatus.NOMINATED,
        )
    if any(r.status is Status.WAIVED for r in verdict.results):
        exception = _approved_exception(choice.cadre, choice.post)
        if exception is not None:
            Candidate.objects.filter(pk=candidate.pk).update(exception=exception)
            candidate.exception = exception
            reason += _("（破格提拔，批准文件：%(d)s）") % {"d": exception.document}
    candidate_set_status(
        actor=actor, candidate=candidate, status=status, reason=reason, step=ctx.step
    )


@effect("candidates")
def inspection_candidates_chosen(ctx: GuardContext, record: CaseStep, actor: Any) -> None:
    """Chosen → INSPECTION; every other nominated candidate → EXCLUDED."""
    choices, _problems = _read_choices(ctx, record.data)
    chosen = [c for c in choices if c.passed]
    verdicts = _explanations(ctx, ((c.cadre, c.post) for c in chosen))
    for c in chosen:
        _promote(
            ctx,
            actor,
            c,
            verdicts[c.cadre, c.post],
            CandidateStatus.INSPECTION,
            _("确定为考察对象"),
        )
    keep = {(c.cadre, c.post) for c in chosen}
    for cand in Candidate.objects.filter(case=ctx.case, status=CandidateStatus.NOMINATED).order_by(
        "pk"
    ):
        if (cand.cadre_id, cand.post_id) not in keep:
            candidate_set_status(
                actor=actor,
                candidate=cand,
                status=CandidateStatus.EXCLUDED,
                reason=_("未确定为考察对象"),
                step=ctx.step,
            )


@effect("qualification_review")
def registrants_reviewed(ctx: GuardContext, record: CaseStep, actor: Any) -> None:
    """Registrants who pass the review → NOMINATED; the others → EXCLUDED with the reason."""
    choices, _problems = _read_choices(ctx, record.data)
    passed = [c for c in choices if c.passed]
    verdicts = _explanations(ctx, ((c.cadre, c.post) for c in passed))
    for c in passed:
        _promote(
            ctx, actor, c, verdicts[c.cadre, c.post], CandidateStatus.NOMINATED, _("通过资格审查")
        )
    posts = _case_posts(ctx)
    cadres = _cadres(c.cadre for c in choices)
    for c in choices:
        if c.passed:
            continue
        candidate = candidate_add(
            actor=actor,
            case=ctx.case,
            cadre=cadres[c.cadre],
            post=posts[c.post].post,
            step=ctx.step,
            status=CandidateStatus.NOMINATED,
        )
        candidate_set_status(
            actor=actor,
            candidate=candidate,
            status=CandidateStatus.EXCLUDED,
            reason=_("资格审查未通过：%(r)s") % {"r": c.reason},
            step=ctx.step,
        )


# ---- exams (competitive template) ---------------------------------------------------


@dataclass(frozen=True)
class _Score:
    number: int
    candidate: Candidate
    score: float
    excluded: bool


def _read_scores(ctx: GuardContext, data: dict[str, Any]) -> tuple[list[_Score], list[str]]:
    posts = _case_posts(ctx)
    running = {(c.cadre_id, c.post_id): c for c in _running(ctx)}
    full = _score(data.get("full_marks", 100))
    problems: list[str] = []
    if full is None or full <= 0:
        problems.append(_("满分应为正数。"))
        full = 100.0
    scores: list[_Score] = []
    seen: set[tuple[int, int]] = set()
    for n, raw in enumerate(_rows(data.get("scores")), start=1):
        where = _("成绩第 %(n)d 行") % {"n": n}
        if not isinstance(raw, dict):
            problems.append(_("%(w)s格式不正确。") % {"w": where})
            continue
        cadre = _pk(raw.get("cadre"))
        post, wrong = _row_post(raw, posts)
        if post is None:
            problems.append(f"{where}：{wrong}。")
            continue
        cand = running.get((cadre or 0, post))
        if cand is None:
            problems.append(
                _("%(w)s的干部（编号 %(c)s）不是本事项拟任“%(p)s”的在选人选。")
                % {"w": where, "c": raw.get("cadre"), "p": posts[post].post}
            )
            continue
        if (cand.cadre_id, post) in seen:
            problems.append(_("%(w)s：%(c)s的成绩重复录入。") % {"w": where, "c": cand.cadre.name})
            continue
        seen.add((cand.cadre_id, post))
        score = _score(raw.get("score"))
        if score is None or not 0 <= score <= full:
            problems.append(
                _("%(w)s：%(c)s的成绩应为 0 到 %(f)s 之间的数。")
                % {"w": where, "c": cand.cadre.name, "f": _fmt(full)}
            )
            continue
        scores.append(_Score(n, cand, score, raw.get("excluded") is True))
    return scores, problems


def _sheet_problems(ctx: GuardContext) -> list[str]:
    """A case with a 竞聘评分 sheet takes its scores from the signed sheet,
    never typed (docs/decisions/0149)."""
    from xuanren.competition.models import Competition

    competition = Competition.objects.filter(case=ctx.case).only("pk").first()
    if competition is None or ctx.data.get("sheet") == competition.pk:
        return []
    return [
        _(
            "本事项的成绩以竞聘评分表为准，不能直接录入：请在“竞聘评分”页面录入成绩，经竞聘监督小组签字确认后办理本环节。"
        )
    ]


@guard("scores_recorded")
def scores_recorded(ctx: GuardContext) -> list[str]:
    """Every running candidate has a score; only lower scorers may be excluded."""
    running = _running(ctx)
    step_name = str(STEPS.get(ctx.step, ctx.step))
    if not running:
        return [_("本事项没有在选人选，不能录入%(s)s成绩；请先完成资格审查。") % {"s": step_name}]
    scores, problems = _read_scores(ctx, ctx.data)
    problems.extend(_sheet_problems(ctx))
    have = {(s.candidate.cadre_id, s.candidate.post_id) for s in scores}
    for c in running:
        if (c.cadre_id, c.post_id) not in have:
            problems.append(
                _("%(c)s（拟任%(p)s）的%(s)s成绩尚未录入。")
                % {"c": c.cadre.name, "p": c.post, "s": step_name}
            )
    by_post: dict[int, list[_Score]] = defaultdict(list)
    for s in scores:
        by_post[s.candidate.post_id].append(s)
    for items in by_post.values():
        kept = [s.score for s in items if not s.excluded]
        if not kept:
            continue
        lowest_kept = min(kept)
        for s in items:
            if s.excluded and s.score > lowest_kept:
                problems.append(
                    _(
                        "%(c)s的成绩 %(v)s 分高于保留人选的最低分 %(k)s 分，不能排除；"
                        "只能按成绩由低到高排除。"
                    )
                    % {"c": s.candidate.cadre.name, "v": _fmt(s.score), "k": _fmt(lowest_kept)}
                )
    return problems


def _competition_ranks(values: list[tuple[int, float]]) -> dict[int, int]:
    """key → rank by value, highest first; equal values share a rank (1, 2, 2, 4)."""
    ordered = sorted(values, key=lambda kv: -kv[1])
    ranks: dict[int, int] = {}
    for i, (key, value) in enumerate(ordered):
        ranks[key] = i + 1 if i == 0 or value != ordered[i - 1][1] else ranks[ordered[i - 1][0]]
    return ranks


def scores_ranked(ctx: GuardContext, record: CaseStep, actor: Any) -> None:
    """Ranks per post by score stored on the candidates; excluded → EXCLUDED."""
    scores, _problems = _read_scores(ctx, record.data)
    by_post: dict[int, list[_Score]] = defaultdict(list)
    for s in scores:
        by_post[s.candidate.post_id].append(s)
    step_name = str(STEPS.get(ctx.step, ctx.step))
    # Read from a signed 竞聘评分 sheet: its ranks, by the sheet's tie rule (0148).
    sheet_ranks = {
        _pk(r.get("cadre")): r["rank"]
        for r in _rows(record.data.get("scores"))
        if isinstance(r, dict) and isinstance(r.get("rank"), int)
    }
    for items in by_post.values():
        ranks = _competition_ranks([(s.candidate.pk, s.score) for s in items])
        if sheet_ranks and all(s.candidate.cadre_id in sheet_ranks for s in items):
            ranks = {s.candidate.pk: sheet_ranks[s.candidate.cadre_id] for s in items}
        for s in items:
            Candidate.objects.filter(pk=s.candidate.pk).update(rank=ranks[s.candidate.pk])
            if s.excluded:
                candidate_set_status(
                    actor=actor,
                    candidate=s.candidate,
                    status=CandidateStatus.EXCLUDED,
                    reason=_("%(s)s成绩 %(v)s 分，排名第 %(r)d，未进入下一环节")
                    % {"s": step_name, "v": _fmt(s.score), "r": ranks[s.candidate.pk]},
                    step=ctx.step,
                )


effect("written_exam")(scores_ranked)
effect("interview")(scores_ranked)


# ---- inspection ---------------------------------------------------------------------


def _entries(
    ctx: GuardContext, data: dict[str, Any]
) -> dict[tuple[int, int], tuple[int, dict[str, Any]]]:
    """Inspection entries by (cadre, post), with their row number."""
    posts = _case_posts(ctx)
    out: dict[tuple[int, int], tuple[int, dict[str, Any]]] = {}
    for n, raw in enumerate(_rows(data.get("candidates")), start=1):
        if not isinstance(raw, dict):
            continue
        cadre = _pk(raw.get("cadre"))
        post, _wrong = _row_post(raw, posts)
        if cadre is not None and post is not None:
            out.setdefault((cadre, post), (n, raw))
    return out


def _dated(value: Any, on: dt.date) -> bool:
    day = _day(value)
    return day is not None and day <= on


@guard("inspection_recorded")
def inspection_recorded(ctx: GuardContext) -> list[str]:
    """Individual talks, democratic evaluation and field visits recorded for
    every candidate; differential candidates ranked (seed §2, §8)."""
    running = _running(ctx)
    if not running:
        return [_("本事项没有考察对象，不能办理考察。")]
    entries = _entries(ctx, ctx.data)
    problems: list[str] = []
    posts = _case_posts(ctx)
    running_keys = {(c.cadre_id, c.post_id) for c in running}
    for n, raw in enumerate(_rows(ctx.data.get("candidates")), start=1):
        cadre = _pk(raw.get("cadre")) if isinstance(raw, dict) else None
        post = _row_post(raw, posts)[0] if isinstance(raw, dict) else None
        if cadre is None or post is None or (cadre, post) not in running_keys:
            problems.append(
                _("考察情况第 %(n)d 行不是本事项的考察对象（请注明考察对象和拟任职位）。")
                % {"n": n}
            )
    on = ctx.on
    for c in running:
        who = _("%(c)s（拟任%(p)s）") % {"c": c.cadre.name, "p": c.post}
        found = entries.get((c.cadre_id, c.post_id))
        if found is None:
            problems.append(_("%(w)s的考察情况尚未记录。") % {"w": who})
            continue
        entry = found[1]
        talks = _obj(entry.get("talks"))
        if not _count(talks.get("count")) or not _dated(talks.get("date"), on):
            problems.append(
                _("%(w)s：个别谈话未记录（谈话人数及日期，日期不晚于办理日期）。") % {"w": who}
            )
        evaluation = _obj(entry.get("evaluation"))
        if not _count(evaluation.get("participants")) or not _dated(evaluation.get("date"), on):
            problems.append(_("%(w)s：民主测评未记录（参加人数及日期）。") % {"w": who})
        visits = [
            v
            for v in _rows(entry.get("field_visits"))
            if isinstance(v, dict) and str(v.get("place", "")).strip() and _dated(v.get("date"), on)
        ]
        if not visits:
            problems.append(_("%(w)s：实地考察未记录（地点及日期，至少一处）。") % {"w": who})
    # 差额考察: the candidates of a post with more candidates than seats are ranked.
    seats = {pid: cp.seats for pid, cp in posts.items()}
    by_post: dict[int, list[Candidate]] = defaultdict(list)
    for c in running:
        by_post[c.post_id].append(c)
    for pid, cands in by_post.items():
        if len(cands) <= seats.get(pid, 1):
            continue
        ranks = [
            _count(entries[(c.cadre_id, pid)][1].get("rank"))
            if (c.cadre_id, pid) in entries
            else None
            for c in cands
        ]
        if sorted(r or 0 for r in ranks) != list(range(1, len(cands) + 1)):
            problems.append(
                _(
                    "职位“%(p)s”差额考察 %(n)d 人，须对考察对象综合排序：请为每人填写排序，为 1 至 %(n)d 且不重复。"
                )
                % {"p": cands[0].post, "n": len(cands)}
            )
    return problems


@guard("report_signed_by_team")
def report_signed_by_team(ctx: GuardContext) -> list[str]:
    """The team is recorded, every member signs the written report and nobody
    else does (考察责任制, seed §2, §8); no member inspects a relative
    (recusal detected from the family records, DOMAIN §4)."""
    team = [m for m in _rows(ctx.data.get("team")) if isinstance(m, dict)]
    from xuanren.procedure.assignments import assigned_team_problems

    assigned = assigned_team_problems(ctx.case, ctx.data, ctx.on)  # a team on record: 0062
    if assigned is not None:
        return assigned + _team_recusal(ctx, team)
    names = [str(m.get("name", "")).strip() for m in team]
    problems: list[str] = []
    if len([n for n in names if n]) < 2:
        problems.append(_("请列出考察组成员（姓名，可关联其干部档案）；考察组由两名以上成员组成。"))
    if any(not n for n in names):
        problems.append(_("考察组成员须填写姓名。"))
    duplicates = sorted({n for n in names if n and names.count(n) > 1})
    if duplicates:
        problems.append(_("考察组成员重复：%(n)s。") % {"n": "、".join(duplicates)})
    report = _obj(ctx.data.get("report"))
    signed = [str(s).strip() for s in _rows(report.get("signed_by"))]
    if not _dated(report.get("date"), ctx.on):
        problems.append(_("请填写考察报告日期（不晚于办理日期）。"))
    members = {n for n in names if n}
    missing = [n for n in names if n and n not in signed]
    if missing:
        problems.append(
            _(
                "考察材料缺少考察组成员%(n)s的署名：考察组成员均须在考察材料上署名，并对考察材料负责。"
            )
            % {"n": "、".join(missing)}
        )
    outsiders = [s for s in dict.fromkeys(signed) if s and s not in members]
    if outsiders:
        problems.append(
            _("%(n)s不是考察组成员，不能在考察材料上署名；如参加了考察，请先列入考察组。")
            % {"n": "、".join(outsiders)}
        )
    problems += _team_recusal(ctx, team)
    return problems


def _team_recusal(ctx: GuardContext, team: list[dict[str, Any]]) -> list[str]:
    linked = {pk: m for m in team if (pk := _pk(m.get("cadre"))) is not None}
    if not linked:
        return []
    known = _names(linked)
    problems = [
        _("考察组成员%(n)s关联的干部记录（编号 %(c)s）不存在。") % {"n": m.get("name"), "c": pk}
        for pk, m in linked.items()
        if pk not in known
    ]
    running = _running(ctx)
    by_cadre = {c.cadre_id: c for c in running}
    for found in conflicts(known, by_cadre):
        member = linked[found.person_cadre_id]
        scope = member.get("candidates")
        if scope is not None and found.candidate_cadre_id not in {_pk(x) for x in _rows(scope)}:
            continue  # this member does not inspect that candidate
        try:
            relation = str(Relation(found.relation).label)
        except ValueError:
            relation = found.relation
        recorder = known.get(found.recorded_by) or by_cadre[found.recorded_by].cadre.name
        problems.append(
            _(
                "考察组成员%(m)s与考察对象%(c)s有%(r)s关系（见%(w)s的家庭成员记录），"
                "应当回避，不得参加对其考察；请调整考察组。"
            )
            % {
                "m": member.get("name"),
                "c": by_cadre[found.candidate_cadre_id].cadre.name,
                "r": relation,
                "w": recorder,
            }
        )
    return problems


@guard("four_musts")
def four_musts(ctx: GuardContext) -> list[str]:
    """凡提四必 for every inspection candidate: archive reviewed, personal
    matters verified, reports investigated (the discipline commission's
    opinion is the integrity-opinion step)."""
    entries = _entries(ctx, ctx.data)
    problems = []
    for c in _running(ctx):
        who = _("%(c)s（拟任%(p)s）") % {"c": c.cadre.name, "p": c.post}
        if c.cadre.archive_review_status != ArchiveReviewStatus.PASSED:
            problems.append(
                _("%(w)s：干部档案尚未审核通过（现为“%(s)s”）；档案必审，请先完成干部档案审核。")
                % {"w": who, "s": c.cadre.get_archive_review_status_display()}
            )
        if c.cadre.personal_matters_status != PersonalMattersStatus.VERIFIED:
            problems.append(
                _(
                    "%(w)s：个人有关事项报告尚未核实一致（现为“%(s)s”）；个人事项必核，"
                    "请先完成查核。"
                )
                % {"w": who, "s": c.cadre.get_personal_matters_status_display()}
            )
        entry = entries.get((c.cadre_id, c.post_id), (0, {}))[1]
        if entry.get("reports_investigated") is not True:
            problems.append(
                _("%(w)s：尚未记录信访举报已查核；信访必查，有举报的须查清后再办理。") % {"w": who}
            )
    return problems


@effect("inspection")
def inspection_done(ctx: GuardContext, record: CaseStep, actor: Any) -> None:
    """Ranks stored; candidates still NOMINATED (competitive template) become
    inspection candidates."""
    entries = _entries(ctx, record.data)
    for c in _running(ctx):
        found = entries.get((c.cadre_id, c.post_id))
        rank = _count(found[1].get("rank")) if found else None
        if rank:
            Candidate.objects.filter(pk=c.pk).update(rank=rank)
        if c.status == CandidateStatus.NOMINATED:
            candidate_set_status(
                actor=actor,
                candidate=c,
                status=CandidateStatus.INSPECTION,
                reason=_("列为考察对象"),
                step=ctx.step,
            )
