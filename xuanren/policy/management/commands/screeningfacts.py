"""`xuanren screeningfacts --by ADMIN [--check]`: compare the screening's
facts kept on every cadre row (policy.kept, docs/decisions/0161) with the
cadres' records, report every cadre that differs and put it right (one journal
event); `--check` only reports, and exits with status 1 when one differs."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from xuanren.common.management.recount import RecountCommand
from xuanren.policy.services import kept_facts_recount


class Command(RecountCommand):
    help = _(
        "重算干部选任筛选事实：按考核、奖惩和家庭成员记录重新计算保存在干部记录上的筛选事实，"
        "报告与保存值不一致的干部并改正（记入操作日志）；--check 只报告，不一致时以状态 1 退出。"
    )

    def recount(self, actor: Any, apply: bool) -> Any:
        return kept_facts_recount(actor=actor, apply=apply)

    def describe(self, d: Any) -> str:
        return _("干部 %(id)d：保存 %(kept)s，按记录 %(recounted)s") % {
            "id": d.cadre_id,
            "kept": list(d.kept),
            "recounted": list(d.recounted),
        }

    def more(self, n: int) -> str:
        return _("……另有 %(n)d 名干部不一致，未逐一列出。") % {"n": n}

    def summary(self, result: Any, n: int, checked: bool) -> str:
        if checked:
            return _("已核对 %(c)d 名干部的筛选事实，%(n)d 名与记录不一致（未改动）。") % {
                "c": result.cadres,
                "n": n,
            }
        return _("已按记录重算 %(c)d 名干部的筛选事实，改正 %(n)d 名。") % {
            "c": result.cadres,
            "n": n,
        }
