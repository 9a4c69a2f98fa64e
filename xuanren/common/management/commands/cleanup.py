"""`xuanren cleanup [--dry-run]`: every retention purge (decision 0096).
Meant for a daily timer; see README, 部署."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from xuanren.common.errors import DomainError
from xuanren.common.retention import cleanup_run


class Command(BaseCommand):
    help = (  # command-line help, for administrators
        "按保留期限清理：过期导入批次、过期会话、过期登录日志。操作日志和查阅记录是审计记录，永不清理。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="只统计将删除多少，不删除")

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = options["dry_run"]
        try:
            purged = cleanup_run(dry_run=dry_run)
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        line = (
            _("%(label)s（%(rule)s）：将删除 %(n)d 条")
            if dry_run
            else _("%(label)s（%(rule)s）：已删除 %(n)d 条")
        )
        for p in purged:
            self.stdout.write(line % {"label": p.label, "rule": p.rule, "n": p.count})
        if dry_run:
            self.stdout.write(_("试运行：未删除任何数据。"))
        self.stdout.write(_("操作日志和查阅记录是审计记录，不清理。"))
