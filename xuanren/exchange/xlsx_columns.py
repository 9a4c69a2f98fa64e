"""The template workbook's format: its sheets and columns.

Sheet names and column headers are part of the file format, like the element
names of an LRMX file, so they are fixed Chinese strings and not translated
(docs/decisions/0028). The importer finds columns by header, in any order; a
trailing * (or ＊) marks a required column and is ignored when matching.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from functools import cache

from django.db import models
from django.utils import translation

from xuanren.org.models import Level, PostCategory, UnitKind
from xuanren.people.models import (
    CadreIdentity,
    Degree,
    EducationKind,
    EducationLevel,
    PoliticalStatus,
    Sex,
)
from xuanren.workforce.models import EntryMethod


class Kind(Enum):
    TEXT = "text"
    DATE = "date"
    INT = "int"
    BOOL = "bool"
    CHOICE = "choice"
    ID_NUMBER = "id_number"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: Kind = Kind.TEXT
    required: bool = False
    max_length: int = 100
    choices: type[models.TextChoices] | None = None
    minimum: int = 0
    maximum: int = 1_000_000
    note: str = ""
    example: str = ""
    width: int = 14

    @property
    def title(self) -> str:
        """The header as written in the template (required ones end in *)."""
        return self.header + ("*" if self.required else "")


@dataclass(frozen=True)
class Sheet:
    key: str
    name: str
    columns: tuple[Column, ...]
    note: str
    perms: tuple[str, ...] = field(default_factory=tuple)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


DATE_NOTE = "日期，写成 YYYY-MM-DD 或 YYYY.MM.DD（如 1985-03-02），也可用日期格式单元格；只写年月（YYYY.MM）时按该月 1 日"
BOOL_NOTE = "填“是”或“否”"

UNITS = Sheet(
    key="units",
    name="单位",
    perms=("org.add_unit",),
    note="新建单位。上级单位可以是系统中已有的单位，也可以是本表中的另一行（顺序不限）。",
    columns=(
        Column("code", "单位代码", required=True, max_length=32, example="C1001",
               note="全系统唯一；职位、职数、干部表用它指明单位"),
        Column("name", "单位名称", required=True, max_length=100, example="青山县财政局"),
        Column("short_name", "简称", max_length=40, example="县财政局"),
        Column("kind", "单位类别", Kind.CHOICE, required=True, choices=UnitKind, width=20),
        Column("level", "机构规格", Kind.CHOICE, choices=Level, note="可不填"),
        Column("parent_code", "上级单位代码", max_length=32, example="C0",
               note="与“上级单位（名称路径）”任填其一；都填时须指同一单位；"
               "都不填为顶级单位（仅系统管理员可建）"),
        Column("parent_path", "上级单位（名称路径）", max_length=255, example="青山县",
               note="从顶级单位起的名称，以“/”分隔，如：青山县/城关镇", width=24),
        Column("sort_order", "排序", Kind.INT, note="非负整数，越小越靠前"),
        Column("establishment_document", "三定方案文件", max_length=100),
    ),
)  # fmt: skip

POSTS = Sheet(
    key="posts",
    name="职位",
    perms=("org.add_post",),
    note="新建职位（领导职务）。单位填单位代码，可以是本工作簿“单位”表中新建的单位。",
    columns=(
        Column("unit_code", "单位代码", required=True, max_length=32, example="C1001"),
        Column("title", "职务名称", required=True, max_length=60, example="局长"),
        Column("level", "职务层次", Kind.CHOICE, required=True, choices=Level),
        Column("category", "职务类别", Kind.CHOICE, choices=PostCategory, width=20,
               note="不填为“行政职务”"),
        Column("is_principal", "正职", Kind.BOOL, note=BOOL_NOTE + "；不填为“否”"),
        Column("is_party_government_principal", "党政正职（一把手）", Kind.BOOL,
               note=BOOL_NOTE + "；填“是”时“正职”也须为“是”"),
        Column("professional_requirement", "专业要求", max_length=100),
        Column("counts_against_quota", "占职数", Kind.BOOL, note=BOOL_NOTE + "；不填为“是”"),
        Column("seats", "职位数", Kind.INT, minimum=1, maximum=99, note="正整数；不填为 1"),
        Column("sort_order", "排序", Kind.INT, note="非负整数"),
    ),
)  # fmt: skip

QUOTAS = Sheet(
    key="quotas",
    name="职数",
    perms=("org.change_quota",),
    note="核定职数。某单位某层次已有职数时，以本表的数字为准（改为新值）。",
    columns=(
        Column("unit_code", "单位代码", required=True, max_length=32, example="C1001"),
        Column("level", "职务层次", Kind.CHOICE, required=True, choices=Level),
        Column("approved", "核定职数", Kind.INT, required=True, maximum=999, note="非负整数"),
        Column("source", "依据", max_length=100, example="县编委〔2024〕3号"),
    ),
)  # fmt: skip

CADRES = Sheet(
    key="cadres",
    name="干部",
    perms=("people.add_cadre",),
    note="新建干部信息。公民身份号码已在系统中的干部不能重复导入。",
    columns=(
        Column("name", "姓名", required=True, max_length=30, example="张伟"),
        Column("sex", "性别", Kind.CHOICE, required=True, choices=Sex, width=8,
               note="须与公民身份号码第 17 位一致（奇数男、偶数女）"),
        Column("ethnicity", "民族", max_length=20, example="汉族", note="不填为“汉族”"),
        Column("birth_date", "出生日期", Kind.DATE,
               note=DATE_NOTE + "；须与公民身份号码一致；不填则取自号码"),
        Column("id_number", "公民身份号码", Kind.ID_NUMBER, required=True, max_length=18,
               width=22, example="330421198503020013",
               note="18 位，末位可为 X；请用文本格式，数字格式会丢失末几位"),
        Column("political_status", "政治面貌", Kind.CHOICE, required=True,
               choices=PoliticalStatus),
        Column("party_join_date", "入党时间", Kind.DATE,
               note=DATE_NOTE + "；党员必填，须年满 18 周岁后"),
        Column("party_full_date", "转正时间", Kind.DATE, note=DATE_NOTE + "；晚于入党时间"),
        Column("work_start_date", "参加工作时间", Kind.DATE, note=DATE_NOTE + "；晚于出生日期"),
        Column("native_place", "籍贯", max_length=60, example="浙江青山"),
        Column("birthplace", "出生地", max_length=60, example="浙江青山"),
        Column("health", "健康状况", max_length=30, note="不填为“健康”"),
        Column("professional_title", "专业技术职务", max_length=60),
        Column("specialty", "熟悉专业有何专长", max_length=100),
        Column("unit_code", "单位代码", required=True, max_length=32, example="C1001",
               note="所在单位的代码，可为本工作簿新建的单位"),
        Column("current_post_title", "现任职务", max_length=120, width=24,
               example="青山县财政局局长"),
        Column("level", "职务层次", Kind.CHOICE, choices=Level),
        Column("level_since", "任现职务层次时间", Kind.DATE, note=DATE_NOTE),
        Column("rank", "职级", max_length=30, example="一级主任科员"),
        Column("rank_since", "任现职级时间", Kind.DATE, note=DATE_NOTE),
        Column("grassroots_months", "基层工作经历（月）", Kind.INT, maximum=720,
               note="整月数；不清楚可不填"),
        Column("education_level", "学历", Kind.CHOICE, choices=EducationLevel,
               note="最高学历；填写后须填毕业院校"),
        Column("degree", "学位", Kind.CHOICE, choices=Degree, note="不填为“无”"),
        Column("school", "毕业院校", max_length=80, width=20),
        Column("major", "所学专业", max_length=60),
        Column("education_kind", "教育类别", Kind.CHOICE, choices=EducationKind,
               note="不填为“全日制教育”"),
        Column("identity", "身份", Kind.CHOICE, choices=CadreIdentity, width=18,
               note="公务员、参照公务员法管理、事业单位、国有企业或其他；不填为未记录"),
        # 凡进必考 (docs/decisions/0181, 0187): written through workforce.services.entry_set
        Column("entry_method", "进人方式", Kind.CHOICE, choices=EntryMethod, width=12,
               note="不填则不登记；填写须有“登记进人方式”的权限，并同时填写进入时间"),
        Column("entered_on", "进入时间", Kind.DATE,
               note=DATE_NOTE + "；不早于年满 16 周岁之日，不晚于今天"),
        Column("entry_document", "进人文件文号", max_length=80, width=20,
               example="青人〔2012〕15号", note="进人方式为“其他”以外时必填"),
        Column("entry_note", "进人方式说明", max_length=200, width=20,
               note="进人方式为“其他”时必填，说明具体方式"),
    ),
)  # fmt: skip

TRAININGS = Sheet(
    key="trainings",
    name="培训",
    perms=("people.change_cadre",),
    note="干部参加培训的记录，每次培训一行，计入《党政领导干部选拔任用工作条例》规定的培训学时。"
    "干部可为系统中已有的干部（须在您的管理范围内），也可为本工作簿“干部”表新建的干部。",
    columns=(
        Column("id_number", "公民身份号码", Kind.ID_NUMBER, required=True, max_length=18,
               width=22, example="330421198503020013", note="参加培训的干部"),
        Column("name", "姓名", max_length=30, example="张伟",
               note="可不填；填写时须与该公民身份号码的干部姓名一致"),
        Column("year", "年度", Kind.INT, required=True, minimum=1900, maximum=2999, width=8,
               example="2025", note="培训结束的年份，不能晚于今年"),
        Column("hours", "学时", Kind.INT, required=True, width=8, example="40",
               note="本次培训的学时，1 至 2000 之间的整数"),
        Column("title", "培训名称", required=True, max_length=120, width=28,
               example="全县中青年干部培训班"),
    ),
)  # fmt: skip

SHEETS: tuple[Sheet, ...] = (UNITS, POSTS, QUOTAS, CADRES, TRAININGS)
NOTES_SHEET = "说明"
LISTS_SHEET = "选项"


def normalize_header(text: str) -> str:
    return text.strip().rstrip("*＊").strip()


@cache
def choice_names(choices: type[models.TextChoices]) -> tuple[str, ...]:
    """The Chinese names of a choice set, as the pages show them."""
    with translation.override("zh-hans"):
        return tuple(str(label) for label in choices.labels)


@cache
def choice_lookup(choices: type[models.TextChoices]) -> dict[str, str]:
    """Every accepted spelling (Chinese name, English name, code) → code."""
    lookup: dict[str, str] = {}
    for lang in ("en", "zh-hans"):  # Chinese last: it wins any clash
        with translation.override(lang):
            for value, label in choices.choices:
                lookup[str(label)] = value
                lookup[str(label).lower()] = value
    for value in choices.values:
        lookup[value] = value
    return lookup
