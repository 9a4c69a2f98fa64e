"""The shape of the "recount from the records" commands (`xuanren recount`,
`xuanren screeningfacts`): `--by ADMIN [--check]`, the service run with
apply=not check, the first SHOWN differences printed and the rest counted, a
summary line, and exit status 1 under --check when anything differs."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from xuanren.common.errors import DomainError

#: How many differences are printed (the number is always printed).
SHOWN = 50


class RecountCommand(BaseCommand):
    """Subclasses give the service call, a line per difference and the texts."""

    def recount(self, actor: Any, apply: bool) -> Any:
        raise NotImplementedError

    def describe(self, difference: Any) -> str:
        raise NotImplementedError

    def more(self, n: int) -> str:
        raise NotImplementedError

    def summary(self, result: Any, n: int, checked: bool) -> str:
        raise NotImplementedError

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--by", required=True, help=_("办理的系统管理员用户名"))
        parser.add_argument("--check", action="store_true", help=_("只报告，不作改动"))

    def handle(self, *args: Any, **options: Any) -> None:
        actor = get_user_model().objects.filter(username=options["by"], is_active=True).first()
        if actor is None:
            raise CommandError(_("没有名为“%(u)s”的在用账号。") % {"u": options["by"]})
        check = options["check"]
        try:
            result = self.recount(actor, not check)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        for d in result.differences[:SHOWN]:
            self.stdout.write(self.describe(d))
        n = len(result.differences)
        if n > SHOWN:
            self.stdout.write(self.more(n - SHOWN))
        self.stdout.write(self.summary(result, n, check))
        if check and n:
            raise SystemExit(1)
