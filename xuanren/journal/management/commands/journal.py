from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xuanren.journal.services import journal_verify


class Command(BaseCommand):
    help = "操作日志：verify 逐条校验哈希链。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        result = journal_verify()
        if result.ok:
            self.stdout.write(f"日志链完整：共校验 {result.checked} 条记录。")
            return
        where = f"第 {result.broken_at} 号记录" if result.broken_at else "链尾"
        raise CommandError(
            f"日志链断裂：在{where}，{result.reason}。此前 {result.checked} 条记录完好。"
        )
