"""The working calendar in the Django admin. Administrators enter a year's
State Council arrangement as single-day adjustments and then mark the year as
entered; every save and delete goes through the services (permission check and
journal), see docs/decisions/0011-working-days.md."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuanren.access.policy import has_perm
from xuanren.workdays import calendar
from xuanren.workdays.models import CalendarDay, CalendarYear
from xuanren.workdays.services import (
    MANAGE_CALENDAR,
    calendar_day_clear,
    calendar_day_set,
    calendar_year_mark_entered,
    validate_day,
    validate_year,
)

WEEKDAYS = "一二三四五六日"


class CalendarAdminBase(admin.ModelAdmin):
    """Only holders of workdays.manage_calendar (and superusers) see or change
    these pages, whatever Django's per-model permissions say."""

    def _manages(self, request: HttpRequest) -> bool:
        return has_perm(request.user, MANAGE_CALENDAR)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._manages(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._manages(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._manages(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._manages(request)


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "is_working_day", "note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day = data.get("date", self.instance.date if self.instance.pk else None)
        for error in validate_day(day=day, note=data.get("note") or "").errors:
            self.add_error("date" if error.field == "day" else error.field, error.message)
        return data


@admin.register(CalendarDay)
class CalendarDayAdmin(CalendarAdminBase):
    form = CalendarDayForm
    list_display = ["date", "weekday", "is_working_day", "base", "note", "set_by", "set_at"]
    list_filter = ["is_working_day"]
    date_hierarchy = "date"
    search_fields = ["note"]
    readonly_fields = ["set_by", "set_at"]

    @admin.display(description=gettext_lazy("星期"))
    def weekday(self, obj: CalendarDay) -> str:
        return "星期" + WEEKDAYS[obj.date.weekday()]

    @admin.display(description=gettext_lazy("未调整时"))
    def base(self, obj: CalendarDay) -> str:
        info = calendar.describe_day(obj.date)
        state = _("上班") if info.is_working_day else _("休息")
        return f"{state}（{info.label}）" if info.label else state

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # A different date is a different adjustment: delete this one instead.
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "date"] if obj is not None else fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._manages(request)

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        row = calendar_day_set(
            actor=request.user,
            day=obj.date,
            is_working_day=obj.is_working_day,
            note=obj.note,
        )
        obj.pk = row.pk
        obj.set_by = row.set_by
        obj.set_at = row.set_at

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        calendar_day_clear(actor=request.user, day=obj.date)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> None:
        for day in list(queryset.values_list("date", flat=True)):
            calendar_day_clear(actor=request.user, day=day)


class CalendarYearForm(forms.ModelForm):
    class Meta:
        model = CalendarYear
        fields = ["year", "official_entered", "note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        year = data.get("year", self.instance.year if self.instance.pk else None)
        for error in validate_year(year=year, note=data.get("note") or "").errors:
            self.add_error(error.field, error.message)
        return data


@admin.register(CalendarYear)
class CalendarYearAdmin(CalendarAdminBase):
    form = CalendarYearForm
    list_display = ["year", "official_entered", "source", "note", "set_by", "set_at"]
    readonly_fields = ["set_by", "set_at"]

    @admin.display(description=gettext_lazy("放假安排来源"))
    def source(self, obj: CalendarYear) -> str:
        if calendar.package_knows(obj.year):
            return _("随系统提供")
        if obj.official_entered:
            return _("管理员录入")
        return _("未载入（按法定节假日推算）")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "year"] if obj is not None else fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # take the mark back by unticking it (journalled)

    def save_model(self, request: HttpRequest, obj: CalendarYear, form: Any, change: bool) -> None:
        row = calendar_year_mark_entered(
            actor=request.user, year=obj.year, entered=obj.official_entered, note=obj.note
        )
        obj.pk = row.pk
        obj.set_by = row.set_by
        obj.set_at = row.set_at
