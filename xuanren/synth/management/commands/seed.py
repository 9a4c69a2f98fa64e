"""`xuanren seed`: generate a realistic county into the database."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connection
from django.db.migrations.exceptions import InconsistentMigrationHistory
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _

from xuanren.common.errors import DomainError
from xuanren.synth.loader import seed


def default_units(cadres: int) -> int:
    """About fifty cadres a unit, as in a county (DOMAIN §1: ~100 units, ~5,000 cadres)."""
    return max(20, cadres // 50)


def pending_migrations() -> int:
    """How many migrations the database still needs (0: up to date).

    Refuses, saying what to do, a database this code cannot safely migrate
    (docs/decisions/0098): one that cannot be reached, one with migrations
    this version does not know (made by a newer version), one whose history
    is out of order, or one with the product's tables but no record of its
    migrations."""
    try:
        executor = MigrationExecutor(connection)
        loader = executor.loader
        applied = set(loader.applied_migrations or {})
        graph = loader.graph
        ours = {app for app, _name in graph.nodes}
        unknown = sorted(f"{a}.{n}" for a, n in applied if a in ours and (a, n) not in graph.nodes)
        if unknown:
            raise CommandError(
                _(
                    "数据库中记录了本版本没有的迁移（%(names)s），可能由更新的版本建立。"
                    "未生成数据。请使用对应版本的程序，或另用一个空数据库（设置 DATABASE_URL）。"
                )
                % {"names": "、".join(unknown[:5])}
            )
        try:
            loader.check_consistent_history(connection)
        except InconsistentMigrationHistory as exc:
            raise CommandError(
                _(
                    "数据库的迁移记录前后不一致，未生成数据。"
                    "请运行 xuanren migrate 查看详情，或另用一个空数据库（设置 DATABASE_URL）。"
                )
            ) from exc
        if not any(app in ours for app, _name in applied):
            tables = set(connection.introspection.table_names())
            if {"people_cadre", "org_unit"} & tables:
                raise CommandError(
                    _(
                        "数据库中已有干部或单位数据表，但没有迁移记录，无法判断其结构。"
                        "未生成数据。请另用一个空数据库（设置 DATABASE_URL），"
                        "或由管理员核对后再运行 xuanren migrate。"
                    )
                )
        return len(executor.migration_plan(graph.leaf_nodes()))
    except DatabaseError as exc:
        raise CommandError(
            _("无法读取数据库（%(error)s）。请检查设置 DATABASE_URL 和数据库服务是否可用。")
            % {"error": exc}
        ) from exc


class Command(BaseCommand):
    help = _(
        "生成一个县的模拟数据（单位、职位、职数、干部及其子记录）。同一 --seed 生成同样的数据。"
        "数据库已有单位或干部时拒绝执行，除非使用 --append（另建一个县）。"
        "数据库尚未建表时先执行迁移。"
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
        pending = pending_migrations()
        if pending:
            self.stdout.write(
                _("数据库尚未建表或未更新到本版本，先执行 %(n)d 个迁移……") % {"n": pending}
            )
            call_command("migrate", interactive=False, verbosity=0)
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
