"""One error shape for every failure: {"code", "message", "errors": [{"field",
"message"}]}, messages in Chinese. Domain errors carry their own status;
malformed input (a date that is not a date) is 422 like a failed validation."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from xuanren.common.errors import DomainError


class FieldErrorOut(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    code: str
    message: str
    errors: list[FieldErrorOut]


#: The statuses every authenticated endpoint may answer besides success.
ERROR_RESPONSES: dict[int, type[Schema]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


#: The statuses of a write that must carry If-Match (the version it read).
PRECONDITION_RESPONSES: dict[int, type[Schema]] = {412: ErrorOut, 428: ErrorOut}


class PreconditionRequired(DomainError):
    """A change sent without If-Match: refused, so no client overwrites blindly."""

    code = "precondition_required"
    http_status = 428


def etag_of(version: int) -> str:
    """The ETag of a record at `version`: a strong tag, "v3"."""
    return f'"v{int(version)}"'


def if_match_version(request: HttpRequest) -> int:
    """The version named by the If-Match header; 428 when it is missing, is
    `*`, or names no version of ours (a stale tag is the service's 412)."""
    raw = request.headers.get("If-Match", "").strip()
    tags = [t.strip() for t in raw.split(",") if t.strip()]
    if len(tags) == 1 and tags[0].startswith('"v') and tags[0].endswith('"'):
        number = tags[0][2:-1]
        if number.isdigit():
            return int(number)
    raise PreconditionRequired(
        _(
            '修改须在 If-Match 请求头中提交读取记录时得到的 ETag（如 "v3"），'
            "以免覆盖他人刚保存的修改。请先 GET 该记录，再带上它的 ETag 提交。"
        )
    )


#: Chinese messages for pydantic error types, by exact type or by prefix.
_INPUT_MESSAGES: list[tuple[tuple[str, ...], str]] = [
    (("missing",), gettext_noop("此项为必填项。")),
    (("date", "datetime"), gettext_noop("日期格式应为 YYYY-MM-DD，且是有效日期。")),
    (("greater_than", "less_than"), gettext_noop("数值超出允许范围。")),
    (("int", "float", "decimal"), gettext_noop("应为数字。")),
    (("bool",), gettext_noop("应为 true 或 false。")),
    (("string",), gettext_noop("应为文字，且长度合适。")),
    (("enum", "literal_error"), gettext_noop("取值无效，请从可选项中选择。")),
    (("extra_forbidden",), gettext_noop("没有这个字段，或该字段不能通过此接口修改。")),
    (("json_invalid", "model_", "dict_type"), gettext_noop("请求内容不是有效的 JSON 对象。")),
]


def _input_message(error: dict[str, Any]) -> str:
    """A Chinese message for one pydantic error, by its type."""
    kind = str(error.get("type", ""))
    loc = tuple(error.get("loc", ()))
    if kind == "missing" and len(loc) == 2 and loc[0] == "body":
        return _("请求内容为空：请提交一个 JSON 对象。")
    reason = (error.get("ctx") or {}).get("reason")
    if kind == "null_not_allowed" and reason:
        return str(reason)
    for prefixes, message in _INPUT_MESSAGES:
        if kind.startswith(prefixes):
            return _(message)
    return _("输入无效。")


def _input_field(error: dict[str, Any]) -> str:
    """The field name without the location ("body", "query") and schema name."""
    loc = [str(p) for p in error.get("loc", ())]
    parts = loc[1:] if loc and loc[0] in ("body", "query", "path", "header", "cookie") else loc
    if parts and parts[0] in ("payload", "filters", "params"):
        parts = parts[1:]
    return ".".join(parts) or "__all__"


def _domain_error(request: HttpRequest, exc: DomainError, api: NinjaAPI) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.http_status)


_JSON_KINDS = {
    list: gettext_noop("数组"),
    str: gettext_noop("文字"),
    int: gettext_noop("数字"),
    float: gettext_noop("数字"),
    bool: gettext_noop("布尔值"),
}


def _not_an_object(request: HttpRequest, exc: NinjaValidationError) -> str | None:
    """When the body is JSON but not an object ([...], "text", 1, null): what it is."""
    if not any(tuple(e.get("loc", ()))[:1] == ("body",) for e in exc.errors):
        return None
    try:
        body = request.body
    except Exception:  # a multipart body already read as a form
        return None
    if not body.strip():
        return None
    try:
        value = json.loads(body)
    except ValueError:
        return None
    if isinstance(value, dict):
        return None
    return _("空值") if value is None else _(_JSON_KINDS.get(type(value), "?"))


def _input_error(request: HttpRequest, exc: NinjaValidationError, api: NinjaAPI) -> HttpResponse:
    kind = _not_an_object(request, exc)
    if kind is not None:
        message = _("请求内容应为一个 JSON 对象（{…}），收到的是%(kind)s。") % {"kind": kind}
        data = {
            "code": "validation_failed",
            "message": _("提交的内容格式有误，未保存。请按提示修改后重新提交。"),
            "errors": [{"field": "__all__", "message": message}],
        }
        return api.create_response(request, data, status=422)
    data = {
        "code": "validation_failed",
        "message": _("提交的内容格式有误，未保存。请按提示修改后重新提交。"),
        "errors": [{"field": _input_field(e), "message": _input_message(e)} for e in exc.errors],
    }
    return api.create_response(request, data, status=422)


def _body_problem(request: HttpRequest) -> str:
    """Why a request body ninja could not parse is not JSON, in Chinese."""
    body = request.body
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _("请求内容不是 UTF-8 编码的文字（第 %(n)s 个字节起无法解码）。") % {
            "n": exc.start + 1
        }
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return _("请求内容不是有效的 JSON：第 %(line)s 行第 %(col)s 列有误。") % {
            "line": exc.lineno,
            "col": exc.colno,
        }
    return _("请求内容无法解析为 JSON。")


def _malformed_body(request: HttpRequest, api: NinjaAPI) -> HttpResponse:
    data = {
        "code": "malformed_json",
        "message": _(
            "请求内容不是有效的 JSON，未保存。请以 UTF-8 编码提交一个 JSON 对象"
            "（Content-Type: application/json）。"
        ),
        "errors": [{"field": "__all__", "message": _body_problem(request)}],
    }
    return api.create_response(request, data, status=400)


def _too_big(request: HttpRequest, exc: Exception, api: NinjaAPI) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    data = {
        "code": "request_too_large",
        "message": _("请求内容过大，未保存：JSON 请求体最多 %(kb)s KB。")
        % {"kb": (limit or 0) // 1024},
        "errors": [],
    }
    return api.create_response(request, data, status=413)


def _http_error(request: HttpRequest, exc: HttpError, api: NinjaAPI) -> HttpResponse:
    if exc.status_code == 400 and str(exc.message).startswith("Cannot parse request body"):
        return _malformed_body(request, api)
    if isinstance(exc, AuthenticationError):
        code, message = (
            "not_authenticated",
            _("请先登录，或在 Authorization 头中提供有效的接口令牌（Bearer）。"),
        )
    elif exc.status_code == 403 and "CSRF" in exc.message:
        code, message = "csrf_failed", _("CSRF 校验失败：请刷新页面后重试。")
    else:
        code, message = f"http_{exc.status_code}", exc.message
    return api.create_response(
        request, {"code": code, "message": message, "errors": []}, status=exc.status_code
    )


def register_error_handlers(api: NinjaAPI) -> None:
    # ninja types a handler's exception as "instance or class"; these get instances.
    def on_domain(request: HttpRequest, exc: Any) -> HttpResponse:
        return _domain_error(request, exc, api)

    def on_input(request: HttpRequest, exc: Any) -> HttpResponse:
        return _input_error(request, exc, api)

    def on_http(request: HttpRequest, exc: Any) -> HttpResponse:
        return _http_error(request, exc, api)

    api.add_exception_handler(DomainError, on_domain)
    api.add_exception_handler(NinjaValidationError, on_input)
    api.add_exception_handler(HttpError, on_http)

    def on_too_big(request: HttpRequest, exc: Any) -> HttpResponse:
        return _too_big(request, exc, api)

    api.add_exception_handler(RequestDataTooBig, on_too_big)
