"""`xuanren worker`: runs the background tasks (docs/decisions/0099).

django-tasks-db's `db_worker` with the product's defaults: every queue, a
one-second poll, no code reloading. Several workers, on one machine or on
several sharing a PostgreSQL database, each claim a different task (the
claim is SELECT … FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

from argparse import ArgumentParser

from django.utils.translation import gettext as _
from django_tasks_db.management.commands.db_worker import Command as DbWorker


class Command(DbWorker):
    help = _("后台任务进程：执行大表格导入等耗时任务。可在多台服务器上各运行一个，共用同一数据库。")

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*", interval=1.0, reload=False)
