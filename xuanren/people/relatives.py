"""Which cadre record a family member is (decision 0083): the link that lets
recusal (xuanren/procedure/recusal.py) be found from the records.

A family record holds a name and a birth date, no ID number (the approval
form and its LRMX file carry none). A relative is the cadre of the same name
whose birth date agrees: to the day when the family record has a day other
than the 1st, else to the month, since the form gives relatives' birth dates
to the month (YYYYMM, stored as the 1st). Only one matching cadre makes a
link; several make none, and the caller warns."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from xuanren.people.models import Cadre


def relative_matches(
    name: str, birth_date: dt.date | None, *, exclude: int | None = None
) -> list[Cadre]:
    """The cadres a family member of this name and birth date may be, in
    every unit (recusal does not stop at the actor's scope); none without a
    birth date. `exclude` is the cadre whose family it is."""
    if not name or birth_date is None:
        return []
    rows = Cadre.objects.filter(
        name=name, birth_date__year=birth_date.year, birth_date__month=birth_date.month
    )
    if birth_date.day != 1:
        rows = rows.filter(birth_date=birth_date)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return list(rows.order_by("pk")[:10])


def ambiguous_relative_message(name: str, count: int) -> str:
    return _(
        "家庭成员 %(n)s 与 %(c)d 名干部的姓名和出生年月相同，未关联到干部记录；回避关系需人工核对。"
    ) % {"n": name, "c": count}
