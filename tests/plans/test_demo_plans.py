"""The demo's work plans (docs/decisions/0183): seed §1's plan with its three
phases, dated tasks and recurring reports, one report overdue, and seed §4's
campaign with one report coming due — whatever the demo's today."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from xuanren.plans.models import WorkPlan
from xuanren.plans.recurrence import RuleKind
from xuanren.plans.selectors import report_lines
from xuanren.procedure.todo import TodoKind, todo_for
from xuanren.synth.plans import build_demo_plans

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "on", [dt.date(2026, 12, 6), dt.date(2026, 2, 15), dt.date(2026, 4, 11), dt.date(2024, 2, 29)]
)
def test_demo_plans(clock: Any, county: Any, personas: Any, on: dt.date) -> None:
    clock.day = on
    officer = personas.case_officer
    assert build_demo_plans(officer=officer, root=county.root, on=on) == 2
    plan, campaign = WorkPlan.objects.order_by("pk")
    assert [p.name for p in plan.phases.all()] == ["动员部署阶段", "组织实施阶段", "考核总结阶段"]
    kinds = {r.rule_kind for r in plan.reports.all()}
    assert kinds == {RuleKind.ONCE, RuleKind.QUARTERLY, RuleKind.HALF_YEARLY, RuleKind.YEARLY}
    lines = report_lines(plan, list(plan.reports.all()))
    overdue = [line for line in lines if line.overdue(on)]
    assert len(overdue) == 1 and overdue[0].report.rule_kind == RuleKind.QUARTERLY
    assert plan.acknowledged_on is not None
    items = [i for i in todo_for(actor=officer, on=on) if i.kind == TodoKind.PLAN_REPORT_DUE]
    assert any(i.due < on for i in items)
    assert any(on <= i.due <= on + dt.timedelta(days=7) and campaign.title in i.text for i in items)
    # Built once.
    assert build_demo_plans(officer=officer, root=county.root, on=on) == 0
