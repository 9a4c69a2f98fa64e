"""`xuanren reminders --by ADMIN [--check]`: compare 待办's kept reminders
(docs/decisions/0195) with the cadres' records, report every cadre that
differs and put it right (one journal event); `--check` only reports, and
exits with status 1 when one differs. Run it after changing the rotation rules
(xuanren/rotation/rules.toml)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from xuanren.common.management.recount import RecountCommand
from xuanren.reminders.services import reminders_recount


class Command(RecountCommand):
    help = _(
        "重算待办提醒：按干部信息、任职记录、试用期考核和轮岗交流规则重新计算保存的待办提醒"
        "（试用期将满、临近法定退休、任职年限达到交流规定），报告与记录不一致的干部并改正"
        "（记入操作日志）；--check 只报告，不一致时以状态 1 退出。修改轮岗交流规则后须运行。"
    )

    def recount(self, actor: Any, apply: bool) -> Any:
        return reminders_recount(actor=actor, apply=apply)

    def describe(self, d: Any) -> str:
        return _(
            "干部 %(id)d：保存的提醒与记录不一致（保存 %(kept)d 条，按记录 %(recounted)d 条）"
        ) % {
            "id": d.cadre_id,
            "kept": d.kept,
            "recounted": d.recounted,
        }

    def more(self, n: int) -> str:
        return _("……另有 %(n)d 名干部不一致，未逐一列出。") % {"n": n}

    def summary(self, result: Any, n: int, checked: bool) -> str:
        if checked:
            return _("已核对 %(c)d 名干部的待办提醒，%(n)d 名与记录不一致（未改动）。") % {
                "c": result.cadres,
                "n": n,
            }
        return _("已按记录重算 %(c)d 名干部的待办提醒，改正 %(n)d 名。") % {
            "c": result.cadres,
            "n": n,
        }
