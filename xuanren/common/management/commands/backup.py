"""`xuanren backup [--output PATH]`: a consistent copy of the database
(decision 0095). Meant for a daily timer; see README, 部署."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from xuanren.common.backups import backup_create
from xuanren.common.errors import DomainError


class Command(BaseCommand):
    # The database and the var folder are all it reads: the project's system
    # checks (URLs, the API's schemas) would cost more CPU than the command
    # itself, in every run and in restore's verifying child (docs/decisions/0142).
    requires_system_checks = []
    help = (  # command-line help, for administrators
        "备份数据库：SQLite 用在线备份（服务运行时也可），PostgreSQL 用 pg_dump 自定义格式。"
        "默认写到数据目录下的 backups/，文件名带时间。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            help="备份文件路径（或目录）；默认 $XUANREN_VAR_DIR/backups/xuanren-时间.sqlite3 或 .dump",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            path = backup_create(output=options.get("output"))
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            _(
                "已备份数据库到 %(path)s（%(size)s 字节）。备份含个人信息，请妥善保管，并定期试恢复。"
            )
            % {"path": path, "size": f"{path.stat().st_size:,}"}
        )
