"""`xuanren purge_imports`: delete import batches older than
XUANREN_IMPORT_RETENTION_DAYS (default 7) and journal the counts. Meant for
a daily timer (cron / systemd); see docs/security.md."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from xuanren.exchange.lrmx_services import import_batches_purge


class Command(BaseCommand):
    help = "删除超过保留期限（XUANREN_IMPORT_RETENTION_DAYS 天）的导入批次，并记一条日志。"

    def handle(self, *args: Any, **options: Any) -> None:
        counts = import_batches_purge(actor=None)
        self.stdout.write(
            _("已删除 %(n)d 个过期导入批次（待确认 %(p)d、已导入 %(c)d、已取消 %(x)d）。")
            % {
                "n": counts["deleted"],
                "p": counts["previewed"],
                "c": counts["confirmed"],
                "x": counts["cancelled"],
            }
        )
