"""`xuanren screeningfacts --by ADMIN [--check]`: compare the screening's
facts kept on every cadre row (policy.kept, docs/decisions/0161) with the
cadres' records, report every cadre that differs and put it right (one journal
event); `--check` only reports, and exits with status 1 when one differs."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from xuanren.common.errors import DomainError
from xuanren.policy.services import kept_facts_recount

#: How many differing cadres are printed (the number is always printed).
SHOWN = 50


class Command(BaseCommand):
    help = _(
        "重算干部选任筛选事实：按考核、奖惩和家庭成员记录重新计算保存在干部记录上的筛选事实，"
        "报告与保存值不一致的干部并改正（记入操作日志）；--check 只报告，不一致时以状态 1 退出。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--by", required=True, help=_("办理的系统管理员用户名"))
        parser.add_argument("--check", action="store_true", help=_("只报告，不作改动"))

    def handle(self, *args: Any, **options: Any) -> None:
        actor = get_user_model().objects.filter(username=options["by"], is_active=True).first()
        if actor is None:
            raise CommandError(_("没有名为“%(u)s”的在用账号。") % {"u": options["by"]})
        check = options["check"]
        try:
            result = kept_facts_recount(actor=actor, apply=not check)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        for d in result.differences[:SHOWN]:
            self.stdout.write(
                _("干部 %(id)d：保存 %(kept)s，按记录 %(recounted)s")
                % {"id": d.cadre_id, "kept": list(d.kept), "recounted": list(d.recounted)}
            )
        n = len(result.differences)
        if n > SHOWN:
            self.stdout.write(_("……另有 %(n)d 名干部不一致，未逐一列出。") % {"n": n - SHOWN})
        if check:
            self.stdout.write(
                _("已核对 %(c)d 名干部的筛选事实，%(n)d 名与记录不一致（未改动）。")
                % {"c": result.cadres, "n": n}
            )
            if n:
                raise SystemExit(1)
        else:
            self.stdout.write(
                _("已按记录重算 %(c)d 名干部的筛选事实，改正 %(n)d 名。")
                % {"c": result.cadres, "n": n}
            )
