"""`xuanren relatives link --by ADMIN [--dry-run]`: link the family records
already in the database to the cadre records they name (decision 0083),
through the journalled service; new records are linked as they are added."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from xuanren.common.errors import DomainError
from xuanren.people.services import relatives_link_existing


class Command(BaseCommand):
    help = _(
        "家庭成员关联：link 把尚未关联的家庭成员按姓名和出生年月关联到唯一对应的干部记录"
        "（记入操作日志）；--dry-run 只统计，不作改动。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["link"])
        parser.add_argument("--by", required=True, help=_("办理的系统管理员用户名"))
        parser.add_argument(
            "--dry-run", action="store_true", help=_("只统计将关联的记录，不作改动")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = get_user_model().objects.filter(username=options["by"], is_active=True).first()
        if actor is None:
            raise CommandError(_("没有名为“%(u)s”的在用账号。") % {"u": options["by"]})
        dry_run = options["dry_run"]
        try:
            result = relatives_link_existing(actor=actor, dry_run=dry_run)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        for warning in result.warnings:
            self.stderr.write(warning)
        counts = {"linked": result.linked, "ambiguous": result.ambiguous, "none": result.none}
        if dry_run:
            self.stdout.write(
                _(
                    "试运行，未作改动：可关联 %(linked)d 条；对应多名干部、需人工核对 "
                    "%(ambiguous)d 条；无对应干部 %(none)d 条。"
                )
                % counts
            )
        else:
            self.stdout.write(
                _(
                    "已关联 %(linked)d 条家庭成员记录；对应多名干部、未关联 %(ambiguous)d 条"
                    "（需人工核对）；无对应干部 %(none)d 条。"
                )
                % counts
            )
