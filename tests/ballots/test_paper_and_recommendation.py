"""Paper ballots entered twice by two tellers, counts mode, and recommendation
and evaluation meetings with their groups, write-ins and invalid ballots."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.ballots.conftest import open_electronic
from tests.conftest import make_user
from tests.procedure.test_decision_stage import MEETING
from xuanren.access.models import Role
from xuanren.ballots.models import Meeting
from xuanren.ballots.selectors import meeting_progress, paper_sheets_state, serials_of, step_data
from xuanren.ballots.services import (
    ballot_cast,
    meeting_attendance_set,
    meeting_close,
    meeting_codes_issue,
    meeting_create,
    meeting_open,
    meeting_result_apply,
    paper_entry_record,
    paper_entry_resolve,
)
from xuanren.common.errors import Conflict, ValidationFailed
from xuanren.procedure.models import CandidateStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def tellers(county):
    return (
        make_user("teller1", Role.CASE_OFFICER, county.root),
        make_user("teller2", Role.CASE_OFFICER, county.root),
        make_user("teller3", Role.CASE_OFFICER, county.root),
    )


def marks(w, **by_candidate):
    return {"marks": {str(w.item(c).pk): v for c, v in by_candidate.items()}}


def test_paper_decision_double_entry_mismatch_blocks_until_resolved(decision_world, tellers):
    t1, t2, t3 = tellers
    w = decision_world(15)
    (c,) = w.candidates
    m = w.create(method="paper", sheet_count=12)
    w.attend(w.members[:11])
    meeting_open(actor=w.officer, meeting=m)
    serials = serials_of(m)
    assert len(serials) == 12 and serials[0].endswith("-0001")
    agree = {"marks": {str(w.item(c).pk): "agree"}}
    for s in serials[:11]:
        paper_entry_record(actor=t1, meeting=m, serial=s, content=agree)
    with pytest.raises(Conflict, match="只录入了一次"):
        meeting_close(actor=w.officer, meeting=m, passphrase=w.passphrase)
    for s in serials[:10]:
        paper_entry_record(actor=t2, meeting=m, serial=s, content=agree)
    paper_entry_record(actor=t2, meeting=m, serial=serials[10], content={"marks": {}})
    with pytest.raises(Conflict, match="不一致") as info:
        meeting_close(actor=w.officer, meeting=m, passphrase=w.passphrase)
    assert any(serials[10] in e.message for e in info.value.errors)
    assert paper_sheets_state(m).mismatched == [serials[10]]
    with pytest.raises(Conflict, match="三人"):
        paper_entry_record(actor=t3, meeting=m, serial=serials[10], content={"marks": {}})
    with pytest.raises(Conflict, match="两名录入人以外"):
        paper_entry_resolve(actor=t1, meeting=m, serial=serials[10], content={"marks": {}})
    paper_entry_resolve(actor=t3, meeting=m, serial=serials[10], content={"marks": {}})
    with pytest.raises(ValidationFailed, match="不是本次会议印制"):
        paper_entry_record(actor=t1, meeting=m, serial="9999-9999", content={})
    assert meeting_progress(actor=w.officer, meeting=m).voted == 11
    closed = meeting_close(actor=w.officer, meeting=m, passphrase=w.passphrase)
    row = closed.result["decision"]["candidates"][0]
    assert (row["agree"], row["abstain"], row["outcome"]) == (10, 1, "passed")
    record = meeting_result_apply(actor=w.officer, meeting=closed, on=MEETING)
    assert record.data["method"] == "paper"
    c.refresh_from_db()
    assert c.status == CandidateStatus.APPROVED


def test_paper_counts_mode_entered_twice(decision_world, tellers):
    t1, t2, _t3 = tellers
    w = decision_world(15)
    (c,) = w.candidates
    m = w.create(method="paper", paper_mode="counts")
    w.attend(w.members[:12])
    meeting_open(actor=w.officer, meeting=m)
    key = str(w.item(c).pk)
    with pytest.raises(ValidationFailed, match="超过有效票"):
        paper_entry_record(
            actor=t1, meeting=m, content={"cast": 12, "invalid": 1, "items": {key: {"agree": 12}}}
        )
    paper_entry_record(
        actor=t1,
        meeting=m,
        content={"cast": 12, "invalid": 1, "items": {key: {"agree": 7, "disagree": 3}}},
    )
    paper_entry_record(
        actor=t2,
        meeting=m,
        content={"cast": 12, "invalid": 1, "items": {key: {"agree": 8, "disagree": 3}}},
    )
    with pytest.raises(Conflict, match="不一致"):
        meeting_close(actor=w.officer, meeting=m, passphrase=w.passphrase)
    paper_entry_record(  # the first teller re-reads and corrects their entry
        actor=t1,
        meeting=m,
        content={"cast": 12, "invalid": 1, "items": {key: {"agree": 8, "disagree": 3}}},
    )
    closed = meeting_close(actor=w.officer, meeting=m, passphrase=w.passphrase)
    assert (closed.result["cast"], closed.result["valid"], closed.result["invalid"]) == (12, 11, 1)
    row = closed.result["decision"]["candidates"][0]
    assert (row["agree"], row["disagree"], row["abstain"], row["outcome"]) == (8, 3, 0, "passed")


def recommendation_meeting(officer, county, make_cadre, method="electronic", **kw) -> Meeting:
    a, b, c = (make_cadre(county.town, name=n) for n in ("张甲", "李乙", "王丙"))
    voters = [{"name": f"中层{i}", "group": "中层干部"} for i in range(6)] + [
        {"name": f"班子{i}", "group": "领导班子成员"} for i in range(3)
    ]
    return meeting_create(
        actor=officer,
        kind="recommendation",
        title="城关镇副镇长民主推荐会",
        unit=county.town,
        meeting_date=dt.date(2026, 11, 10),
        method=method,
        sections=[
            {
                "title": "副镇长",
                "post": county.town_deputy,
                "max_choices": 2,
                "write_ins": True,
                "items": [{"name": x.name, "cadre": x} for x in (a, b, c)],
            }
        ],
        voters=voters,
        **kw,
    )


def test_recommendation_meeting_groups_write_ins_and_limits(personas, county, make_cadre):
    officer = personas.case_officer
    m = recommendation_meeting(officer, county, make_cadre)
    issued = meeting_codes_issue(actor=officer, meeting=m)
    codes = {v.name: code for v, code in issued}
    passphrase = open_electronic(officer, m)
    items = {i.name: str(i.pk) for i in m.items.all()}
    section = str(m.sections.get().pk)
    with pytest.raises(ValidationFailed, match="超过限选人数"):
        ballot_cast(
            actor=None,
            meeting=m,
            code=codes["中层0"],
            content={
                "marks": {items["张甲"]: "chosen", items["李乙"]: "chosen"},
                "write_ins": {section: ["赵丁"]},
            },
        )
    ballot_cast(
        actor=None, meeting=m, code=codes["中层0"],
        content={"marks": {items["张甲"]: "chosen"}, "write_ins": {section: ["赵丁"]}},
    )  # fmt: skip
    for name in ("中层1", "中层2", "班子0"):
        ballot_cast(
            actor=None, meeting=m, code=codes[name], content={"marks": {items["张甲"]: "chosen"}}
        )
    ballot_cast(actor=None, meeting=m, code=codes["班子1"], content={})  # blank is valid
    closed = meeting_close(actor=officer, meeting=m, passphrase=passphrase)
    r = closed.result
    assert (r["cast"], r["valid"], r["blank"]) == (5, 5, 1)
    assert r["items"][items["张甲"]]["chosen"] == 4
    assert r["groups"]["中层干部"]["items"][items["张甲"]]["chosen"] == 3
    assert r["groups"]["领导班子成员"]["items"][items["张甲"]]["chosen"] == 1
    assert r["write_ins"] == {section: {"赵丁": 1}}
    step, data = step_data(closed)
    assert step == "recommendation"
    assert data["meetings"][0]["participants"] == {"中层干部": 3, "领导班子成员": 2}
    rows = {(x["cadre"], x["group"]): x["signed"] for x in data["results"]}
    zhang = closed.items.get(name="张甲").cadre_id
    assert rows[zhang, "中层干部"] == 3 and rows[zhang, "领导班子成员"] == 1


def test_paper_recommendation_counts_too_many_names_as_invalid(
    personas, county, make_cadre, tellers
):
    t1, t2, _t3 = tellers
    officer = personas.case_officer
    m = recommendation_meeting(officer, county, make_cadre, method="paper", sheet_count=3)
    meeting_attendance_set(
        actor=officer, meeting=m, present=list(m.voters.values_list("pk", flat=True))
    )
    meeting_open(actor=officer, meeting=m)
    items = [str(i.pk) for i in m.items.order_by("order")]
    s1, s2, s3 = serials_of(m)
    sheets = {
        s1: {
            "marks": {items[0]: "chosen", items[1]: "chosen", items[2]: "chosen"},
            "group": "中层干部",
        },
        s2: {"marks": {}, "group": "中层干部"},
        s3: {"marks": {items[0]: "chosen"}, "group": "领导班子成员"},
    }
    for teller in (t1, t2):
        for serial, content in sheets.items():
            paper_entry_record(actor=teller, meeting=m, serial=serial, content=content)
    r = meeting_close(actor=officer, meeting=m).result
    assert (r["cast"], r["valid"], r["invalid"], r["blank"]) == (3, 2, 1, 1)
    assert r["items"][items[0]]["chosen"] == 1
    assert r["groups"]["中层干部"]["invalid"] == 1


def test_evaluation_meeting_with_grades_and_satisfaction(personas, county, make_cadre):
    officer = personas.case_officer
    person = make_cadre(county.town, name="测评对象")
    for scale, options in (
        ("grades", ["excellent", "competent", "basically_competent", "incompetent"]),
        ("satisfaction", ["satisfied", "basically_satisfied", "dissatisfied"]),
    ):
        m = meeting_create(
            actor=officer,
            kind="evaluation",
            title="民主测评",
            unit=county.town,
            meeting_date=dt.date(2026, 11, 20),
            scale=scale,
            sections=[{"title": "测评对象", "items": [{"name": person.name, "cadre": person}]}],
            voters=[{"name": f"职工{i}", "group": "职工群众"} for i in range(len(options))],
        )
        issued = meeting_codes_issue(actor=officer, meeting=m)
        passphrase = open_electronic(officer, m)
        item = str(m.items.get().pk)
        wrong = "excellent" if scale == "satisfaction" else "satisfied"
        with pytest.raises(ValidationFailed, match="不是本选票的选项"):
            ballot_cast(actor=None, meeting=m, code=issued[0][1], content={"marks": {item: wrong}})
        for (_v, code), grade in zip(issued, options, strict=True):
            ballot_cast(actor=None, meeting=m, code=code, content={"marks": {item: grade}})
        closed = meeting_close(actor=officer, meeting=m, passphrase=passphrase)
        assert closed.result["items"][item] == dict.fromkeys(options, 1)
        step, data = step_data(closed)
        assert step == "evaluation"
        assert data["results"][0]["votes"] == len(options)
        assert data["results"][0]["grades"] == dict.fromkeys(options, 1)


def test_setup_refuses_bad_groups_and_recommendations_without_a_limit(personas, county):
    with pytest.raises(ValidationFailed) as info:
        meeting_create(
            actor=personas.case_officer,
            kind="recommendation",
            title="推荐",
            unit=county.town,
            meeting_date=dt.date(2026, 11, 10),
            sections=[{"title": "职位", "items": [{"name": "某"}]}],
            voters=[{"name": "甲", "group": "路人"}],
        )
    text = " ".join(e.message for e in info.value.errors)
    assert "限选人数" in text and "不在规定类别中" in text
