"""What every step contract is made of: the base model, the typed values a
step's data holds (record ids, dates, counts, texts, coded choices), and the
reading of pydantic's errors into Chinese messages that name the field by
its title and the row by its number (docs/decisions/0049).

Titles and choice labels are Chinese source strings marked for translation
(`N_`); they are translated where they are shown."""

from __future__ import annotations

import datetime as dt
import types
from collections.abc import Mapping
from typing import Annotated, Any, Union, get_args, get_origin

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from pydantic import BaseModel, ConfigDict, Field, PlainSerializer
from pydantic import ValidationError as PydanticValidationError
from pydantic.fields import FieldInfo

from xuanren.common.errors import FieldError

__all__ = [
    "N_",
    "Count",
    "Day",
    "Id",
    "Number",
    "Row",
    "StepData",
    "choice",
    "field",
    "labels_of",
    "messages_for",
]


class StepData(BaseModel):
    """A step's data as submitted and stored: nothing but the declared fields.
    Subclasses set `__doc__` (shown in OpenAPI) and declare each field with a
    Chinese `title`."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Row(StepData):
    """One row of a list in a step's data (one candidate, one member …)."""


#: A record id (Candidate, Cadre, Post, CommitteeMembership): a positive
#: integer; digit strings, as forms send them, are read as numbers.
Id = Annotated[int, Field(gt=0)]
#: A number of people, ballots or votes.
Count = Annotated[int, Field(ge=0, le=10_000_000)]
#: A day, stored as its ISO string (YYYY-MM-DD).
Day = dt.date


def _whole(value: float) -> int | float:
    return int(value) if value == int(value) else value


#: A score or a full mark: stored as a whole number when it is one.
Number = Annotated[float, Field(ge=0, le=100_000), PlainSerializer(_whole, return_type=Any)]


def field(title: str, *, description: str = "", **kwargs: Any) -> Any:
    """A field with its Chinese title (and, for OpenAPI, its description)."""
    return Field(title=title, description=description or None, **kwargs)


def choice(title: str, labels: Mapping[str, Any], *, description: str = "", **kwargs: Any) -> Any:
    """A coded field whose values are shown by their Chinese labels."""
    listing = "；".join(f"{k}：{v}" for k, v in labels.items())
    return Field(
        title=title,
        description=(description + "。" if description else "") + listing,
        json_schema_extra={"x-labels": {k: str(v) for k, v in labels.items()}},
        **kwargs,
    )


def labels_of(info: FieldInfo) -> dict[str, str]:
    extra = info.json_schema_extra
    if isinstance(extra, dict):
        found = extra.get("x-labels")
        if isinstance(found, dict):
            return {str(k): str(v) for k, v in found.items()}
    return {}


# ---- reading an annotation ---------------------------------------------------------------


def _strip(annotation: Any) -> Any:
    """The annotation without Annotated[...] and Optional (X | None)."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
            continue
        if origin in (Union, types.UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            if len(args) == 1:
                annotation = args[0]
                continue
        return annotation


def model_of(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds, directly or as the items of a list."""
    inner = _strip(annotation)
    if get_origin(inner) in (list, tuple):
        inner = _strip(get_args(inner)[0]) if get_args(inner) else None
    if isinstance(inner, type) and issubclass(inner, BaseModel):
        return inner
    return None


def _is_list(annotation: Any) -> bool:
    return get_origin(_strip(annotation)) in (list, tuple)


def _is_int(annotation: Any) -> bool:
    inner = _strip(annotation)
    if get_origin(inner) in (list, tuple):
        inner = _strip(get_args(inner)[0])
    return inner is int


# ---- errors ---------------------------------------------------------------------------------


def _where(model: type[BaseModel], loc: tuple[Any, ...]) -> tuple[str, str, FieldInfo | None]:
    """(the place, the title of the field, its FieldInfo) of `loc`:
    ("推荐结果第 3 行", "署名推荐票数", info) for ("results", 2, "signed")."""
    place: list[str] = []
    current: type[BaseModel] | None = model
    title = ""
    info: FieldInfo | None = None
    for part in loc:
        if isinstance(part, int):
            rows = info is not None and model_of(info.annotation) is not None
            if title:
                place.append(title)
                title = ""
            place.append((_("第 %(n)d 行") if rows else _("第 %(n)d 项")) % {"n": part + 1})
            continue
        if part == "[key]":
            continue
        found = None
        if current is not None:
            found = current.model_fields.get(str(part)) or next(
                (f for f in current.model_fields.values() if f.alias == part), None
            )
        if found is None:
            # a key of a mapping (a group of participants); English keys are not shown
            if not str(part).isascii():
                if title:
                    place.append(title)
                title = str(part)
            continue
        if title:
            place.append(title)
        title = _(found.title) if found.title else ""
        info = found
        current = model_of(found.annotation)
    return "".join(place), title, info


def _choices_words(info: FieldInfo | None, ctx: dict[str, Any]) -> str:
    labels = labels_of(info) if info is not None else {}
    if labels:
        return "、".join(labels.values())
    expected = str(ctx.get("expected", ""))
    return expected if not expected.isascii() else ""


def _bound(ctx: dict[str, Any], key: str) -> str:
    value = ctx.get(key)
    if isinstance(value, float) and value == int(value):
        value = int(value)
    return str(value)


def _problem(error: Mapping[str, Any], info: FieldInfo | None) -> str:
    """What is wrong with the value, and what to do, in Chinese."""
    kind = str(error.get("type", ""))
    ctx = dict(error.get("ctx") or {})
    whole = info is not None and _is_int(info.annotation)
    if kind == "missing":
        return _("必须填写，请补上。")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("应为整数，请填写数字。")
    if kind in ("float_parsing", "float_type", "decimal_parsing", "decimal_type"):
        return _("应为数字，请填写数字。")
    if kind == "greater_than_equal":
        if whole:
            return _("应为不小于 %(n)s 的整数。") % {"n": _bound(ctx, "ge")}
        return _("应为不小于 %(n)s 的数。") % {"n": _bound(ctx, "ge")}
    if kind == "greater_than":
        if whole and _bound(ctx, "gt") == "0":
            return _("应为正整数：请从列表中选择或填写编号。")
        return _("应大于 %(n)s。") % {"n": _bound(ctx, "gt")}
    if kind == "less_than_equal":
        return _("不能大于 %(n)s，请核对。") % {"n": _bound(ctx, "le")}
    if kind == "less_than":
        return _("应小于 %(n)s，请核对。") % {"n": _bound(ctx, "lt")}
    if kind.startswith("date") or kind.startswith("datetime"):
        return _("应为日期，格式为 YYYY-MM-DD（如 2026-11-20），且是有效日期。")
    if kind in ("bool_parsing", "bool_type"):
        return _("应为“是”或“否”（true 或 false）。")
    if kind == "string_type":
        return _("应为文字。")
    if kind == "string_too_short":
        return _("不能为空，请填写。")
    if kind == "string_too_long":
        return _("不能超过 %(n)s 个字，请精简。") % {"n": _bound(ctx, "max_length")}
    if kind in ("literal_error", "enum"):
        words = _choices_words(info, ctx)
        if words:
            return _("应为下列之一：%(c)s。") % {"c": words}
        return _("取值无效，请从可选项中选择。")
    if kind in ("list_type", "tuple_type", "set_type"):
        return _("应为若干行（列表），请逐行填写。")
    if kind == "too_short":
        return _("至少应有 %(n)s 项，请补上。") % {"n": _bound(ctx, "min_length")}
    if kind == "too_long":
        return _("最多 %(n)s 项，请删去多余的。") % {"n": _bound(ctx, "max_length")}
    if kind in ("dict_type", "model_type", "model_attributes_type", "mapping_type"):
        return _("应为一组内容（对象），请按说明填写。")
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", "")) or _("填写有误，请核对。")
    if kind == "frozen_instance":  # pragma: no cover - never on input
        return _("不能修改。")
    return _("填写有误，请按说明修改。")


def messages_for(
    model: type[BaseModel], exc: PydanticValidationError, prefix: str = ""
) -> list[FieldError]:
    """Each pydantic error as a FieldError: `field` the dotted path
    ("results.2.signed"), the message naming the row and the field's title."""
    out: list[FieldError] = []
    for error in exc.errors(include_url=False):
        loc = tuple(error.get("loc", ()))
        path = ".".join(str(p) for p in loc if p != "[key]") or "__all__"
        kind = str(error.get("type", ""))
        if kind == "extra_forbidden":
            place, _title, _info = _where(model, loc[:-1])
            message = (
                _("%(w)s有一项不属于本环节的内容，请删去后再提交。") % {"w": place}
                if place
                else _("提交的内容有一项不属于本环节，请删去后再提交。")
            )
            out.append(FieldError(prefix + path, message))
            continue
        place, title, info = _where(model, loc)
        problem = _problem(error, info)
        if title:
            message = f"{place}“{title}”：{problem}"
        elif place:
            message = f"{place}：{problem}"
        else:
            message = problem
        out.append(FieldError(prefix + path, message))
    return out
