"""Names ordered by surname strokes (按姓氏笔画)."""

from xuanren.supervision.strokes import STROKES, by_strokes, stroke_count, stroke_key


def test_counts_of_common_surnames():
    # Unihan kTotalStrokes, mainland forms.
    expected = {"丁": 2, "王": 4, "叶": 5, "刘": 6, "张": 7, "陈": 7, "周": 8, "欧": 8,
                "赵": 9, "徐": 10, "黄": 11, "曾": 12, "蔡": 14, "潘": 15, "薛": 16,
                "戴": 17, "瞿": 18}  # fmt: skip
    assert {ch: stroke_count(ch) for ch in expected} == expected


def test_every_surname_of_the_synthetic_county_is_known():
    from xuanren.synth.data import SURNAMES

    missing = [s for s, _w in SURNAMES if any(ch not in STROKES for ch in s)]
    assert missing == []


def test_surnames_by_stroke_count():
    names = ["张伟", "王芳", "丁一", "刘洋", "欧阳明", "司马光", "黄磊"]
    assert by_strokes(names) == ["丁一", "王芳", "司马光", "刘洋", "张伟", "欧阳明", "黄磊"]


def test_same_surname_by_the_next_characters_and_a_prefix_first():
    assert by_strokes(["王敏", "王芳", "王伟", "王"]) == ["王", "王伟", "王芳", "王敏"]


def test_same_count_by_code_point():
    # 方 and 王 both have 4 strokes: code point order (U+65B9 before U+738B).
    assert by_strokes(["王一", "方一"]) == ["方一", "王一"]


def test_unknown_characters_after_known_ones_in_code_point_order():
    # 龘 (48 strokes) and 𠀀 are not in the table: after 瞿 (18), by code point.
    assert stroke_count("龘") is None
    assert by_strokes(["𠀀甲", "龘乙", "瞿秋白", "丁一"]) == ["丁一", "瞿秋白", "龘乙", "𠀀甲"]
    assert stroke_key("A") > stroke_key("瞿")


def test_by_strokes_takes_a_name_function_and_is_stable():
    rows = [("张伟", 1), ("王芳", 2), ("张伟", 3)]
    assert by_strokes(rows, name=lambda r: r[0]) == [("王芳", 2), ("张伟", 1), ("张伟", 3)]
