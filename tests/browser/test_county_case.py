"""The county template once through the browser (Debian's chromium): the case
officer drives a county-leading case for 城关镇副镇长 from the motion to the
confirmation at the end of probation through the step forms of the case page.
On the way the integrity-opinion step is blocked — the opinion was requested
too late for the planned meeting, which the live guard preview already shows
while the form is being filled — and goes through once the meeting date is
moved. The notice is published on the supervision page.

Dates of record move as they would in a county: "today" of the procedure,
supervision and case pages follows a clock the test sets before each step
(the live server runs in this process). Screenshots go to test-artifacts/."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pytest

from tests.browser.conftest import fill_recommendation_results, log_in_as_officer
from tests.browser.test_case_flow import in_own_thread
from tests.browser.test_case_officer import ARTIFACTS, browser_page  # noqa: F401 (a fixture)
from tests.conftest import CASE_START, Clock
from xuanren.procedure.models import Candidate, Case, CommitteeMembership

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("clock_at_case_start")]

REF = CASE_START


@dataclass
class Setup:
    case: Case
    members: list[CommitteeMembership]
    li: Any
    zhao: Any


@pytest.fixture
def county_case(admin: Any, personas: Any, county: Any, make_cadre: Any, clock: Clock) -> Setup:
    """Two young cadres of 城关镇 as the records hold them, the standing
    committee (9 members), and the case opened for 城关镇副镇长."""
    from tests.procedure.test_end_to_end import World
    from xuanren.procedure.services import case_open, committee_create, committee_member_add

    world = World(admin, personas.case_officer, personas.discipline, county, make_cadre, clock)
    li = world.person(county.town_office, "李芳", birth=dt.date(1990, 5, 20),
                      post_title="城关镇党政办主任", sex="female")  # fmt: skip
    zhao = world.person(county.town, "赵磊", birth=dt.date(1991, 1, 15),
                        post_title="城关镇农业农村办主任")  # fmt: skip
    committee = committee_create(actor=admin, unit=county.root, name="中共青山县委常委会",
                                 kind="standing_committee")  # fmt: skip
    members = [
        committee_member_add(actor=admin, committee=committee, name=f"常委{i}",
                             start_date=dt.date(2021, 10, 1))
        for i in range(9)
    ]  # fmt: skip
    case = case_open(actor=personas.case_officer, title="城关镇副镇长选任",
                     template_code="county-leading", unit=county.root, committee=committee,
                     posts=[(county.town_deputy, 1)], reference_date=REF)  # fmt: skip
    return Setup(case, members, li, zhao)


def test_county_case_from_motion_to_confirmation_in_the_browser(
    live_server: Any,
    county_case: Setup,
    clock: Clock,
    browser_page: Any,  # noqa: F811 (the fixture imported above)
) -> None:
    from playwright.sync_api import expect

    page = browser_page
    base = live_server.url
    case = county_case.case
    page.goto(f"{base}/login/")
    log_in_as_officer(page)
    case_url = f"{base}/cases/{case.pk}/"

    def current() -> Any:
        return page.locator("li.step-current")

    def fill(name: str, value: str) -> None:
        page.locator(f'li.step-current [name="{name}"]').fill(value)

    def row(rowset: str, key: str, text: str) -> str:
        """The field prefix of the row whose `key` picker shows `text`."""
        prefix = page.evaluate(
            """([rowset, key, text]) => {
                for (const s of document.querySelectorAll(
                        `li.step-current select[name^="step-${rowset}-"][name$="-${key}"]`)) {
                    if (s.selectedOptions[0] && s.selectedOptions[0].text.includes(text))
                        return s.name.slice(0, -key.length - 1);
                }
                return null;
            }""",
            [rowset, key, text],
        )
        assert prefix, (rowset, key, text)
        return str(prefix)

    def complete(step_name: str, on: dt.date) -> None:
        clock.day = on
        current().get_by_role("button", name=f"完成“{step_name}”").click()
        expect(page.locator(".messages")).to_contain_text(f"“{step_name}”环节已办理")

    page.goto(case_url)
    # Motion, plan, publication.
    current().get_by_label("职位空缺").check()
    current().get_by_label("提议人（单位或个人）").fill("城关镇党委")
    complete("动议", REF)
    current().get_by_label("征求对象", exact=True).nth(0).fill("县纪委监委")
    current().get_by_label("意见内容", exact=True).nth(0).fill("无意见")
    complete("选任方案", dt.date(2026, 9, 7))
    current().get_by_label("公告正文（职位、资格条件、方法程序）").fill("城关镇副镇长 1 名。")
    current().get_by_label("单位公示栏").check()
    fill("step-date", "2026-09-09")
    complete("职位公告", dt.date(2026, 9, 9))

    # Recommendation: the meeting and talk records, then signed ballots per group.
    fill("step-meetings-0-date", "2026-09-15")
    fill("step-meetings-0-g0", "7")
    fill("step-meetings-0-g1", "18")
    fill("step-meetings-1-date", "2026-09-16")
    fill("step-meetings-1-g0", "7")
    fill("step-meetings-1-g1", "15")
    fill("step-meetings-1-staff_total", "30")
    li, zhao = county_case.li, county_case.zhao
    results = [(li, "meeting", "6", "12"), (li, "talk", "5", "11"),
               (zhao, "meeting", "1", "6"), (zhao, "talk", "2", "4")]  # fmt: skip
    fill_recommendation_results(page, results)
    complete("民主推荐", dt.date(2026, 9, 17))

    current().get_by_label(re.compile("李芳（")).check()
    current().get_by_label(re.compile("赵磊（")).check()
    current().get_by_label("研究确定的会议").fill("县委组织部部务会")
    fill("step-meeting_date", "2026-09-22")
    complete("确定考察对象", dt.date(2026, 9, 22))
    current().get_by_label("考察预告内容").fill("考察预告：李芳、赵磊。")
    fill("step-published_on", "2026-09-23")
    complete("考察预告", dt.date(2026, 9, 23))

    # Inspection: a team of two who both sign; talks, evaluation, visits per person.
    for i, name in enumerate(["刘组长", "何组员"]):
        fill(f"step-team-{i}-name", name)
        page.locator(f'li.step-current [name="step-team-{i}-signed"]').check()
    for name, rank in (("李芳", "1"), ("赵磊", "2")):
        p = row("candidates", "candidate", name)
        for field, value in (("talks_count", "25"), ("talks_date", "2026-10-09"),
                             ("evaluation_participants", "40"), ("evaluation_date", "2026-10-09"),
                             ("visit_place", "城关镇"), ("visit_date", "2026-10-10"),
                             ("rank", rank)):  # fmt: skip
            fill(f"{p}-{field}", value)
        page.locator(f'[name="{p}-reports_investigated"]').check()
    fill("step-report_date", "2026-10-13")
    complete("考察", dt.date(2026, 10, 14))

    # Integrity opinion: requested on the 15th for a meeting on the 17th — too
    # late. The live preview says so before anything is submitted.
    clock.day = dt.date(2026, 10, 20)
    current().get_by_label("征求意见函文号").fill("青组函〔2026〕61号")
    fill("step-requested_on", "2026-10-15")
    for name in ("李芳", "赵磊"):
        p = row("opinions", "candidate", name)
        page.locator(f'[name="{p}-result"]').select_option("passed")
        fill(f"{p}-returned_on", "2026-10-20")
    fill("step-planned_meeting_date", "2026-10-17")
    preview = page.locator('#guards-integrity_opinion [data-guard="integrity_requested_in_time"]')
    expect(preview).to_contain_text("2026-10-18")
    expect(page.locator("#guards-integrity_opinion")).to_contain_text("尚未保存")
    current().get_by_role("button", name="完成“廉政意见”").click()
    expect(page.get_by_role("alert")).to_contain_text("“廉政意见”环节的前置条件未满足")
    expect(
        page.locator('li.step-current [data-guard="integrity_requested_in_time"]')
    ).to_contain_text("未满足")
    page.screenshot(path=str(ARTIFACTS / "40-county-integrity-blocked.png"), full_page=True)
    # The input is kept; the meeting moves to the 27th and the preview clears.
    expect(page.locator('li.step-current [name="step-requested_on"]')).to_have_value("2026-10-15")
    fill("step-planned_meeting_date", "2026-10-27")
    expect(preview).to_contain_text("满足")
    expect(preview).not_to_contain_text("未满足")
    complete("廉政意见", dt.date(2026, 10, 20))

    complete("经济责任审计", dt.date(2026, 10, 21))  # a deputy post: no audit needed
    fill("step-planned_meeting_date", "2026-10-27")
    current().get_by_label("酝酿的方案").fill("干部任免方案（酝酿稿）")
    for m in county_case.members:
        fill(f"{row('circulated', 'member', m.name)}-on", "2026-10-23")
    complete("酝酿", dt.date(2026, 10, 23))

    # The decision: eight of nine present, one vote per candidate.
    fill("step-meeting_date", "2026-10-27")
    for m in county_case.members[:8]:
        page.locator(f'li.step-current [name="step-present"][value="{m.pk}"]').check()
    current().get_by_label("表决方式").select_option("show_of_hands")
    for name, agree, disagree in (("李芳", "7", "1"), ("赵磊", "3", "5")):
        p = row("votes", "candidate", name)
        fill(f"{p}-agree", agree)
        fill(f"{p}-disagree", disagree)
    complete("讨论决定", dt.date(2026, 10, 27))
    statuses = in_own_thread(
        lambda: dict(Candidate.objects.filter(case=case).values_list("cadre__name", "status"))
    )
    assert statuses == {"李芳": "approved", "赵磊": "rejected"}

    # The public notice, published on the supervision page; the step waits for its end.
    clock.day = dt.date(2026, 10, 29)
    page.get_by_role("link", name="任前公示和举报").click()
    page.get_by_label("公示开始日期").fill("2026-10-29")
    page.get_by_label("举报受理方式").fill("举报电话：0571-12380\n来信地址：青山县委组织部")
    page.get_by_role("button", name="发布").click()
    expect(page.locator("body")).to_contain_text("李芳")
    page.goto(case_url)
    clock.day = dt.date(2026, 11, 1)
    current().get_by_role("button", name="完成“任前公示”").click()
    expect(page.locator('li.step-current [data-guard="notice_full_length"]')).to_contain_text(
        "未满足"
    )
    complete("任前公示", dt.date(2026, 11, 5))

    current().get_by_label("任职文号").fill("青委〔2026〕45号")
    fill("step-document_date", "2026-11-09")
    complete("任职", dt.date(2026, 11, 9))
    p = row("talks", "candidate", "李芳")
    fill(f"{p}-talk_on", "2026-11-10")
    fill(f"{p}-takes_office_on", "2026-11-11")
    fill(f"{p}-by", "县委组织部部长")
    complete("任前谈话", dt.date(2026, 11, 11))

    # A year later: probation ended on 2027-10-26; assessed competent.
    p = row("assessments", "candidate", "李芳")
    page.locator(f'[name="{p}-result"]').select_option("competent")
    fill(f"{p}-assessed_on", "2027-10-27")
    complete("试用期满考核", dt.date(2027, 10, 28))
    expect(page.locator("h1 .case-status")).to_contain_text("已办结")
    page.screenshot(path=str(ARTIFACTS / "41-county-closed.png"), full_page=True)

    page.get_by_role("link", name="纪实（打印）").click()
    entries = page.locator("section.record-entry")
    expect(entries).to_have_count(15)  # every step of the template, in order
    expect(page.locator("body")).to_contain_text("举手表决")
    expect(page.locator("#journal-tip")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    page.screenshot(path=str(ARTIFACTS / "42-county-record.png"), full_page=True)
