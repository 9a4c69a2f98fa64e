"""`xuanren demo`: a working product on 127.0.0.1 in one command."""

from __future__ import annotations

import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from xuanren.people.models import Cadre
from xuanren.synth.demo import accounts_table, demo_users, lan_address, voting_demo_lines
from xuanren.synth.loader import database_is_empty, seed

DEMO_UNITS = 120  # a county: organs, townships, their offices, schools (DOMAIN §1)


class Command(BaseCommand):
    help = _(
        "演示：迁移数据库，没有干部时生成一个县的模拟数据，建立各角色的演示账号并启动本机服务。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000, help=_("端口（默认 8000）"))
        parser.add_argument(
            "--host",
            default="127.0.0.1",
            help=_(
                "监听地址（默认 127.0.0.1，仅本机）；0.0.0.0 让同一局域网的手机也能打开，用于投票演示"
            ),
        )
        parser.add_argument("--cadres", type=int, default=3000, help=_("生成的干部人数"))
        parser.add_argument(
            "--seed", type=int, default=1, help=_("随机数起点（同一数值生成同样的数据）")
        )
        parser.add_argument(
            "--no-serve", action="store_true", help=_("只准备数据和账号，不启动服务")
        )
        parser.add_argument(
            "--no-worker", action="store_true", help=_("不启动后台任务进程（xuanren worker）")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if not Cadre.objects.exists():
            self.stdout.write(_("正在生成演示数据（%(n)d 名干部）……") % {"n": options["cadres"]})
            result = seed(
                cadres=options["cadres"],
                units=DEMO_UNITS,
                seed=options["seed"],
                append=not database_is_empty(),
            )
            self.stdout.write(
                _("已生成“%(root)s”：%(units)d 个单位，%(cadres)d 名干部，用时 %(s).1f 秒。")
                % {
                    "root": result.root.name,
                    "units": result.counts.get("unit", 0),
                    "cadres": result.counts.get("cadre", 0),
                    "s": result.seconds,
                }
            )
        accounts = demo_users()
        host = options["host"]
        shown = lan_address() if host == "0.0.0.0" else host
        # The address phones use must be an allowed host (demo only; production
        # settings take XUANREN_ALLOWED_HOSTS).
        if shown not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, shown]
        url = f"http://{shown}:{options['port']}/"
        self.stdout.write(_("演示账号（密码仅供本机演示）："))
        self.stdout.write(accounts_table(accounts))
        self.stdout.write(_("访问地址：%(url)s") % {"url": url})
        for line in voting_demo_lines(url):
            self.stdout.write(line)
        if options["no_serve"]:
            return
        # The background worker (large imports) runs beside the server and
        # stops with it.
        worker = None
        if not options["no_worker"]:
            self.stdout.write(_("后台任务进程已启动（xuanren worker），随本服务一同停止。"))
            worker = subprocess.Popen(
                [sys.executable, "-m", "xuanren", "worker", "--verbosity", "0"]
            )
            # A SIGTERM (not only Ctrl+C) stops the server through `finally`, and the worker with it.
            signal.signal(signal.SIGTERM, lambda *_args: sys.exit(0))
        try:
            # --insecure: serve static files although DEBUG is off (demo only).
            call_command(
                "runserver",
                f"{host}:{options['port']}",
                use_reloader=False,
                insecure_serving=True,
            )
        finally:
            if worker is not None:
                worker.terminate()
                try:
                    worker.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    worker.kill()
