"""A deterministic, realistic synthetic county (or several counties).

Everything is drawn from one random generator seeded with the seed, in a fixed
order (couples and siblings who are both cadres draw their shared children and
parents from generators derived from it), so the same seed and reference date
give the same units, names and ID numbers. The
generator knows nothing of databases: it hands rows (tuples in the column
order of people.bulk.COLUMNS) to a sink, a chunk at a time, so that memory stays bounded
by the size of one county plus one chunk of cadres. IDs are assigned here
(from the first free ID of each table the loader found), because a cadre's
family members point at other cadres and tenures at posts.

Two passes per county:
  1. plan: units, posts, quotas, and for every cadre the facts other records
     depend on (sex, birth, name, education dates, political status, current
     post and its start, family links), so that a spouse's entry can repeat
     the partner's name and post;
  2. records: the cadre row and its children, chunk by chunk.

Post seats are lanes: a lane holds at most one tenure at a time, so a post
never has more concurrent tenures than seats (validation.max_concurrent).
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
import math
import random
from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db import models

from xuanren.common.bulk import Row
from xuanren.common.dates import add_months, add_years
from xuanren.org.models import Post, Quota, Unit
from xuanren.org.pinyin import unit_pinyin
from xuanren.org.services import path_segment
from xuanren.people.bulk import COLUMNS, MODELS_IN_ORDER
from xuanren.people.idnumbers import build_id_number
from xuanren.people.models import (
    EDUCATION_RANK,
    Assessment,
    Cadre,
    Education,
    FamilyMember,
    ResumeEntry,
    RewardPunishment,
    Tenure,
    Training,
)
from xuanren.people.retirement import latest_birth_retiring_by, original_retirement_age
from xuanren.people.services import name_initials
from xuanren.synth import data

# Level codes (org.models.Level) by rank, and which level a cadre usually held
# before the current one (promotion) — used to give leaders a past tenure.
DIV_D, SEC_P, SEC_D, SUB_P, SUB_D = (
    "division_deputy",
    "section_principal",
    "section_deputy",
    "subsection_principal",
    "subsection_deputy",
)
PREVIOUS_LEVEL = {DIV_D: SEC_P, SEC_P: SEC_D, SEC_D: SUB_P, SUB_P: SUB_D}
# Years of work before a first post of the level (roughly Reg. 2019 art. 8/9).
MIN_WORK_YEARS = {DIV_D: 12, SEC_P: 8, SEC_D: 5, SUB_P: 3, SUB_D: 2}
# Ages (completed years) of holders of each level: men, women. The oldest
# reach the statutory retirement age of the 2024 decision (people/retirement.py:
# men 60 and women 55 plus a few months; county-level women in organs 60), so
# some retire within the year; a birth that would already be past it is moved
# into the months just before it (Generator._plan_one): nobody active is.
AGE_RANGE = {
    DIV_D: ((40, 60), (40, 58)),
    SEC_P: ((33, 60), (33, 55)),
    SEC_D: ((29, 59), (29, 55)),
    SUB_P: ((27, 58), (27, 55)),
    SUB_D: ((25, 50), (25, 50)),
    "": ((22, 60), (22, 55)),
}
TOWN_KINDS = ("township", "street_office")
# How many ordinary (non-leading) cadres a unit of each kind draws, relative.
KIND_WEIGHT = {
    "region": 0.0,
    "party_organ": 18.0,
    "government_department": 24.0,
    "other_organ": 12.0,
    "township": 40.0,
    "street_office": 30.0,
    "public_institution": 14.0,
    "state_company": 10.0,
    "school": 6.0,
    "internal_office": 3.0,
}
MAX_COUNTY_UNITS = 300
COUNTY_UNITS = 250
COUNTY_CADRES = 50_000
MIN_COUNTY_UNITS = 30


class Sink(Protocol):
    def write(self, model: type[models.Model], columns: Sequence[str], rows: list[Row]) -> None:
        """Store rows (tuples in `columns` order) of one table."""


class MemorySink:
    """Keeps every row; for tests and for dry runs."""

    def __init__(self) -> None:
        self.rows: dict[type[models.Model], list[Row]] = defaultdict(list)

    def write(self, model: type[models.Model], columns: Sequence[str], rows: list[Row]) -> None:
        self.rows[model].extend(rows)

    def dicts(self, model: type[models.Model]) -> list[dict[str, Any]]:
        return [dict(zip(COLUMNS[model], row, strict=True)) for row in self.rows[model]]


@dataclass(frozen=True)
class SeedConfig:
    cadres: int
    units: int
    seed: int
    as_of: dt.date
    county_name: str = ""
    chunk_size: int = 5000


# ---- small helpers ---------------------------------------------------------


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _office_head(name: str) -> str:
    """The head's title of an internal office, from how its name ends."""
    for suffix, head in (
        ("大队", "大队长"), ("股", "股长"), ("科", "科长"), ("庭", "庭长"), ("执行局", "局长"),
        ("组", "组长"), ("所", "所长"), ("站", "站长"),
    ):  # fmt: skip
        if name.endswith(suffix):
            return head
    return "主任"


class FastRandom(random.Random):
    """random.Random with randint/choice/randrange computed from one float.

    The library versions draw bits in a rejection loop, which costs several
    times more; the bias here (below 1e-15) does not matter for test data.
    Deterministic like its base: the same seed gives the same sequence."""

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def choice(self, seq: Any) -> Any:
        return seq[int(self.random() * len(seq))]

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:
        if stop is None:
            return int(self.random() * start)
        return start + int(self.random() * (stop - start))


class _Weighted:
    """rng.choices with precomputed cumulative weights (much faster in loops)."""

    def __init__(self, items: Sequence[tuple[Any, float]]) -> None:
        self.values = [v for v, _w in items]
        self.cum = list(itertools.accumulate(w for _v, w in items))
        self.total = self.cum[-1]

    def pick(self, rng: random.Random) -> Any:
        return self.values[bisect.bisect_right(self.cum, rng.random() * self.total)]


SURNAMES = _Weighted(data.SURNAMES)
ETHNICITIES = _Weighted(data.ETHNICITIES)
# 身份 by unit kind (CadreIdentity codes): organs are 公务员 or 参照公务员法管理
# (群团 organs among "other_organ" mostly the latter); public institutions
# and schools 事业单位 (a few 参公); state companies 国有企业.
_ORGAN_IDENTITY = _Weighted((("civil_servant", 92), ("reference_civil_servant", 8)))
IDENTITY_BY_KIND = {
    "region": _ORGAN_IDENTITY,
    "party_organ": _ORGAN_IDENTITY,
    "government_department": _Weighted((("civil_servant", 88), ("reference_civil_servant", 12))),
    "other_organ": _Weighted((("civil_servant", 60), ("reference_civil_servant", 40))),
    "township": _ORGAN_IDENTITY,
    "street_office": _ORGAN_IDENTITY,
    "public_institution": _Weighted((("public_institution", 88), ("reference_civil_servant", 12))),
    "school": _Weighted((("public_institution", 1),)),
    "state_company": _Weighted((("state_enterprise", 1),)),
}
# Full-time education by birth cohort (later cohorts studied longer).
EDUCATION_BY_COHORT = (
    (1990, _Weighted((("postgraduate", 15), ("bachelor", 70), ("junior_college", 13), ("secondary_vocational", 2)))),
    (1980, _Weighted((("postgraduate", 8), ("bachelor", 55), ("junior_college", 25), ("secondary_vocational", 10), ("high_school", 2)))),
    (1970, _Weighted((("postgraduate", 2), ("bachelor", 30), ("junior_college", 35), ("secondary_vocational", 25), ("high_school", 8)))),
    (0, _Weighted((("postgraduate", 1), ("bachelor", 20), ("junior_college", 30), ("secondary_vocational", 35), ("high_school", 12), ("junior_high_or_below", 2)))),
)  # fmt: skip
# Age at entry and years of study; a postgraduate's seven years include the bachelor's four.
STUDY_YEARS = {
    "postgraduate": (18, 7), "bachelor": (18, 4), "junior_college": (18, 3),
    "secondary_vocational": (15, 3), "high_school": (15, 3), "junior_high_or_below": (12, 3),
}  # fmt: skip


@dataclass(slots=True, eq=False)
class U:
    """A unit being built."""

    id: int
    name: str
    short: str
    kind: str
    level: str
    parent: U | None
    path: str
    depth: int
    resume_name: str  # how a resume line names it: with the county's name
    weight: float  # share of the county's ordinary cadres
    county: U | None = None  # None for a county itself (its own county)
    children: int = 0
    posts: list[P] = field(default_factory=list)

    @property
    def home(self) -> U:
        return self.county or self

    @property
    def grassroots(self) -> bool:
        """Townships, street offices and their offices and stations (基层)."""
        return self.kind in TOWN_KINDS or (
            self.parent is not None and self.parent.kind in TOWN_KINDS
        )

    @property
    def label(self) -> str:
        """How a current post title names the unit (as tenure_start does)."""
        return self.short or self.name


@dataclass(slots=True, eq=False)
class P:
    """A post being built; `lanes` holds each seat's tenures as (start, end)."""

    id: int
    unit: U
    title: str
    level: str
    category: str
    principal: bool
    pgp: bool  # party-government principal (一把手)
    prof: str  # professional requirement
    counts: bool  # counts against the quota
    seats: int
    method: str  # how holders are appointed (TenureMethod)
    lanes: list[list[tuple[dt.date, dt.date | None]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.lanes = [[] for _ in range(self.seats)]

    def free(self, lane: int, start: dt.date, end: dt.date) -> bool:
        """No tenure of the seat overlaps [start, end)."""
        return not any(s < end and (e is None or start < e) for s, e in self.lanes[lane])


_NO_DATE = dt.date.min


@dataclass(slots=True, eq=False)
class C:
    """The plan of one cadre: what other records need to know in advance."""

    id: int
    unit: U
    post: P | None = None
    start: dt.date | None = None  # of the current tenure
    sex: str = ""
    birth: dt.date = _NO_DATE
    surname: str = ""
    name: str = ""
    ft: str = ""  # full-time education level
    ft_start: dt.date = _NO_DATE
    ft_end: dt.date = _NO_DATE
    work: dt.date = _NO_DATE
    political: str = ""
    rank: str = ""
    title: str = ""  # current post title
    partner: C | None = None
    sibling: C | None = None
    punish: int = 0  # 1: a punishment still in effect, 2: any punishment


# ---- the generator -----------------------------------------------------------


class Generator:
    def __init__(
        self,
        config: SeedConfig,
        sink: Sink,
        *,
        first_ids: dict[type[models.Model], int] | None = None,
        used_id_numbers: set[int] | None = None,
        top_index: int = 0,
        taken_names: Sequence[str] = (),
    ) -> None:
        self.cfg = config
        self.sink = sink
        self.rng = FastRandom(config.seed)
        # 身份 draws from a stream of its own, so the main sequence (and every
        # other generated value) is what it was before 身份 was generated.
        self.identity_rng = FastRandom(f"{config.seed}:identity")
        self.earliest_births: dict[tuple[int, dt.date], dt.date] = {}
        self.today = config.as_of
        self.next_id = {m: (first_ids or {}).get(m, 1) for m in MODELS_IN_ORDER}
        self.used_numbers = used_id_numbers if used_id_numbers is not None else set()
        self.top_index = top_index
        self.taken_names = set(taken_names)
        self.buffer: dict[type[models.Model], list[Row]] = {m: [] for m in MODELS_IN_ORDER}
        self.counts: dict[str, int] = defaultdict(int)
        self.initials: dict[str, str] = {}

    # -- ids and output --

    def _id(self, model: type[models.Model]) -> int:
        value = self.next_id[model]
        self.next_id[model] = value + 1
        return value

    def _flush(self) -> None:
        for model in MODELS_IN_ORDER:
            rows = self.buffer[model]
            if rows:
                self.sink.write(model, COLUMNS[model], rows)
                self.counts[model._meta.model_name or ""] += len(rows)
                self.buffer[model] = []

    # -- whole run --

    def run(self) -> dict[str, int]:
        cfg = self.cfg
        n_units = max(cfg.units, 1)
        k = 1 if n_units <= MAX_COUNTY_UNITS else math.ceil((n_units - 1) / COUNTY_UNITS)
        k = max(k, min(math.ceil(cfg.cadres / COUNTY_CADRES), (n_units - 1) // MIN_COUNTY_UNITS))
        names = self._county_names(k)
        if k == 1:
            sizes, parent = [n_units], None
        else:
            base, extra = divmod(n_units - 1, k)
            sizes = [base + (1 if i < extra else 0) for i in range(k)]
            city = cfg.county_name or self._fresh_name("市")
            parent = self._unit(None, city, "", "region", "bureau_principal", city, 0.0)
        total = sum(sizes)
        given = 0
        for i, (name, size) in enumerate(zip(names, sizes, strict=True)):
            share = cfg.cadres - given if i == k - 1 else round(cfg.cadres * size / total)
            given += share
            self._county(parent, name, size, share)
        self._flush()
        return dict(self.counts)

    def _fresh_name(self, suffix: str) -> str:
        for _ in range(1000):
            name = self.rng.choice(data.COUNTY_FIRST) + self.rng.choice(data.COUNTY_SECOND) + suffix
            if name not in self.taken_names:
                self.taken_names.add(name)
                return name
        raise RuntimeError("no free county name")

    def _county_names(self, k: int) -> list[str]:
        if k == 1 and self.cfg.county_name:
            return [self.cfg.county_name]
        return [self._fresh_name("县") for _ in range(k)]

    # -- units and posts --

    def _unit(
        self,
        parent: U | None,
        name: str,
        short: str,
        kind: str,
        level: str,
        resume_name: str,
        weight: float,
        county: U | None = None,
    ) -> U:
        if parent is None:
            path, depth = path_segment(self.top_index), 0
            self.top_index += 1
        else:
            path, depth = parent.path + path_segment(parent.children), parent.depth + 1
            parent.children += 1
        unit = U(
            id=self._id(Unit), name=name, short=short, kind=kind, level=level, parent=parent,
            path=path, depth=depth, resume_name=resume_name, weight=weight, county=county,
        )  # fmt: skip
        doc = ""
        if kind not in ("region", "internal_office", "school"):
            doc = f"{unit.home.name[0]}编〔2019〕{self.rng.randint(1, 60)}号"
        self.buffer[Unit].append(
            (unit.id, name, short, "SY" + path, kind, level, parent and parent.id, path, depth,
             (parent.children if parent else self.top_index) * 10, doc, True, *unit_pinyin(name))
        )  # fmt: skip
        return unit

    def _posts(self, unit: U, template: str, head: str = "", prof: str = "") -> None:
        rng = self.rng
        for row in data.POST_TEMPLATES[template]:
            pattern, level, category, principal, pgp, lo, hi, counts = row
            # "0 to 1 seat" means an optional post (挂职, 人大副主席): present in 40%.
            seats = rng.randint(lo, hi) if hi > 1 else (1 if lo or rng.random() < 0.4 else 0)
            if seats == 0:
                continue
            title = pattern.format(head=head)
            method = "appointed"
            if (unit.kind == "township" and title in (head, "人大主席")) or "院长" in title:
                method = "elected"  # chosen by the people's congress
            elif unit.kind == "school":
                method = "hired"
            if prof and not principal and seats > 1 and not any(p.prof for p in unit.posts):
                # One seat reserved for a professional (seed §2, 专业对口).
                self._post(unit, title, level, category, False, False, prof, counts, 1, method)
                seats -= 1
            self._post(unit, title, level, category, principal, pgp, "", counts, seats, method)

    def _post(self, unit: U, title: str, level: str, category: str, principal: bool,
              pgp: bool, prof: str, counts: bool, seats: int, method: str) -> None:  # fmt: skip
        post = P(
            id=self._id(Post), unit=unit, title=title, level=level, category=category,
            principal=principal, pgp=pgp, prof=prof, counts=counts, seats=seats, method=method,
        )  # fmt: skip
        unit.posts.append(post)
        self.buffer[Post].append(
            (post.id, unit.id, title, level, category, principal, pgp, prof, counts, seats,
             len(unit.posts) * 10, True, *_title_pinyin(title))
        )  # fmt: skip

    def _county_units(self, county: U, n: int) -> list[U]:
        """`n` units (the county included), most important kinds first, mixed
        so that even a small county has organs, townships, offices and a school."""
        c = county.name
        units = [county]
        by_short: dict[str, U] = {}
        organs = deque(data.ORGANS)
        institutions = deque(data.INSTITUTIONS)
        schools = deque(s.format(c=c) for s in data.COUNTY_SCHOOLS)
        offices: deque[tuple[U, str]] = deque()
        stations: deque[tuple[U, str, str]] = deque()
        towns = deque(self._town_names())

        def organ() -> U | None:
            if not organs:
                return None
            name, short, kind, template, prof, inner = organs.popleft()
            name = name.format(c=c)
            unit = self._unit(county, name, short, kind, SEC_P, name, KIND_WEIGHT[kind], county)
            self._posts(unit, template, prof=prof)
            by_short[short] = unit
            offices.extend((unit, o) for o in inner)
            return unit

        def town() -> U | None:
            if not towns:
                return None
            name, kind, head = towns.popleft()
            unit = self._unit(county, name, "", kind, SEC_P, c + name, KIND_WEIGHT[kind], county)
            self._posts(unit, "town" if kind == "township" else "street", head=head)
            inner = data.TOWN_OFFICES if kind == "township" else data.TOWN_OFFICES[:3]
            offices.extend((unit, o) for o in inner)
            stations.extend((unit, s, h) for s, h in data.TOWN_STATIONS)
            if kind == "township":
                schools.extend(s.format(t=name) for s in data.TOWN_SCHOOLS)
            return unit

        def office() -> U | None:
            if not offices:
                return None
            parent, name = offices.popleft()
            full = parent.label + name
            unit = self._unit(
                parent, full, "", "internal_office", SUB_P, parent.resume_name + name,
                KIND_WEIGHT["internal_office"], county,
            )  # fmt: skip
            self._posts(unit, "office", head=_office_head(name))
            return unit

        def institution() -> U | None:
            if not institutions:
                return None
            name, short, kind, template, sup, prof = institutions.popleft()
            name = name.format(c=c)
            parent = by_short.get(sup, county)
            unit = self._unit(parent, name, short, kind, SEC_P, name, KIND_WEIGHT[kind], county)
            self._posts(unit, template, prof=prof)
            return unit

        def school() -> U | None:
            if not schools:
                return None
            name = schools.popleft()
            full = name if name.startswith(c) else c + name
            parent = by_short.get("县教育局", county)
            unit = self._unit(
                parent, name, "", "school", SUB_P, full, KIND_WEIGHT["school"], county
            )
            self._posts(unit, "school")
            return unit

        def station() -> U | None:
            if not stations:
                return None
            parent, name, head = stations.popleft()
            unit = self._unit(
                parent, parent.name + name, "", "public_institution", SUB_P,
                parent.resume_name + name, KIND_WEIGHT["public_institution"] / 2, county,
            )  # fmt: skip
            self._posts(unit, "station", head=head)
            return unit

        makers: dict[str, Callable[[], U | None]] = {
            "organ": organ, "town": town, "office": office, "institution": institution,
            "school": school, "station": station,
        }  # fmt: skip
        pattern = ("organ", "organ", "town", "organ", "office", "town", "institution", "school",
                   "organ", "office", "station", "town", "office")  # fmt: skip
        extra = itertools.count(3)
        while len(units) < n:
            made = False
            for slot in pattern:
                if len(units) >= n:
                    break
                unit = makers[slot]()
                if unit is not None:
                    units.append(unit)
                    made = True
            if not made:  # the template is used up: more primary schools
                schools.append(f"{c}第{next(extra)}小学")
        return units

    def _town_names(self) -> list[tuple[str, str, str]]:
        rng = self.rng
        streets = rng.sample(data.STREET_NAMES, rng.randint(2, 4))
        out: list[tuple[str, str, str]] = [(s + "街道", "street_office", "主任") for s in streets]
        seen: set[str] = set()
        while len(out) < 28:
            stem = rng.choice(data.PLACE_FIRST) + rng.choice(data.PLACE_SECOND)
            if stem in seen:
                continue
            seen.add(stem)
            is_xiang = rng.random() < 0.25
            out.append(
                (stem + ("乡" if is_xiang else "镇"), "township", "乡长" if is_xiang else "镇长")
            )
        # Street offices first among the first few, as a county seat has them.
        return [out[0], out[len(streets)], *out[1 : len(streets)], *out[len(streets) + 1 :]]

    # -- one county --

    def _county(self, parent: U | None, name: str, n_units: int, n_cadres: int) -> None:
        county = self._unit(parent, name, "", "region", "division_principal", name, 0.0)
        units = self._county_units(county, n_units)
        holders, quota_stats = self._quotas_and_holders(units, n_cadres)
        for key, value in quota_stats.items():
            self.counts[key] += value
        plan = self._plan(county, units, holders, n_cadres)
        self._links(plan)
        by_level: dict[str, list[P]] = defaultdict(list)
        for unit in units:
            for post in unit.posts:
                if post.counts:
                    by_level[post.level].append(post)
        context = _CountyContext(county, units, by_level, self._home_regions())
        for i, cadre in enumerate(plan, 1):
            self._records(cadre, context)
            if i % self.cfg.chunk_size == 0:
                self._flush()
        self._flush()

    def _quotas_and_holders(
        self, units: list[U], n_cadres: int
    ) -> tuple[list[tuple[P, int]], dict[str, int]]:
        """Quotas per unit and level, and which seats are filled today.

        Most quotas equal the seats, and about one seat in twelve is vacant;
        a few unit-levels have one seat more than the quota and all seats
        filled (超职数); a few have a quota with no post set up yet."""
        rng = self.rng
        groups: dict[tuple[U, str], list[P]] = {}
        for unit in units:
            for post in unit.posts:
                if post.counts:
                    groups.setdefault((unit, post.level), []).append(post)
        keys = list(groups)
        over = {key for key in keys if rng.random() < 0.04}
        if keys and not over:
            over.add(keys[rng.randrange(len(keys))])
        approved: dict[tuple[U, str], int] = {}
        for key in keys:
            seats = sum(p.seats for p in groups[key])
            if key in over:
                approved[key] = seats - 1
            else:
                approved[key] = seats + (1 if rng.random() < 0.03 else 0)
            unit, level = key
            doc = f"{unit.home.name[0]}编〔2019〕{rng.randint(1, 60)}号"
            self.buffer[Quota].append((self._id(Quota), unit.id, level, approved[key], doc))
        wanted: list[tuple[int, float, P, int]] = []
        for unit in units:
            for post in unit.posts:
                key = (unit, post.level)
                for lane in range(post.seats):
                    if key in over:
                        priority = 0
                    elif rng.random() < (0.92 if post.counts else 0.75):
                        priority = (
                            1 if post.pgp else 2 if post.principal else 3 if post.counts else 4
                        )
                    else:
                        continue
                    wanted.append((priority, rng.random(), post, lane))
        wanted.sort(key=lambda w: (w[0], w[1]))
        # Leaders are about a fifth of a county's cadres; never more than 60%.
        chosen = [(post, lane) for _p, _r, post, lane in wanted[: int(n_cadres * 0.6)]]
        filled: dict[tuple[U, str], int] = defaultdict(int)
        for post, _lane in chosen:
            if post.counts:
                filled[(post.unit, post.level)] += 1
        stats = {"quota_vacant": 0, "quota_over": 0, "units_over_quota": 0}
        over_units = set()
        for key in keys:
            stats["quota_vacant"] += max(approved[key] - filled[key], 0)
            stats["quota_over"] += max(filled[key] - approved[key], 0)
            if filled[key] > approved[key]:
                over_units.add(key[0].id)
        stats["units_over_quota"] = len(over_units)
        return chosen, stats

    # -- the plan of each cadre --

    def _plan(
        self, county: U, units: list[U], holders: list[tuple[P, int]], n_cadres: int
    ) -> list[C]:
        rng = self.rng
        n_ordinary = max(n_cadres - len(holders), 0)
        weighted = [(u, u.weight) for u in units if u.weight > 0] or [(county, 1.0)]
        picker = _Weighted(weighted)
        ordinary: dict[int, int] = defaultdict(int)
        for _ in range(n_ordinary):
            ordinary[picker.pick(rng).id] += 1
        held: dict[int, list[tuple[P, int]]] = defaultdict(list)
        for post, lane in holders:
            held[post.unit.id].append((post, lane))
        plan: list[C] = []
        for unit in units:
            for post, lane in held[unit.id]:
                plan.append(self._plan_one(unit, post, lane))
            for _ in range(ordinary[unit.id]):
                plan.append(self._plan_one(unit, None, 0))
        return plan

    def _name(self, sex: str, surname: str | None = None) -> tuple[str, str]:
        rng = self.rng
        surname = surname or SURNAMES.pick(rng)
        chars = data.MALE_CHARS if sex == "male" else data.FEMALE_CHARS
        if rng.random() < data.GIVEN_SINGLE_SHARE:
            given = rng.choice(chars)
        else:
            first = rng.choice(data.NEUTRAL_CHARS) if rng.random() < 0.3 else rng.choice(chars)
            given = first + rng.choice(chars)
        return surname, surname + given

    def _plan_one(self, unit: U, post: P | None, lane: int) -> C:
        rng, today = self.rng, self.today
        c = C(self._id(Cadre), unit)
        level = post.level if post else ""
        male_share = 0.8 if post else 0.66
        c.sex = "male" if rng.random() < male_share else "female"
        lo, hi = AGE_RANGE[level][c.sex == "female"]
        age = int(rng.triangular(lo, hi + 1, lo + (hi - lo) * 0.55))
        age = min(max(age, lo), hi)
        first = add_years(today, -(age + 1)) + dt.timedelta(days=1)
        c.birth = dt.date.fromordinal(
            rng.randint(first.toordinal(), add_years(today, -age).toordinal())
        )
        if rng.random() < 0.004:  # a few born on 29 February, for the date rules
            year = c.birth.year - c.birth.year % 4
            for leap in (dt.date(year, 2, 29), dt.date(year + 4, 2, 29)):
                if lo <= _age(leap, today) <= hi:
                    c.birth = leap
                    break
        earliest = self._earliest_birth(c.sex, level, unit)
        if c.birth < earliest:  # past the statutory date: a few months before it instead
            c.birth = dt.date.fromordinal(
                rng.randint(earliest.toordinal(), (earliest + dt.timedelta(days=240)).toordinal())
            )
        c.surname, c.name = self._name(c.sex)
        self._plan_education(c)
        c.post = post
        if post is not None:
            post_age = add_years(c.work, MIN_WORK_YEARS[level])
            low = max(post_age, add_years(today, -10))
            high = today - dt.timedelta(days=15)
            low = min(low, high)
            c.start = dt.date.fromordinal(rng.randint(low.toordinal(), high.toordinal()))
            post.lanes[lane].append((c.start, None))
            c.title = post.unit.label + post.title
            c.rank = ""
        else:
            c.start = None
            c.rank, title = self._ordinary_title(unit, c.work)
            c.title = unit.label + title
        # Political status: leaders are nearly all party members; principals all.
        r = rng.random()
        young = _age(c.birth, today) <= 28
        if post is not None:
            c.political = (
                "cpc_member" if post.principal or r < 0.95
                else "democratic_party" if r < 0.98 else "non_partisan"
            )  # fmt: skip
        else:
            c.political = (
                "cpc_member" if r < 0.72 else "cpc_probationary" if r < 0.74
                else "democratic_party" if r < 0.77 else "non_partisan" if r < 0.78
                else "cyl_member" if young and r < 0.9 else "masses"
            )  # fmt: skip
        return c

    def _earliest_birth(self, sex: str, level: str, unit: U) -> dt.date:
        """The earliest birth date whose statutory retirement (2024 decision)
        is after today, for this sex, level and the 身份 the unit gives
        (IDENTITY_BY_KIND: 国有企业 in state companies, else organ cadres)."""
        identity = "state_enterprise" if _root_kind(unit) == "state_company" else "civil_servant"
        original = original_retirement_age(sex=sex, level=level, identity=identity)
        key = (original, self.today)
        bound = self.earliest_births.get(key)
        if bound is None:
            bound = latest_birth_retiring_by(self.today, original) + dt.timedelta(days=1)
            self.earliest_births[key] = bound
        return bound

    def _plan_education(self, c: C) -> None:
        """Full-time education by birth cohort; work starts after it (age 18–25)."""
        rng, today = self.rng, self.today
        year = c.birth.year
        level = next(table for since, table in EDUCATION_BY_COHORT if year >= since).pick(rng)
        entry_age, years = STUDY_YEARS[level]
        if level != "postgraduate" and rng.random() < 0.2:
            entry_age += 1
        start = dt.date(year + entry_age, 9, 1)
        end = dt.date(year + entry_age + years, 7, 1)
        work = add_months(end, rng.randint(1, 3))
        adult = add_months(_month(add_years(c.birth, 18)), 1)
        work = max(work, adult)
        latest = today - dt.timedelta(days=60)
        if work > latest:  # too young for that much study: a shorter course
            level, start = "junior_college", dt.date(year + 18, 9, 1)
            end = dt.date(year + 21, 7, 1)
            work = max(add_months(end, 1), adult)
            if work > latest:
                level, start, end = (
                    "high_school",
                    dt.date(year + 15, 9, 1),
                    dt.date(year + 18, 7, 1),
                )
                work = max(add_months(end, 1), adult)
        c.ft, c.ft_start, c.ft_end, c.work = level, start, end, min(work, latest)

    def _ordinary_title(self, unit: U, work: dt.date) -> tuple[str, str]:
        years = self.today.year - work.year
        if unit.kind == "school":
            return "", "教师"
        if unit.kind == "state_company":
            return "", "职员"
        if unit.kind == "public_institution":
            return "", "工作人员"
        for limit, rank in ((1, ""), (3, "二级科员"), (6, "一级科员"), (10, "四级主任科员"),
                            (15, "三级主任科员"), (20, "二级主任科员")):  # fmt: skip
            if years < limit:
                return rank, rank or "科员"
        return "一级主任科员", "一级主任科员"

    def _links(self, plan: list[C]) -> None:
        """Spouses and siblings who work in the same unit (for recusal)."""
        rng = self.rng
        by_unit: dict[int, list[C]] = defaultdict(list)
        for c in plan:
            by_unit[c.unit.id].append(c)
        linked = False
        for members in by_unit.values():
            if len(members) < 4:
                continue
            pool = [c for c in members if _age(c.birth, self.today) >= 25]
            for _ in range(max(1, len(members) // 40)):
                if rng.random() >= 0.5 or len(pool) < 2:
                    continue
                a = rng.choice(pool)
                for b in rng.sample(pool, min(len(pool), 8)):
                    if b is a or b.partner or b.sibling or a.partner or a.sibling:
                        continue
                    gap = abs((a.birth - b.birth).days) / 365
                    if a.sex != b.sex and gap <= 8:
                        a.partner, b.partner = b, a
                        linked = True
                        break
                    if gap <= 10 and rng.random() < 0.2:
                        # Siblings share a surname (and parents, below).
                        given = b.name[len(b.surname) :]
                        b.surname, b.name = a.surname, a.surname + given
                        a.sibling, b.sibling = b, a
                        linked = True
                        break
        if not linked:  # every county gets at least one couple
            for members in by_unit.values():
                men = [c for c in members if c.sex == "male" and not (c.partner or c.sibling)]
                women = [c for c in members if c.sex == "female" and not (c.partner or c.sibling)]
                if men and women:
                    men[0].partner, women[0].partner = women[0], men[0]
                    break
        # Punishments: about 2% of cadres; the first one still in effect today.
        if plan:
            for i, c in enumerate(rng.sample(plan, max(1, len(plan) // 50))):
                c.punish = 1 if i == 0 else 2

    # -- records of one cadre --

    def _home_regions(self) -> list[tuple[str, str, int]]:
        return self.rng.sample(data.REGIONS, 3)

    def _region(self, birth_year: int, home: list[tuple[str, str, int]]) -> tuple[str, str, int]:
        """Mostly the county's own region codes, some from the province, a few
        from elsewhere; always a code already in force in the birth year."""
        rng = self.rng
        r = rng.random()
        if r < 0.7:
            valid = [x for x in home if x[2] <= birth_year]
            if valid:
                return rng.choice(valid)
        return rng.choice(_regions_in_force(birth_year, r > 0.95))

    def _id_number(self, region: str, birth: dt.date, sex: str) -> str:
        order = self.rng.randrange(1000)
        for _ in range(1000):
            number = build_id_number(region, birth, order, sex)
            key = int(number[:17])
            if key not in self.used_numbers:
                self.used_numbers.add(key)
                return number
            order = (order + 2) % 1000
        raise RuntimeError(f"no free ID number for {region} {birth}")

    def _initials(self, name: str) -> str:
        value = self.initials.get(name)
        if value is None:
            if len(self.initials) > 1_000_000:  # bounded; names repeat a lot
                self.initials.clear()
            value = self.initials[name] = name_initials(name)
        return value

    def _records(self, c: C, ctx: _CountyContext) -> None:
        rng, today = self.rng, self.today
        cid = c.id
        region, place, _start = self._region(c.birth.year, ctx.home)
        native = place if rng.random() < 0.8 else rng.choice(data.REGIONS)[1]
        number = self._id_number(region, c.birth, c.sex)
        join = full = None
        if c.political in ("cpc_member", "cpc_probationary"):
            join, full = self._party_dates(c)
        educations, best, note = self._educations(c)
        study = [(row[7], f"{row[5]}{row[6]}专业{'研究生' if row[3] == 'postgraduate' else ''}学习")
                 for row in educations if row[2] == "full_time" and EDUCATION_RANK[row[3]] >= 4]  # fmt: skip
        tenures = self._tenures(c, ctx) if c.post else []
        level = c.post.level if c.post else ""
        level_since = None
        if tenures:
            level_since = tenures[-1][1]
            for held, start, _end in reversed(tenures):
                if held.level != level:
                    break
                level_since = start
        rank_since = None
        if c.rank:
            low = max(c.work + dt.timedelta(days=365), add_years(today, -4))
            rank_since = _month(
                dt.date.fromordinal(rng.randint(min(low, today).toordinal(), today.toordinal()))
            )
        grassroots = self._resume(c, ctx, tenures, study, note)
        leader = c.post is not None and level in (DIV_D, SEC_P, SEC_D)
        r = rng.random()
        matters = (
            ("verified" if r < 0.6 else "reported" if r < 0.95 else "discrepancy") if leader
            else ("reported" if r < 0.3 else "not_reported")
        )  # fmt: skip
        r = rng.random()
        archive = "passed" if r < 0.85 else "not_reviewed" if r < 0.97 else "issues_found"
        professional = ""
        if c.unit.kind == "school" and not c.post:
            professional = rng.choice(("中学一级教师", "中学高级教师", "小学高级教师", "二级教师"))
        elif c.unit.kind == "public_institution" and rng.random() < 0.4:
            professional = rng.choice(("工程师", "助理工程师", "经济师", "主治医师", "会计师"))
        row: Row = (
            cid, c.name, self._initials(c.name), c.sex, ETHNICITIES.pick(rng), c.birth, native,
            place, number, c.political, join, full, c.work, "健康", professional,
            rng.choice(data.SPECIALTIES) if rng.random() < 0.5 else "", c.unit.id, c.title,
            level, level_since, c.rank, rank_since, best, EDUCATION_RANK[best], matters, archive,
            "active", grassroots, self._identity(c.unit),
        )  # fmt: skip
        self.buffer[Cadre].append(row)
        self.buffer[Education].extend(educations)
        self._family(c)
        self._assessments(c)
        self._rewards(c)
        self._trainings(c)

    def _identity(self, unit: U) -> str:
        """身份 (Cadre.identity) by the kind of unit (decision 0083)."""
        kind = _root_kind(unit)
        return IDENTITY_BY_KIND.get(kind, IDENTITY_BY_KIND["region"]).pick(self.identity_rng)

    def _party_dates(self, c: C) -> tuple[dt.date, dt.date | None]:
        rng, today = self.rng, self.today
        adult = add_years(c.birth, 18)
        if c.political == "cpc_probationary":
            low = max(adult, today - dt.timedelta(days=330))
            join = dt.date.fromordinal(
                rng.randint(low.toordinal(), (today - dt.timedelta(days=20)).toordinal())
            )
            return join, None
        # Students join at university; others some years into work.
        if c.ft in ("bachelor", "postgraduate", "junior_college") and rng.random() < 0.45:
            low, high = max(adult, add_years(c.ft_start, 1)), c.ft_end
        else:
            low = max(adult, add_years(c.work, 1))
            high = add_years(c.work, 10)
        latest = add_years(today, -1) - dt.timedelta(days=2)
        high = min(high, latest)
        low = min(low, high)
        join = dt.date.fromordinal(rng.randint(low.toordinal(), high.toordinal()))
        join = max(join, adult)  # never before the 18th birthday
        return join, add_years(join, 1)

    def _educations(self, c: C) -> tuple[list[Row], str, tuple[dt.date, dt.date, str] | None]:
        """Education rows, the highest level, and an in-service course for the resume."""
        rng = self.rng
        rows: list[Row] = []
        level = c.ft
        if level == "postgraduate":
            bachelor_end = add_years(c.ft_start, 4).replace(month=7, day=1)
            rows.append(
                self._edu_row(c.id, "full_time", "bachelor", "bachelor", c.ft_start, bachelor_end)
            )
            rows.append(
                self._edu_row(
                    c.id,
                    "full_time",
                    "postgraduate",
                    "master",
                    dt.date(bachelor_end.year, 9, 1),
                    c.ft_end,
                )
            )
        else:
            degree = "bachelor" if level == "bachelor" and rng.random() < 0.93 else "none"
            rows.append(self._edu_row(c.id, "full_time", level, degree, c.ft_start, c.ft_end))
        best = level
        course = None
        # In-service study (在职教育): most who came with less than a degree
        # upgraded; some graduates took a master's part-time.
        up = {"secondary_vocational": "junior_college", "high_school": "junior_college",
              "junior_college": "bachelor", "bachelor": "postgraduate"}.get(level)  # fmt: skip
        chance = 0.15 if level == "bachelor" else 0.7
        if up and rng.random() < chance:
            start = dt.date(c.work.year + rng.randint(1, 8), 9, 1)
            end = dt.date(start.year + (3 if up != "postgraduate" else 2), 7, 1)
            if end < self.today:
                if up == "junior_college" and rng.random() < 0.6:
                    up = "bachelor"  # 专升本 taken straight through
                school, major = rng.choice(data.IN_SERVICE_SCHOOLS)
                degree = "master" if up == "postgraduate" and rng.random() < 0.7 else "none"
                rows.append(
                    (self._id(Education), c.id, "in_service", up, degree, school, major, start, end)
                )
                course = (
                    start,
                    end,
                    f"{school}{major}专业在职{'研究生' if up == 'postgraduate' else ''}学习",
                )
                if EDUCATION_RANK[up] > EDUCATION_RANK[best]:
                    best = up
        return rows, best, course

    def _edu_row(
        self, cid: int, kind: str, level: str, degree: str, start: dt.date, end: dt.date
    ) -> Row:
        rng = self.rng
        if level in ("bachelor", "postgraduate"):
            school = rng.choice(data.UNIVERSITIES)
        elif level == "junior_college":
            school = rng.choice(data.COLLEGES)
        elif level == "secondary_vocational":
            school = rng.choice(data.SECONDARY_SCHOOLS)
        else:
            school = rng.choice(data.HIGH_SCHOOLS)
        major = rng.choice(data.MAJORS) if EDUCATION_RANK[level] >= 3 else ""
        return (self._id(Education), cid, kind, level, degree, school, major, start, end)

    def _tenures(self, c: C, ctx: _CountyContext) -> list[tuple[P, dt.date, dt.date | None]]:
        """The current tenure and up to two earlier ones, oldest first. Earlier
        tenures are placed only in a seat that is free for the whole period."""
        rng = self.rng
        assert c.post is not None and c.start is not None
        chain: list[tuple[P, dt.date, dt.date | None]] = [(c.post, c.start, None)]
        level, end = c.post.level, c.start
        for _ in range(2):
            if rng.random() < 0.35:
                break
            prev_level = level if rng.random() < 0.3 else PREVIOUS_LEVEL.get(level)
            if prev_level is None or not ctx.by_level.get(prev_level):
                break
            start = end - dt.timedelta(days=rng.randint(730, 2190))
            if start <= add_years(c.work, MIN_WORK_YEARS[prev_level]):
                break
            candidates = ctx.by_level[prev_level]
            placed = False
            for _try in range(6):
                post = candidates[rng.randrange(len(candidates))]
                if post is c.post:
                    continue
                lane = rng.randrange(post.seats)
                if post.free(lane, start, end):
                    post.lanes[lane].append((start, end))
                    chain.insert(0, (post, start, end))
                    placed = True
                    break
            if not placed:
                break
            level, end = prev_level, start
        previous_level = None
        abbr = ctx.county.name[0]
        for post, start, stop in chain:
            kind = "政任" if post.category == "government" else "组任"
            number = f"{abbr}{kind}〔{start.year}〕{rng.randint(1, 90)}号"
            method = post.method
            if post.unit.kind == "internal_office" and rng.random() < 0.1:
                method = "competitive"
            promoted = previous_level is None or post.level != previous_level
            probation = add_years(start, 1) if promoted and method == "appointed" else None
            row: Row = (self._id(Tenure), c.id, post.id, start, stop, number, method, probation)
            self.buffer[Tenure].append(row)
            previous_level = post.level
        return chain

    def _resume(
        self,
        c: C,
        ctx: _CountyContext,
        tenures: list[tuple[P, dt.date, dt.date | None]],
        study: list[tuple[dt.date, str]],
        course: tuple[dt.date, dt.date, str] | None,
    ) -> int:
        """Resume lines without gaps from study (or work) to today; returns the
        months worked in townships (基层工作经历)."""
        rng = self.rng
        # (start, text, grassroots); each line ends where the next one starts.
        lines: list[tuple[dt.date, str, bool]] = [(_month(s), text, False) for s, text in study]
        first_post = _month(tenures[0][1]) if tenures else None
        current_since = first_post
        if current_since is None:
            # An ordinary cadre: the current unit since some date, maybe a first job elsewhere.
            span = (self.today - c.work).days
            if span > 6 * 365 and rng.random() < 0.5:
                current_since = _month(c.work + dt.timedelta(days=rng.randint(730, span - 365)))
            else:
                current_since = c.work
        if current_since > c.work:
            first = ctx.random_unit(rng)
            lines.append((c.work, first.resume_name + _plain_title(first), first.grassroots))
            if tenures and (current_since - c.work).days > 8 * 365:
                middle = _month(c.work + (current_since - c.work) / 2)
                second = ctx.random_unit(rng)
                lines.append((middle, second.resume_name + _plain_title(second), second.grassroots))
        if tenures:
            for post, start, _end in tenures:
                lines.append(
                    (_month(start), post.unit.resume_name + post.title, post.unit.grassroots)
                )
        else:
            lines.append(
                (
                    current_since,
                    c.unit.resume_name + _plain_title(c.unit, c.rank),
                    c.unit.grassroots,
                )
            )
        grassroots = 0
        rows = self.buffer[ResumeEntry]
        for i, (start, text, town) in enumerate(lines):
            end = lines[i + 1][0] if i + 1 < len(lines) else None
            note = ""
            if course and start <= course[0] and (end is None or course[0] < end):
                note = f"（其间：{course[0]:%Y.%m}--{course[1]:%Y.%m}在{course[2]}）"
            if town:
                grassroots += (
                    ((end or self.today).year - start.year) * 12
                    + (end or self.today).month
                    - start.month
                )
            rows.append((self._id(ResumeEntry), c.id, start, end, text, note))
        return grassroots

    def _family(self, c: C) -> None:
        rng, today = self.rng, self.today
        rows = self.buffer[FamilyMember]

        def add(relation: str, name: str, birth: dt.date, political: str, work: str,
                related: int | None = None, emigrated: bool = False) -> None:  # fmt: skip
            rows.append((self._id(FamilyMember), c.id, relation, name, birth, political, work,
                         related, emigrated))  # fmt: skip

        age = _age(c.birth, today)
        married = c.partner is not None or rng.random() < (
            0.93 if age >= 30 else 0.55 if age >= 25 else 0.1
        )
        spouse_surname = ""
        if c.partner is not None:
            p = c.partner
            spouse_surname = p.surname
            add("spouse", p.name, p.birth, p.political, p.title, p.id)
        elif married:
            sex = "female" if c.sex == "male" else "male"
            spouse_surname, name = self._name(sex)
            shift = rng.randint(-2, 5) if c.sex == "male" else rng.randint(-5, 2)
            birth = _safe_date(c.birth.year + shift, c.birth.month, rng.randint(1, 28))
            political = "cpc_member" if rng.random() < 0.35 else "masses"
            add("spouse", name, birth, political, rng.choice(data.SPOUSE_JOBS))
        # Parents. Siblings who are both cadres draw them from a generator of
        # their own, so that both list the same two people.
        sib = c.sibling
        older = c if sib is None or c.birth <= sib.birth else sib
        prng = FastRandom(f"{self.cfg.seed}:parents:{min(c.id, sib.id)}") if sib else rng
        father_birth = _safe_date(
            older.birth.year - prng.randint(23, 34), prng.randint(1, 12), prng.randint(1, 28)
        )
        mother_birth = _safe_date(
            father_birth.year + prng.randint(0, 4), prng.randint(1, 12), prng.randint(1, 28)
        )
        father = c.surname + self._name_from(prng, "male")[-2:]
        for relation, name, birth in (
            ("father", father, father_birth),
            ("mother", self._name_from(prng, "female"), mother_birth),
        ):
            dead = _age(birth, today) > 78 and prng.random() < 0.5
            status = "已故" if dead else "退休" if prng.random() < 0.5 else "务农"
            add(relation, name, birth, "cpc_member" if prng.random() < 0.3 else "masses", status)
        if sib is not None:
            if sib.birth < c.birth:
                relation = "elder_brother" if sib.sex == "male" else "elder_sister"
            else:
                relation = "younger_brother" if sib.sex == "male" else "younger_sister"
            add(relation, sib.name, sib.birth, sib.political, sib.title, sib.id)
        if married and age >= 27:
            self._children(c, spouse_surname, add)

    def _children(self, c: C, spouse_surname: str, add: Callable[..., None]) -> None:
        """0–2 children; a couple of cadres gets the same children on both records."""
        today = self.today
        partner = c.partner
        crng = (
            FastRandom(f"{self.cfg.seed}:children:{min(c.id, partner.id)}") if partner else self.rng
        )
        father_surname = c.surname if c.sex == "male" else spouse_surname
        r = crng.random()
        count = 0 if r < 0.15 else 1 if r < 0.75 else 2
        younger_parent = max(c.birth, partner.birth) if partner else c.birth
        low = add_years(younger_parent, 24)
        high = min(add_years(younger_parent, 38), today - dt.timedelta(days=60))
        for _ in range(count):
            if low >= high:
                break
            birth = dt.date.fromordinal(crng.randint(low.toordinal(), high.toordinal()))
            sex = "male" if crng.random() < 0.52 else "female"
            name = father_surname + self._name_from(crng, sex)[-2:]
            years = _age(birth, today)
            job = ("" if years < 6 else "小学学生" if years < 12 else "中学学生" if years < 18
                   else "大学学生" if years < 22 else crng.choice(data.SPOUSE_JOBS))  # fmt: skip
            political = ("cyl_member" if 14 <= years <= 28 and crng.random() < 0.5
                         else "masses" if years >= 18 else "")  # fmt: skip
            emigrated = years >= 22 and crng.random() < 0.01
            add(
                "son" if sex == "male" else "daughter", name, birth, political, job, None, emigrated
            )
            low = add_years(birth, 1)

    def _name_from(self, rng: random.Random, sex: str) -> str:
        surname = SURNAMES.pick(rng)
        chars = data.MALE_CHARS if sex == "male" else data.FEMALE_CHARS
        return surname + rng.choice(chars) + rng.choice(chars)

    def _assessments(self, c: C) -> None:
        rng, year_now = self.rng, self.today.year
        rows = self.buffer[Assessment]
        excellent = 0.2 if c.post else 0.13
        for year in range(year_now - 5, year_now):
            if year < c.work.year:
                continue
            if year == c.work.year and c.work.month >= 10:
                grade = "not_graded"  # joined too late in the year to be graded
            else:
                r = rng.random()
                grade = ("excellent" if r < excellent else "competent" if r < 0.98
                         else "basically_competent" if r < 0.997 else "incompetent")  # fmt: skip
            rows.append((self._id(Assessment), c.id, year, grade))

    def _rewards(self, c: C) -> None:
        rng, today = self.rng, self.today
        rows = self.buffer[RewardPunishment]
        abbr = c.unit.home.name[0]
        first_year = max(c.work.year + 1, today.year - 6)
        if rng.random() < 0.06 and first_year < today.year:
            year = rng.randint(first_year, today.year - 1)
            title, category = rng.choice((
                (f"{year}年度全县优秀共产党员", "commendation"),
                (f"{year}年度优秀公务员", "commendation"),
                ("记三等功", "merit"),
            ))  # fmt: skip
            day = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
            doc = f"{abbr}委〔{year}〕{rng.randint(1, 90)}号"
            rows.append(
                (self._id(RewardPunishment), c.id, "reward", category, title, day, None, doc)
            )
        if c.punish:
            # A warning talk blocks promotion for six months, party discipline
            # for a year or more; the first one in each county is still in effect.
            back = rng.randint(20, 150) if c.punish == 1 else rng.randint(20, 900)
            decided = max(today - dt.timedelta(days=back), c.work + dt.timedelta(days=30))
            if c.political == "cpc_member" and rng.random() < 0.4:
                category, title = (
                    "party_discipline",
                    rng.choice(("党内警告处分", "党内严重警告处分")),
                )
                months = 12 if title == "党内警告处分" else 18
                doc = f"{abbr}纪〔{decided.year}〕{rng.randint(1, 60)}号"
            else:
                category, title, months = "warning_talk", "诫勉", 6
                doc = f"{abbr}组诫〔{decided.year}〕{rng.randint(1, 30)}号"
            until = add_months(decided, months) - dt.timedelta(days=1)
            rows.append(
                (
                    self._id(RewardPunishment),
                    c.id,
                    "punishment",
                    category,
                    title,
                    decided,
                    until,
                    doc,
                )
            )

    def _trainings(self, c: C) -> None:
        rng = self.rng
        rows = self.buffer[Training]
        for year in range(self.today.year - 2, self.today.year + 1):
            if year < c.work.year or rng.random() > 0.6:
                continue
            hours = rng.randint(40, 120) if c.post else rng.randint(20, 90)
            rows.append(
                (self._id(Training), c.id, year, hours, rng.choice(data.TRAININGS).format(y=year))
            )


class _CountyContext:
    """What record generation needs to know of the county it is in."""

    def __init__(self, county: U, units: list[U], by_level: dict[str, list[P]],
                 home: list[tuple[str, str, int]]) -> None:  # fmt: skip
        self.county = county
        self.units = [u for u in units if u.kind not in ("region", "internal_office")] or units
        self.by_level = by_level
        self.home = home

    def random_unit(self, rng: random.Random) -> U:
        return self.units[rng.randrange(len(self.units))]


@functools.cache
def _root_kind(unit: U) -> str:
    """The kind of a unit, an internal office counting as the unit it is part of."""
    while unit.kind == "internal_office" and unit.parent is not None:
        unit = unit.parent
    return unit.kind


def _regions_in_force(birth_year: int, elsewhere: bool) -> tuple[tuple[str, str, int], ...]:
    pool = data.OTHER_REGIONS if elsewhere else data.REGIONS
    return tuple(x for x in pool if x[2] <= birth_year)


def _plain_title(unit: U, rank: str = "") -> str:
    """A non-leading position as a resume line names it."""
    if unit.kind == "school":
        return "教师"
    if unit.kind == "state_company":
        return "职员"
    if unit.kind == "public_institution":
        return "工作人员"
    prefix = (
        "人民政府" if unit.kind == "township" else "办事处" if unit.kind == "street_office" else ""
    )
    return prefix + (rank or "科员")


def _safe_date(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, min(day, 28))


@functools.cache
def _title_pinyin(title: str) -> tuple[str, str]:
    """A post title's pinyin (decision 0140): a few dozen titles among
    hundreds of thousands of posts, each computed once."""
    return unit_pinyin(title)
