"""Validation of cadre records: pure functions over plain values, no ORM, so
that every rule can be tested exhaustively. Services call these and refuse to
save anything while an error remains."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from django.utils.translation import gettext as _
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from xuanren.common.dates import completed_years
from xuanren.common.errors import ErrorCollector

PARTY_JOIN_MIN_AGE = 18  # Party Constitution: full 18 years of age.
PARTY_STATUSES = ("cpc_member", "cpc_probationary")


def _d(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def check_id_number(
    raw: str, *, birth_date: dt.date | None, sex: str | None, out: ErrorCollector
) -> str:
    """Check an 18-digit citizen ID number; return it compacted (upper-case X).

    stdnum.cn.ric checks length, digits, check digit and the embedded date. Its
    region table also dates each area code and rejects a number issued under a
    code younger than its holder; such numbers are real (the code in force when
    the number was issued counts), so that case is only a warning here.
    """
    field = "id_number"
    number = ric.compact(raw or "")
    if len(number) != 18:
        out.add(field, _("公民身份号码应为 18 位，现为 %(n)d 位。") % {"n": len(number)})
        return number
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        out.add(field, _("公民身份号码前 17 位应为数字，第 18 位为数字或 X。"))
        return number
    expected = ric.calc_check_digit(number)
    if number[17] != expected:
        out.add(
            field,
            _("公民身份号码校验位应为 %(e)s，实为 %(a)s，请核对号码是否抄错。")
            % {"e": expected, "a": number[17]},
        )
        return number
    try:
        embedded = ric.get_birth_date(number)
    except StdnumError:
        out.add(field, _("公民身份号码中的出生日期 %(d)s 不是有效日期。") % {"d": number[6:14]})
        return number
    if birth_date is not None and embedded != birth_date:
        out.add(
            field,
            _("公民身份号码中的出生日期（%(e)s）与填写的出生日期（%(b)s）不一致。")
            % {"e": _d(embedded), "b": _d(birth_date)},
        )
    if sex in ("male", "female"):
        odd = int(number[16]) % 2 == 1
        if odd != (sex == "male"):
            out.add(
                field,
                _("公民身份号码第 17 位为%(p)s数，对应性别“%(s)s”，与填写的性别不一致。")
                % {"p": _("奇") if odd else _("偶"), "s": _("男") if odd else _("女")},
            )
    if not _region_in_force(number[:6], embedded.year):
        out.warn(
            field,
            _(
                "地区码 %(c)s 在持有人出生当年尚未启用或已调整；号码按发证时有效的地区码接受，"
                "请与户籍资料核对。"
            )
            % {"c": number[:6]},
        )
    return number


@functools.lru_cache(maxsize=65536)
def _region_in_force(region: str, year: int) -> bool:
    """Whether stdnum's region table has `region` in force in `year`. Its answer
    depends on nothing else in the number, and the lookup costs ~40 µs, so it is
    cached: a 100,000-row import asks a few thousand distinct questions."""
    try:
        ric.get_birth_place(f"{region}{year:04d}0101000X")
    except StdnumError:
        return False
    except KeyError:
        # stdnum knows the code but its entry lacks a field (e.g. 330524 安吉县
        # raises KeyError('county')): the region exists, nothing to warn about.
        return True
    return True


@dataclass(frozen=True)
class CadreFacts:
    """The dated facts of a cadre that validation compares."""

    name: str
    sex: str
    birth_date: dt.date | None
    id_number: str
    political_status: str
    party_join_date: dt.date | None = None
    party_full_date: dt.date | None = None
    work_start_date: dt.date | None = None
    level_since: dt.date | None = None


def validate_cadre(facts: CadreFacts, *, today: dt.date) -> ErrorCollector:
    out = ErrorCollector()
    name = (facts.name or "").strip()
    if not name:
        out.add("name", _("请填写姓名。"))
    elif len(name) > 30:
        out.add("name", _("姓名过长（最多 30 个字）。"))
    if facts.sex not in ("male", "female"):
        out.add("sex", _("请选择性别。"))
    birth = facts.birth_date
    if birth is None:
        out.add("birth_date", _("请填写出生日期。"))
    elif birth >= today:
        out.add("birth_date", _("出生日期 %(b)s 不能晚于今天。") % {"b": _d(birth)})
    check_id_number(facts.id_number, birth_date=birth, sex=facts.sex, out=out)

    work = facts.work_start_date
    if work is not None:
        if birth is not None and work <= birth:
            out.add(
                "work_start_date",
                _("参加工作时间（%(w)s）应晚于出生日期（%(b)s）。")
                % {"w": _d(work), "b": _d(birth)},
            )
        if work > today:
            out.add("work_start_date", _("参加工作时间不能晚于今天。"))

    join = facts.party_join_date
    is_party = facts.political_status in PARTY_STATUSES
    if is_party and join is None:
        out.add("party_join_date", _("政治面貌为党员时，请填写入党时间。"))
    if not is_party and join is not None and facts.political_status != "":
        out.add("party_join_date", _("政治面貌不是中共党员，不应填写入党时间；请核对政治面貌。"))
    if join is not None:
        if join > today:
            out.add("party_join_date", _("入党时间不能晚于今天。"))
        if birth is not None and completed_years(birth, join) < PARTY_JOIN_MIN_AGE:
            out.add(
                "party_join_date",
                _("入党时间 %(j)s 时未满 18 周岁（出生日期 %(b)s），请核对。")
                % {"j": _d(join), "b": _d(birth)},
            )
    full = facts.party_full_date
    if full is not None:
        if join is None:
            out.add("party_full_date", _("填写转正时间前，请先填写入党时间。"))
        elif full <= join:
            out.add(
                "party_full_date",
                _("转正时间（%(f)s）应晚于入党时间（%(j)s）。") % {"f": _d(full), "j": _d(join)},
            )
    if facts.political_status == "cpc_member" and join is not None and full is None:
        out.warn("party_full_date", _("正式党员尚未填写转正时间。"))
    if facts.level_since is not None and birth is not None and facts.level_since <= birth:
        out.add("level_since", _("任现职务层次时间应晚于出生日期。"))
    return out


def validate_period(
    *,
    start: dt.date | None,
    end: dt.date | None,
    out: ErrorCollector,
    start_field: str = "start_date",
    end_field: str = "end_date",
    strict: bool = True,
    today: dt.date | None = None,
) -> None:
    """A period's end after its start (or on it, when not strict)."""
    if start is None:
        out.add(start_field, _("请填写起始日期。"))
        return
    if today is not None and start > today:
        out.add(start_field, _("起始日期 %(s)s 不能晚于今天。") % {"s": _d(start)})
    if end is not None and (end <= start if strict else end < start):
        out.add(
            end_field,
            _("截止日期（%(e)s）应晚于起始日期（%(s)s）。") % {"e": _d(end), "s": _d(start)},
        )


def validate_tenure_dates(
    *,
    start: dt.date | None,
    end: dt.date | None,
    birth_date: dt.date,
    work_start_date: dt.date | None,
    out: ErrorCollector,
) -> None:
    """birth < work start < tenure start; a tenure's end after its start."""
    validate_period(start=start, end=end, out=out)
    if start is None:
        return
    if start <= birth_date:
        out.add("start_date", _("任职时间应晚于出生日期。"))
    if work_start_date is not None and start <= work_start_date:
        out.add(
            "start_date",
            _("任职时间（%(s)s）应晚于参加工作时间（%(w)s）。")
            % {"s": _d(start), "w": _d(work_start_date)},
        )


def max_concurrent(periods: list[tuple[dt.date, dt.date | None]]) -> int:
    """Most periods in force on any one day; a period [start, end) ends the day
    its successor may start, so a hand-over on one date is not an overlap."""
    events: list[tuple[dt.date, int]] = []
    for start, end in periods:
        events.append((start, 1))
        if end is not None:
            events.append((end, -1))
    # Ends sort before starts on the same day (-1 < 1).
    events.sort()
    current = best = 0
    for _day, delta in events:
        current += delta
        best = max(best, current)
    return best


#: The most hours one training row may carry. A year-long party-school class
#: (中青班) is the longest training a cadre takes, well under 2000 hours; a
#: larger figure is a typing error (an extra digit), not a training
#: (docs/decisions/0145).
TRAINING_MAX_HOURS = 2000
TRAINING_TITLE_MAX = 120


def validate_training(
    *, birth_year: int, year: int, hours: int, title: str, today: dt.date
) -> ErrorCollector:
    """One training row (year, hours, title) of a cadre born in `birth_year`:
    hours from 1 to TRAINING_MAX_HOURS, a year after the birth year and not
    after this year, a title of at most TRAINING_TITLE_MAX characters."""
    out = ErrorCollector()
    if hours <= 0:
        out.add("hours", _("学时应为正数，请填写实际参加培训的学时。"))
    elif hours > TRAINING_MAX_HOURS:
        out.add(
            "hours",
            _("一次培训的学时不应超过 %(n)d，请核对是否多输入了数字。") % {"n": TRAINING_MAX_HOURS},
        )
    if year > today.year:
        out.add("year", _("培训年度 %(y)d 尚未到来，请填写已经参加的培训。") % {"y": year})
    elif year <= birth_year:
        out.add("year", _("培训年度 %(y)d 早于出生年份，请核对。") % {"y": year})
    if not title.strip():
        out.add("title", _("请填写培训名称。"))
    elif len(title.strip()) > TRAINING_TITLE_MAX:
        out.add("title", _("培训名称过长（最多 120 个字）。"))
    return out
