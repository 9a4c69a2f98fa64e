"""Statutory retirement dates (docs/decisions/0080).

Pure functions over dates, no ORM. Sources, by title:

- 全国人民代表大会常务委员会《关于实施渐进式延迟法定退休年龄的决定》(2024-09-13) and
  its annex 《国务院关于渐进式延迟职工法定退休年龄的办法》, 第一条: from 2025-01-01 the
  statutory age of men and of women whose original age is 55 rises by one month
  for every four months of birth, to 63 and 58; of women whose original age is
  50 by one month for every two months of birth, to 55. The annex's tables
  (对照表) give, by month of birth, the new age and the month of retirement: a
  man born in 1965-01 retires at 60 years 1 month in 2025-02; from 1976-09 on at
  63; a woman of original age 55 born in 1970-01 at 55 years 1 month, from
  1981-09 on at 58; a woman of original age 50 born in 1975-01 at 50 years 1
  month, from 1984-11 on at 55.
- Original ages (which one applies to a person) are in ORIGINAL_AGE_RULES below.

All arithmetic is on whole months: a birth month is `year * 12 + month - 1`.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Schedule:
    """One schedule of the 办法: births from `first_birth` (year, month) on
    retire `step` months of birth → one month later, at most `cap` months."""

    original_age: int
    first_birth: tuple[int, int]
    step: int
    cap: int


#: 办法 第一条 and its three 对照表, keyed by the original statutory age.
SCHEDULES: dict[int, Schedule] = {
    60: Schedule(original_age=60, first_birth=(1965, 1), step=4, cap=36),
    55: Schedule(original_age=55, first_birth=(1970, 1), step=4, cap=36),
    50: Schedule(original_age=50, first_birth=(1975, 1), step=2, cap=60),
}


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _last_day(index: int) -> int:
    year, month0 = divmod(index, 12)
    return calendar.monthrange(year, month0 + 1)[1]


def _on_day(index: int, day: int) -> dt.date:
    """`day` of month `index`, or the month's last day when it is shorter."""
    year, month0 = divmod(index, 12)
    return dt.date(year, month0 + 1, min(day, _last_day(index)))


def _schedule(original_age: int) -> Schedule:
    try:
        return SCHEDULES[original_age]
    except KeyError:
        raise ValueError(f"no retirement schedule for original age {original_age}") from None


def delay_months(birth_date: dt.date, original_age: int) -> int:
    """Months by which the 办法 delays retirement for this birth month.

    The first cohort (the schedule's first birth month and the `step - 1`
    months after it) is already one month later; births before it keep the
    original age."""
    schedule = _schedule(original_age)
    first = schedule.first_birth[0] * 12 + schedule.first_birth[1] - 1
    since = _month_index(birth_date) - first
    if since < 0:
        return 0
    return min(schedule.cap, since // schedule.step + 1)


def retirement_age_months(birth_date: dt.date, original_age: int) -> int:
    """The new statutory age, in months (60 years 1 month → 721)."""
    return original_age * 12 + delay_months(birth_date, original_age)


def statutory_retirement(birth_date: dt.date, *, original_age: int) -> dt.date:
    """The day the person reaches the statutory age.

    The month is the 对照表's 退休时间: birth month + the new age in months.
    The day is the birth day in that month, or the month's last day when the
    month is shorter (born 31 January 1965 → 28 February 2025; born 29 February
    1980, a man → 28 February 2043): the date never leaves the month the
    办法 names.
    """
    return _on_day(
        _month_index(birth_date) + retirement_age_months(birth_date, original_age),
        birth_date.day,
    )


def latest_birth_retiring_by(horizon: dt.date, original_age: int) -> dt.date:
    """The latest birth date whose statutory retirement is on or before `horizon`.

    statutory_retirement(b, original_age=a) <= horizon  <=>
    b <= latest_birth_retiring_by(horizon, a), because the retirement date never
    decreases with the birth date (the month index birth + age strictly grows
    from one birth month to the next; within a month the day follows the birth
    day). So a database compares the indexed birth_date with one value.
    """
    schedule = _schedule(original_age)
    target = _month_index(horizon)
    base = original_age * 12
    # The birth month k of the last cohort retiring in or before the horizon's
    # month: k + age(k) <= target; age(k) lies in [base, base + cap].
    k = target - base
    while k + base + _delay_at(k, schedule) > target:
        k -= 1
    if k + base + _delay_at(k, schedule) < target or horizon.day >= _last_day(target):
        return _on_day(k, 31)  # the whole birth month retires by the horizon
    return _on_day(k, horizon.day)


def _delay_at(index: int, schedule: Schedule) -> int:
    return delay_months(_on_day(index, 1), schedule.original_age)


def age_parts(months: int) -> tuple[int, int]:
    """(years, months) of an age in months, for display: 721 → (60, 1)."""
    return divmod(months, 12)


# ---- which original age applies -------------------------------------------------

#: Identities (身份) that count as a cadre of a Party or state organ, a
#: people's organisation or a public institution, the scope of the 2015 rule
#: below. Both the stored codes and their Chinese labels are accepted; ""
#: (not recorded) is taken as 公务员.
ORGAN_CADRE = frozenset(
    {
        "",
        "civil_servant",
        "公务员",
        "reference_civil_servant",
        "参照公务员法管理",
        "参公",
        "public_institution",
        "事业单位",
    }
)
WORKER = frozenset({"worker", "工人"})
#: 县处级 and above (职务层次 codes of xuanren.org.models.Level).
DIVISION_AND_ABOVE = frozenset(
    {"division_deputy", "division_principal", "bureau_deputy", "bureau_principal"}
)


@dataclass(frozen=True)
class OriginalAgeRule:
    """One row: who (sex, and where given the levels and identities) and the
    original statutory age. `None` matches anything. The first matching row
    applies."""

    sex: str
    age: int
    source: str
    levels: frozenset[str] | None = None
    identities: frozenset[str] | None = None

    def matches(self, *, sex: str, level: str | None, identity: str) -> bool:
        return (
            self.sex == sex
            and (self.levels is None or (level or "") in self.levels)
            and (self.identities is None or identity in self.identities)
        )


ORIGINAL_AGE_RULES: tuple[OriginalAgeRule, ...] = (
    OriginalAgeRule(
        sex="male",
        age=60,
        source="《国务院关于安置老弱病残干部的暂行办法》《国务院关于工人退休、退职的暂行办法》"
        "（国发〔1978〕104号）：男年满六十周岁",
    ),
    OriginalAgeRule(
        sex="female",
        age=60,
        levels=DIVISION_AND_ABOVE,
        identities=ORGAN_CADRE,
        source="中共中央组织部、人力资源社会保障部《关于机关事业单位县处级女干部和具有高级职称的"
        "女性专业技术人员退休年龄问题的通知》（组通字〔2015〕14号）第一条：党政机关、人民团体中的"
        "正、副县处级及相应职务层次的女干部，年满六十周岁退休",
    ),
    OriginalAgeRule(
        sex="female",
        age=50,
        identities=WORKER,
        source="《国务院关于工人退休、退职的暂行办法》（国发〔1978〕104号）：女工人年满五十周岁",
    ),
    OriginalAgeRule(
        sex="female",
        age=55,
        source="《国务院关于安置老弱病残干部的暂行办法》（国发〔1978〕104号）：女干部年满五十五周岁",
    ),
)


def original_retirement_age(*, sex: str, level: str | None, identity: str = "") -> int:
    """The original statutory age (before the 2024 decision) for this person,
    from ORIGINAL_AGE_RULES. `identity` "" (not recorded) counts as 公务员."""
    for rule in ORIGINAL_AGE_RULES:
        if rule.matches(sex=sex, level=level, identity=identity):
            return rule.age
    raise ValueError(f"no original retirement age for sex {sex!r}")
