from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xuanren.common.errors import DomainError
from xuanren.policy.models import RulePack
from xuanren.policy.services import rule_pack_load, rule_packs_sync_shipped


class Command(BaseCommand):
    help = "规则包：list 列出已载入的版本；load FILE 载入一个 TOML 规则包；sync 载入随程序发布的规则包。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["list", "load", "sync"])
        parser.add_argument("file", nargs="?")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "load":
                if not options["file"]:
                    raise CommandError("请给出规则包文件路径。")
                pack = rule_pack_load(actor=None, path=Path(options["file"]))
                self.stdout.write(
                    f"已载入 {pack}" if pack else "该版本已载入，内容相同，未作改动。"
                )
            elif action == "sync":
                loaded = rule_packs_sync_shipped()
                self.stdout.write(f"新载入 {len(loaded)} 个规则包版本。")
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        for pack in RulePack.objects.order_by("code", "version"):
            until = pack.effective_to or "—"
            self.stdout.write(
                f"{pack.code} v{pack.version}  {pack.name}  {pack.effective_from}～{until}  "
                f"{len(pack.rules)} 条  {pack.sha256[:12]}"
            )
