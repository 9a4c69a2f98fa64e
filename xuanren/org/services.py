"""Writes to units, posts and quotas. Each function checks the actor's
permission and scope, validates, saves and journals in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from xuanren.access.policy import is_unrestricted, require_unit
from xuanren.common.errors import Conflict, ErrorCollector, PermissionDenied
from xuanren.journal.models import EventType
from xuanren.journal.services import journal_record
from xuanren.org.counts import (
    Difference,
    corrections,
    count_add,
    counts_add,
    counts_from_records,
    counts_kept,
    differences,
)
from xuanren.org.models import (
    PATH_ALPHABET,
    PATH_SEGMENT,
    Level,
    Post,
    PostCategory,
    Quota,
    Unit,
    UnitKind,
)
from xuanren.org.pinyin import unit_pinyin

MAX_CHILDREN = len(PATH_ALPHABET) ** PATH_SEGMENT


def path_segment(index: int) -> str:
    """The fixed-width base-36 segment for a unit's position under its parent."""
    if not 0 <= index < MAX_CHILDREN:
        raise ValueError(index)
    digits = []
    for _i in range(PATH_SEGMENT):
        index, rem = divmod(index, len(PATH_ALPHABET))
        digits.append(PATH_ALPHABET[rem])
    return "".join(reversed(digits))


def _next_child_path(parent: Unit | None) -> str:
    prefix = parent.path if parent else ""
    siblings = Unit.objects.filter(parent=parent) if parent else Unit.objects.filter(parent=None)
    last = siblings.order_by("-path").values_list("path", flat=True).first()
    index = 0 if last is None else int(last[len(prefix) :], 36) + 1
    return prefix + path_segment(index)


@transaction.atomic
def unit_create(
    *,
    actor: Any,
    name: str,
    code: str,
    kind: UnitKind | str,
    parent: Unit | None,
    short_name: str = "",
    level: Level | str = "",
    sort_order: int = 0,
    establishment_document: str = "",
) -> Unit:
    if parent is None:
        if not is_unrestricted(actor):
            raise PermissionDenied(_("只有系统管理员可以新建顶级单位。"))
    else:
        require_unit(actor, "org.add_unit", parent)
        # Serialize sibling numbering under one parent.
        Unit.objects.select_for_update().filter(pk=parent.pk).first()
    out = ErrorCollector()
    if not name.strip():
        out.add("name", _("请填写单位名称。"))
    if not code.strip():
        out.add("code", _("请填写单位代码。"))
    elif Unit.objects.filter(code=code).exists():
        out.add("code", _("单位代码 %(c)s 已被使用。") % {"c": code})
    if kind not in UnitKind.values:
        out.add("kind", _("请选择单位类别。"))
    if level and level not in Level.values:
        out.add("level", _("机构规格无效。"))
    out.raise_if_any(_("单位信息有误，未保存。"))
    initials, pinyin = unit_pinyin(name.strip())
    unit = Unit.objects.create(
        name=name.strip(),
        name_initials=initials,
        name_pinyin=pinyin,
        short_name=short_name.strip(),
        code=code.strip(),
        kind=kind,
        level=level,
        parent=parent,
        path=_next_child_path(parent),
        depth=(parent.depth + 1) if parent else 0,
        sort_order=sort_order,
        establishment_document=establishment_document,
    )
    journal_record(
        actor=actor,
        event_type=EventType.UNIT_CREATED,
        subject=unit,
        payload={
            "name": unit.name,
            "code": unit.code,
            "kind": unit.kind,
            "parent": parent and parent.pk,
        },
    )
    return unit


@transaction.atomic
def post_create(
    *,
    actor: Any,
    unit: Unit,
    title: str,
    level: Level | str,
    is_principal: bool = False,
    is_party_government_principal: bool = False,
    category: PostCategory | str = PostCategory.GOVERNMENT,
    professional_requirement: str = "",
    counts_against_quota: bool = True,
    seats: int = 1,
    sort_order: int = 0,
) -> Post:
    require_unit(actor, "org.add_post", unit)
    out = ErrorCollector()
    if not title.strip():
        out.add("title", _("请填写职务名称。"))
    if level not in Level.values:
        out.add("level", _("请选择职务层次。"))
    if category not in PostCategory.values:
        out.add("category", _("请选择职务类别。"))
    if seats < 1:
        out.add("seats", _("职位数至少为 1。"))
    if is_party_government_principal and not is_principal:
        out.add("is_party_government_principal", _("党政正职必须是正职。"))
    out.raise_if_any(_("职位信息有误，未保存。"))
    initials, pinyin = unit_pinyin(title.strip())
    post = Post.objects.create(
        unit=unit,
        title=title.strip(),
        title_initials=initials,
        title_pinyin=pinyin,
        level=level,
        category=category,
        is_principal=is_principal,
        is_party_government_principal=is_party_government_principal,
        professional_requirement=professional_requirement,
        counts_against_quota=counts_against_quota,
        seats=seats,
        sort_order=sort_order,
    )
    count_add(unit.pk, post.level, posts=1)
    journal_record(
        actor=actor,
        event_type=EventType.POST_CREATED,
        subject=post,
        payload={"unit": unit.pk, "title": post.title, "level": post.level, "seats": seats},
    )
    return post


@transaction.atomic
def quota_set(
    *, actor: Any, unit: Unit, level: Level | str, approved: int, source: str = ""
) -> Quota:
    """Set (create or change) the approved number of posts of one level."""
    require_unit(actor, "org.change_quota", unit)
    out = ErrorCollector()
    if level not in Level.values:
        out.add("level", _("请选择职务层次。"))
    if approved < 0:
        out.add("approved", _("核定职数不能为负数。"))
    out.raise_if_any(_("职数信息有误，未保存。"))
    try:
        with transaction.atomic():
            quota, created = Quota.objects.select_for_update().get_or_create(
                unit=unit, level=level, defaults={"approved": approved, "source": source}
            )
    except IntegrityError as exc:  # a concurrent first insert
        raise Conflict(_("该单位该层次的职数刚被他人设置，请刷新后重试。")) from exc
    before = None if created else quota.approved
    if not created:
        quota.approved = approved
        quota.source = source or quota.source
        quota.save(update_fields=["approved", "source"])
    # `before` was read under the quota row's lock: the delta is exact.
    count_add(unit.pk, level, approved=approved - (before or 0))
    journal_record(
        actor=actor,
        event_type=EventType.QUOTA_SET,
        subject=quota,
        payload={"unit": unit.pk, "level": level, "approved": approved, "before": before},
    )
    return quota


@dataclass(frozen=True)
class RecountResult:
    rows: int
    differences: list[Difference]
    applied: bool


#: How many differing rows the journal event lists (the count is always there).
RECOUNT_EVENT_ROWS = 50


@transaction.atomic
def counts_recount(*, actor: Any, apply: bool) -> RecountResult:
    """Recount the per-unit counts (org.UnitCount) from the records and
    report the rows that differ; with `apply`, put them right (one journal
    event). Only a system administrator (the command `xuanren recount`).

    The counts table is locked against writers first (readers go on): every
    writer adds to it in the transaction of its record, so once the lock is
    held no record change is half-counted, and a writer waiting for the lock
    adds its delta to the recounted value afterwards."""
    if not is_unrestricted(actor):
        raise PermissionDenied(_("只有系统管理员可以重算单位计数。"))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE org_unitcount IN SHARE ROW EXCLUSIVE MODE")
    recounted = counts_from_records()
    found = differences(counts_kept(), recounted)
    if apply:
        counts_add(corrections(found))
        journal_record(
            actor=actor,
            event_type=EventType.UNIT_COUNTS_RECOUNTED,
            subject=("org.unitcount", "all"),
            payload={
                "rows": len(recounted),
                "differences": len(found),
                "corrected": [
                    {"unit": d.unit_id, "level": d.level, "kept": d.kept, "recounted": d.recounted}
                    for d in found[:RECOUNT_EVENT_ROWS]
                ],
            },
        )
    return RecountResult(rows=len(recounted), differences=found, applied=apply)
