"""Ordering names by surname stroke count (按姓氏笔画排序), as public notices
and name lists print them.

The rule: compare the first character's stroke count (the surname's), then
the next character's, and so on; a shorter name that is a prefix of a longer
one comes first (王 before 王伟). Characters with the same stroke count are
ordered by code point, which is deterministic but is NOT the official tie-break
by the shape of the first stroke (横竖撇点折, GB 13000.1 笔顺规范): no maintained
stroke-order data for simplified characters is available to this project
without a new dependency (see docs/decisions/0015-public-notice-and-reports.md).
Characters not in the tables sort after every known character, in code point
order.

Source of the counts: the Unicode Han Database (Unihan 15.0, field
kTotalStrokes, first value = the mainland China (zh-Hans) count, as in
《通用规范汉字表》), read from Debian's unicode-data 15.0.0 package for every
character of the common surnames (the 399 surnames of Faker's zh_CN list and
the synthetic county's surnames, compound ones included) and of the given-name
characters the synthetic county uses. Pure: no Django.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")

#: Characters of common surnames, by stroke count.
_SURNAME_CHARS: dict[int, str] = {
    2: "丁刁卜",
    3: "万于卫干门马",
    4: "丰乌云亓井亢仇元公勾区卞孔尤尹巴戈支文方毛牛王计车邓韦",
    5: "丛乐付仝兰冉冯包卢印厉古史叶司宁左帅平母玉甘田由申白皮石艾边邝龙",
    6: (
        "乔仲任伊伍伏全关农刘匡华危吉向吕孙安尧巩师庄戎成曲朱朴权毕江池汤牟祁米纪"
        "羊衣许邢那邬闫闭阮阳阴齐"
    ),
    7: (
        "严但位何佘余佟况冶冷初利劳吴宋岑巫应张时李杜束来杨汪沈沙狄肖芦芮花苏谷豆"
        "辛连迟邰邱邵邸邹闵阿陆陈麦"
    ),
    8: "冼卓单周呼和国奉孟季宗官尚居屈岳幸庞房明易杭林欧武练罗苑苗苟范茅郁郎郑金",
    9: ("侯俞信修南哈姚姜娄宣宫封战施昝柏查柯柳段洪相祖祝禹胡胥茹荆荣费贺赵郜郝钟闻项饶骆"),
    10: (
        "倪党凌卿原唐夏奚姬容宾展席徐敖晁晋晏柴栗栾桂桑殷浦海涂班秦索翁耿聂莫袁诸谈贾郭都钱陶顾高"
    ),
    11: "商宿寇尉屠崔常康戚扈曹梁梅盖盘盛章符萧谌逯银阎隆隋鹿麻黄龚",
    12: "傅储喻富嵇强彭惠揭敬斯普景智曾植温游湛焦程童粟舒葛董蒋覃谢辜韩鲁",
    13: "廉楚楼满甄窦简蒙蒲蓝虞裘褚解詹赖路鄢阙雍雷靳鲍",
    14: "廖慕漆熊管缪翟臧蔡蔺裴谭赫阚鲜",
    15: "樊滕潘颜黎",
    16: "冀燕穆薄薛衡霍",
    17: "戴檀鞠魏",
    18: "瞿",
}
#: Common given-name characters (those not already above), by stroke count.
_GIVEN_CHARS: dict[int, str] = {
    1: "一",
    2: "力",
    3: "子小飞",
    4: "中丹凤天月",
    5: "东巧永立",
    6: "亚伟光兴军刚宇帆庆旭红",
    7: "丽宏志秀良芳",
    8: "佩佳凯建怡杰欣波英雨",
    9: "亮俊勇娜思春洁玲珊",
    10: "倩健娟家峰悦振晓浩涛祥艳莉莹",
    11: "彬敏晨梦萍雪",
    12: "婷媛斌晶琳琴琼超辉锋雯",
    13: "新蓉颖鹏",
    14: "嘉瑶静",
    15: "德慧毅磊",
    16: "薇",
    17: "璐霞",
    21: "露",
    24: "鑫",
}


def _flatten(*tables: dict[int, str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for table in tables:
        for strokes, chars in table.items():
            for ch in chars:
                counts[ch] = strokes
    return counts


#: Character → stroke count, for every character in the two tables.
STROKES: dict[str, int] = _flatten(_SURNAME_CHARS, _GIVEN_CHARS)


def stroke_count(ch: str) -> int | None:
    """The stroke count of one character, None when the table does not know it."""
    return STROKES.get(ch)


def stroke_key(name: str) -> tuple[tuple[int, int, int], ...]:
    """Sort key of a name: per character (known?, strokes, code point); unknown
    characters after every known one, in code point order."""
    key = []
    for ch in name.strip():
        strokes = STROKES.get(ch)
        key.append((0, strokes, ord(ch)) if strokes is not None else (1, 0, ord(ch)))
    return tuple(key)


def by_strokes(items: Iterable[T], name: Callable[[T], str] = str) -> list[T]:
    """`items` ordered by the stroke key of `name(item)` (a stable sort)."""
    return sorted(items, key=lambda item: stroke_key(name(item)))
