"""回头看 checks: pure functions over plain facts (no ORM), each returning the
problems found as `Problem`s (docs/decisions/0124–0125).

The rules in force on the decision date are not checked here: the policy
app's `explain` does that on the as-of facts (lookback_selectors). Here are
the procedure's completeness (every required step, quorum) and the archive
review of 三龄二历一身份: birth date against the ID number, party entry and
work start against age, highest education against the education records,
tenures against the resume, and archive dates changed after first entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuanren.common.dates import add_years
from xuanren.common.errors import ErrorCollector
from xuanren.people.validation import check_id_number
from xuanren.procedure import tally

#: Sources cited by the archive checks.
SOURCE_ARCHIVE = gettext_lazy("《干部人事档案工作条例》（2018年）“三龄二历一身份”审核认定")
SOURCE_PARTY = gettext_lazy("《中国共产党章程》第一条（年满十八岁）")
SOURCE_WORK = gettext_lazy("《中华人民共和国劳动法》第十五条（年满十六周岁）")
SOURCE_PROCEDURE = gettext_lazy("《党政领导干部选拔任用工作条例》（2019年）")

#: The archive fields whose later change the review reports (Cadre field →
#: the words shown).
ARCHIVE_FIELDS: dict[str, Any] = {
    "birth_date": gettext_lazy("出生日期"),
    "id_number": gettext_lazy("公民身份号码"),
    "party_join_date": gettext_lazy("入党时间"),
    "work_start_date": gettext_lazy("参加工作时间"),
    "education_level": gettext_lazy("最高学历"),
    "education_since": gettext_lazy("最高学历毕业时间"),
    "identity": gettext_lazy("身份"),
}


@dataclass(frozen=True)
class Problem:
    kind: str  # a LookbackKind value
    what: str
    as_of: dt.date
    source: str = ""


@dataclass(frozen=True)
class Span:
    start: dt.date
    end: dt.date | None
    text: str = ""


@dataclass(frozen=True)
class ArchiveFacts:
    """三龄二历一身份 as recorded: the cadre's row, their education records
    (rank by EDUCATION_RANK, graduation day), resume and tenures."""

    name: str
    birth_date: dt.date
    id_number: str
    sex: str = ""
    party_join_date: dt.date | None = None
    work_start_date: dt.date | None = None
    education_rank: int = 0
    education_ranks: tuple[int, ...] = ()
    resume: tuple[Span, ...] = ()
    tenures: tuple[Span, ...] = ()


@dataclass(frozen=True)
class RecordChange:
    """One change of an archive field after the record was first entered
    (from the journal's 修改干部信息 events)."""

    field: str
    changed_on: dt.date
    before: Any
    after: Any


def _day(d: dt.date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


def _covers(span: Span, day: dt.date) -> bool:
    """`day` falls within `span`, at the month precision of a resume."""
    start = span.start.replace(day=1)
    if day < start:
        return False
    if span.end is None:
        return True
    return (day.year, day.month) <= (span.end.year, span.end.month)


def archive_problems(facts: ArchiveFacts, on: dt.date) -> list[Problem]:
    """The archive review of one cadre, as of `on` (the decision date)."""
    out: list[Problem] = []

    def add(what: str, source: Any = SOURCE_ARCHIVE) -> None:
        out.append(Problem("archive", what, on, str(source)))

    errors = ErrorCollector()
    check_id_number(facts.id_number, birth_date=facts.birth_date, sex=None, out=errors)
    for e in errors.errors:
        add(_("出生日期与公民身份号码：%(m)s") % {"m": e.message})
    party = facts.party_join_date
    if party is not None and party < add_years(facts.birth_date, 18):
        add(
            _("入党时间 %(p)s 时未满十八周岁（出生日期 %(b)s），入党时间或出生日期记载有误。")
            % {"p": _day(facts.party_join_date), "b": _day(facts.birth_date)},
            SOURCE_PARTY,
        )
    work = facts.work_start_date
    if work is not None and work < add_years(facts.birth_date, 16):
        add(
            _(
                "参加工作时间 %(w)s 时未满十六周岁（出生日期 %(b)s），"
                "参加工作时间或出生日期记载有误。"
            )
            % {"w": _day(facts.work_start_date), "b": _day(facts.birth_date)},
            SOURCE_WORK,
        )
    if facts.education_ranks and max(facts.education_ranks) != facts.education_rank:
        add(_("干部信息中的最高学历与学历学位记录中的最高学历不一致，须核实学历认定。"))
    if facts.resume:
        for tenure in facts.tenures:
            if tenure.start > on:
                continue
            if not any(_covers(entry, tenure.start) for entry in facts.resume):
                add(
                    _("任职记录“%(t)s”（%(s)s 起）在简历中没有相应的经历，工作经历记载不一致。")
                    % {"t": tenure.text, "s": _day(tenure.start)}
                )
    return out


def change_problems(changes: Iterable[RecordChange], on: dt.date) -> list[Problem]:
    """Each archive field changed after first entry: the inspection verifies
    the change against the original documents (涂改造假)."""
    out = []
    for c in changes:
        label = ARCHIVE_FIELDS.get(c.field)
        if label is None:
            continue
        out.append(
            Problem(
                "record_changed",
                _("%(f)s于 %(d)s 被修改（%(a)s → %(b)s），须对照档案原件核实修改依据。")
                % {
                    "f": label,
                    "d": _day(c.changed_on),
                    "a": c.before if c.before not in (None, "") else _("空"),
                    "b": c.after if c.after not in (None, "") else _("空"),
                },
                on,
                str(SOURCE_ARCHIVE),
            )
        )
    return out


def missing_steps(
    required: Sequence[tuple[str, str]], done: Iterable[str], on: dt.date, source: str
) -> list[Problem]:
    """Each required step (code, name) with no record in the 纪实."""
    have = set(done)
    return [
        Problem(
            "step_missing",
            _("纪实中没有“%(s)s”环节的记录。") % {"s": name},
            on,
            source,
        )
        for code, name in required
        if code not in have
    ]


def quorum_problem(
    members: int, present: int, quorum: tally.Fraction, on: dt.date
) -> list[Problem]:
    """The decision meeting had its quorum (tally's own arithmetic)."""
    if members and tally.at_least(present, members, quorum):
        return []
    return [
        Problem(
            "procedure",
            _("讨论决定会议应到 %(m)d 人，实到 %(p)d 人，未达到法定到会人数（至少 %(q)d 人）。")
            % {"m": members, "p": present, "q": tally.least_quorum(members, quorum)},
            on,
            str(SOURCE_PROCEDURE),
        )
    ]


@dataclass
class Appointment:
    """One appointment to re-check, with every fact the checks need (filled
    by lookback_selectors)."""

    candidate_id: int
    case_id: int
    cadre_id: int
    decided_on: dt.date
    problems: list[Problem] = field(default_factory=list)
