"""Structure targets (班子结构要求) edited by the organization department
(docs/decisions/0143): add one, change one, retire one. Each write checks the
permission and the scope, and is journalled in the same transaction.

Scope: a target applies to the teams of its unit's subtree (no unit: every
unit). An actor edits the targets whose unit is in their scope; a target for
every unit only when their scope is the whole tree. Any other target is
NotFound, as an out-of-scope record is everywhere.

A change takes effect on its `effective_from`: a target already in force
before that day ends the day before and a new target carries the change (the
structure analysis of an earlier date keeps reading the old one); a target
that starts on or after that day is changed in place.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from xuanren.access.policy import (
    is_unrestricted,
    require_perm,
    scope_root,
    unit_in_scope,
    unit_scope_q,
)
from xuanren.common.errors import (
    Conflict,
    ErrorCollector,
    FieldError,
    NotFound,
    ValidationFailed,
)
from xuanren.journal.models import EventType
from xuanren.journal.services import journal_record
from xuanren.org.models import Level, Unit, UnitKind, path_and_ancestors
from xuanren.statistics.models import StructureTarget, StructureTargetKind
from xuanren.statistics.structure_rules import TargetKind

EDIT_TARGETS = "statistics.change_structuretarget"
VIEW_TARGETS = "people.view_cadre"

NAME_MAX = 120
SOURCE_MAX = 300
ARTICLE_MAX = 200
COUNT_MAX = 20
MEMBERS_MAX = 50
AGE_MIN, AGE_MAX = 25, 60


@dataclass(frozen=True)
class TargetTerms:
    """What a target says: at least `min_count` members of `kind`, or (when
    `min_percent` is given instead) at least that share of the team, for the
    teams at `levels` (of `unit_kinds`, empty: every kind) with `min_members`
    or more, in the subtree of `unit_id` (None: every unit), from
    `effective_from` to `effective_to` (inclusive; None: open), citing the
    document `source` by its own title and `source_article`."""

    name: str
    kind: str
    levels: list[str]
    source: str
    source_article: str
    effective_from: dt.date
    min_count: int | None = None
    min_percent: int | None = None
    age_at_most: int | None = None
    min_members: int = 1
    unit_kinds: list[str] = field(default_factory=list)
    unit_id: int | None = None
    effective_to: dt.date | None = None


def _covers_everything(actor: Any) -> bool:
    if is_unrestricted(actor):
        return True
    root = scope_root(actor)
    return root is not None and root.parent_id is None


def _unit_editable(actor: Any, unit: Unit | None) -> bool:
    if unit is None:
        return _covers_everything(actor)
    return bool(actor.is_active) and unit_in_scope(actor, unit)


def targets_visible_q(actor: Any) -> Q:
    """The targets that bear on the actor's teams: every unit's, those of a
    unit in the scope, and those of a unit above the scope."""
    if is_unrestricted(actor):
        return Q()
    root = scope_root(actor)
    if root is None or not actor.is_active:
        return Q(pk__in=[])
    return (
        Q(unit__isnull=True)
        | Q(unit__path__startswith=root.path)
        | Q(unit__path__in=path_and_ancestors(root.path))
    )


def target_editable(actor: Any, target: StructureTarget) -> bool:
    return _unit_editable(actor, target.unit)


def target_for_edit(*, actor: Any, pk: int) -> StructureTarget:
    """The target to edit; PermissionDenied without the permission, NotFound
    when unknown or outside the actor's scope."""
    require_perm(actor, EDIT_TARGETS)
    target = StructureTarget.objects.select_related("unit").filter(pk=pk).first()
    if target is None or not target_editable(actor, target):
        raise NotFound(_("未找到该班子结构要求，或其适用单位不在您的管理范围内。"))
    return target


def validate_terms(terms: TargetTerms) -> ErrorCollector:
    """Every check of the terms that needs no database (forms call it too)."""
    out = ErrorCollector()
    name = terms.name.strip()
    if not name:
        out.add("name", _("请填写要求的名称，例如“股级领导班子至少配备1名女干部”。"))
    elif len(name) > NAME_MAX:
        out.add("name", _("要求的名称不能超过 %(n)d 字。") % {"n": NAME_MAX})
    if terms.kind not in StructureTargetKind.values:
        out.add("kind", _("请选择要求的类别：女干部、党外干部、少数民族干部或年轻干部。"))
    if (terms.min_count is None) == (terms.min_percent is None):
        out.add("min_count", _("请填写至少人数或至少比例中的一项（只填一项）。"))
    elif terms.min_percent is not None and not 1 <= terms.min_percent <= 100:
        out.add("min_percent", _("至少比例应为 1 至 100 之间的整数（百分比）。"))
    elif terms.min_count is not None and not 1 <= terms.min_count <= COUNT_MAX:
        out.add("min_count", _("至少人数应为 1 至 %(n)d 之间的整数。") % {"n": COUNT_MAX})
    if terms.kind == TargetKind.YOUNG:
        if terms.age_at_most is None or not AGE_MIN <= terms.age_at_most <= AGE_MAX:
            out.add(
                "age_at_most",
                _("年轻干部要求须填写年龄上限（%(a)d 至 %(b)d 周岁，含本数）。")
                % {"a": AGE_MIN, "b": AGE_MAX},
            )
    elif terms.age_at_most is not None:
        out.add("age_at_most", _("只有年轻干部要求填写年龄上限，请清空。"))
    if not terms.levels:
        out.add("levels", _("请选择构成领导班子的职务层次。"))
    elif not set(terms.levels) <= set(Level.values) or len(set(terms.levels)) != len(terms.levels):
        out.add("levels", _("职务层次有误，请从列表中选择。"))
    if not set(terms.unit_kinds) <= set(UnitKind.values):
        out.add("unit_kinds", _("单位类别有误，请从列表中选择。"))
    if not 1 <= terms.min_members <= MEMBERS_MAX:
        out.add("min_members", _("适用的班子人数应为 1 至 %(n)d 之间的整数。") % {"n": MEMBERS_MAX})
    source = terms.source.strip()
    if not source:
        out.add(
            "source",
            _("请填写依据文件的标题，例如“本县《关于进一步加强科级领导班子建设的意见》”。"),
        )
    elif len(source) > SOURCE_MAX:
        out.add("source", _("依据文件标题不能超过 %(n)d 字。") % {"n": SOURCE_MAX})
    article = terms.source_article.strip()
    if not article:
        out.add("source_article", _("请填写依据的条款，例如“第三项（4）”。"))
    elif len(article) > ARTICLE_MAX:
        out.add("source_article", _("依据条款不能超过 %(n)d 字。") % {"n": ARTICLE_MAX})
    if terms.effective_to is not None and terms.effective_to < terms.effective_from:
        out.add("effective_to", _("失效日期不能早于生效日期。"))
    return out


def _unit_of(actor: Any, terms: TargetTerms) -> Unit | None:
    """The target's unit, in the actor's scope (NotFound otherwise); no unit
    only for an actor whose scope is the whole tree."""
    if terms.unit_id is None:
        if not _covers_everything(actor):
            raise ValidationFailed(
                _("班子结构要求未保存。"),
                errors=[FieldError("unit", _("您的管理范围不是全部单位，请选择要求适用的单位。"))],
            )
        return None
    unit = Unit.objects.filter(unit_scope_q(actor), pk=terms.unit_id).first()
    if unit is None:
        raise NotFound(_("未找到该单位，或该单位不在您的管理范围内。"))
    return unit


def _apply(target: StructureTarget, terms: TargetTerms, unit: Unit | None) -> None:
    target.name = terms.name.strip()
    target.kind = terms.kind
    target.min_count = terms.min_count if terms.min_count is not None else 0
    target.min_percent = terms.min_percent
    target.age_at_most = terms.age_at_most
    target.levels = [lv for lv in Level.values if lv in terms.levels]
    target.unit_kinds = [k for k in UnitKind.values if k in terms.unit_kinds]
    target.min_members = terms.min_members
    target.unit = unit
    target.source = terms.source.strip()
    target.source_article = terms.source_article.strip()
    target.effective_from = terms.effective_from
    target.effective_to = terms.effective_to


def target_state(target: StructureTarget) -> dict[str, Any]:
    """What the journal keeps of a target (dates as ISO text)."""
    return {
        "code": target.code,
        "name": target.name,
        "kind": target.kind,
        "min_count": target.min_count,
        "min_percent": target.min_percent,
        "age_at_most": target.age_at_most,
        "levels": list(target.levels),
        "unit_kinds": list(target.unit_kinds),
        "min_members": target.min_members,
        "unit": target.unit_id,
        "source": target.source,
        "source_article": target.source_article,
        "effective_from": target.effective_from.isoformat(),
        "effective_to": target.effective_to.isoformat() if target.effective_to else None,
        "replaces": target.replaces_id,
    }


def _new_code() -> str:
    return f"target-{secrets.token_hex(6)}"


def _create(terms: TargetTerms, unit: Unit | None, replaces: StructureTarget | None) -> Any:
    target = StructureTarget(code=_new_code(), replaces=replaces)
    _apply(target, terms, unit)
    last = StructureTarget.objects.order_by("-sort_order").values_list("sort_order", flat=True)
    target.sort_order = (last.first() or 0) + 10
    target.save()
    return target


@transaction.atomic
def structure_target_add(*, actor: Any, terms: TargetTerms) -> StructureTarget:
    """A new target. PermissionDenied without the permission; its unit outside
    the scope: NotFound; the terms wrong: ValidationFailed with every problem."""
    require_perm(actor, EDIT_TARGETS)
    validate_terms(terms).raise_if_any(_("班子结构要求未保存。"))
    unit = _unit_of(actor, terms)
    target = _create(terms, unit, None)
    journal_record(
        actor=actor,
        event_type=EventType.STRUCTURE_TARGET_ADDED,
        subject=target,
        payload={"target": target_state(target)},
    )
    return target


def _locked(actor: Any, target: StructureTarget) -> StructureTarget:
    require_perm(actor, EDIT_TARGETS)
    row = StructureTarget.objects.select_for_update().filter(pk=target.pk).first()
    if row is None or not target_editable(actor, row):
        raise NotFound(_("未找到该班子结构要求，或其适用单位不在您的管理范围内。"))
    return row


@transaction.atomic
def structure_target_change(
    *, actor: Any, target: StructureTarget, terms: TargetTerms
) -> StructureTarget:
    """Change `target` from `terms.effective_from` on; the target that holds
    the change is returned (a new one when the old was in force before that
    day, see the module's docstring)."""
    row = _locked(actor, target)
    validate_terms(terms).raise_if_any(_("班子结构要求未保存。"))
    unit = _unit_of(actor, terms)
    if row.effective_to is not None and row.effective_to < terms.effective_from:
        raise Conflict(
            _("该要求已于 %(d)s 停止执行，不能再修改；如仍需要，请新增一项要求。")
            % {"d": row.effective_to.isoformat()}
        )
    before = target_state(row)
    if row.effective_from < terms.effective_from:
        row.effective_to = terms.effective_from - dt.timedelta(days=1)
        row.save(update_fields=["effective_to"])
        changed = _create(terms, unit, row)
        payload = {"previous": before, "target": target_state(changed), "superseded": True}
    else:
        _apply(row, terms, unit)
        row.save()
        changed = row
        payload = {"previous": before, "target": target_state(row), "superseded": False}
    journal_record(
        actor=actor, event_type=EventType.STRUCTURE_TARGET_CHANGED, subject=changed, payload=payload
    )
    return changed


@transaction.atomic
def structure_target_retire(
    *, actor: Any, target: StructureTarget, last_day: dt.date
) -> StructureTarget:
    """The target stops after `last_day` (the last day it is in force)."""
    row = _locked(actor, target)
    if last_day < row.effective_from:
        raise ValidationFailed(
            _("停止执行日期不能早于生效日期 %(d)s。") % {"d": row.effective_from.isoformat()},
            errors=[FieldError("last_day", _("请填写生效日期当天或之后的日期。"))],
        )
    if row.effective_to is not None and row.effective_to <= last_day:
        raise Conflict(_("该要求已于 %(d)s 停止执行。") % {"d": row.effective_to.isoformat()})
    previous = row.effective_to
    row.effective_to = last_day
    row.save(update_fields=["effective_to"])
    journal_record(
        actor=actor,
        event_type=EventType.STRUCTURE_TARGET_RETIRED,
        subject=row,
        payload={
            "code": row.code,
            "last_day": last_day.isoformat(),
            "previous_effective_to": previous.isoformat() if previous else None,
        },
    )
    return row


def terms_of(target: StructureTarget) -> TargetTerms:
    """A target's terms, as a change form starts from."""
    return TargetTerms(
        name=target.name,
        kind=target.kind,
        levels=list(target.levels),
        source=target.source,
        source_article=target.source_article,
        effective_from=target.effective_from,
        min_count=target.min_count if target.min_percent is None else None,
        min_percent=target.min_percent,
        age_at_most=target.age_at_most,
        min_members=target.min_members,
        unit_kinds=list(target.unit_kinds),
        unit_id=target.unit_id,
        effective_to=target.effective_to,
    )
