from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from xuanren.journal.chain import AnchorEntry
from xuanren.journal.services import journal_anchor, journal_baseline, journal_verify


class Command(BaseCommand):
    # The database and the var folder are all it reads: the project's system
    # checks (URLs, the API's schemas) would cost more CPU than the command
    # itself, in every run and in restore's verifying child (docs/decisions/0142).
    requires_system_checks = []
    help = (  # command-line help, for administrators
        "操作日志：verify 校验带密钥的哈希链、核对锚定文件并核对业务数据与日志；"
        "anchor 立即把当前链头写入锚定文件；baseline 为升级前已有的干部记录记下指纹基线。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "anchor", "baseline"])
        parser.add_argument(
            "--head",
            nargs=2,
            metavar=("SEQ", "HASH"),
            help="verify：另核对一个链头（如打印的纪实上的序号和哈希）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "anchor":
            entry = journal_anchor()
            if entry is None:
                self.stdout.write(_("日志为空，无需锚定。"))
            else:
                self.stdout.write(
                    _("已锚定链头：第 %(seq)d 号记录，哈希 %(hash)s。")
                    % {"seq": entry.seq, "hash": entry.hash}
                )
            return
        if action == "baseline":
            event = journal_baseline(actor=None)
            if event is None:
                self.stdout.write(_("所有干部记录都已有日志指纹，无需记录基线。"))
            else:
                self.stdout.write(
                    _("已为 %(n)d 名干部记录指纹基线（第 %(seq)d 号日志记录）。")
                    % {"n": event.payload["count"], "seq": event.pk}
                )
            return
        printed = None
        if options.get("head"):
            seq, hash_ = options["head"]
            if not seq.isdigit() or len(hash_) != 64:
                raise CommandError(_("--head 需要两个值：记录序号（数字）和 64 位哈希。"))
            printed = AnchorEntry(int(seq), hash_.lower(), "")
        result = journal_verify(printed=printed)
        if result.ok:
            self.stdout.write(
                _(
                    "日志链完整：共校验 %(n)d 条记录（其中升级前无密钥的旧记录 %(legacy)d 条），"
                    "与锚定文件一致（锚定到第 %(seq)s 号）；核对了 %(m)d 个已计票会议、%(r)d 张回执、"
                    "%(s)d 条环节记录、%(c)d 名干部，均与日志相符。"
                )
                % {
                    "n": result.checked,
                    "legacy": result.legacy,
                    "seq": result.anchored_seq if result.anchored_seq is not None else "—",
                    "m": result.reconciled.get("meetings", 0),
                    "r": result.reconciled.get("receipts", 0),
                    "s": result.reconciled.get("steps", 0),
                    "c": result.reconciled.get("cadres", 0),
                }
            )
            return
        for finding in result.findings[1:]:
            self.stderr.write(finding.message)
        raise CommandError(
            _("日志核验未通过（此前 %(n)d 条记录完好）：%(reason)s")
            % {"n": result.checked, "reason": result.reason}
        )
