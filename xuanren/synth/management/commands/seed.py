"""`xuanren seed`: generate a realistic county into the database."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from xuanren.common.errors import DomainError
from xuanren.synth.loader import seed


def default_units(cadres: int) -> int:
    """About fifty cadres a unit, as in a county (DOMAIN §1: ~100 units, ~5,000 cadres)."""
    return max(20, cadres // 50)


class Command(BaseCommand):
    help = _(
        "生成一个县的模拟数据（单位、职位、职数、干部及其子记录）。同一 --seed 生成同样的数据。"
        "数据库已有单位或干部时拒绝执行，除非使用 --append（另建一个县）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cadres", type=int, default=5000, help=_("干部人数"))
        parser.add_argument(
            "--units", type=int, default=None, help=_("单位个数（默认约每 50 名干部一个单位）")
        )
        parser.add_argument(
            "--seed", type=int, default=1, help=_("随机数起点（同一数值生成同样的数据）")
        )
        parser.add_argument(
            "--county-name",
            default="",
            help=_("县名（如“青山县”）；单位多于 300 个时为上级市名，各县另起名"),
        )
        parser.add_argument(
            "--append", action="store_true", help=_("数据库非空时，在现有数据旁再增加一个县")
        )
        parser.add_argument(
            "--as-of",
            type=dt.date.fromisoformat,
            default=None,
            help=_("基准日期 YYYY-MM-DD（年龄、任职时间据此计算；默认今天）"),
        )
        parser.add_argument("--chunk-size", type=int, default=5000, help=_("每批写入的干部数"))

    def handle(self, *args: Any, **options: Any) -> None:
        cadres = options["cadres"]
        units = options["units"] or default_units(cadres)
        if cadres < 0 or units < 1:
            raise CommandError(_("干部人数不能为负数，单位个数至少为 1。"))
        try:
            result = seed(
                cadres=cadres,
                units=units,
                seed=options["seed"],
                county_name=options["county_name"],
                append=options["append"],
                as_of=options["as_of"],
                chunk_size=options["chunk_size"],
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        c = result.counts
        self.stdout.write(
            _(
                "已生成“%(root)s”：单位 %(units)d 个，职位 %(posts)d 个，职数 %(quotas)d 条，"
                "干部 %(cadres)d 人（任职 %(tenures)d 条，家庭成员 %(family)d 条）；"
                "空缺 %(vacant)d 个，超职数 %(over)d 个（%(over_units)d 个单位）。用时 %(s).1f 秒，"
                "操作日志第 %(event)d 号。"
            )
            % {
                "root": result.root.name,
                "units": c.get("unit", 0),
                "posts": c.get("post", 0),
                "quotas": c.get("quota", 0),
                "cadres": c.get("cadre", 0),
                "tenures": c.get("tenure", 0),
                "family": c.get("familymember", 0),
                "vacant": c.get("quota_vacant", 0),
                "over": c.get("quota_over", 0),
                "over_units": c.get("units_over_quota", 0),
                "s": result.seconds,
                "event": result.event_id,
            }
        )
