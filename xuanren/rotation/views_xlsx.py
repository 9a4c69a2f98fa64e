"""The alert list as XLSX: text cells never become formulas (common.cells),
dates stay dates; personal data is not cached (the response is built per request)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _

from xuanren.rotation.selectors import Alert
from xuanren.web.exports import xlsx_response


def alerts_xlsx(rows: list[Alert], filename: str) -> HttpResponse:
    headers = [
        _("姓名"),
        _("单位"),
        _("职务或层次"),
        _("职务层次"),
        _("类别"),
        _("规定"),
        _("依据"),
        _("起算日期"),
        _("已任职"),
        _("达到日期"),
        _("状态"),
        _("处理要求"),
    ]
    body = [
        [
            a.cadre.name,
            a.cadre.unit.name,
            a.where,
            a.level_label,
            a.rule.kind_label,
            a.rule.title,
            a.rule.source,
            a.since,
            a.served_text,
            a.due,
            a.stage_label,
            a.rule.consequence,
        ]
        for a in rows
    ]
    return xlsx_response(filename, _("轮岗交流提示"), headers, body)
