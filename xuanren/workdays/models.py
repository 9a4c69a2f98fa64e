"""The administrator's entries in the working calendar: single days that
differ from what the package or the fallback says (a 调休 working Saturday,
an extra day off), and years whose State Council arrangement has been entered
in full. calendar.py decides; these rows only override it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(_("上班"))
    note = models.CharField(_("说明"), max_length=200)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("设置人"),
    )
    set_at = models.DateTimeField(_("设置时间"))

    class Meta:
        verbose_name = _("工作日历调整")
        verbose_name_plural = _("工作日历调整")
        ordering = ["date"]
        permissions = [("manage_calendar", _("维护工作日历"))]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {'上班' if self.is_working_day else '休息'}"


class CalendarYear(models.Model):
    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    official_entered = models.BooleanField(_("已录入国务院放假安排"), default=False)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("设置人"),
    )
    set_at = models.DateTimeField(_("设置时间"))

    class Meta:
        verbose_name = _("放假安排年度")
        verbose_name_plural = _("放假安排年度")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)
