"""Read-only admin pages (docs/decisions/0009): notices and reports change
only through the services. Django's view permissions decide who sees them;
the role table gives report permissions to case officers and the discipline
commission only, since reports name their reporters."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from xuanren.access.records import LookRecordedAdmin, report_look_record
from xuanren.supervision.models import PublicNotice, Report, ReportAttachment


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PublicNotice)
class PublicNoticeAdmin(ReadOnly):
    list_display = ["case", "start", "end", "length", "unit", "published_by", "published_at"]
    list_filter = ["unit"]
    date_hierarchy = "start"


class AttachmentInline(admin.TabularInline):
    model = ReportAttachment
    extra = 0
    fields = ["name", "content_type", "size", "sha256", "uploaded_at"]
    readonly_fields = ["name", "content_type", "size", "sha256", "uploaded_at"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Report)
class ReportAdmin(LookRecordedAdmin, ReadOnly):
    list_display = ["id", "case", "about_name", "source", "status", "finding", "received_at"]
    list_filter = ["status", "finding", "source"]
    exclude = ["receipt_hash"]
    inlines = [AttachmentInline]

    def record_look(self, request: HttpRequest, obj: Report) -> None:
        report_look_record(actor=request.user, report=obj)  # decision 0041
