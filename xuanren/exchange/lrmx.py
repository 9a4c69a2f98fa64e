"""LRMX, the exchange file of the 干部任免审批表 (DOMAIN §6): a plain record
and its XML, both ways, and the 简历 (JianLi) text and its periods, both ways.

Pure Python, no ORM: `lrmx_records.py` maps these records to and from cadre
records. Everything a file can get wrong is reported as an `LrmxProblem`
naming the element, so that the importer can say which file and which element
is at fault and save nothing from that file.
"""

from __future__ import annotations

import base64
import binascii
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _

ROOT = "Person"
VERSION = "3.2.1.6"

#: Element order of the files this exporter writes (readers look elements up
#: by name: producers order them differently).
ELEMENTS = (
    "XingMing",
    "XingBie",
    "ChuShengNianYue",
    "MinZu",
    "JiGuan",
    "ChuShengDi",
    "RuDangShiJian",
    "CanJiaGongZuoShiJian",
    "JianKangZhuangKuang",
    "ZhuanYeJiShuZhiWu",
    "ShuXiZhuanYeYouHeZhuanChang",
    "QuanRiZhiJiaoYu_XueLi",
    "QuanRiZhiJiaoYu_XueWei",
    "QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi",
    "QuanRiZhiJiaoYu_XueWei_BiYeYuanXiaoXi",
    "ZaiZhiJiaoYu_XueLi",
    "ZaiZhiJiaoYu_XueWei",
    "ZaiZhiJiaoYu_XueLi_BiYeYuanXiaoXi",
    "ZaiZhiJiaoYu_XueWei_BiYeYuanXiaoXi",
    "XianRenZhiWu",
    "NiRenZhiWu",
    "NiMianZhiWu",
    "JianLi",
    "JiangChengQingKuang",
    "NianDuKaoHeJieGuo",
    "RenMianLiYou",
    "JiaTingChengYuan",
    "ChengBaoDanWei",
    "JiSuanNianLingShiJian",
    "TianBiaoShiJian",
    "TianBiaoRen",
    "ShenFenZheng",
    "ZhaoPian",
    "Version",
)
FAMILY_ELEMENTS = (
    "ChengWei",
    "XingMing",
    "ChuShengRiQi",
    "ZhengZhiMianMao",
    "GongZuoDanWeiJiZhiWu",
)


# ---- errors -------------------------------------------------------------------------


@dataclass(frozen=True)
class LrmxProblem:
    """One thing wrong in a file: the element (a path for family items, e.g.
    "JiaTingChengYuan/Item[2]/ChuShengRiQi") and a Chinese message."""

    element: str
    message: str


class LrmxFormatError(Exception):
    """A file that cannot be read as a cadre record; every problem found."""

    def __init__(self, problems: list[LrmxProblem]) -> None:
        super().__init__("; ".join(f"{p.element}: {p.message}" for p in problems))
        self.problems = problems


# ---- dates --------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date as LRMX writes it: year and month, the day only when given."""

    year: int
    month: int
    day: int | None = None

    def lrmx(self) -> str:
        """YYYYMM, or YYYYMMDD when the day is known."""
        if self.day is None:
            return f"{self.year:04d}{self.month:02d}"
        return f"{self.year:04d}{self.month:02d}{self.day:02d}"

    def dotted(self) -> str:
        return f"{self.year:04d}.{self.month:02d}"


_DATE_RE = re.compile(r"^(\d{4})[.．\-/年]?(\d{1,2})(?:[.．\-/月]?(\d{2}))?日?$")


def _valid_ymd(year: int, month: int, day: int | None) -> bool:
    import calendar

    if not (1 <= month <= 12) or not (1800 <= year <= 2200):
        return False
    return day is None or 1 <= day <= calendar.monthrange(year, month)[1]


def parse_partial_date(raw: str) -> PartialDate | None:
    """YYYYMM, YYYYMMDD, YYYY.MM, YYYY.M or YYYY.MM.DD; None for anything else."""
    text = raw.strip()
    match = _DATE_RE.match(text)
    if match is None:
        return None
    year, month = int(match[1]), int(match[2])
    # "20190" (a five-digit run) is neither form; a one-digit month needs a dot.
    if len(match[2]) == 1 and text[4:5].isdigit():
        return None
    day = int(match[3]) if match[3] else None
    if not _valid_ymd(year, month, day):
        return None
    return PartialDate(year, month, day)


# ---- JianLi -------------------------------------------------------------------------

_YM = r"\d{4}[.．]\d{1,2}|\d{6}"
_SEP = r"--|－－|——|—|–|-|－|~|～|至"
_PERIOD_RE = re.compile(rf"^\s*({_YM})\s*(?:{_SEP})\s*({_YM}|至今)?\s*(.*)$")
_NOTE_RE = re.compile(r"^[（(]\s*其间\s*[：:]\s*(.*?)\s*[）)]$")
_INLINE_NOTE_RE = re.compile(r"^(.*?)\s*[（(]\s*其间\s*[：:]\s*(.*?)\s*[）)]$")
#: Column where the text starts: "YYYY.MM--YYYY.MM  " is 18 characters.
TEXT_COLUMN = 18
CRLF = "\r\n"


@dataclass(frozen=True)
class ResumePeriod:
    """One period of the 简历: start, end (None while open), text, and the
    in-service study noted as "（其间：…）" (without the brackets)."""

    start: PartialDate
    end: PartialDate | None
    text: str
    note: str = ""


def _ym(raw: str) -> PartialDate | None:
    value = parse_partial_date(raw.replace("．", "."))
    return PartialDate(value.year, value.month) if value is not None and value.day is None else None


def parse_jianli(text: str) -> list[ResumePeriod]:
    """The periods of a JianLi text. A line that starts with a period opens an
    entry; other lines continue the previous entry (wrapped text), and a
    trailing "（其间：…）" becomes the entry's note. Raises LrmxFormatError."""
    entries: list[list[str]] = []  # [start, end, text]
    starts: list[tuple[PartialDate, PartialDate | None, int]] = []
    problems: list[LrmxProblem] = []
    for number, raw in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
        line = raw.strip()
        if not line:
            continue
        match = _PERIOD_RE.match(line)
        if match is None:
            if not entries:
                problems.append(
                    LrmxProblem(
                        "JianLi",
                        _("第 %(n)d 行“%(line)s”不以起止年月开头，也没有可接续的上一行。")
                        % {"n": number, "line": line[:30]},
                    )
                )
                continue
            entries[-1][2] += line
            continue
        start = _ym(match[1])
        end_raw = match[2] or ""
        end = None if end_raw in ("", "至今") else _ym(end_raw)
        if start is None or (end_raw not in ("", "至今") and end is None):
            problems.append(
                LrmxProblem(
                    "JianLi",
                    _("第 %(n)d 行的年月“%(d)s”无效，应为 YYYY.MM。")
                    % {"n": number, "d": line[:17]},
                )
            )
            continue
        if end is not None and end < start:
            problems.append(
                LrmxProblem(
                    "JianLi",
                    _("第 %(n)d 行的截止年月 %(e)s 早于起始年月 %(s)s。")
                    % {"n": number, "e": end.dotted(), "s": start.dotted()},
                )
            )
            continue
        starts.append((start, end, number))
        entries.append(["", "", match[3].strip()])
    if problems:
        raise LrmxFormatError(problems)
    periods = []
    for (start, end, number), (_s, _e, joined) in zip(starts, entries, strict=True):
        body, note = joined, ""
        inline = _INLINE_NOTE_RE.match(joined)
        if inline is not None:
            body, note = inline[1].strip(), inline[2]
        if not body:
            problems.append(
                LrmxProblem("JianLi", _("第 %(n)d 行只有年月，缺少单位及职务。") % {"n": number})
            )
            continue
        periods.append(ResumePeriod(start, end, body, note))
    if problems:
        raise LrmxFormatError(problems)
    return periods


def render_jianli(periods: list[ResumePeriod]) -> str:
    """The JianLi text: CRLF lines "YYYY.MM--YYYY.MM  text", an open end left
    blank with the text in the same column, each note on its own line."""
    lines = []
    for period in periods:
        end = period.end.dotted() if period.end is not None else ""
        head = f"{period.start.dotted()}--{end}"
        lines.append(head.ljust(TEXT_COLUMN) + period.text)
        if period.note:
            lines.append(" " * TEXT_COLUMN + f"（其间：{period.note}）")
    return CRLF.join(lines)


# ---- the record ---------------------------------------------------------------------


@dataclass(frozen=True)
class EducationText:
    """One education block of the form: 学历, 学位, and the school (and major)
    of each, as written."""

    level: str = ""
    degree: str = ""
    level_school: str = ""
    degree_school: str = ""


@dataclass(frozen=True)
class FamilyItem:
    relation: str  # ChengWei as written (妻子, 父亲, …)
    name: str
    birth: PartialDate | None = None
    political_status: str = ""  # as written (中共党员, 群众, …)
    work_unit_and_post: str = ""


@dataclass(frozen=True)
class LrmxRecord:
    """Everything an LRMX file says, typed; text as written, dates parsed."""

    name: str
    id_number: str
    sex: str = ""  # 男 / 女
    birth: PartialDate | None = None
    ethnicity: str = ""
    native_place: str = ""
    birthplace: str = ""
    # RuDangShiJian: a date for CPC members; some producers write the party
    # or status instead (民盟, 共青团员), kept in party_text.
    party_join: PartialDate | None = None
    party_text: str = ""
    work_start: PartialDate | None = None
    health: str = ""
    professional_title: str = ""
    specialty: str = ""
    full_time: EducationText = EducationText()
    in_service: EducationText = EducationText()
    current_post: str = ""
    proposed_post: str = ""
    post_to_remove: str = ""
    resume: tuple[ResumePeriod, ...] = ()
    rewards_punishments: str = ""
    assessments: str = ""
    reasons: str = ""
    family: tuple[FamilyItem, ...] = ()
    submitting_unit: str = ""
    age_reference: PartialDate | None = None
    filled_on: PartialDate | None = None
    filled_by: str = ""
    photo: bytes | None = None
    version: str = VERSION
    warnings: tuple[str, ...] = field(default=(), compare=False)


def _d(value: PartialDate | None) -> str:
    return value.lrmx() if value is not None else ""


def _education_elements(prefix: str, edu: EducationText) -> list[tuple[str, str]]:
    return [
        (f"{prefix}_XueLi", edu.level),
        (f"{prefix}_XueWei", edu.degree),
        (f"{prefix}_XueLi_BiYeYuanXiaoXi", edu.level_school),
        (f"{prefix}_XueWei_BiYeYuanXiaoXi", edu.degree_school),
    ]


def _text(value: str) -> str:
    # CR would be normalised away by any XML reader; written as a character
    # reference it survives, so JianLi keeps its CRLF line ends.
    return escape(value).replace("\r", "&#13;")


def record_to_xml(record: LrmxRecord) -> bytes:
    """The .lrmx file: UTF-8, root <Person>, the elements in ELEMENTS order,
    two-space indentation. Deterministic: the same record gives the same bytes."""
    values: dict[str, str] = {
        "XingMing": record.name,
        "XingBie": record.sex,
        "ChuShengNianYue": _d(record.birth),
        "MinZu": record.ethnicity,
        "JiGuan": record.native_place,
        "ChuShengDi": record.birthplace,
        "RuDangShiJian": _d(record.party_join) if record.party_join else record.party_text,
        "CanJiaGongZuoShiJian": _d(record.work_start),
        "JianKangZhuangKuang": record.health,
        "ZhuanYeJiShuZhiWu": record.professional_title,
        "ShuXiZhuanYeYouHeZhuanChang": record.specialty,
        **dict(_education_elements("QuanRiZhiJiaoYu", record.full_time)),
        **dict(_education_elements("ZaiZhiJiaoYu", record.in_service)),
        "XianRenZhiWu": record.current_post,
        "NiRenZhiWu": record.proposed_post,
        "NiMianZhiWu": record.post_to_remove,
        "JianLi": render_jianli(list(record.resume)),
        "JiangChengQingKuang": record.rewards_punishments,
        "NianDuKaoHeJieGuo": record.assessments,
        "RenMianLiYou": record.reasons,
        "ChengBaoDanWei": record.submitting_unit,
        "JiSuanNianLingShiJian": _d(record.age_reference),
        "TianBiaoShiJian": _d(record.filled_on),
        "TianBiaoRen": record.filled_by,
        "ShenFenZheng": record.id_number,
        "ZhaoPian": base64.b64encode(record.photo).decode("ascii") if record.photo else "",
        "Version": record.version,
    }
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f"<{ROOT}>"]
    for name in ELEMENTS:
        if name == "JiaTingChengYuan":
            lines.append("  <JiaTingChengYuan>")
            for item in record.family:
                lines.append("    <Item>")
                item_values = (
                    item.relation,
                    item.name,
                    _d(item.birth),
                    item.political_status,
                    item.work_unit_and_post,
                )
                for tag, value in zip(FAMILY_ELEMENTS, item_values, strict=True):
                    lines.append(f"      <{tag}>{_text(value)}</{tag}>")
                lines.append("    </Item>")
            lines.append("  </JiaTingChengYuan>")
            continue
        lines.append(f"  <{name}>{_text(values[name])}</{name}>")
    lines.append(f"</{ROOT}>")
    return ("\n".join(lines) + "\n").encode("utf-8")


# ---- reading ------------------------------------------------------------------------

PHOTO_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF8", b"BM")
MAX_PHOTO_BYTES = 2 * 1024 * 1024


class _Reader:
    """Element look-ups that collect problems instead of stopping at the first."""

    def __init__(self, root: ET.Element) -> None:
        self.root = root
        self.problems: list[LrmxProblem] = []
        self.warnings: list[str] = []

    def text(self, name: str, parent: ET.Element | None = None) -> str:
        node = (self.root if parent is None else parent).find(name)
        if node is None:
            return ""
        return "".join(node.itertext()).strip()

    def raw(self, name: str) -> str:
        """Text with inner line structure kept (JianLi)."""
        node = self.root.find(name)
        return "" if node is None else "".join(node.itertext())

    def date(self, name: str, value: str, *, month_only: bool = False) -> PartialDate | None:
        if not value:
            return None
        parsed = parse_partial_date(value)
        if parsed is None:
            self.problems.append(
                LrmxProblem(
                    name,
                    _("“%(v)s”不是有效的日期，应为 YYYYMM 或 YYYYMMDD（如 198503 或 19850302）。")
                    % {"v": value[:20]},
                )
            )
            return None
        return PartialDate(parsed.year, parsed.month) if month_only else parsed


def _education(reader: _Reader, prefix: str) -> EducationText:
    values = [reader.text(tag) for tag, _v in _education_elements(prefix, EducationText())]
    return EducationText(*values)


def _photo(reader: _Reader) -> bytes | None:
    raw = re.sub(r"\s+", "", reader.text("ZhaoPian"))
    if not raw:
        return None
    try:
        data = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        reader.problems.append(
            LrmxProblem("ZhaoPian", _("照片不是有效的 base64 编码，文件可能已损坏。"))
        )
        return None
    if not data.startswith(PHOTO_SIGNATURES):
        reader.problems.append(
            LrmxProblem(
                "ZhaoPian", _("照片解码后不是 JPEG、PNG、GIF 或 BMP 图片，文件可能已损坏。")
            )
        )
        return None
    if len(data) > MAX_PHOTO_BYTES:
        reader.problems.append(LrmxProblem("ZhaoPian", _("照片超过 2 MB，请压缩后再导入。")))
        return None
    return data


def _family(reader: _Reader) -> tuple[FamilyItem, ...]:
    block = reader.root.find("JiaTingChengYuan")
    if block is None:
        return ()
    items = []
    for index, node in enumerate(block.findall("Item"), start=1):
        where = f"JiaTingChengYuan/Item[{index}]"
        name = reader.text("XingMing", node)
        relation = reader.text("ChengWei", node)
        if not name and not relation:
            continue  # an empty row of the form
        if not name:
            reader.problems.append(LrmxProblem(f"{where}/XingMing", _("家庭成员缺少姓名。")))
        birth_raw = reader.text("ChuShengRiQi", node)
        birth = reader.date(f"{where}/ChuShengRiQi", birth_raw, month_only=False)
        items.append(
            FamilyItem(
                relation=relation,
                name=name,
                birth=birth,
                political_status=reader.text("ZhengZhiMianMao", node),
                work_unit_and_post=reader.text("GongZuoDanWeiJiZhiWu", node),
            )
        )
    return tuple(items)


def record_from_xml(data: bytes) -> LrmxRecord:
    """Read one .lrmx file. Raises LrmxFormatError with every problem found:
    not XML, another root, no XingMing or ShenFenZheng, a bad date, a broken
    photo, an unreadable JianLi."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf").lower()
    if b"<!doctype" in head or b"<!entity" in data.lower():
        # Entities are how XML files attack their readers; LRMX never uses them.
        raise LrmxFormatError([LrmxProblem(ROOT, _("文件含有 DOCTYPE 或实体声明，不予读取。"))])
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise LrmxFormatError(
            [
                LrmxProblem(
                    ROOT,
                    _(
                        "不是有效的 XML 文件（第 %(line)d 行第 %(col)d 列附近），请确认是 LRMX 文件且未损坏。"
                    )
                    % {"line": exc.position[0], "col": exc.position[1] + 1},
                )
            ]
        ) from None
    if root.tag != ROOT:
        raise LrmxFormatError(
            [LrmxProblem(ROOT, _("根元素应为 Person，实为 %(t)s。") % {"t": str(root.tag)[:40]})]
        )
    reader = _Reader(root)
    name = reader.text("XingMing")
    if not name:
        reader.problems.append(LrmxProblem("XingMing", _("缺少姓名（XingMing 为空或不存在）。")))
    id_number = reader.text("ShenFenZheng")
    if not id_number:
        reader.problems.append(
            LrmxProblem("ShenFenZheng", _("缺少公民身份号码，无法确定对应的干部。"))
        )
    party_raw = reader.text("RuDangShiJian")
    party_join = None
    party_text = ""
    if party_raw and party_raw[:1].isdigit():
        party_join = reader.date("RuDangShiJian", party_raw, month_only=True)
    else:
        party_text = party_raw
    resume: tuple[ResumePeriod, ...] = ()
    try:
        resume = tuple(parse_jianli(reader.raw("JianLi")))
    except LrmxFormatError as exc:
        reader.problems.extend(exc.problems)
    record = LrmxRecord(
        name=name,
        id_number=id_number,
        sex=reader.text("XingBie"),
        birth=reader.date("ChuShengNianYue", reader.text("ChuShengNianYue")),
        ethnicity=reader.text("MinZu"),
        native_place=reader.text("JiGuan"),
        birthplace=reader.text("ChuShengDi"),
        party_join=party_join,
        party_text=party_text,
        work_start=reader.date(
            "CanJiaGongZuoShiJian", reader.text("CanJiaGongZuoShiJian"), month_only=True
        ),
        health=reader.text("JianKangZhuangKuang"),
        professional_title=reader.text("ZhuanYeJiShuZhiWu"),
        specialty=reader.text("ShuXiZhuanYeYouHeZhuanChang"),
        full_time=_education(reader, "QuanRiZhiJiaoYu"),
        in_service=_education(reader, "ZaiZhiJiaoYu"),
        current_post=reader.text("XianRenZhiWu"),
        proposed_post=reader.text("NiRenZhiWu"),
        post_to_remove=reader.text("NiMianZhiWu"),
        resume=resume,
        rewards_punishments=reader.raw("JiangChengQingKuang").strip(),
        assessments=reader.text("NianDuKaoHeJieGuo"),
        reasons=reader.text("RenMianLiYou"),
        family=_family(reader),
        submitting_unit=reader.text("ChengBaoDanWei"),
        age_reference=reader.date("JiSuanNianLingShiJian", reader.text("JiSuanNianLingShiJian")),
        filled_on=reader.date("TianBiaoShiJian", reader.text("TianBiaoShiJian")),
        filled_by=reader.text("TianBiaoRen"),
        photo=_photo(reader),
        version=reader.text("Version") or VERSION,
    )
    if reader.problems:
        raise LrmxFormatError(reader.problems)
    return record


# ---- texts inside the record ----------------------------------------------------------

#: 年度考核 grades as the form writes them, longest first so that 基本称职 is
#: not read as 称职.
ASSESSMENT_WORDS = ("不定等次", "基本称职", "不称职", "优秀", "称职")
_ASSESSMENT_RE = re.compile(
    r"(\d{4})\s*年度?(?:考核)?(?:结果)?(?:为|：|:)?\s*(" + "|".join(ASSESSMENT_WORDS) + ")"
)


def parse_assessments(text: str) -> list[tuple[int, str]]:
    """(year, grade word) pairs from "2021年度考核优秀；2022年度考核称职。"."""
    return [(int(m[1]), m[2]) for m in _ASSESSMENT_RE.finditer(text)]


def render_assessments(pairs: list[tuple[int, str]]) -> str:
    if not pairs:
        return ""
    return "；".join(f"{year}年度考核{word}" for year, word in sorted(pairs)) + "。"


_RECORD_LINE_RE = re.compile(r"^(\d{4})[.．](\d{1,2})\s+(\S+?)[：:](.+)$")


def parse_rewards(text: str) -> tuple[list[tuple[PartialDate, str, str]], list[str]]:
    """Lines "YYYY.MM 种类：名称" as this exporter writes them; the other lines
    (free text from other producers) are returned apart, unread."""
    parsed: list[tuple[PartialDate, str, str]] = []
    other: list[str] = []
    for raw in re.split(r"\r\n|\r|\n", text):
        line = raw.strip()
        if not line or line == "无":
            continue
        match = _RECORD_LINE_RE.match(line)
        when = _ym(f"{match[1]}.{match[2]}") if match else None
        if match is None or when is None:
            other.append(line)
            continue
        parsed.append((when, match[3], match[4].strip()))
    return parsed, other


def render_rewards(lines: list[tuple[PartialDate, str, str]]) -> str:
    if not lines:
        return "无"
    return CRLF.join(f"{when.dotted()} {category}：{title}" for when, category, title in lines)
