"""The pure cell parsers of the XLSX import."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from xuanren.exchange.xlsx_columns import choice_lookup, choice_names
from xuanren.exchange.xlsx_parse import (
    cell_text,
    column_letter,
    parse_bool,
    parse_choice,
    parse_date,
    parse_id_number,
    parse_int,
    parse_text,
)
from xuanren.org.models import Level

DAYS = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))


@given(DAYS, st.sampled_from(["%Y-%m-%d", "%Y.%m.%d", "%Y/%m/%d", "%Y%m%d"]))
def test_every_accepted_date_form_reads_back(day: dt.date, form: str) -> None:
    assert parse_date(day.strftime(form)) == (day, "")
    assert parse_date(f"{day.year}年{day.month}月{day.day}日") == (day, "")
    assert parse_date(day) == (day, "")
    assert parse_date(dt.datetime.combine(day, dt.time(12))) == (day, "")


@given(DAYS)
def test_month_only_dates_are_the_first_of_the_month(day: dt.date) -> None:
    first = day.replace(day=1)
    assert parse_date(f"{day.year}.{day.month:02d}") == (first, "")
    assert parse_date(f"{day.year}-{day.month}") == (first, "")
    assert parse_date(f"{day.year}{day.month:02d}") == (first, "")


def test_bad_dates_say_what_to_write() -> None:
    for raw in ["1985.13.01", "1985-02-30", "19850230"]:
        value, message = parse_date(raw)
        assert value is None and "不是有效日期" in message
    value, message = parse_date("去年")
    assert value is None and "YYYY-MM-DD" in message and "YYYY.MM.DD" in message
    assert "超出范围" in parse_date("1800-01-01")[1]
    assert parse_date("") == (None, "") and parse_date("  ") == (None, "")


@given(st.integers(min_value=0, max_value=1000))
def test_integers_from_numbers_and_text(n: int) -> None:
    assert parse_int(float(n), maximum=1000) == (n, "")
    assert parse_int(str(n), maximum=1000) == (n, "")
    assert parse_int(f"{n}.0", maximum=1000) == (n, "")


def test_integer_errors() -> None:
    assert "不是整数" in parse_int(2.5)[1]
    assert "不是整数" in parse_int("二")[1]
    assert "超出允许范围" in parse_int(0.0, minimum=1)[1]
    assert parse_int("") == (None, "")


def test_yes_no() -> None:
    assert parse_bool("是") == (True, "") and parse_bool("否") == (False, "")
    assert parse_bool(True) == (True, "") and parse_bool(0.0) == (False, "")
    assert "是”或“否" in parse_bool("也许")[1]


def test_choices_by_chinese_name_english_name_or_code() -> None:
    lookup, shown = choice_lookup(Level), list(choice_names(Level))
    assert parse_choice("正科级", lookup, shown) == ("section_principal", "")
    assert parse_choice("section_deputy", lookup, shown) == ("section_deputy", "")
    value, message = parse_choice("科长级", lookup, shown)
    assert value == "" and "正科级、副科级" in message


def test_text_and_id_numbers() -> None:
    assert parse_text(" 张三 ", max_length=5) == ("张三", "")
    assert "最多 2 个字" in parse_text("张三丰", max_length=2)[1]
    assert cell_text(3.0) == "3" and cell_text(dt.date(2020, 1, 2)) == "2020-01-02"
    assert parse_id_number("33042119850302001x") == ("33042119850302001X", "")
    assert "文本格式" in parse_id_number(3.3042119850302e17)[1]


@given(st.integers(min_value=0, max_value=18277))
def test_column_letters_count_like_excel(index: int) -> None:
    letters = column_letter(index)
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    assert number == index + 1
    assert column_letter(0) == "A" and column_letter(25) == "Z" and column_letter(26) == "AA"
