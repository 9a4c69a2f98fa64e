"""Writes in the policy context: loading rule packs, choosing a post's packs,
and requesting and deciding exceptional promotions (破格)."""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from xuanren.access.policy import is_unrestricted, require_perm, require_unit
from xuanren.common.dates import completed_years, today
from xuanren.common.errors import ErrorCollector, PermissionDenied, ValidationFailed
from xuanren.common.migrating import after_full_migrate
from xuanren.common.recount import recount
from xuanren.common.uploads import check_declared_size, check_size, read_bounded
from xuanren.common.versioned import versioned_create
from xuanren.journal.models import EventType
from xuanren.journal.services import journal_record
from xuanren.org.models import LEVEL_RANK, Post
from xuanren.people.models import Cadre, Tenure
from xuanren.policy.kept import FactDifference, kept_facts_differences, kept_facts_refresh
from xuanren.policy.models import (
    ExceptionReason,
    ExceptionStatus,
    PostRulePacks,
    PromotionException,
    RulePack,
)
from xuanren.policy.packs import pack_digest, read_pack_file, shipped_pack_files
from xuanren.policy.rules import (
    MAX_SKIPPED_LEVELS,
    Measure,
    Rule,
    RuleDataError,
    skipped_levels,
)


def _require_pack_loader(actor: Any) -> None:
    if actor is not None and not is_unrestricted(actor):
        raise PermissionDenied(_("只有系统管理员可以载入%(w)s。") % {"w": _("规则包")})


@transaction.atomic
def rule_pack_upload(*, actor: Any, name: str, upload: bytes | IO[bytes]) -> RulePack | None:
    """Load an uploaded pack file: the permission first, then its size (the
    setting XUANREN_RULEPACK_MAX_BYTES), before a byte of it is read."""
    _require_pack_loader(actor)
    limit = settings.XUANREN_RULEPACK_MAX_BYTES
    check_size(upload, limit=limit, what=_("规则包文件"), setting="XUANREN_RULEPACK_MAX_BYTES")
    content = read_bounded(upload, limit=limit, what=_("规则包文件"))
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / (Path(name).name or "pack.toml")
        target.write_bytes(content)
        return rule_pack_load(actor=actor, path=target)


@transaction.atomic
def rule_pack_load(*, actor: Any, path: Path) -> RulePack | None:
    """Load one pack file as a new version; None when that exact version is
    already loaded. Changing a loaded version's rules needs a new version."""
    _require_pack_loader(actor)
    check_declared_size(
        path.stat().st_size,
        limit=settings.XUANREN_RULEPACK_MAX_BYTES,
        what=_("规则包文件"),
        setting="XUANREN_RULEPACK_MAX_BYTES",
    )
    try:
        data = read_pack_file(path)
    except RuleDataError as exc:
        raise ValidationFailed(str(exc)) from exc
    return versioned_create(
        actor=actor,
        model=RulePack,
        code=data["code"],
        version=data["version"],
        sha256=pack_digest(data["rules"]),
        fields={
            "name": data["name"],
            "source": data["source"],
            "effective_from": data["effective_from"],
            "effective_to": data.get("effective_to"),
            "default_for_levels": list(data.get("default_for_levels", [])),
            "rules": data["rules"],
        },
        event_type=EventType.RULE_PACK_LOADED,
        what=_("规则包"),
        file_name=path.name,
    )


def rule_packs_sync_shipped(*, actor: Any = None) -> list[RulePack]:
    """Load every pack file shipped with the app that is not loaded yet."""
    return [p for p in (rule_pack_load(actor=actor, path=f) for f in shipped_pack_files()) if p]


@after_full_migrate("xuanren.policy")
def sync_packs_after_migrate() -> None:
    rule_packs_sync_shipped()


@transaction.atomic
def post_rule_packs_set(*, actor: Any, post: Post, pack_codes: list[str]) -> PostRulePacks:
    require_unit(actor, "org.change_post", post.unit)
    known = set(RulePack.objects.values_list("code", flat=True))
    unknown = [c for c in pack_codes if c not in known]
    if unknown:
        raise ValidationFailed(_("未知的规则包：%(c)s") % {"c": "、".join(unknown)})
    choice, _created = PostRulePacks.objects.update_or_create(
        post=post, defaults={"pack_codes": list(pack_codes)}
    )
    journal_record(
        actor=actor,
        event_type=EventType.POST_PACKS_SET,
        subject=post,
        payload={"pack_codes": list(pack_codes)},
    )
    return choice


# ---- 破格 --------------------------------------------------------------------------

YEARS_RULE_MEASURES = {
    Measure.YEARS_AT_LEVEL,
    Measure.LADDER,
    Measure.WORKING_YEARS,
    Measure.GRASSROOTS_YEARS,
}


def _jumps_two_levels(cadre: Cadre, post: Post, rules: list[Rule]) -> bool:
    """越两级: over two rungs of the post's promotion ladder, or, with no
    ladder among the post's rules, over two levels of LEVEL_RANK."""
    ladder = next((r for r in rules if r.measure is Measure.LADDER and r.step_to(post.level)), None)
    if ladder is None:
        return LEVEL_RANK.get(post.level, 0) - LEVEL_RANK.get(cadre.level, 0) > 2
    if LEVEL_RANK.get(cadre.level, 0) >= LEVEL_RANK.get(post.level, 0):
        return False
    skipped = skipped_levels(ladder, cadre.level, post.level)
    return skipped is None or len(skipped) > MAX_SKIPPED_LEVELS


def _refusals(cadre: Cadre, post: Post, rule_ids: list[str], on: dt.date) -> ErrorCollector:
    """The conditions under which no 破格 may be asked for (DOMAIN §4)."""
    from xuanren.policy.selectors import rules_for_post

    out = ErrorCollector()
    rules = {r.id: r for r in rules_for_post(post, on)}
    if not rule_ids:
        out.add("rule_ids", _("请选择需要破格的条件。"))
    for rid in rule_ids:
        rule = rules.get(rid)
        if rule is None:
            out.add("rule_ids", _("条件 %(r)s 不是该职位适用的任职资格条件。") % {"r": rid})
        elif not rule.waivable:
            out.add(
                "rule_ids",
                _("“%(t)s”属于基本资格条件，不得破格。") % {"t": rule.title},
            )
    asked = [rules[r] for r in rule_ids if r in rules]
    if asked and all(rule.exception for rule in asked):
        # An exception the source itself provides (例外) is not 破格: the
        # limits below are 破格's (docs/decisions/0089).
        return out
    if _jumps_two_levels(cadre, post, list(rules.values())):
        out.add("post", _("破格提拔不得越两级提拔。"))
    on_probation = Tenure.objects.filter(
        cadre=cadre, probation_until__gte=on, start_date__lte=on
    ).exists()
    if on_probation:
        out.add("cadre", _("试用期内的干部不得破格提拔。"))
    if cadre.level_since is not None and completed_years(cadre.level_since, on) < 1:
        out.add(
            "cadre",
            _("提拔任职不满一年（%(d)s 任现职务层次）的，不得破格提拔。")
            % {"d": cadre.level_since},
        )
    previous = (
        PromotionException.objects.filter(cadre=cadre, status=ExceptionStatus.APPROVED)
        .order_by("-decided_on")
        .first()
    )
    if previous is not None:
        prev_rules = {r.id: r for r in rules_for_post(previous.post, on)}
        used_years = any(
            prev_rules[r].measure in YEARS_RULE_MEASURES
            for r in previous.rule_ids
            if r in prev_rules
        )
        asks_years = any(rules[r].measure in YEARS_RULE_MEASURES for r in rule_ids if r in rules)
        if used_years and asks_years:
            out.add("rule_ids", _("上一次提拔已破格任职年限，不得连续破格任职年限。"))
    return out


@transaction.atomic
def promotion_exception_request(
    *,
    actor: Any,
    cadre: Cadre,
    post: Post,
    rule_ids: list[str],
    reason: ExceptionReason | str,
    explanation: str,
    on: dt.date | None = None,
) -> PromotionException:
    require_unit(actor, "people.change_cadre", cadre.unit)
    require_unit(actor, "org.view_post", post.unit)
    cadre = Cadre.objects.select_for_update().get(pk=cadre.pk)
    out = _refusals(cadre, post, list(rule_ids), on or today())
    if reason not in ExceptionReason.values:
        out.add("reason", _("请选择破格理由类别。"))
    if not explanation.strip():
        out.add("explanation", _("请写明破格的具体理由。"))
    out.raise_if_any(_("不能提出破格提拔申请。"))
    request = PromotionException.objects.create(
        cadre=cadre,
        post=post,
        rule_ids=list(rule_ids),
        reason=reason,
        explanation=explanation.strip(),
        requested_by=actor,
    )
    journal_record(
        actor=actor,
        event_type=EventType.EXCEPTION_REQUESTED,
        subject=request,
        payload={"cadre": cadre.pk, "post": post.pk, "rule_ids": list(rule_ids), "reason": reason},
    )
    return request


@transaction.atomic
def promotion_exception_decide(
    *,
    actor: Any,
    request: PromotionException,
    approve: bool,
    approving_body: str,
    document: str,
    note: str = "",
    on: dt.date | None = None,
) -> PromotionException:
    """The higher organization department's decision, recorded with its document."""
    require_perm(actor, "policy.change_promotionexception")
    request = (
        PromotionException.objects.select_for_update()
        .select_related("cadre", "post")
        .get(pk=request.pk)
    )
    require_unit(actor, "people.change_cadre", request.cadre.unit)
    out = ErrorCollector()
    if request.status != ExceptionStatus.REQUESTED:
        out.add("status", _("该申请已经审批，不能重复审批。"))
    if not approving_body.strip():
        out.add("approving_body", _("请填写审批机关。"))
    if approve and not document.strip():
        out.add("document", _("批准破格须填写批准文件。"))
    if approve:
        # Conditions may have changed since the request.
        out.errors.extend(
            _refusals(request.cadre, request.post, request.rule_ids, on or today()).errors
        )
    out.raise_if_any(_("审批未完成。"))
    request.status = ExceptionStatus.APPROVED if approve else ExceptionStatus.REFUSED
    request.approving_body = approving_body.strip()
    request.document = document.strip()
    request.decision_note = note
    request.decided_by = actor
    request.decided_on = on or today()
    request.save()
    journal_record(
        actor=actor,
        event_type=EventType.EXCEPTION_DECIDED,
        subject=request,
        payload={
            "status": request.status,
            "approving_body": request.approving_body,
            "document": request.document,
        },
    )
    return request


@dataclass(frozen=True)
class FactsRecountResult:
    cadres: int
    differences: list[FactDifference]
    applied: bool


@transaction.atomic
def kept_facts_recount(*, actor: Any, apply: bool) -> FactsRecountResult:
    """Compare the screening's kept facts on every cadre row (policy.kept,
    decision 0161) with the cadres' records and report the cadres that
    differ; with `apply`, recompute those (one journal event). Only a system
    administrator (the command `xuanren screeningfacts`).

    On PostgreSQL the record tables are locked against writers first (readers
    go on; common.recount): every writer refreshes the cadre's facts in the
    transaction of its record, so under the lock none is half-kept."""
    found = recount(
        actor=actor,
        apply=apply,
        refused=_("只有系统管理员可以重算干部选任筛选事实。"),
        tables=("people_assessment", "people_rewardpunishment", "people_familymember"),
        differences=kept_facts_differences,
        put_right=lambda found: kept_facts_refresh([d.cadre_id for d in found]),
        event_type=EventType.SCREENING_FACTS_RECOUNTED,
        subject=("people.cadre", "all"),
        described=lambda d: {
            "cadre": d.cadre_id,
            "kept": list(d.kept),
            "recounted": list(d.recounted),
        },
    )
    return FactsRecountResult(cadres=Cadre.objects.count(), differences=found, applied=apply)
