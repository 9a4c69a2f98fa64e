"""The two periods of the track, pure (no ORM): the observation period and
the warning talk's effect period, each a whole number of months counted from
the day of the talk (xuanren.common.dates: the period's first day is the talk,
its last the day before add_months). Both lengths are settings
(docs/decisions/0156, 0157): six months unless the installation says otherwise."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from xuanren.common.dates import add_months

#: 察看期: "给半年的察看期" is the county's practice; no national document fixes it.
DEFAULT_OBSERVATION_MONTHS = 6
#: The warning talk's effect period, during which the cadre may not be an
#: inspection candidate (national.negative.sanction reads the 诫勉 row).
DEFAULT_WARNING_EFFECT_MONTHS = 6


def observation_months() -> int:
    return int(getattr(settings, "XUANREN_OBSERVATION_MONTHS", DEFAULT_OBSERVATION_MONTHS))


def warning_effect_months() -> int:
    return int(
        getattr(settings, "XUANREN_WARNING_TALK_EFFECT_MONTHS", DEFAULT_WARNING_EFFECT_MONTHS)
    )


def observation_ends_on(talk_date: dt.date, months: int) -> dt.date:
    """The day the observation is completed and its outcome is due:
    add_months(talk, months). 2026-08-31 + 6 → 2027-03-01 (no 31 February, the
    period's last day is 28 February); 2024-02-29 + 6 → 2024-08-29."""
    return add_months(talk_date, months)


def warning_effect_until(talk_date: dt.date, months: int) -> dt.date:
    """The last day of the warning talk's effect (inclusive, as the 奖惩
    record's 影响期截止 is read): the day before add_months(talk, months)."""
    return add_months(talk_date, months) - dt.timedelta(days=1)
