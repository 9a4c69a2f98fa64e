"""Administrators read the structure targets here; they are loaded by data
migrations (docs/decisions/0119), so the admin site does not write them past
the services and the journal."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from xuanren.statistics.models import StructureTarget


@admin.register(StructureTarget)
class StructureTargetAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "min_count", "min_percent", "source", "effective_from")
    search_fields = ("name", "code", "source")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
