"""The pages: a case's meetings and setup, the console (progress only), the
voter's page (code → ballot → confirm → receipt), slips, result sheet, PDF."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client

from tests.procedure.test_decision_stage import MEETING
from xuanren.ballots.models import Ballot, Meeting, Participation

pytestmark = pytest.mark.django_db


def test_setup_console_vote_and_result(decision_world, client):
    w = decision_world(15, candidates=1)
    (c,) = w.candidates
    client.force_login(w.officer)
    case_page = client.get(f"/cases/{w.run.case.pk}/")
    assert f"/ballots/case/{w.run.case.pk}/" in case_page.content.decode()
    r = client.post(
        f"/ballots/case/{w.run.case.pk}/",
        {"meeting_date": MEETING.isoformat(), "method": "electronic"},
    )
    m = Meeting.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/ballots/{m.pk}/"
    voters = list(m.voters.order_by("id"))
    client.post(
        f"/ballots/{m.pk}/", {"action": "attendance", "present": [v.pk for v in voters[:10]]}
    )
    slips = client.post(f"/ballots/{m.pk}/", {"action": "codes"}).content.decode()
    codes = re.findall(r"[A-Z2-9]{5}-[A-Z2-9]{5}", slips)
    assert len(set(codes)) == 15 and "<svg" in slips
    assert "开始投票前须生成计票密钥" in client.get(f"/ballots/{m.pk}/").content.decode()
    key_page = client.post(f"/ballots/{m.pk}/", {"action": "count_key"}).content.decode()
    halves = re.findall(r'count-key-code mono">([A-Z2-9]{5}-[A-Z2-9]{5})<', key_page)
    assert len(halves) == 2 and "系统不保存计票密码" in key_page
    client.post(f"/ballots/{m.pk}/", {"action": "open"})
    console = client.get(f"/ballots/{m.pk}/").content.decode()
    assert "已投 0 / 应投 15" in console and 'name="passphrase_1"' in console
    item = m.items.get()
    # codes follow the roster order; the first ten are present
    for code in codes[:10]:
        voter = Client()
        # The code is posted, kept in the session, and never in an address.
        entered = voter.post(f"/ballots/{m.pk}/vote/", {"action": "code", "code": code})
        assert entered.status_code == 302 and code not in entered["Location"]
        page = voter.get(f"/ballots/{m.pk}/vote/").content.decode()
        assert "人选1" in page and "同意" in page and code not in page
        confirm = voter.post(
            f"/ballots/{m.pk}/vote/", {f"item-{item.pk}": "agree"}
        ).content.decode()
        assert "请确认您的选票" in confirm and Ballot.objects.count() == 0
        content_json = re.search(r'name="content_json" value="([^"]*)"', confirm).group(1)

        done = voter.post(
            f"/ballots/{m.pk}/vote/",
            {"confirm": "1", "content_json": html.unescape(content_json)},
        ).content.decode()
        assert "投票成功" in done and re.search(r"[A-Z2-9]{5}-[A-Z2-9]{5}", done)
        # The session forgot the code: the page asks for one again.
        assert 'id="code-form"' in voter.get(f"/ballots/{m.pk}/vote/").content.decode()
    # A used code is refused at entry (issue 11), like the API: 409; no
    # ballot is shown and the session keeps no code, so a submit finds none.
    again = Client()
    entry = again.post(f"/ballots/{m.pk}/vote/", {"action": "code", "code": codes[0]})
    assert entry.status_code == 409 and "已经投过票" in entry.content.decode()
    assert "ballot-form" not in entry.content.decode()
    twice = again.post(
        f"/ballots/{m.pk}/vote/",
        {"confirm": "1", "content_json": html.unescape(content_json)},
    )
    assert twice.status_code == 200 and 'id="code-form"' in twice.content.decode()
    assert Participation.objects.filter(meeting=m).count() == 10
    assert "已投 10 / 应投 15" in client.get(f"/ballots/{m.pk}/progress/").content.decode()
    early = client.get(f"/ballots/{m.pk}/result/")
    assert early.status_code == 409 and "投票尚未结束" in early.content.decode()
    wrong = client.post(
        f"/ballots/{m.pk}/",
        {"action": "close", "passphrase_1": halves[1], "passphrase_2": halves[0]},
    )
    assert wrong.status_code == 200 and "计票密码不正确" in wrong.content.decode()
    r = client.post(
        f"/ballots/{m.pk}/",
        {"action": "close", "passphrase_1": halves[0], "passphrase_2": halves[1]},
    )
    assert r["Location"] == f"/ballots/{m.pk}/result/"
    sheet = client.get(f"/ballots/{m.pk}/result/").content.decode()
    assert "通过" in sheet and Meeting.objects.get().ballot_digest in sheet
    r = client.post(f"/ballots/{m.pk}/", {"action": "apply"})
    assert r.status_code == 302, r.content.decode()[:2000]
    c.refresh_from_db()
    assert c.status == "approved"
    # The case's 纪实 shows the result and the ballot digest.
    record = client.get(f"/cases/{w.run.case.pk}/record/").content.decode()
    assert Meeting.objects.get().ballot_digest in record
    assert f'href="/ballots/{m.pk}/result/"' in record  # the result sheet, one click away


def test_wrong_code_is_told_and_outsider_cannot_open_console(decision_world, client, personas):
    w = decision_world(15)
    m = w.create()
    w.attend(w.members[:10])
    w.open()
    page = Client().post(f"/ballots/{m.pk}/vote/", {"action": "code", "code": "ZZZZZ-ZZZZZ"})
    assert page.status_code == 404 and "投票码不正确" in page.content.decode()
    client.force_login(personas.other_unit_hr)
    assert client.get(f"/ballots/{m.pk}/").status_code in (403, 404)


def test_paper_sheets_pdf(decision_world, client):
    w = decision_world(15)
    m = w.create(method="paper", sheet_count=3)
    client.force_login(w.officer)
    r = client.get(f"/ballots/{m.pk}/sheets.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")


def test_tellers_enter_paper_sheets_on_the_console(decision_world, client, county):
    from tests.conftest import make_user
    from xuanren.access.models import Role

    w = decision_world(15)
    m = w.create(method="paper", sheet_count=2)
    w.attend(w.members[:10])
    client.force_login(w.officer)
    client.post(f"/ballots/{m.pk}/", {"action": "open"})
    item = m.items.get()
    page = client.get(f"/ballots/{m.pk}/").content.decode()
    assert f'name="item-{item.pk}"' in page and "不同意" in page
    second = Client()
    second.force_login(make_user("teller2", Role.CASE_OFFICER, county.root))
    serial = f"{m.pk:04d}-0001"
    for teller, mark in ((client, "agree"), (second, "disagree")):
        r = teller.post(
            f"/ballots/{m.pk}/", {"action": "paper", "serial": serial, f"item-{item.pk}": mark}
        )
        assert r.status_code == 302
    page = client.get(f"/ballots/{m.pk}/").content.decode()
    assert f"票号 {serial} 两次录入不一致" in page
    r = client.post(f"/ballots/{m.pk}/", {"action": "close"})
    assert "不能计票" in r.content.decode()


def test_recommendation_meeting_from_the_case_page(client, personas, county, admin, make_cadre):
    from tests.procedure.conftest import open_case
    from tests.procedure.test_decision_stage import make_committee
    from xuanren.procedure.candidates import candidate_add

    committee, _members = make_committee(admin, county, 11)
    case = open_case(personas, county, committee)
    zhang = make_cadre(county.town, name="张推荐")
    candidate_add(
        actor=personas.case_officer, case=case, cadre=zhang, post=county.town_deputy, step="x"
    )
    client.force_login(personas.case_officer)
    r = client.post(
        f"/ballots/case/{case.pk}/",
        {
            "kind": "recommendation",
            "meeting_date": "2026-11-10",
            "method": "electronic",
            "participants": "甲，中层干部\n乙,职工群众\n",
        },
    )
    m = Meeting.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/ballots/{m.pk}/"
    section = m.sections.get()
    assert (section.post, section.max_choices, section.write_ins) == (
        county.town_deputy,
        1,
        True,
    )  # the case plans one seat
    assert [i.cadre for i in section.items.all()] == [zhang]
    assert sorted(m.voters.values_list("name", "group")) == [("乙", "职工群众"), ("甲", "中层干部")]
    bad = client.post(
        f"/ballots/case/{case.pk}/",
        {"kind": "evaluation", "meeting_date": "2026-11-10", "participants": "丙，路人"},
    )
    assert "不在规定类别中" in bad.content.decode()


def test_malformed_numbers_and_unknown_names_are_told_not_crashed(decision_world, client):
    w = decision_world(15, candidates=1)
    client.force_login(w.officer)
    r = client.post(
        f"/ballots/case/{w.run.case.pk}/",
        {"meeting_date": MEETING.isoformat(), "method": "paper", "sheet_count": "十"},
    )
    assert r.status_code == 200 and "纸质票张数应为整数" in r.content.decode()
    assert not Meeting.objects.exists()
    m = w.create()
    r = client.post(f"/ballots/{m.pk}/", {"action": "deferral", "item": "999999", "votes": "3"})
    assert r.status_code == 200 and "提交的内容不完整" in r.content.decode()
    assert not m.items.filter(defer_votes__gt=0).exists()
