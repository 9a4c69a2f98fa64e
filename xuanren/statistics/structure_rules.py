"""Structure analysis (干部队伍结构分析) as pure rules, no ORM: the age and
years-in-post bands, and a leadership team (领导班子) against a structure target
(班子结构要求). The selectors in structure.py turn the bands into date bounds
for the database; these functions give the same answers for one person and are
what the tests pin.

Ages are completed years (周岁) at the reference date (common.dates); a band
"31—35岁" holds everyone aged 31 to 35 inclusive. Chinese counting: 以下/以上
include the number (35周岁以下 is at most 35), 不满 excludes it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from xuanren.common.dates import completed_years, latest_birth_for_age


@dataclass(frozen=True)
class Band:
    """Whole years from `low` (inclusive; None: no lower bound) to `high`
    (inclusive; None: no upper bound)."""

    code: str
    low: int | None
    high: int | None

    def holds(self, years: int) -> bool:
        return (self.low is None or years >= self.low) and (self.high is None or years <= self.high)

    def date_bounds(self, on: dt.date) -> tuple[dt.date | None, dt.date | None]:
        """(after, on_or_before): a start date `d` (birth, or the start of the
        level) is in the band at `on` iff after < d <= on_or_before, each bound
        left out when None. years >= low ⇔ d <= latest_birth_for_age(on, low);
        years <= high ⇔ years < high + 1 ⇔ d > latest_birth_for_age(on, high + 1)."""
        upper = latest_birth_for_age(on, self.low) if self.low is not None else None
        lower = latest_birth_for_age(on, self.high + 1) if self.high is not None else None
        return lower, upper


AGE_BANDS: tuple[Band, ...] = (
    Band("age_30", None, 30),
    Band("age_31_35", 31, 35),
    Band("age_36_40", 36, 40),
    Band("age_41_45", 41, 45),
    Band("age_46_50", 46, 50),
    Band("age_51_55", 51, 55),
    Band("age_56", 56, None),
)

#: Years at the current level of post (任现职务层次年限), counted from the
#: level's start as of the reference date.
YEARS_BANDS: tuple[Band, ...] = (
    Band("years_0", None, 0),
    Band("years_1_2", 1, 2),
    Band("years_3_4", 3, 4),
    Band("years_5_9", 5, 9),
    Band("years_10", 10, None),
)


def age_band_label(band: Band) -> str:
    if band.low is None:
        return _("%(n)d岁及以下") % {"n": band.high}
    if band.high is None:
        return _("%(n)d岁及以上") % {"n": band.low}
    return _("%(low)d—%(high)d岁") % {"low": band.low, "high": band.high}


def years_band_label(band: Band) -> str:
    if band.low is None:
        return _("不满1年")
    if band.high is None:
        return _("%(n)d年及以上") % {"n": band.low}
    return _("%(low)d年至不满%(high)d年") % {"low": band.low, "high": band.high + 1}


def band_of(bands: tuple[Band, ...], start: dt.date, on: dt.date) -> Band | None:
    """The band holding the whole years from `start` to `on` (None: `start`
    is after `on`)."""
    if start > on:
        return None
    years = completed_years(start, on)
    return next((b for b in bands if b.holds(years)), None)


def share_text(count: int, total: int) -> str:
    """A share in per cent with one decimal, rounded half up, integer arithmetic."""
    if total <= 0:
        return "—"
    tenths = (count * 1000 * 2 + total) // (total * 2)
    return f"{tenths // 10}.{tenths % 10}%"


# ---- leadership teams against structure targets -----------------------------------


class TargetKind:
    """What a structure target counts in a team (codes stored in StructureTarget.kind)."""

    WOMEN = "women"
    NON_PARTY = "non_party"
    MINORITY = "minority"
    YOUNG = "young"


@dataclass(frozen=True)
class TargetSpec:
    """A structure target as the rules read it: at least `min_count` members of
    the kind, or (when `min_percent` is set) at least that share of the team;
    `age_at_most` for young cadres (35 → 35周岁以下, 35 included). A team with
    fewer than `min_members` members is not checked against it."""

    kind: str
    min_count: int = 1
    min_percent: int | None = None
    age_at_most: int | None = None
    min_members: int = 1


@dataclass(frozen=True)
class TeamCount:
    size: int
    matching: int


def target_met(spec: TargetSpec, team: TeamCount) -> bool | None:
    """True met, False missed, None not applicable (the team is smaller than
    the target's min_members, or empty)."""
    if team.size == 0 or team.size < spec.min_members:
        return None
    if spec.min_percent is not None:
        return team.matching * 100 >= spec.min_percent * team.size
    return team.matching >= spec.min_count


def kind_label(spec: TargetSpec) -> str:
    if spec.kind == TargetKind.WOMEN:
        return _("女干部")
    if spec.kind == TargetKind.NON_PARTY:
        return _("党外干部")
    if spec.kind == TargetKind.MINORITY:
        return _("少数民族干部")
    return _("%(age)d周岁以下干部") % {"age": spec.age_at_most or 0}


def miss_reason(spec: TargetSpec, team: TeamCount) -> str:
    """Why a team misses a target, in Chinese: what it has, what is required."""
    what = kind_label(spec)
    if spec.min_percent is not None:
        return _("班子%(size)d人，%(what)s%(n)d人，占%(share)s，要求不低于%(min)d%%") % {
            "size": team.size,
            "what": what,
            "n": team.matching,
            "share": share_text(team.matching, team.size),
            "min": spec.min_percent,
        }
    return _("班子%(size)d人，%(what)s%(n)d人，要求至少%(min)d人") % {
        "size": team.size,
        "what": what,
        "n": team.matching,
        "min": spec.min_count,
    }


def member_matches(
    spec: TargetSpec,
    *,
    sex: str,
    birth_date: dt.date,
    ethnicity: str,
    party_member: bool,
    on: dt.date,
) -> bool:
    """Whether one member counts for the target on `on` (party_member: a CPC
    member or probationary member on `on`)."""
    if spec.kind == TargetKind.WOMEN:
        return sex == "female"
    if spec.kind == TargetKind.NON_PARTY:
        return not party_member
    if spec.kind == TargetKind.MINORITY:
        return is_minority(ethnicity)
    assert spec.age_at_most is not None
    return completed_years(birth_date, on) <= spec.age_at_most


HAN = "汉族"


def is_minority(ethnicity: str) -> bool:
    return ethnicity.strip() not in ("", HAN)
