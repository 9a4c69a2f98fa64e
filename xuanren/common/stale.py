"""Refusing a stale save (issue 10, item 12).

An editable record carries an integer `version`, raised by one on every write
through a service. An editor (web form, API client) sends back the version it
saw; when the record has moved on, the service raises StaleWrite, whose
message says who changed it when and what changed (field labels, old → new),
read from the journal's last event of that record."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from xuanren.common.errors import FieldError, StaleWrite
from xuanren.journal.models import Event


def _shown(field: models.Field[Any, Any] | None, value: Any) -> str:
    if value is None or value == "":
        return _("（空）")
    if field is not None and field.choices:
        labels = {str(k): str(v) for k, v in field.flatchoices}
        return labels.get(str(value), str(value))
    return str(value)


def _changes(model: type[models.Model], changes: dict[str, Any]) -> list[FieldError]:
    """One line per changed field: 籍贯：浙江杭州 → 浙江宁波."""
    out: list[FieldError] = []
    for name, raw in changes.items():
        try:
            field: Any = model._meta.get_field(name)
        except Exception:
            field = None
        label = str(field.verbose_name) if field is not None else name
        if name == "photo":
            out.append(FieldError(name, _("%(f)s：已更换") % {"f": label}))
            continue
        pair = [*raw, None, None][:2] if isinstance(raw, list) else [None, raw]
        if isinstance(field, models.ForeignKey):
            related = field.related_model._default_manager  # type: ignore[union-attr]
            pair = [str(related.filter(pk=v).first() or v) if v else v for v in pair]
            field = None
        old, new = pair
        out.append(
            FieldError(
                name,
                _("%(f)s：%(old)s → %(new)s")
                % {"f": label, "old": _shown(field, old), "new": _shown(field, new)},
            )
        )
    return out


def check_version(obj: models.Model, expected: int | None) -> None:
    """Raise StaleWrite unless `expected` is None (an internal caller holding
    the row lock) or equals the version of the locked row `obj`."""
    current = int(obj.version)  # type: ignore[attr-defined]
    if expected is None or int(expected) == current:
        return
    event = (
        Event.objects.filter(subject_type=obj._meta.label_lower, subject_id=str(obj.pk))
        .order_by("-id")
        .first()
    )
    what = str(obj._meta.verbose_name)
    if event is None:
        raise StaleWrite(
            _(
                "保存失败：这条%(what)s记录在您打开之后已被修改（您看到的是第 %(seen)s 版，"
                "现在是第 %(now)s 版），您的修改未保存。请刷新页面，核对后重新修改。"
            )
            % {"what": what, "seen": expected, "now": current},
            current_version=current,
        )
    changes = event.payload.get("changes") if isinstance(event.payload, dict) else None
    lines = _changes(type(obj), changes) if isinstance(changes, dict) else []
    when = timezone.localtime(event.occurred_at).strftime("%Y-%m-%d %H:%M")
    summary = "；".join(e.message for e in lines) or event.get_event_type_display()
    raise StaleWrite(
        _(
            "保存失败：这条%(what)s记录在您打开之后已被 %(who)s 于 %(when)s 修改"
            "（您看到的是第 %(seen)s 版，现在是第 %(now)s 版）。对方的改动：%(changes)s。"
            "您的修改未保存；请刷新页面，核对后重新修改。"
        )
        % {
            "what": what,
            "who": event.actor_label,
            "when": when,
            "seen": expected,
            "now": current,
            "changes": summary,
        },
        errors=lines,
        current_version=current,
    )
