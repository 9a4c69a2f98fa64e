"""The page that takes a filled-in score grid (issue 15, docs/decisions/0170),
shared by the annual assessment and the competition sheet: the template's
link, the upload form, and every cell's error when nothing was saved. The
app's import service checks the permission (before reading the upload),
the limits and every cell."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from xuanren.common.errors import Conflict, ValidationFailed
from xuanren.common.grid import GridImportFailed


def grid_page(
    request: HttpRequest,
    *,
    title: str,
    back_url: str,
    template_url: str,
    do_import: Callable[[Any, str], int],
) -> HttpResponse:
    status = 200
    message = ""
    errors: list[str] = []
    cells: list[Any] = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        status = 422
        if upload is None:
            message = _("请选择要上传的 .xlsx 文件。")
        else:
            try:
                n = do_import(upload, upload.name or "")
            except GridImportFailed as exc:
                message, cells = exc.message, exc.cells
            except (ValidationFailed, Conflict) as exc:
                message, errors = exc.message, [e.message for e in exc.errors]
                status = exc.http_status
            else:
                messages.success(request, _("已导入评分表：共 %(n)d 个得分。") % {"n": n})
                return redirect(back_url)
    context = {
        "title": title,
        "back_url": back_url,
        "template_url": template_url,
        "message": message,
        "errors": errors,
        "cells": cells,
    }
    return render(request, "web/grid_import.html", context, status=status)
