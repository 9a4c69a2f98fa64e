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
