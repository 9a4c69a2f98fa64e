"""`xuanren recount --by ADMIN [--check]`: recount the per-unit counts
(org.UnitCount, docs/decisions/0136) from the records, report every row that
differed and put it right (one journal event); `--check` only reports, and
exits with status 1 when a row differs."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from xuanren.common.errors import DomainError
from xuanren.org.counts import FIELDS
from xuanren.org.models import Level
from xuanren.org.services import counts_recount

#: How many differing rows are printed (the number is always printed).
SHOWN = 50


class Command(BaseCommand):
    help = _(
        "重算单位计数：按干部、职位、职数和任职记录重新统计各单位的计数，报告与保存值不一致之处并改正"
        "（记入操作日志）；--check 只报告，不一致时以状态 1 退出。"
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
            result = counts_recount(actor=actor, apply=not check)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        labels = dict(
            zip(FIELDS, (_("在职干部"), _("职位"), _("核定职数"), _("在任")), strict=True)
        )
        for d in result.differences[:SHOWN]:
            level = Level(d.level).label if d.level else _("（单位）")
            changes = "，".join(
                f"{labels[name]} {kept} → {recounted}"
                for name, kept, recounted in zip(FIELDS, d.kept, d.recounted, strict=True)
                if kept != recounted
            )
            self.stdout.write(
                _("单位 %(u)d %(l)s：%(c)s") % {"u": d.unit_id, "l": level, "c": changes}
            )
        n = len(result.differences)
        if n > SHOWN:
            self.stdout.write(_("……另有 %(n)d 行不一致，未逐一列出。") % {"n": n - SHOWN})
        if check:
            self.stdout.write(
                _("已核对 %(rows)d 行计数，%(n)d 行与记录不一致（未改动）。")
                % {"rows": result.rows, "n": n}
            )
            if n:
                raise SystemExit(1)
        else:
            self.stdout.write(
                _("已按记录重算 %(rows)d 行计数，改正 %(n)d 行。") % {"rows": result.rows, "n": n}
            )
