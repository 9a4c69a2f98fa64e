"""Findings (认定) recorded on the cadre feed the negative list (docs/decisions/0085):
the service keeps findings and sanctions apart, explain and the SQL screen read them, and
they stay off the approval form's 奖惩情况."""

from __future__ import annotations

import datetime as dt

import pytest

from xuanren.common.errors import ValidationFailed
from xuanren.people.models import Cadre
from xuanren.people.services import reward_punishment_add
from xuanren.policy.compile import rule_pass_q
from xuanren.policy.rules import Status
from xuanren.policy.selectors import explain_for, post_facts, rules_for_post

pytestmark = pytest.mark.django_db

REF = dt.date(2026, 11, 27)
RULE = "national.negative.office_seeking"


def verdict(admin, cadre, post, ref=REF):
    explanation = explain_for(actor=admin, cadre=cadre, post=post, ref=ref)
    return {r.rule.id: r for r in explanation.results}[RULE].status


def passes_in_sql(cadre, post, ref=REF):
    rule = {r.id: r for r in rules_for_post(post, ref)}[RULE]
    return Cadre.objects.filter(rule_pass_q(rule, post_facts(post), ref), pk=cadre.pk).exists()


def test_a_canvassing_finding_bars_while_in_force(admin, county, make_cadre):
    post = county.town_deputy
    cadre = make_cadre(county.town, name="拉票者")
    assert verdict(admin, cadre, post) is Status.PASS and passes_in_sql(cadre, post)
    reward_punishment_add(
        actor=admin, cadre=cadre, kind="finding", category="office_seeking",
        title="县纪委认定其在民主推荐中拉票", decided_on=dt.date(2026, 6, 1),
        effect_until=REF, document="青纪函〔2026〕5号",
    )  # fmt: skip
    # edge: in force through its last day
    assert verdict(admin, cadre, post) is Status.FAIL and not passes_in_sql(cadre, post)
    after = REF + dt.timedelta(days=1)
    assert verdict(admin, cadre, post, after) is Status.PASS and passes_in_sql(cadre, post, after)


def test_findings_and_sanctions_are_not_mixed(admin, county, make_cadre):
    cadre = make_cadre(county.town, name="甲")
    with pytest.raises(ValidationFailed):
        reward_punishment_add(
            actor=admin, cadre=cadre, kind="punishment", category="low_recognition",
            title="群众公认度不高", decided_on=dt.date(2026, 6, 1),
        )  # fmt: skip
    with pytest.raises(ValidationFailed):
        reward_punishment_add(
            actor=admin, cadre=cadre, kind="finding", category="warning_talk",
            title="诫勉", decided_on=dt.date(2026, 6, 1),
        )  # fmt: skip
    assert not cadre.rewards_punishments.exists()


def test_a_finding_is_not_on_the_approval_form(admin, county, make_cadre):
    from xuanren.documents.approval_form import _rewards

    cadre = make_cadre(county.town, name="乙")
    reward_punishment_add(
        actor=admin, cadre=cadre, kind="finding", category="low_recognition",
        title="民主推荐得票率低，群众公认度不高", decided_on=dt.date(2026, 6, 1),
    )  # fmt: skip
    assert "公认度" not in _rewards(cadre)
