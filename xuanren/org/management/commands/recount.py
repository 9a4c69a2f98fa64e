"""`xuanren recount --by ADMIN [--check]`: recount the per-unit counts
(org.UnitCount, docs/decisions/0136) from the records, report every row that
differed and put it right (one journal event); `--check` only reports, and
exits with status 1 when a row differs."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from xuanren.common.management.recount import RecountCommand
from xuanren.org.counts import FIELDS
from xuanren.org.models import Level
from xuanren.org.services import counts_recount


class Command(RecountCommand):
    help = _(
        "重算单位计数：按干部、职位、职数和任职记录重新统计各单位的计数，报告与保存值不一致之处并改正"
        "（记入操作日志）；--check 只报告，不一致时以状态 1 退出。"
    )

    def recount(self, actor: Any, apply: bool) -> Any:
        return counts_recount(actor=actor, apply=apply)

    def describe(self, d: Any) -> str:
        labels = dict(
            zip(FIELDS, (_("在职干部"), _("职位"), _("核定职数"), _("在任")), strict=True)
        )
        level = Level(d.level).label if d.level else _("（单位）")
        changes = "，".join(
            f"{labels[name]} {kept} → {recounted}"
            for name, kept, recounted in zip(FIELDS, d.kept, d.recounted, strict=True)
            if kept != recounted
        )
        return _("单位 %(u)d %(l)s：%(c)s") % {"u": d.unit_id, "l": level, "c": changes}

    def more(self, n: int) -> str:
        return _("……另有 %(n)d 行不一致，未逐一列出。") % {"n": n}

    def summary(self, result: Any, n: int, checked: bool) -> str:
        if checked:
            return _("已核对 %(rows)d 行计数，%(n)d 行与记录不一致（未改动）。") % {
                "rows": result.rows,
                "n": n,
            }
        return _("已按记录重算 %(rows)d 行计数，改正 %(n)d 行。") % {"rows": result.rows, "n": n}
