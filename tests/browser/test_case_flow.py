"""A case in Debian's chromium: the case officer opens a county-leading case
for 城关镇副镇长, is stopped at the motion by the quota, completes it once the
quota is raised, completes the plan and the publication, and reads the 纪实.

Screenshots go to test-artifacts/ (gitignored) for a human to look at."""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from django.db import connection

from tests.browser.conftest import log_in_as_officer
from tests.browser.test_case_officer import ARTIFACTS, CHROMIUM, browser_page  # noqa: F401 (a fixture)
from xuanren.org.models import Level
from xuanren.org.services import quota_set
from xuanren.procedure.models import CaseStep, Committee
from xuanren.procedure.services import committee_create, committee_member_add

pytestmark = [
    pytest.mark.browser,
]

T = TypeVar("T")


def in_own_thread(fn: Callable[[], T]) -> T:
    """Run ORM work while the browser is open: in a thread of its own, with a
    connection it closes (the test thread's loop belongs to Playwright)."""
    out: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            out.append(fn())
        except BaseException as exc:  # re-raised in the test
            errors.append(exc)
        finally:
            connection.close()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    if errors:
        raise errors[0]
    return out[0]


@pytest.fixture
def county_committee(admin: Any, county: Any, world: Any) -> Committee:
    """The standing committee, and 城关镇's 副科 quota full: 李娜 holds one of
    its posts and only one is approved. Built before the browser starts."""
    committee = committee_create(
        actor=admin, unit=county.root, name="中共青山县委常委会", kind="standing_committee"
    )
    for i in range(11):
        committee_member_add(
            actor=admin, committee=committee, name=f"常委{i}", start_date=dt.date(2021, 10, 1)
        )
    quota_set(actor=admin, unit=county.town, level=Level.SECTION_DEPUTY, approved=1)
    return committee


@pytest.fixture
def waiting_work(admin: Any, county: Any, world: Any, personas: Any, county_committee: Any) -> None:
    """For the to-do list: 李娜's probation ends in ten days, and a case of the
    officer's has not moved for three weeks."""
    from django.utils import timezone

    from xuanren.org.models import Level
    from xuanren.org.services import post_create
    from xuanren.people.models import Tenure
    from xuanren.procedure.models import Case
    from xuanren.procedure.services import case_open
    from xuanren.reminders.kept import reminders_refresh

    Tenure.objects.filter(cadre=world.li).update(
        probation_until=timezone.localdate() + dt.timedelta(days=10)
    )
    reminders_refresh([world.li.pk])  # as tenure_start would (decision 0195)
    idle = case_open(
        actor=personas.case_officer,
        title="财政局总会计师选任",
        template_code="county-leading",
        unit=county.root,
        committee=county_committee,
        # A vacant post: a case for a full one is refused up front (decision 0069).
        posts=[
            (
                post_create(
                    actor=admin, unit=county.finance, title="总经济师", level=Level.SECTION_DEPUTY
                ),
                1,
            )
        ],
        reference_date=dt.date(2026, 11, 27),
    )
    Case.objects.filter(pk=idle.pk).update(last_activity_at=timezone.now() - dt.timedelta(days=21))


def test_case_officer_runs_the_first_steps_of_a_case(
    live_server: Any,
    county_committee: Committee,
    waiting_work: None,
    personas: Any,
    admin: Any,
    county: Any,
    browser_page: Any,  # noqa: F811 (the fixture imported above)
) -> None:
    from playwright.sync_api import expect

    page = browser_page
    base = live_server.url
    page.goto(f"{base}/login/")
    log_in_as_officer(page)

    # 选任事项 → 新建.
    nav = page.get_by_role("navigation", name="主导航")
    nav.get_by_role("link", name="选任事项").click()
    expect(page.get_by_role("heading", name="选任事项", exact=True)).to_be_visible()
    page.get_by_role("link", name="新建选任事项").click()
    page.get_by_label("事项名称").fill("城关镇副镇长选任")
    page.get_by_label("程序模板").select_option(value="county-leading")
    page.get_by_label("决定机构").select_option(label="中共青山县委常委会（常委会）")
    page.get_by_label("资格计算基准日").fill("2026-11-27")
    page.get_by_label("职位（第 1 行）").select_option(label="副镇长（副科级）")
    page.screenshot(path=str(ARTIFACTS / "30-case-new.png"), full_page=True)
    page.get_by_role("button", name="立项").click()

    expect(page.get_by_role("heading", name=re.compile("城关镇副镇长选任"))).to_be_visible()
    expect(page.locator(".messages")).to_contain_text("已立项")
    current = page.locator("li.step-current")
    expect(current).to_contain_text("动议")
    # The preview already says the quota is full.
    expect(current.locator('[data-guard="quota_allows"]')).to_contain_text("将超职数配备")

    # The motion: blocked by the quota, with the guard's Chinese message.
    current.get_by_label("职位空缺").check()
    current.get_by_label("提议人（单位或个人）").fill("城关镇党委")
    current.get_by_label("动议说明").fill("原副镇长调任，职位空缺。")
    current.get_by_role("button", name="完成“动议”").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("“动议”环节的前置条件未满足，不能办理。")
    guard = page.locator('li.step-current [data-guard="quota_allows"]')
    expect(guard).to_contain_text("未满足")
    expect(guard).to_contain_text(
        "城关镇副科级核定职数 1 名，实有 1 名，本次拟配 1 名，将超职数配备。"
    )
    expect(page.locator("li.step-current").get_by_label("提议人（单位或个人）")).to_have_value(
        "城关镇党委"
    )
    page.screenshot(path=str(ARTIFACTS / "31-case-motion-blocked.png"), full_page=True)

    # Another officer raises the quota (as the quota page of an administrator
    # would); the same input then goes through.
    in_own_thread(
        lambda: quota_set(actor=admin, unit=county.town, level=Level.SECTION_DEPUTY, approved=3)
    )
    page.locator("li.step-current").get_by_role("button", name="完成“动议”").click()
    expect(page.locator(".messages")).to_contain_text("“动议”环节已办理（第 1 号记录）")
    expect(page.locator("#step-motion")).to_contain_text("城关镇党委")
    expect(page.locator("#step-motion")).to_contain_text("职位空缺")

    # The plan: two consultation comments, the second in a row added by htmx.
    current = page.locator("li.step-current")
    expect(current).to_contain_text("选任方案")
    current.get_by_label("方案主要内容（职位、条件、方法、时间安排）").fill(
        "差额推荐，择优考察；12 月上旬完成。"
    )
    sources = current.get_by_label("征求对象", exact=True)
    comments = current.get_by_label("意见内容", exact=True)
    rows_before = sources.count()
    current.get_by_role("button", name="增加一行").click()
    expect(sources).to_have_count(rows_before + 1)
    sources.nth(0).fill("县纪委监委")
    comments.nth(0).fill("无意见")
    sources.nth(rows_before).fill("城关镇党委")
    comments.nth(rows_before).fill("建议注重基层经历")
    current.get_by_role("button", name="完成“选任方案”").click()
    expect(page.locator(".messages")).to_contain_text("“选任方案”环节已办理")
    plan = page.locator("#step-plan")
    expect(plan).to_contain_text("县纪委监委")
    expect(plan).to_contain_text("建议注重基层经历")

    # The publication.
    current = page.locator("li.step-current")
    expect(current).to_contain_text("职位公告")
    current.get_by_label("公告正文（职位、资格条件、方法程序）").fill(
        "城关镇副镇长 1 名；资格条件见附件；采取民主推荐、考察方式。"
    )
    current.get_by_label("单位公示栏").check()
    current.get_by_label("内部办公系统").check()
    current.get_by_label("发布日期").fill("2026-11-20")
    current.get_by_role("button", name="完成“职位公告”").click()
    expect(page.locator(".messages")).to_contain_text("“职位公告”环节已办理")
    expect(page.locator("li.step-current")).to_contain_text("民主推荐")
    expect(page.locator("li.step-current")).to_contain_text("推荐结果（仅计署名推荐票）")
    page.screenshot(path=str(ARTIFACTS / "32-case-page.png"), full_page=True)

    # The 纪实: three records, each with its journal hash, and the chain tip.
    page.get_by_role("link", name="纪实（打印）").click()
    expect(page.get_by_role("heading", name="干部选拔任用工作纪实")).to_be_visible()
    entries = page.locator("section.record-entry")
    expect(entries).to_have_count(3)
    hashes = in_own_thread(
        lambda: list(CaseStep.objects.order_by("seq").values_list("step", "journal_hash"))
    )
    assert [step for step, _h in hashes] == ["motion", "plan", "publication"]
    for (_step, journal_hash), name in zip(hashes, ["动议", "选任方案", "职位公告"], strict=True):
        entry = entries.filter(has_text=name).first
        expect(entry).to_contain_text(journal_hash)
    expect(page.locator("#journal-tip")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    expect(page.locator("body")).to_contain_text("xuanren journal verify")
    page.screenshot(path=str(ARTIFACTS / "33-case-record.png"), full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=str(ARTIFACTS / "34-case-record-print.png"), full_page=True)
    page.emulate_media(media="screen")

    # The list shows the case at its new step, and the idle one highlighted.
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="选任事项").click()
    cases = page.locator("table.cases")
    expect(cases.locator("tr", has_text="城关镇副镇长选任")).to_contain_text("民主推荐")
    expect(cases.locator("tr.idle")).to_contain_text("财政局总会计师选任")
    expect(cases.locator("tr.idle")).to_contain_text("21 天未办理")
    page.screenshot(path=str(ARTIFACTS / "35-case-list.png"), full_page=True)

    # 待办: the idle case is the officer's own; the probation is the department's.
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="待办").click()
    todo = page.locator("table.todo")
    expect(todo).to_contain_text("财政局总会计师选任已 21 天未办理")
    expect(todo).not_to_contain_text("李娜")
    page.get_by_role("link", name=re.compile("本部门全部")).click()
    expect(todo).to_contain_text("李娜任城关镇副镇长的试用期于")
    page.screenshot(path=str(ARTIFACTS / "36-todo.png"), full_page=True)
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    assert os.path.getsize(ARTIFACTS / "33-case-record.png") > 10_000
