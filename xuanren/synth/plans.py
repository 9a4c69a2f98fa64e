"""Demo work plans (issue 16, docs/decisions/0183–0186): the plan of
seed §1 (推行效能政府四项制度) entered as data — its
three phases, its dated tasks and its reports due, once or recurring — with
the deadlines before the demo's today done except one report left overdue; and
the 集中教育 campaign of seed §4 placed around today, whose 学习体会文章 report
to 县委组织部 (备案) comes due within the reminder window."""

from __future__ import annotations

import datetime as dt
from typing import Any

from xuanren.org.models import Unit
from xuanren.plans.models import TaskStatus, WorkPlan
from xuanren.plans.recurrence import DueRule, RuleKind
from xuanren.plans.selectors import report_lines
from xuanren.plans.services import (
    phase_add,
    plan_acknowledge,
    plan_create,
    plan_file,
    report_add,
    report_submit,
    task_add,
    task_update,
)

# The plans cite themselves by section (the seed gives the plans, not their file
# titles or numbers, and a title must never be made up).
SOURCE_1 = "推行效能政府四项制度实施方案 四、实施步骤及主要工作任务"
SOURCE_4 = "干部选拔任用监督工作政策法规集中教育方案 三、集中教育的方式"
GOV = "州政府督查室、州审计局、州财政局、州发改委和州监察局"


def _issuer(root: Unit) -> Unit:
    return (
        Unit.objects.filter(path__startswith=root.path, name__endswith="商务局").first()
        or Unit.objects.filter(path__startswith=root.path, name__endswith="委组织部").first()
        or root
    )


def _once(day: dt.date) -> DueRule:
    return DueRule(kind=RuleKind.ONCE, date=day)


def _yearly(month: int, day: int) -> DueRule:
    return DueRule(kind=RuleKind.YEARLY, month=month, day=day)


def build_demo_plans(*, officer: Any, root: Unit, on: dt.date) -> int:
    """The two plans; returns how many report deadlines are still open."""
    if WorkPlan.objects.exists():
        return 0
    # The plan's year: this year once its first quarterly report (10 April)
    # has passed, else last year, so that deadlines before today exist.
    y = on.year if on >= dt.date(on.year, 4, 11) else on.year - 1
    d = dt.date
    unit = _issuer(root)
    plan = plan_create(
        actor=officer, unit=unit, title=f"{y}年推行效能政府四项制度实施方案", year=y,
        source_document=SOURCE_1, starts_on=d(y, 1, 1), ends_on=d(y, 12, 31),
    )  # fmt: skip
    p1 = phase_add(
        actor=officer, plan=plan, name="动员部署阶段", starts_on=d(y, 1, 1), ends_on=d(y, 3, 31)
    )
    p2 = phase_add(
        actor=officer, plan=plan, name="组织实施阶段", starts_on=d(y, 4, 1), ends_on=d(y, 11, 30)
    )
    p3 = phase_add(
        actor=officer, plan=plan, name="考核总结阶段", starts_on=d(y, 12, 1), ends_on=d(y, 12, 31)
    )
    tasks = [
        (p1, "制定效能政府四项制度具体实施方案", "办公室", d(y, 3, 31), "四（一）1"),
        (p1, "制定年度目标绩效考核责任制，明确项目责任科室、责任人、工作进展程度和工作项目标准",
         "办公室", d(y, 3, 31), "四（一）2"),
        (p1, "召开全局效能建设动员大会", "办公室", d(y, 3, 31), "四（一）3"),
        (p2, "确定3个以上关键岗位和重点环节，制定防范措施并报同级政府监察机关备案",
         "纪检监察室", d(y, 3, 28), "四（二）3（1）"),
        (p2, "组织学习效能政府四项制度文件，把握行政成本控制制度的政策尺度",
         "办公室", d(y, 11, 30), "四（二）2（1）"),
        (p2, "建设学习型机关，开展学习培训和读书活动", "办公室", d(y, 11, 30), "四（二）4（2）"),
        (p3, "组织各科、室进行效能建设情况自查总结", "办公室", d(y, 12, 20), "四（三）"),
    ]  # fmt: skip
    made_tasks = [
        task_add(actor=officer, plan=plan, phase=ph, title=t, office=o, deadline=dl,
                 responsible=officer, source_article=a)
        for ph, t, o, dl, a in tasks
    ]  # fmt: skip
    for task in made_tasks:
        if task.deadline < on - dt.timedelta(days=30):
            task_update(actor=officer, task=task, status=TaskStatus.DONE,
                        progress="已按时完成。", done_on=task.deadline)  # fmt: skip
        elif task.deadline < on + dt.timedelta(days=60):
            task_update(actor=officer, task=task, status=TaskStatus.ONGOING,
                        progress="各科室正在落实。")  # fmt: skip
    reports = [
        ("制定行政能力提升制度实施方案及配套措施", "同级人事部门", _once(d(y, 3, 31)), "四（二）4（1）"),
        ("年度培训课题", "同级人事部门", _once(d(y, 3, 31)), "四（二）4（2）"),
        ("实施目标管理的重点工作选报表", "同级人事部门", _once(d(y, 3, 31)), "四（二）4（3）"),
        ("重大建设项目和重要工作年度工作计划", GOV, _once(d(y, 4, 1)), "四（二）1（1）"),
        ("重大建设项目和重要工作进展情况", GOV,
         DueRule(kind=RuleKind.QUARTERLY, month=1, day=10), "四（二）1（2）"),
        ("关键岗位和重点环节行政行为监督实施情况自查自纠", "同级政府监察机关", _yearly(6, 25),
         "四（二）3（2）"),
        ("重点工作自查报告（每半年不少于1次）", "同级人事部门",
         DueRule(kind=RuleKind.HALF_YEARLY, month=0, day=31), "四（二）4（4）"),
        ("年度自查报告", "同级人事部门", _yearly(12, 10), "四（二）4（4）"),
        ("全年行政绩效管理制度实施情况报告", "审计部门", _yearly(12, 20), "四（二）1（3）"),
        ("行政成本控制制度实施情况", "州财政局", _yearly(12, 20), "四（二）2（2）"),
        ("推行行政行为监督制度工作情况", "州监察局", _yearly(12, 20), "四（二）3（3）"),
        ("效能建设自查工作总结", "上级主管部门", _yearly(12, 25), "四（三）"),
    ]  # fmt: skip
    made = [
        report_add(actor=officer, plan=plan, title=t, recipient=r, office="办公室", rule=rule,
                   responsible=officer, source_article=a)
        for t, r, rule, a in reports
    ]  # fmt: skip
    # Everything due before today was submitted on its last day, except the
    # latest quarterly progress report: overdue.
    lines = [line for line in report_lines(plan, made) if line.occurrence.due < on]
    quarterly = [line for line in lines if line.report.rule_kind == RuleKind.QUARTERLY]
    late = quarterly[-1] if quarterly else (lines[-1] if lines else None)
    for line in lines:
        if line is not late:
            report_submit(actor=officer, report=line.report,
                          period_start=line.occurrence.period_start,
                          submitted_on=line.occurrence.due, note="按时报送。")  # fmt: skip
    plan_file(actor=officer, plan=plan, filed_to="县委组织部", filed_on=d(y, 3, 30),
              filed_document=f"{unit.short_name or unit.name}〔{y}〕3号")  # fmt: skip
    plan_acknowledge(actor=officer, plan=plan, acknowledged_on=d(y, 4, 3),
                     acknowledgement="已收悉，予以备案。")  # fmt: skip

    # seed §4's campaign (about six weeks), placed around today.
    start, end = on - dt.timedelta(days=20), on + dt.timedelta(days=25)
    campaign = plan_create(
        actor=officer, unit=unit, title=f"{end.year}年干部选拔任用监督工作政策法规集中教育",
        year=end.year, source_document=SOURCE_4, starts_on=start, ends_on=end,
    )  # fmt: skip
    study = phase_add(actor=officer, plan=campaign, name="专题自学", starts_on=start,
                      ends_on=on + dt.timedelta(days=10))  # fmt: skip
    phase_add(actor=officer, plan=campaign, name="专项自查和专题学习",
              starts_on=on + dt.timedelta(days=11), ends_on=end)  # fmt: skip
    task_add(actor=officer, plan=campaign, phase=study,
             title="局党组主要负责同志上一次党课，宣讲干部选拔任用和监督工作政策法规",
             office="办公室", deadline=on + dt.timedelta(days=3), responsible=officer,
             source_article="三、2")  # fmt: skip
    report_add(actor=officer, plan=campaign,
               title="学习体会文章和政策法规知识测试情况（备案）", recipient="县委组织部",
               office="办公室", rule=_once(on + dt.timedelta(days=5)), responsible=officer,
               source_article="三、1")  # fmt: skip
    return 2 if late else 1
