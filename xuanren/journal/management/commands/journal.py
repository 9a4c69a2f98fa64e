from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from xuanren.journal.services import journal_verify


class Command(BaseCommand):
    help = "操作日志：verify 逐条校验哈希链。"  # command-line help, for administrators

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        result = journal_verify()
        if result.ok:
            self.stdout.write(_("日志链完整：共校验 %(n)d 条记录。") % {"n": result.checked})
            return
        where = _("第 %(n)d 号记录") % {"n": result.broken_at} if result.broken_at else _("链尾")
        raise CommandError(
            _("日志链断裂：在%(where)s，%(reason)s。此前 %(n)d 条记录完好。")
            % {"where": where, "reason": result.reason, "n": result.checked}
        )
