"""Issue 11's "done when": one county-leading case for 县财政局局长 (a
principal post, so the economic-responsibility audit has work) from the
unit's motion proposal to the confirmation at the end of probation, each step
done by the role that owns it, each on their own login in a browser context
of their own (Debian's chromium):

1. the finance bureau's HR contact proposes the motion;
2. the case officer accepts it, completes motion to inspection notice,
   assigns the inspection team and sends the integrity and audit requests;
3. the two inspectors upload the material, sign it and record the inspection;
4. the discipline commission answers the integrity request;
5. the audit office records the audit conclusion with its report file;
6. the officer circulates the plan and runs the decision meeting; three of
   the four committee members vote on their own logins (one on a 375 px
   phone); the officer counts with the two halves of the count key and
   applies the result to the decision step;
7. the officer publishes the public notice and completes the appointment,
   the talk and the confirmation: the case ends 已办结.

Every response of every context is below 400, and no page shows an English
key or stored code. "Today" follows a clock the test sets (the live server
runs in this process). Screenshots go to test-artifacts/."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.browser.conftest import fill_recommendation_results
from tests.browser.test_case_flow import in_own_thread
from tests.browser.test_case_officer import ARTIFACTS, browser_page  # noqa: F401 (a fixture)
from tests.conftest import CASE_START, Clock, make_user
from tests.web.test_record_labels import WORDS
from xuanren.access.models import Role
from xuanren.org.models import Level
from xuanren.procedure.models import Candidate, Case, CaseStatus, CommitteeMembership

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("clock_at_case_start")]

REF = CASE_START
MEETING = dt.date(2026, 10, 27)
PDF = b"%PDF-1.4\n% xuanren test\n"


@dataclass
class Cast:
    case_title: str
    chen: Any
    zhou: Any
    members: list[CommitteeMembership]
    voters: list[str]  # usernames of the members who vote
    post_pk: int
    committee_pk: int
    inspectors: list[Any] = field(default_factory=list)


def _named(user: Any, name: str) -> Any:
    user.first_name = name
    user.save(update_fields=["first_name"])
    return user


@pytest.fixture
def cast(admin: Any, personas: Any, county: Any, make_cadre: Any, clock: Clock) -> Cast:
    """The records before the browser starts: two section deputies of the
    finance bureau, the standing committee (four members, three with their
    own logins), and an account for each role."""
    from tests.procedure.test_end_to_end import World
    from xuanren.procedure.services import committee_create, committee_member_add

    world = World(admin, personas.case_officer, personas.discipline, county, make_cadre, clock)
    chen = world.person(
        county.finance, "陈明", birth=dt.date(1983, 4, 12), post_title="县财政局副局长",
        level=Level.SECTION_DEPUTY, level_since=dt.date(2019, 6, 1),
    )  # fmt: skip
    zhou = world.person(
        county.finance, "周强", birth=dt.date(1985, 10, 3), post_title="县财政局副局长",
        level=Level.SECTION_DEPUTY, level_since=dt.date(2021, 3, 1),
    )  # fmt: skip
    _named(personas.case_officer, "吴干部")
    _named(personas.committee_member, "郑常委")
    _named(personas.discipline, "冯纪检")
    _named(make_user("hr_caizheng", Role.UNIT_HR, county.finance), "孙人事")
    _named(make_user("shenji", Role.AUDIT_OFFICE, county.root), "钱审计")
    inspectors = [
        _named(make_user("kaocha1", Role.INSPECTION_TEAM, None), "刘志远"),
        _named(make_user("kaocha2", Role.INSPECTION_TEAM, None), "何静"),
    ]
    users = [
        personas.committee_member,
        _named(make_user("member2", Role.COMMITTEE_MEMBER, county.root), "王常委"),
        _named(make_user("member3", Role.COMMITTEE_MEMBER, county.root), "林常委"),
    ]
    committee = committee_create(actor=admin, unit=county.root, name="中共青山县委常委会",
                                 kind="standing_committee")  # fmt: skip
    members = [
        committee_member_add(actor=admin, committee=committee, name=name,
                             start_date=dt.date(2021, 10, 1), user=user)
        for name, user in zip(("郑常委", "王常委", "林常委", "赵常委"), [*users, None], strict=True)
    ]  # fmt: skip
    return Cast("县财政局局长选任", chen, zhou, members, ["member", "member2", "member3"],
                county.finance_head.pk, committee.pk, inspectors)  # fmt: skip


class Session:
    """One person's browser context: every response of 400 or more is
    collected, and every page they land on is read for English keys."""

    def __init__(self, browser: Any, base: str, errors: list[str], *, width: int = 1366) -> None:
        self.context = browser.new_context(
            locale="zh-CN", viewport={"width": width, "height": 900}, device_scale_factor=1
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.page.on(
            "response",
            lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )
        # The console's confirmations ("确定计票？") are answered yes.
        self.page.on("dialog", lambda d: d.accept())
        self.base = base

    def check(self) -> None:
        """The page as shown: Chinese words only, no key or stored code."""
        self.page.wait_for_load_state()
        text = self.page.locator("body").inner_text()
        found = WORDS.search(text)
        assert found is None, (self.page.url, found.group(0), text[:2000])

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)
        self.check()

    def click(self, locator: Any) -> None:
        locator.click()
        self.check()

    def log_in(self, username: str, next_path: str = "/") -> None:
        from playwright.sync_api import expect

        self.page.goto(f"{self.base}/login/?next={next_path}")
        self.check()
        self.page.get_by_label("用户名").fill(username)
        self.page.get_by_label("密码").fill(f"pw-{username}-123")
        self.click(self.page.get_by_role("button", name="登录"))
        expect(self.page).not_to_have_url(re.compile(r"/login/"))

    def close(self) -> None:
        self.context.close()


def row(page: Any, root: str, rowset: str, key: str, text: str) -> str:
    """The field prefix of the row whose `key` picker shows `text`."""
    prefix = page.evaluate(
        """([root, rowset, key, text]) => {
            for (const s of document.querySelectorAll(
                    `${root} select[name^="step-${rowset}-"][name$="-${key}"]`)) {
                if (s.selectedOptions[0] && s.selectedOptions[0].text.includes(text))
                    return s.name.slice(0, -key.length - 1);
            }
            return null;
        }""",
        [root, rowset, key, text],
    )
    assert prefix, (rowset, key, text)
    return str(prefix)


def test_one_case_each_step_by_its_own_role_on_its_own_login(
    live_server: Any,
    cast: Cast,
    clock: Clock,
    browser_page: Any,  # noqa: F811 (the fixture imported above)
) -> None:
    from playwright.sync_api import expect

    browser = browser_page.context.browser
    base = live_server.url
    errors: list[str] = []
    sessions: list[Session] = []

    def session(username: str, next_path: str = "/", width: int = 1366) -> Session:
        s = Session(browser, base, errors, width=width)
        sessions.append(s)
        s.log_in(username, next_path)
        return s

    try:
        _walk(session, cast, clock, base, expect)
    finally:
        for s in sessions:
            s.close()
    assert errors == []


def _walk(session: Any, cast: Cast, clock: Clock, base: str, expect: Any) -> None:
    chen, zhou = cast.chen, cast.zhou

    # 1. The finance bureau's HR contact proposes filling the bureau head.
    hr = session("hr_caizheng", "/motions/")
    page = hr.page
    expect(page.get_by_role("heading", name="提出动议建议")).to_be_visible()
    page.get_by_label("提议单位").select_option(label="青山县财政局")
    page.get_by_label("动议理由").fill("县财政局局长空缺，拟选任局长 1 名。")
    page.get_by_label("职位（第 1 行）").select_option(value=str(cast.post_pk))
    page.get_by_label("拟配人数（第 1 行）").fill("1")
    hr.click(page.get_by_role("button", name="提交动议建议"))
    expect(page.locator(".messages")).to_contain_text("动议建议已提交")
    expect(page.locator("table.motion-proposals")).to_contain_text("县财政局局长")
    page.screenshot(path=str(ARTIFACTS / "60-roles-hr-proposal.png"), full_page=True)

    # 2. The officer finds it in 待办, accepts it: the case is opened.
    officer = session("officer", "/todo/")
    page = officer.page
    expect(page.locator("body")).to_contain_text("待处理的动议建议")
    expect(page.locator("body")).to_contain_text("青山县财政局")
    officer.go("/motions/")
    proposal = page.locator("table.motion-proposals tbody tr").first
    proposal.locator("summary").click()
    proposal.get_by_label("采纳并立项").check()
    proposal.get_by_label("程序模板").select_option(value="county-leading")
    proposal.get_by_label("决定机构").select_option(value=str(cast.committee_pk))
    proposal.get_by_label("事项名称（可不填）").fill(cast.case_title)
    proposal.get_by_label("资格计算基准日（默认今天）").fill(REF.isoformat())
    officer.click(proposal.get_by_role("button", name="提交处理意见"))
    expect(page.locator(".messages")).to_contain_text("已采纳并立项")
    case_url = page.url.split("#")[0]
    case_path = case_url.removeprefix(base)
    case_pk = int(re.search(r"/cases/(\d+)/", case_url).group(1))

    current = page.locator("li.step-current")

    def fill(name: str, value: str) -> None:
        page.locator(f'li.step-current [name="{name}"]').fill(value)

    def complete(step_name: str, on: dt.date) -> None:
        clock.day = on
        officer.click(current.get_by_role("button", name=f"完成“{step_name}”"))
        expect(page.locator(".messages")).to_contain_text(f"“{step_name}”环节已办理")

    current.get_by_label("职位空缺").check()
    current.get_by_label("提议人（单位或个人）").fill("青山县财政局")
    complete("动议", REF)
    current.get_by_label("征求对象", exact=True).nth(0).fill("县纪委监委")
    current.get_by_label("意见内容", exact=True).nth(0).fill("无意见")
    complete("选任方案", dt.date(2026, 9, 7))
    current.get_by_label("公告正文（职位、资格条件、方法程序）").fill("县财政局局长 1 名。")
    current.get_by_label("单位公示栏").check()
    fill("step-date", "2026-09-09")
    complete("职位公告", dt.date(2026, 9, 9))

    fill("step-meetings-0-date", "2026-09-15")
    fill("step-meetings-0-g0", "7")
    fill("step-meetings-0-g1", "18")
    fill("step-meetings-1-date", "2026-09-16")
    fill("step-meetings-1-g0", "7")
    fill("step-meetings-1-g1", "15")
    fill("step-meetings-1-staff_total", "30")
    results = [(chen, "meeting", "6", "12"), (chen, "talk", "5", "11"),
               (zhou, "meeting", "1", "6"), (zhou, "talk", "2", "4")]  # fmt: skip
    fill_recommendation_results(page, results)
    complete("民主推荐", dt.date(2026, 9, 17))
    current.get_by_label(re.compile("陈明（")).check()
    current.get_by_label(re.compile("周强（")).check()
    current.get_by_label("研究确定的会议").fill("县委组织部部务会")
    fill("step-meeting_date", "2026-09-22")
    complete("确定考察对象", dt.date(2026, 9, 22))
    current.get_by_label("考察预告内容").fill("考察预告：陈明、周强。")
    fill("step-published_on", "2026-09-23")
    complete("考察预告", dt.date(2026, 9, 23))

    # The team: 刘志远 leads, 何静 is a member.
    clock.day = dt.date(2026, 9, 24)
    team = page.locator(f'form[action="/cases/{case_pk}/team/"]')
    for name, leader in (("刘志远", True), ("何静", False)):
        team.get_by_label("成员").select_option(label=name)
        if leader:
            team.get_by_label("组长").check()
        team.get_by_label("身份（如单位职务）").fill("县委组织部干部" if leader else "县纪委干部")
        officer.click(team.get_by_role("button", name="指派"))
        expect(page.locator(".messages")).to_contain_text(f"已将{name}指派到考察组")
    # At 考察 the officer's form stays; the team does the step on its own logins.
    expect(page.locator("table.team")).to_contain_text("未署名")

    # The integrity and audit requests, in writing, twelve days before the meeting.
    clock.day = dt.date(2026, 10, 15)
    officer.go(case_path)
    integrity = page.locator(f'form[action="/cases/{case_pk}/integrity/"]')
    integrity.get_by_label("征求函文号").fill("青组函〔2026〕61号")
    integrity.get_by_label("发函日期").fill("2026-10-15")
    integrity.get_by_label("拟召开讨论决定会议日期").fill(MEETING.isoformat())
    officer.click(integrity.get_by_role("button", name="登记征求函"))
    expect(page.locator(".messages")).to_contain_text("已登记书面征求廉政意见")
    audit_form = page.locator(f'form[action="/cases/{case_pk}/audit/"]')
    expect(audit_form).to_contain_text("陈明、周强")
    audit_form.get_by_label("委托函文号").fill("青组函〔2026〕62号")
    audit_form.get_by_label("发函日期").fill("2026-10-15")
    audit_form.get_by_label("要求完成日期").fill("2026-10-22")
    officer.click(audit_form.get_by_role("button", name="登记审计委托"))
    expect(page.locator(".messages")).to_contain_text("已登记经济责任审计委托")
    page.screenshot(path=str(ARTIFACTS / "61-roles-officer-requests.png"), full_page=True)

    # 3. The inspectors: one uploads the material, each signs on their own login.
    clock.day = dt.date(2026, 10, 13)
    leader = session("kaocha1", case_path)
    lp = leader.page
    expect(lp.locator("li.step-current")).to_contain_text("本环节由您办理。")
    lp.locator("li.step-current").screenshot(path=str(ARTIFACTS / "62-roles-inspector-step.png"))
    lp.get_by_label("考察材料（PDF、JPEG、PNG、DOCX、XLSX）").set_input_files(
        files=[{"name": "考察材料.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    leader.click(lp.get_by_role("button", name="上传考察材料"))
    expect(lp.locator(".messages")).to_contain_text("考察材料已上传")
    leader.click(lp.get_by_role("button", name="在考察材料上署名"))
    expect(lp.locator(".messages")).to_contain_text("您已在考察材料上署名")
    member = session("kaocha2", case_path)
    member.click(member.page.get_by_role("button", name="在考察材料上署名"))
    expect(member.page.locator(".messages")).to_contain_text("您已在考察材料上署名")
    member.close()

    clock.day = dt.date(2026, 10, 14)
    leader.go(case_path)
    leader.click(
        lp.locator("li.step-current").get_by_role("link", name="记录考察情况并完成“考察”环节")
    )
    expect(lp.get_by_role("heading", name="记录考察情况")).to_be_visible()
    form = "form.step-form"
    for name, rank in (("陈明", "1"), ("周强", "2")):
        p = row(lp, form, "candidates", "candidate", name)
        for key, value in (("talks_count", "25"), ("talks_date", "2026-10-09"),
                           ("evaluation_participants", "40"), ("evaluation_date", "2026-10-09"),
                           ("visit_place", "县财政局"), ("visit_date", "2026-10-10"),
                           ("rank", rank)):  # fmt: skip
            lp.locator(f'{form} [name="{p}-{key}"]').fill(value)
        lp.locator(f'{form} [name="{p}-reports_investigated"]').check()
    lp.locator(f'{form} [name="step-report_date"]').fill("2026-10-13")
    leader.click(lp.get_by_role("button", name="完成“考察”"))
    expect(lp.locator(".messages")).to_contain_text("“考察”环节已办理")
    lp.screenshot(path=str(ARTIFACTS / "63-roles-inspection-done.png"), full_page=True)

    # 4. The discipline commission answers from the case page.
    clock.day = dt.date(2026, 10, 20)
    jiwei = session("jiwei", case_path)
    jp = jiwei.page
    expect(jp.locator("li.step-current")).to_contain_text("本环节由您办理。")
    jiwei.click(jp.locator("li.step-current").get_by_role("link", name="答复廉政意见"))
    for name in ("陈明", "周强"):
        jp.locator("fieldset", has_text=name).get_by_label("无问题").check()
    jp.get_by_label("答复日期").fill("2026-10-20")
    jp.get_by_label("答复文号").fill("青纪函〔2026〕18号")
    jiwei.click(jp.get_by_role("button", name="提交答复"))
    expect(jp.locator(".messages")).to_contain_text("“廉政意见”环节已办理")
    jiwei.close()

    # 5. The audit office records its conclusions with the report file.
    clock.day = dt.date(2026, 10, 21)
    audit = session("shenji", case_path)
    ap = audit.page
    expect(ap.locator("li.step-current")).to_contain_text("本环节由您办理。")
    audit.click(ap.locator("li.step-current").get_by_role("link", name="记录审计结论"))
    for i, name in enumerate(("陈明", "周强")):
        box = ap.locator("fieldset", has_text=name)
        box.get_by_label(re.compile("审计结论日期")).fill("2026-10-21")
        box.get_by_label("审计报告文号").fill(f"青审经责〔2026〕{11 + i}号")
    ap.get_by_label("审计报告（结论）文件").set_input_files(
        files=[{"name": "审计报告.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    audit.click(ap.get_by_role("button", name="提交审计结论"))
    expect(ap.locator(".messages")).to_contain_text("“经济责任审计”环节已办理")
    ap.screenshot(path=str(ARTIFACTS / "64-roles-audit-done.png"), full_page=True)
    audit.close()

    # 6. The officer circulates, then runs the decision meeting.
    officer.go(case_path)
    fill("step-planned_meeting_date", MEETING.isoformat())
    current.get_by_label("酝酿的方案").fill("干部任免方案（酝酿稿）")
    for m in cast.members:
        fill(f"{row(page, 'li.step-current', 'circulated', 'member', m.name)}-on", "2026-10-23")
    complete("酝酿", dt.date(2026, 10, 23))

    clock.day = MEETING
    officer.click(page.get_by_role("link", name="投票表决"))
    page.get_by_label("会议日期").fill(MEETING.isoformat())
    officer.click(page.get_by_role("button", name="新建会议"))
    expect(page.get_by_role("heading", name=re.compile("讨论决定表决"))).to_be_visible()
    console_url = page.url
    for m in cast.members[:3]:  # 赵常委 is away: three of four, the quorum
        page.get_by_label(m.name, exact=True).check()
    officer.click(page.get_by_role("button", name="保存到会登记"))
    officer.click(page.get_by_role("button", name="生成计票密钥"))
    halves = page.locator(".count-key-code")
    first, second = halves.nth(0).inner_text().strip(), halves.nth(1).inner_text().strip()
    assert first and second
    officer.click(page.get_by_role("link", name="返回计票台"))
    officer.click(page.get_by_role("button", name="开始投票"))
    expect(page.locator("h1")).to_contain_text("投票中")

    for username in cast.voters:
        phone = username == "member"
        voter = session(username, "/ballots/mine/", width=375 if phone else 1366)
        vp = voter.page
        expect(vp.get_by_role("heading", name="我的选票")).to_be_visible()
        voter.click(vp.get_by_role("link", name="进入选票"))
        expect(vp.get_by_text("您正以本人账号投票")).to_be_visible()
        vp.get_by_role("radiogroup", name=re.compile("^陈明")).get_by_label(
            "同意", exact=True
        ).check()
        vp.get_by_role("radiogroup", name=re.compile("^周强")).get_by_label("不同意").check()
        voter.click(vp.get_by_role("button", name="下一步：确认"))
        voter.click(vp.get_by_role("button", name="确认投票"))
        expect(vp.get_by_role("heading", name="投票成功")).to_be_visible()
        if phone:
            assert vp.evaluate("document.documentElement.scrollWidth") <= 375
            vp.screenshot(path=str(ARTIFACTS / "65-roles-member-phone.png"), full_page=True)
        voter.close()

    page.goto(console_url)
    officer.check()
    page.get_by_label("计票密码（第一段）").fill(first)
    page.get_by_label("计票密码（第二段）").fill(second)
    officer.click(page.get_by_role("button", name="结束投票并计票"))
    expect(page.locator("body")).to_contain_text("陈明")
    page.screenshot(path=str(ARTIFACTS / "66-roles-result.png"), full_page=True)
    officer.click(page.get_by_role("link", name="返回计票台"))
    officer.click(page.get_by_role("button", name="计入选任事项"))
    expect(page.locator("li#step-decision")).to_contain_text("已办理")
    statuses = in_own_thread(lambda: dict(Candidate.objects.values_list("cadre__name", "status")))
    assert statuses == {"陈明": "approved", "周强": "rejected"}

    # 7. The public notice on the supervision page, then the last steps.
    clock.day = dt.date(2026, 10, 29)
    officer.click(page.get_by_role("link", name="任前公示和举报"))
    page.get_by_label("公示开始日期").fill("2026-10-29")
    page.get_by_label("举报受理方式").fill("举报电话：0571-12380\n来信地址：青山县委组织部")
    officer.click(page.get_by_role("button", name="发布"))
    expect(page.locator("body")).to_contain_text("陈明")
    officer.go(case_path)
    complete("任前公示", dt.date(2026, 11, 5))
    current.get_by_label("任职文号").fill("青委〔2026〕45号")
    fill("step-document_date", "2026-11-09")
    complete("任职", dt.date(2026, 11, 9))
    p = row(page, "li.step-current", "talks", "candidate", "陈明")
    fill(f"{p}-talk_on", "2026-11-10")
    fill(f"{p}-takes_office_on", "2026-11-11")
    fill(f"{p}-by", "县委组织部部长")
    complete("任前谈话", dt.date(2026, 11, 11))
    # A promotion to a principal post runs no probation: nobody to assess.
    expect(current).to_contain_text("本事项任职的人选都不实行试用期")
    complete("试用期满考核", dt.date(2026, 11, 12))
    expect(page.locator("h1 .case-status")).to_contain_text("已办结")
    page.screenshot(path=str(ARTIFACTS / "67-roles-closed.png"), full_page=True)

    # Who did what, as the record keeps it.
    done_by = in_own_thread(
        lambda: {
            s.step: s.completed_by.username
            for s in Case.objects.get(pk=case_pk).steps.select_related("completed_by")
        }
    )
    assert done_by["inspection"] == "kaocha1"
    assert done_by["integrity_opinion"] == "jiwei"
    assert done_by["audit"] == "shenji"
    assert {done_by[s] for s in ("motion", "decision", "probation_end")} == {"officer"}
    assert in_own_thread(lambda: Case.objects.get(pk=case_pk).status) == CaseStatus.CLOSED
    hr.go(f"/unit-cases/{case_pk}/")
    expect(hr.page.locator("body")).to_contain_text("已办结")
