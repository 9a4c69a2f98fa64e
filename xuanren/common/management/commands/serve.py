"""`xuanren serve`: the production application server (gunicorn, decision 0094).

Runs gunicorn on xuanren.wsgi:application in place of this process (exec), so
systemd's signals (TERM: graceful stop, HUP: reload) reach gunicorn itself.
Every option has an environment variable, for the systemd unit; the command
line wins. Static files are served by WhiteNoise inside the application.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _


def default_workers() -> int:
    """gunicorn's rule of thumb: two per core, plus one."""
    return 2 * (os.cpu_count() or 1) + 1


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise CommandError(
            _("环境变量 %(name)s 应为整数，现为“%(value)s”。") % {"name": name, "value": value}
        ) from None


#: The options passed on to gunicorn as they are: (option, environment
#: variable, default, help). Integers unless the default is a string.
SERVER_OPTIONS: tuple[tuple[str, str, Any, str], ...] = (
    ("bind", "XUANREN_BIND", "127.0.0.1:8000", "监听地址（XUANREN_BIND，默认 127.0.0.1:8000；也可为 unix:/路径）"),
    ("workers", "XUANREN_WORKERS", default_workers, "工作进程数（XUANREN_WORKERS，默认 CPU 核数×2+1）"),
    ("threads", "XUANREN_THREADS", 1, "每个工作进程的线程数（XUANREN_THREADS，默认 1）"),
    ("timeout", "XUANREN_TIMEOUT", 120, "单个请求的最长秒数，超时则重启该工作进程（XUANREN_TIMEOUT，默认 120）"),
    ("graceful-timeout", "XUANREN_GRACEFUL_TIMEOUT", 30, "停止或重启时等待进行中请求的秒数（XUANREN_GRACEFUL_TIMEOUT，默认 30）"),
    # A restart re-imports Django: 3.6 s of CPU measured on this machine.
    # At 1,000 a 10,000-voter vote restarted the workers nine times.
    ("max-requests", "XUANREN_MAX_REQUESTS", 10000, "工作进程处理多少个请求后重启（XUANREN_MAX_REQUESTS，默认 10000；0 为不重启）"),
    ("max-requests-jitter", "XUANREN_MAX_REQUESTS_JITTER", 1000, "上一项的随机浮动，避免各进程同时重启（XUANREN_MAX_REQUESTS_JITTER，默认 1000）"),
    ("forwarded-allow-ips", "XUANREN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1", "信任其 X-Forwarded-* 头的反向代理地址（XUANREN_FORWARDED_ALLOW_IPS）"),
)  # fmt: skip


def gunicorn_argv(options: dict[str, Any]) -> list[str]:
    """The gunicorn command line for these options."""
    argv = [sys.executable, "-m", "gunicorn"]
    for option, _env, _default, _help in SERVER_OPTIONS:
        argv += [f"--{option}", str(options[option.replace("-", "_")])]
    argv += [
        # Access and error log to stdout/stderr: systemd's journal (or the
        # container's log) keeps them.
        "--access-logfile",
        "-",
        "--error-logfile",
        "-",
        # The heartbeat files in memory, not on a possibly slow disk.
        "--worker-tmp-dir",
        "/dev/shm" if os.path.isdir("/dev/shm") else "/tmp",
        "--name",
        "xuanren",
        # No control socket: its default path is shared by every instance
        # under one account, and the service account may have no home.
        "--no-control-socket",
    ]
    if options.get("preload"):
        argv.append("--preload")
    return [*argv, "xuanren.wsgi:application"]


def _static_ready() -> str | None:
    """What keeps /static/ from being served, or None. Without the finders
    (production) WhiteNoise serves what collectstatic put in STATIC_ROOT, and
    the manifest storage needs its manifest for every page."""
    if getattr(settings, "WHITENOISE_USE_FINDERS", False):
        return None
    backend = settings.STORAGES["staticfiles"]["BACKEND"]
    root = settings.STATIC_ROOT
    manifest = "Manifest" in backend
    if not root or not os.path.isdir(root):
        return str(root)
    if manifest and not os.path.exists(os.path.join(root, "staticfiles.json")):
        return str(root)
    return None


class Command(BaseCommand):
    help = (  # command-line help, for administrators
        "以生产方式运行本系统（gunicorn）：默认监听 127.0.0.1:8000，由前置的 HTTPS 反向代理转发。"
        "各选项也可用环境变量设置（见 README“部署”一节）。"
    )
    requires_system_checks = []  # gunicorn's workers load the application; checks run there

    def add_arguments(self, parser: CommandParser) -> None:
        for option, env_name, default, text in SERVER_OPTIONS:
            if isinstance(default, str):
                parser.add_argument(
                    f"--{option}", default=os.environ.get(env_name, default), help=text
                )
            else:
                fallback = default() if callable(default) else default
                parser.add_argument(
                    f"--{option}", type=int, default=_env_int(env_name, fallback), help=text
                )
        parser.add_argument(
            "--preload",
            action="store_true",
            help="主进程先加载应用再分叉工作进程（省内存，但 HUP 重载不读新代码）",
        )
        parser.add_argument(
            "--allow-debug",
            action="store_true",
            help="允许在调试模式（XUANREN_DEBUG=1）下运行；仅限本机排查问题",
        )
        parser.add_argument(
            "--print-command",
            action="store_true",
            help="只打印将要执行的 gunicorn 命令，不启动",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for name in ("workers", "threads", "timeout"):
            if options[name] < 1:
                raise CommandError(
                    _("--%(name)s 必须是正整数，现为 %(value)d。")
                    % {"name": name, "value": options[name]}
                )
        if settings.DEBUG and not options["allow_debug"]:
            raise CommandError(
                _(
                    "调试模式（XUANREN_DEBUG=1）会在出错时向浏览器显示源代码和配置，不能对外服务。"
                    "请去掉 XUANREN_DEBUG 并使用 DJANGO_SETTINGS_MODULE=xuanren.settings_production；"
                    "只在本机排查问题时可加 --allow-debug。"
                )
            )
        missing = _static_ready()
        if missing is not None:
            raise CommandError(
                _(
                    "静态文件目录 %(root)s 中还没有收集好的静态文件，页面将无法显示样式和脚本。"
                    "请先运行 `xuanren collectstatic --noinput`（每次升级后都要运行）。"
                )
                % {"root": missing}
            )
        argv = gunicorn_argv(options)
        if options["print_command"]:
            self.stdout.write(" ".join(argv))
            return
        self.stdout.write(
            _("正在启动 gunicorn：监听 %(bind)s，%(w)d 个工作进程，每个 %(t)d 个线程。")
            % {"bind": options["bind"], "w": options["workers"], "t": options["threads"]}
        )
        self.stdout.flush()
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(argv[0], argv)
