"""Retention: what `xuanren cleanup` deletes, and when (decision 0096).

Import batches after XUANREN_IMPORT_RETENTION_DAYS (the exchange service,
which journals the counts); expired sessions; login records (axes' login log
and failed-login log) after XUANREN_LOGIN_LOG_RETENTION_DAYS. The journal and
the access record (查阅记录) are audit records: nothing here touches them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuanren.common.errors import ValidationFailed

#: Network logs are kept at least six months (网络安全法 第二十一条).
LOGIN_LOG_MIN_DAYS = 180


@dataclass(frozen=True)
class Purged:
    key: str
    label: str
    count: int
    rule: str


def login_log_retention_days() -> int:
    days = int(settings.XUANREN_LOGIN_LOG_RETENTION_DAYS)
    if days < LOGIN_LOG_MIN_DAYS:
        raise ValidationFailed(
            _(
                "XUANREN_LOGIN_LOG_RETENTION_DAYS=%(days)d 太短：登录日志至少保留 %(min)d 天"
                "（网络日志留存不少于六个月）。请改为 %(min)d 或更大的值。"
            )
            % {"days": days, "min": LOGIN_LOG_MIN_DAYS}
        )
    return days


_LABELS = {
    "imports": gettext_lazy("过期导入批次"),
    "sessions": gettext_lazy("过期会话"),
    "logins": gettext_lazy("过期登录日志"),
    "login_failures": gettext_lazy("过期登录失败日志"),
    "job_files": gettext_lazy("已结束后台任务的上传文件和生成的文件"),
    "task_results": gettext_lazy("已结束后台任务的执行记录"),
}


@transaction.atomic
def cleanup_run(*, dry_run: bool = False, now: dt.datetime | None = None) -> list[Purged]:
    """Every purge, in one transaction; `dry_run` counts what would go."""
    from axes.models import AccessFailureLog, AccessLog
    from django.contrib.sessions.models import Session

    from xuanren.exchange.lrmx_services import import_batches_purge

    now = now or timezone.now()
    login_days = login_log_retention_days()
    login_cutoff = now - dt.timedelta(days=login_days)
    out: list[Purged] = []

    imports = import_batches_purge(actor=None, now=now, dry_run=dry_run)
    out.append(
        Purged(
            "imports",
            str(_LABELS["imports"]),
            imports["deleted"],
            _("超过 %(n)d 天") % {"n": settings.XUANREN_IMPORT_RETENTION_DAYS},
        )
    )
    querysets = [
        ("sessions", Session.objects.filter(expire_date__lt=now), _("已过期")),
        (
            "logins",
            AccessLog.objects.filter(attempt_time__lt=login_cutoff),
            _("超过 %(n)d 天") % {"n": login_days},
        ),
        (
            "login_failures",
            AccessFailureLog.objects.filter(attempt_time__lt=login_cutoff),
            _("超过 %(n)d 天") % {"n": login_days},
        ),
    ]
    for key, queryset, rule in querysets:
        count = queryset.count() if dry_run else queryset.delete()[0]
        out.append(Purged(key, str(_LABELS[key]), count, rule))
    out.extend(_background_jobs(now, dry_run))
    return out


def _background_jobs(now: dt.datetime, dry_run: bool) -> list[Purged]:
    """A finished background job keeps its row (the journal names it) but
    not the uploaded file nor the file it produced (an export, a ZIP of
    forms: personal data, decision 0105); the task backend's
    rows of finished tasks go. Both after XUANREN_IMPORT_RETENTION_DAYS, like
    the import batches; a job that never finished stays, as it may be retried."""
    from django_tasks_db.models import DBTaskResult

    from xuanren.exchange.models import ImportJob

    days = int(settings.XUANREN_IMPORT_RETENTION_DAYS)
    cutoff = now - dt.timedelta(days=days)
    rule = _("超过 %(n)d 天") % {"n": days}
    finished = ImportJob.objects.filter(finished_at__lt=cutoff)
    files = finished.exclude(content=b"", output=b"")
    results = DBTaskResult.objects.filter(finished_at__lt=cutoff)
    if dry_run:
        counts = files.count(), results.count()
    else:
        counts = files.update(content=b"", output=b""), results.delete()[0]
    return [
        Purged("job_files", str(_LABELS["job_files"]), counts[0], rule),
        Purged("task_results", str(_LABELS["task_results"]), counts[1], rule),
    ]
