"""Uploaded import batches: what was uploaded, what the preview showed, what
was saved. A batch is kept after confirming, as the record of the import."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xuanren.org.models import Unit


class ImportKind(models.TextChoices):
    LRMX = "lrmx", _("任免审批表（LRMX）")


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", _("待确认")
    CONFIRMED = "confirmed", _("已导入")
    CANCELLED = "cancelled", _("已取消")


class ImportBatch(models.Model):
    """One upload. `files` holds each file's name, SHA-256 and content (base64),
    so that confirming saves exactly what the preview showed, without a second
    upload; `preview` and `result` are what the pages show."""

    kind = models.CharField(_("类型"), max_length=10, choices=ImportKind.choices)
    status = models.CharField(
        _("状态"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PREVIEWED
    )
    upload_name = models.CharField(_("上传文件"), max_length=255)
    upload_sha256 = models.CharField(_("上传文件 SHA-256"), max_length=64)
    files = models.JSONField(_("文件"), default=list)
    preview = models.JSONField(_("预览"), default=list)
    result = models.JSONField(_("导入结果"), default=list)
    target_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("新建干部所在单位"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("上传人"),
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.upload_name}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("未通过")
    CANCELLED = "cancelled", _("已取消")


class JobKind(models.TextChoices):
    """What a background job does (docs/decisions/0104): one job model, one
    progress page, one cancel and retry for every kind."""

    XLSX_IMPORT = "xlsx_import", _("XLSX 导入")
    LRMX_PREVIEW = "lrmx_preview", _("LRMX 导入检查")
    LRMX_CONFIRM = "lrmx_confirm", _("LRMX 导入")
    FORMS_ZIP = "forms_zip", _("任免审批表打包")
    CADRES_EXPORT = "cadres_export", _("干部名单导出")
    ROSTER_EXPORT = "roster_export", _("干部花名册导出")
    SCREENING_COUNTS = "screening_counts", _("智能选人不符合人数统计")


class JobStage(models.TextChoices):
    WAITING = "waiting", _("等待后台处理")
    READING = "reading", _("正在读取")
    CHECKING = "checking", _("正在检查")
    SAVING = "saving", _("正在保存")
    GENERATING = "generating", _("正在生成")
    DONE = "done", _("已结束")


class ImportJob(models.Model):
    """A workbook imported in the background (docs/decisions/0100): the
    upload kept for the worker (and for a retry), the progress the worker
    writes as it goes, the cancel flag the page sets, and the outcome, in the
    shape the import page shows (`result` or `failure`)."""

    status = models.CharField(
        _("状态"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    stage = models.CharField(
        _("阶段"), max_length=10, choices=JobStage.choices, default=JobStage.WAITING
    )
    kind = models.CharField(
        _("类型"), max_length=16, choices=JobKind.choices, default=JobKind.XLSX_IMPORT
    )
    upload_name = models.CharField(_("上传文件"), max_length=255)
    upload_sha256 = models.CharField(_("上传文件 SHA-256"), max_length=64)
    content = models.BinaryField(_("文件内容"))
    #: What the task needs besides an upload (a case, filters, a batch …).
    params = models.JSONField(_("参数"), default=dict, blank=True)
    #: A produced file (a ZIP of forms, an export), kept in the database so
    #: that a worker on another machine and the web server see the same file
    #: (docs/decisions/0105); emptied by `xuanren cleanup` like the uploads.
    output = models.BinaryField(_("生成的文件"), default=b"", blank=True)
    output_name = models.CharField(_("生成的文件名"), max_length=255, blank=True)
    output_type = models.CharField(_("文件类型"), max_length=100, blank=True)
    dry_run = models.BooleanField(_("只检查，不保存"), default=False)
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    rows_done = models.PositiveIntegerField(_("已处理行数"), default=0)
    cancel_requested = models.BooleanField(_("已要求取消"), default=False)
    attempts = models.PositiveSmallIntegerField(_("执行次数"), default=0)
    task_id = models.CharField(_("任务编号"), max_length=64, blank=True)
    result = models.JSONField(_("导入结果"), null=True, blank=True)
    failure = models.JSONField(_("错误"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("上传人"),
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("最近进展时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.upload_name
