"""Loading a versioned data file (rule packs, procedure templates) into its
model: a (code, version) is written once; loading it again with the same
content does nothing, with other content is refused — a change needs a new
version, so records made under an old version stay checkable against it."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.utils.translation import gettext as _

from xuanren.access.policy import is_unrestricted
from xuanren.common.errors import Conflict, PermissionDenied
from xuanren.journal.models import EventType
from xuanren.journal.services import journal_record

M = TypeVar("M", bound=models.Model)


def versioned_create(
    *,
    actor: Any,
    model: type[M],
    code: str,
    version: int,
    sha256: str,
    fields: dict[str, Any],
    event_type: EventType,
    what: str,
    file_name: str,
) -> M | None:
    """Create `model(code, version, sha256, **fields)` unless that version
    exists; `what` names the kind of data in messages (规则包, 程序模板)."""
    if actor is not None and not is_unrestricted(actor):
        raise PermissionDenied(_("只有系统管理员可以载入%(w)s。") % {"w": what})
    existing = model._default_manager.filter(code=code, version=version).first()
    if existing is not None:
        if existing.sha256 != sha256:  # type: ignore[attr-defined]
            raise Conflict(
                _("%(w)s %(c)s 第 %(v)s 版已载入且内容不同；修改须提高版本号。")
                % {"w": what, "c": code, "v": version}
            )
        return None
    obj = model._default_manager.create(code=code, version=version, sha256=sha256, **fields)
    journal_record(
        actor=actor,
        event_type=event_type,
        subject=obj,
        payload={"code": code, "version": version, "sha256": sha256, "file": file_name},
    )
    return obj
