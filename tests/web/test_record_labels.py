"""Stored step data is shown with Chinese labels everywhere: the 纪实
serializer (xuanren/procedure/record.py) for every step's data and what the
effects derive, and the case page and the 纪实 page of the demo's cases — one
carried through every step, the others through the other templates — show no
key, no field name and no value code."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core.cache import cache

from tests.step_data import CODES, IDENTIFIER, MOTION
from xuanren.procedure.record import DataNode, step_rows
from xuanren.synth.cases import build_demo_cases
from xuanren.synth.demo import demo_users
from xuanren.synth.loader import seed

ON = dt.date(2026, 11, 27)
WORDS = re.compile(IDENTIFIER + "|" + r"\b(?:" + "|".join(CODES) + r")\b")


def _texts(nodes: tuple[DataNode, ...]) -> list[str]:
    out = []
    for n in nodes:
        out.append(n.label)
        out.append(n.text)
        for g in n.groups:
            out.extend(_texts(g))
    return out


SAMPLES: dict[str, dict[str, Any]] = {
    "motion": {**MOTION, "explanation": "职位空缺"},
    "plan": {"consultation": [{"from": "县委", "comment": "同意"}],
             "higher_approval": {"body": "市委组织部", "document": "市组函〔2026〕1号"}},
    "publication": {"text": "公告", "channels": ["notice_board", "wechat"], "date": "2026-11-01"},
    "recommendation": {
        "meetings": [{"kind": "talk", "date": "2026-11-10", "participants": {"中层干部": 20},
                      "staff_total": 30, "posts": [7]}],
        "results": [{"cadre": 1, "post": 7, "group": "中层干部", "kind": "meeting", "signed": 3}],
        "not_counted": [{"kind": "phone", "count": 2, "note": "电话"}],
        "method": "electronic", "ballot_meeting": 3, "ballot_digest": "ab" * 32,
    },
    "evaluation": {"meetings": [{"kind": "meeting", "date": "2026-11-10",
                                 "participants": {"中层干部": 20}}],
                   "results": [{"cadre": 1, "group": "中层干部", "votes": 9,
                                "grades": {"excellent": 5, "competent": 4}}]},
    "integrity_opinion": {"request_document": "函", "requested_on": "2026-11-10",
                          "planned_meeting_date": "2026-11-20",
                          "opinions": [{"candidate": 1, "result": "passed",
                                        "returned_on": "2026-11-12"}]},
    "decision": {
        "meeting_date": "2026-11-20", "present": [1, 2], "method": "paper",
        "votes": [{"candidate": 1, "agree": 2, "recused": []}],
        "result_sheet": {
            "meeting_date": "2026-11-20", "members": [1, 2], "present": [1, 2],
            "members_count": 2, "present_count": 2, "quorum_needed": 2,
            "rules": {"quorum": [2, 3], "majority": [1, 2], "deferral": [1, 2]},
            "candidates": [{"candidate": 1, "cadre": 1, "name": "甲", "post": 7,
                            "outcome": "passed", "status": "approved", "agree": 2,
                            "recused": [], "eligible_voters": 2, "needed": 2,
                            "sentence": "同意 2 票"}],
        },
    },
    "appointment": {
        "document_number": "青委〔2026〕45号", "document_date": "2026-12-10",
        "method": "appointed",
        "appointments": [{"candidate": 1, "cadre": 1, "post": 7, "tenure": 820,
                          "start_date": "2026-11-20", "document_number": "青委〔2026〕45号",
                          "method": "appointed", "probation_until": "2027-11-19",
                          "former_level": "section_deputy", "former_level_since": "2020-01-01",
                          "former_post_title": "副主任"}],
    },
    "probation_end": {
        "assessments": [{"candidate": 1, "result": "not_competent", "assessed_on": "2027-11-20",
                         "document": "免", "restore_level": "section_deputy"}],
        "outcomes": [{"candidate": 1, "result": "not_competent", "tenure_ended": 820,
                      "end_date": "2027-11-20", "restored_level": "section_deputy",
                      "restored_level_since": "2020-01-01"}],
    },
    "public_notice": {"unknown_key": "passed"},
}  # fmt: skip


@pytest.mark.parametrize("step", list(SAMPLES))
def test_record_rows_are_labelled_in_chinese(step: str) -> None:
    names = {"candidates": {1: "甲"}, "cadres": {1: "甲"}, "members": {1: "常委一", 2: "常委二"},
             "posts": {7: "城关镇副镇长"}}  # fmt: skip
    texts = _texts(step_rows(step, SAMPLES[step], names))
    joined = " | ".join(texts)
    assert not WORDS.search(joined), joined
    assert all(t for t in texts[::2]), joined  # every entry has a label


def test_ids_read_as_names_and_codes_as_words() -> None:
    names = {"candidates": {1: "甲"}, "cadres": {1: "甲"}, "members": {1: "常委一", 2: "常委二"},
             "posts": {7: "城关镇副镇长"}}  # fmt: skip
    joined = " | ".join(_texts(step_rows("decision", SAMPLES["decision"], names)))
    for word in ("到会成员", "常委一、常委二", "表决结果", "通过", "2/3", "纸质票", "甲"):
        assert word in joined, (word, joined)
    appointment = " | ".join(_texts(step_rows("appointment", SAMPLES["appointment"], names)))
    for word in ("试用期至", "2027-11-19", "委任", "副科级", "城关镇副镇长"):
        assert word in appointment, (word, appointment)


#: Not read as page text: scripts, the header with the login name, hashes, and
#: the correction form's JSON editor (to be replaced by the step's own form).
SKIPPED = ("script", "style", "header", "nav", "code", "textarea")


class _Visible(HTMLParser):
    """The text a reader sees: no tags, attributes, scripts or styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in SKIPPED:
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


@pytest.mark.django_db
def test_case_and_record_pages_show_no_keys(client: Any, monkeypatch: Any, settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    root = seed(cadres=1500, units=60, seed=7, as_of=ON).root
    monkeypatch.setattr("xuanren.synth.demo.build_demo_cases", lambda **kwargs: [])
    demo_users()
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    # The live cases' pages (the generated history's are not walked here).
    built = build_demo_cases(
        admin=users.get(username="admin"), county_root=root, on=ON, with_history=False
    )
    assert {d.case.template.code for d in built} == {
        "county-leading",
        "section-level",
        "competitive",
    }
    assert any(d.case.current_step == "" for d in built)  # one carried through every step
    client.force_login(users.get(username="officer"))
    for d in built:
        for url in (f"/cases/{d.case.pk}/", f"/cases/{d.case.pk}/record/"):
            response = client.get(url)
            assert response.status_code == 200, url
            records = visible(response.content.decode())
            found = [
                records[max(0, m.start() - 30) : m.end() + 10] for m in WORDS.finditer(records)
            ]
            assert not found, (d.stage, url, found[:8])
    cache.clear()


def test_contract_errors_go_to_the_field_the_cell_or_above_the_form() -> None:
    from xuanren.common.errors import FieldError
    from xuanren.web.case_forms import DeliberationForm
    from xuanren.web.cases import attach_errors

    post = {
        "step-planned_meeting_date": "2026-11-20",
        "step-plan_document": "任免方案",
        "step-circulated-TOTAL_FORMS": "1",
        "step-circulated-INITIAL_FORMS": "0",
        "step-circulated-0-member": "",
        "step-circulated-0-on": "2026-11-18",
    }
    post["step-circulated-0-member"] = "5"
    form = DeliberationForm(post, prefix="step")
    for f in form.rowset("circulated").formset.forms:
        f.fields["member"].choices = [("", "—"), (5, "常委甲")]
    assert form.is_valid(), form.errors
    attach_errors(
        form,
        [
            FieldError("plan_document", "“酝酿的方案”：不能为空，请填写。"),
            FieldError("circulated.0.on", "方案送阅第 1 行“送阅日期”：必须填写，请补上。"),
            FieldError("votes", "别处的问题。"),
        ],
    )
    assert form.errors["plan_document"] == ["“酝酿的方案”：不能为空，请填写。"]
    cell = form.rowset("circulated").formset.forms[0]
    assert cell.errors["on"] == ["方案送阅第 1 行“送阅日期”：必须填写，请补上。"]
    assert form.non_field_errors() == ["别处的问题。"]
