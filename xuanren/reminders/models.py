"""The standing, date-driven reminders of 待办 kept as rows (decision 0195).

A probation that ends, a statutory retirement, a rotation or level limit
reached: each is a condition of a cadre's records whose date does not depend
on today (the tenure's probation_until, the birth date and the original
retirement age, the start date plus the rule's months). 待办 read them from
the records one source at a time; at a province's scale each source was a
query of its own. Kept here, one range per kind of the actor's scope is one
UNION read (reminders.selectors). The records stay the truth: every writer
of a record they depend on calls reminders.kept.reminders_refresh in its
transaction, and `xuanren reminders` compares the rows with the records.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ReminderKind(models.TextChoices):
    """The kinds kept here: the same values and labels as procedure.todo.TodoKind."""

    PROBATION_ENDING = "probation_ending", _("试用期将满")
    RETIREMENT_DUE = "retirement_due", _("临近法定退休")
    ROTATION_DUE = "rotation_due", _("任职年限达到交流规定")
    LEVEL_LIMIT_DUE = "level_limit_due", _("同一层次任职年限达到规定")


class KeptReminder(models.Model):
    kind = models.CharField(_("提醒类别"), max_length=30, choices=ReminderKind.choices)
    due = models.DateField(_("到期日期"))
    #: The path of the unit whose scope sees it: the post's unit for a
    #: tenure's reminder (a post rule is about the post, decision 0192), the
    #: cadre's unit otherwise. A unit's path never changes once made.
    path = models.CharField(_("单位路径"), max_length=255)
    cadre = models.ForeignKey(
        "people.Cadre", on_delete=models.CASCADE, related_name="+", verbose_name=_("干部")
    )
    # No index of their own: rows are replaced by cadre; a tenure, post or
    # case is deleted rarely, if ever.
    tenure = models.ForeignKey(
        "people.Tenure",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=pgettext_lazy("record", "任职"),
    )
    post = models.ForeignKey(
        "org.Post",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("职位"),
    )
    #: The case that appointed the holder on probation (its officer's "mine").
    case = models.ForeignKey(
        "procedure.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("选任事项"),
    )
    #: What the due date counts from, shown with it: the tenure's start (a
    #: post rule), level_since (the level rule), the probation's start.
    since = models.DateField(_("起算日期"), null=True, blank=True)
    #: The rotation rule (rotation/rules.toml) reached first, for those kinds.
    rule = models.CharField(_("交流规则"), max_length=40, blank=True)
    #: The first row of its tenure (or cadre) and kind: the one counted when
    #: 待办 says how many have reached a rule already (one per person).
    first = models.BooleanField(_("首条"), default=True)

    class Meta:
        verbose_name = _("待办提醒")
        verbose_name_plural = _("待办提醒")
        indexes = [
            # the unrestricted scope: a kind's date range
            models.Index(fields=["kind", "due"], name="reminder_kind_due"),
            # a unit's scope: its subtree's rows of a kind, by date
            models.Index(
                fields=["kind", "path", "due"],
                name="reminder_kind_path_due",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops", "date_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.cadre_id}:{self.due}"
