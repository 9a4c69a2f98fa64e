"""`xuanren restore PATH [--into DATABASE_URL] [--force]`: load a backup, then
verify the journal of the restored copy (decision 0095). Exits non-zero when
the verification fails."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from xuanren.common.backups import anchor_replace, database_of, restore_load, restore_verify
from xuanren.common.errors import DomainError


class Command(BaseCommand):
    help = (  # command-line help, for administrators
        "从备份恢复数据库，并核验恢复后的操作日志。默认恢复到当前配置的数据库（须先停止服务）；"
        "--into 可指定另一个数据库（如用于演练恢复）。目标库非空时须加 --force。"
    )
    requires_system_checks = []  # the target may be empty: nothing to check yet

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="备份文件（xuanren backup 生成的）")
        parser.add_argument(
            "--into",
            metavar="DATABASE_URL",
            default="",
            help="恢复到这个数据库，而不是当前配置的数据库",
        )
        parser.add_argument(
            "--force", action="store_true", help="目标数据库非空时也覆盖（其中的数据将全部丢失）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source: Path = options["path"]
        try:
            into = database_of(options["into"] or None)
            restore_load(source=source, into=into, force=options["force"])
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            _("已从 %(path)s 恢复到数据库 %(db)s，正在核验操作日志……")
            % {"path": source, "db": into.label}
        )
        check = restore_verify(into=into)
        if check.anchored_later:
            self.stdout.write(
                _(
                    "锚定文件中另有 %(n)d 个链头晚于此备份（备份到第 %(seq)d 号记录为止）："
                    "它们是备份之后写入的，不在恢复的数据中。请确认这与备份时间相符。"
                )
                % {"n": check.anchored_later, "seq": check.last_seq}
            )
        if not check.ok:
            self.stderr.write(check.output)
            raise CommandError(
                _(
                    "恢复后的数据库未通过操作日志核验（见上）：不要用它对外服务。"
                    "请改用更早的备份，或按上面的提示查明原因。"
                )
            )
        self.stdout.write(check.output)
        if not into.url and check.anchored_later:
            replaced = anchor_replace(last_seq=check.last_seq)
            if replaced is not None:
                self.stdout.write(
                    _("原锚定文件已另存为 %(kept)s；新的锚定文件 %(path)s 截至恢复后的链头。")
                    % {"kept": replaced[0], "path": replaced[1]}
                )
        self.stdout.write(_("恢复完成，核验通过。如系统版本比备份新，请再运行 `xuanren migrate`。"))
