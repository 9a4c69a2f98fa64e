"""Reading one spreadsheet cell into a typed value: pure functions, no ORM.

Cells arrive as python-calamine gives them: "" for an empty cell, str, float
(every number, integers included), bool, datetime.date / datetime.datetime for
cells Excel stores as dates. Each parser returns (value, message); message is
"" when the cell is fine, otherwise a Chinese sentence saying what is wrong
and what to write instead.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from xuanren.common.cells import formula_like, formula_message

#: 2024-03-05, 2024.03.05, 2024/3/5, 2024年3月5日, and the month-only forms
#: 2024.03 / 2024-03 / 2024年3月 (read as the first day of the month, as the
#: cadre forms write 入党时间 and 参加工作时间).
_DATE = re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*(?:[-./月]\s*(?:(\d{1,2})\s*日?)?|月)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})?$")  # 20240305 or 202403 (LRMX style)

YEAR_MIN, YEAR_MAX = 1900, 2100

TRUE_WORDS = frozenset({"是", "y", "yes", "true", "1", "√", "✓"})
FALSE_WORDS = frozenset({"否", "n", "no", "false", "0", "×", "x"})


def is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def cell_text(raw: Any) -> str:
    """The cell as text: numbers without a trailing .0, dates in ISO form."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, float):
        return str(int(raw)) if raw.is_integer() else repr(raw)
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat()
    if isinstance(raw, dt.date):
        return raw.isoformat()
    return str(raw).strip()


def parse_text(raw: Any, *, max_length: int) -> tuple[str, str]:
    """Text as written; text a spreadsheet would take for a formula (=1+1,
    @SUM(...), a leading tab) is refused: it is a name, not a formula."""
    text = cell_text(raw)
    if isinstance(raw, str) and (formula_like(raw) or formula_like(text)):
        return text, formula_message(raw)
    if len(text) > max_length:
        return text, _("内容过长：最多 %(m)d 个字，现有 %(n)d 个字，请精简。") % {
            "m": max_length,
            "n": len(text),
        }
    return text, ""


def _date_or_error(year: int, month: int, day: int) -> tuple[dt.date | None, str]:
    if not YEAR_MIN <= year <= YEAR_MAX:
        return None, _("年份 %(y)d 超出范围（%(a)d—%(b)d），请核对。") % {
            "y": year,
            "a": YEAR_MIN,
            "b": YEAR_MAX,
        }
    try:
        return dt.date(year, month, day), ""
    except ValueError:
        return None, _("%(y)04d 年 %(m)d 月 %(d)d 日不是有效日期，请核对。") % {
            "y": year,
            "m": month,
            "d": day,
        }


def parse_date(raw: Any) -> tuple[dt.date | None, str]:
    """A date cell, or text in one of the accepted forms; blank is None."""
    if is_blank(raw):
        return None, ""
    if isinstance(raw, dt.datetime):
        return _date_or_error(raw.year, raw.month, raw.day)
    if isinstance(raw, dt.date):
        return _date_or_error(raw.year, raw.month, raw.day)
    text = cell_text(raw)
    match = _DATE.match(text) or _COMPACT.match(text)
    if match is None:
        return None, _(
            "“%(v)s”不是可识别的日期，请写成 YYYY-MM-DD 或 YYYY.MM.DD（如 1985-03-02），"
            "或将单元格设为日期格式。"
        ) % {"v": text}
    year, month, day = match.group(1), match.group(2), match.group(3)
    return _date_or_error(int(year), int(month), int(day) if day else 1)


def parse_int(raw: Any, *, minimum: int = 0, maximum: int = 1_000_000) -> tuple[int | None, str]:
    if is_blank(raw):
        return None, ""
    if isinstance(raw, bool):
        value: float = int(raw)
    elif isinstance(raw, int | float):
        value = raw
    else:
        text = cell_text(raw)
        try:
            value = float(text) if "." in text else int(text)
        except ValueError:
            return None, _("“%(v)s”不是整数，请填写阿拉伯数字（如 2）。") % {"v": text}
    if isinstance(value, float) and not value.is_integer():
        return None, _("“%(v)s”不是整数，请填写阿拉伯数字（如 2）。") % {"v": cell_text(raw)}
    number = int(value)
    if not minimum <= number <= maximum:
        return None, _("数值 %(v)d 超出允许范围（%(a)d—%(b)d）。") % {
            "v": number,
            "a": minimum,
            "b": maximum,
        }
    return number, ""


def parse_bool(raw: Any) -> tuple[bool | None, str]:
    if is_blank(raw):
        return None, ""
    if isinstance(raw, bool):
        return raw, ""
    text = cell_text(raw).lower()
    if text in TRUE_WORDS:
        return True, ""
    if text in FALSE_WORDS:
        return False, ""
    return None, _("“%(v)s”无法识别，请填写“是”或“否”。") % {"v": cell_text(raw)}


def parse_choice(raw: Any, choices: Mapping[str, str], shown: list[str]) -> tuple[str, str]:
    """A choice by its Chinese name (as the pages show it) or its code.

    `choices` maps every accepted spelling to the stored code; `shown` is the
    list of names offered in the message."""
    if is_blank(raw):
        return "", ""
    text = cell_text(raw)
    code = choices.get(text) or choices.get(text.lower())
    if code is None:
        return "", _("“%(v)s”不是可选值，请从以下选择：%(c)s。") % {
            "v": text,
            "c": "、".join(shown),
        }
    return code, ""


def parse_id_number(raw: Any) -> tuple[str, str]:
    """ID numbers must be text: a number cell has lost its last digits to
    floating point (Excel keeps 15 significant digits)."""
    if isinstance(raw, float | int) and not isinstance(raw, bool):
        return cell_text(raw), _(
            "公民身份号码被存成了数字，末几位已丢失；请把该列设为文本格式后重新填写号码。"
        )
    return cell_text(raw).upper().replace(" ", ""), ""


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA (as Excel names columns)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
