"""`xuanren login_unlock --by ADMIN [--username U] [--address A]`: clear a
login lockout from the shell, through the journalled service, when no
administrator can log in (axes' own axes_reset commands leave no record)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from xuanren.access.services import login_unlock
from xuanren.common.errors import DomainError


class Command(BaseCommand):
    help = _("解除登录锁定（记入操作日志）")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--by", required=True, help=_("办理的系统管理员用户名"))
        parser.add_argument("--username", default="", help=_("被锁定的用户名"))
        parser.add_argument("--address", default="", help=_("被锁定的地址"))

    def handle(self, *args: Any, **options: Any) -> None:
        actor = get_user_model().objects.filter(username=options["by"], is_active=True).first()
        if actor is None:
            raise CommandError(_("没有名为“%(u)s”的在用账号。") % {"u": options["by"]})
        try:
            cleared = login_unlock(
                actor=actor, username=options["username"], address=options["address"]
            )
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(_("已解除锁定，清除 %(n)d 条失败记录。") % {"n": cleared})
