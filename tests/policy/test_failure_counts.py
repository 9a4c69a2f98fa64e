"""智能选人's exclusion counts for a post whose rules read a subquery column
(training hours, posts held) beside a rule with its own EXISTS (a sanction, a
finding): the one aggregate runs on either database and each rule's count is
the number of cadres explain() says it fails (the demo's 统战部部长 answered
"no such column: people_cadre.id" on SQLite)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from xuanren.common.dates import today
from xuanren.org.models import Level
from xuanren.org.services import post_create, quota_set
from xuanren.people.models import Cadre, RecordCategory, RecordKind
from xuanren.people.services import reward_punishment_add, training_add
from xuanren.policy.rules import Status, explain
from xuanren.policy.selectors import cadre_facts, post_facts, screening

pytestmark = pytest.mark.django_db


def test_counts_with_subquery_columns_and_exists_tests(
    admin: Any, county: Any, personas: Any, make_cadre: Any
) -> None:
    quota_set(actor=admin, unit=county.root, level=Level.DIVISION_DEPUTY, approved=2)
    post = post_create(actor=admin, unit=county.root, title="副县长", level=Level.DIVISION_DEPUTY)
    trained = make_cadre(county.town, name="甲")
    training_add(actor=admin, cadre=trained, year=today().year, hours=600, title="党校主体班")
    punished = make_cadre(county.town, name="乙", birth=dt.date(1980, 5, 1))
    reward_punishment_add(
        actor=admin, cadre=punished, kind=RecordKind.PUNISHMENT,
        category=RecordCategory.PARTY_DISCIPLINE, title="党内警告",
        decided_on=today() - dt.timedelta(days=30), effect_until=today() + dt.timedelta(days=300),
    )  # fmt: skip
    found = make_cadre(county.finance, name="丙")
    reward_punishment_add(
        actor=admin, cadre=found, kind=RecordKind.FINDING,
        category=RecordCategory.OFFICE_SEEKING, title="拉票", decided_on=today(),
    )  # fmt: skip
    make_cadre(county.finance, name="丁", work_start=None)

    s = screening(actor=personas.case_officer, post=post)
    measures = {r.measure.value for r in s.applicable()}
    assert {"training_hours", "no_sanction_in_effect", "no_finding"} <= measures
    counts = {c.rule.id: c.failing for c in s.failure_counts()}
    facts = cadre_facts(Cadre.objects.filter(pk__in=s.base.values("pk")))
    pf = post_facts(post)
    verdicts = [explain(s.applicable(), f, pf, s.ref) for f in facts]
    expected = {
        rule.id: sum(v.results[i].status is Status.FAIL for v in verdicts)
        for i, rule in enumerate(s.applicable())
    }
    assert counts == expected
    assert counts["national.negative.sanction"] == 1
    assert counts["national.training"] == len(verdicts) - 1  # only 甲 has 550 hours
