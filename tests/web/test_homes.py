"""Every role's home is its 待办, and the menu shows only what the role can
open (docs/decisions/0070–0073)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import make_user
from tests.procedure.conftest import open_case
from tests.step_data import MOTION
from xuanren.access.context import nav_for
from xuanren.access.models import Role
from xuanren.ballots.models import MeetingStatus
from xuanren.ballots.services import ballot_cast, meeting_create
from xuanren.journal.models import Event
from xuanren.procedure.models import Case, CaseStep
from xuanren.procedure.services import case_step_complete
from xuanren.procedure.todo import TodoKind, todo_for
from xuanren.supervision.models import ReportStatus
from xuanren.supervision.services import (
    report_assign,
    report_close,
    report_investigate,
    report_register,
)

pytestmark = pytest.mark.django_db

ROLES = {
    "officer": Role.CASE_OFFICER,
    "member": Role.COMMITTEE_MEMBER,
    "jiwei": Role.DISCIPLINE_COMMISSION,
    "audit": Role.AUDIT_OFFICE,
    "inspector": Role.INSPECTION_TEAM,
    "hr": Role.UNIT_HR,
    "participant": Role.PARTICIPANT,
}


def text_of(response: Any) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def users(county: Any, admin: Any, personas: Any) -> dict[str, Any]:
    out = {
        "officer": personas.case_officer,
        "member": personas.committee_member,
        "jiwei": personas.discipline,
        "outsider": personas.outsider,
        "admin": admin,
    }
    for name in ("audit", "inspector", "hr", "participant"):
        unit = county.town if name in ("hr", "participant") else county.root
        out[name] = make_user(name, ROLES[name], unit)
    return out


@pytest.fixture
def committee(county: Any, admin: Any) -> Any:
    from xuanren.procedure.services import committee_create, committee_member_add

    c = committee_create(
        actor=admin, unit=county.root, name="中共青山县委常委会", kind="standing_committee"
    )
    for i in range(11):
        committee_member_add(
            actor=admin, committee=c, name=f"常委{i}", start_date=dt.date(2021, 10, 1)
        )
    return c


def open_meeting(officer: Any, county: Any, voters: list[Any]) -> Any:
    from xuanren.ballots.services import meeting_count_key_create, meeting_open

    meeting = meeting_create(
        actor=officer,
        kind="recommendation",
        title="城关镇年轻干部民主推荐会",
        unit=county.town,
        meeting_date=dt.date.today(),
        sections=[
            {
                "title": "推荐人选",
                "max_choices": 1,
                "items": [{"name": "秘密甲"}, {"name": "秘密乙"}],
            }
        ],
        voters=[{"name": u.username, "group": "中层干部", "user": u} for u in voters]
        + [{"name": "职工", "group": "中层干部"}],
    )
    meeting_count_key_create(actor=officer, meeting=meeting)
    return meeting_open(actor=officer, meeting=meeting)


# ---- menus ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", [*ROLES, "admin", "outsider"])
def test_every_menu_link_opens_for_each_role(who: str, users: dict[str, Any]) -> None:
    user = users[who]
    client = client_for(user)
    home = client.get("/")
    assert home.status_code == 200
    links = re.findall(
        r'<a href="([^"]+)"', home.content.decode().split('class="site-nav"')[1].split("</nav>")[0]
    )
    assert links and links == [item["url"] for item in nav_for(user)]
    for url in links:
        assert client.get(url).status_code == 200, (who, url)


def test_menus_follow_the_role(users: dict[str, Any]) -> None:
    def labels(who: str) -> list[str]:
        return [str(i["label"]) for i in nav_for(users[who])]

    assert labels("participant") == ["首页"]
    assert labels("outsider") == ["首页"]
    assert "举报办理" in labels("jiwei") and "举报办理" in labels("officer")
    assert "本单位选任事项" in labels("hr") and "选任事项" not in labels("hr")
    assert "本单位选任事项" not in labels("officer")
    assert "举报办理" not in labels("member") and "待办" not in labels("audit")
    assert "系统管理" in labels("admin") and "系统管理" not in labels("officer")


# ---- homes ----------------------------------------------------------------------------


def test_participant_home_shows_their_open_ballot_and_nothing_else(
    users: dict[str, Any], county: Any
) -> None:
    participant = users["participant"]
    home = text_of(client_for(participant).get("/"))
    assert "尚未分配角色" not in home and "暂无待办事项" in home
    meeting = open_meeting(users["officer"], county, [participant, users["member"]])
    home = text_of(client_for(participant).get("/"))
    assert "城关镇年轻干部民主推荐会正在投票" in home
    assert "秘密甲" not in home  # nothing about the ballot's content
    assert (
        reverse("ballots:vote", args=[meeting.pk])
        in client_for(participant).get("/").content.decode()
    )
    assert "工作概况" not in home


def test_open_ballots_until_voted_or_closed(users: dict[str, Any], county: Any) -> None:
    participant, member = users["participant"], users["member"]
    meeting = open_meeting(users["officer"], county, [participant, member])

    def kinds(user: Any) -> list[str]:
        return [i.kind for i in todo_for(actor=user) if i.kind == TodoKind.BALLOT_OPEN]

    assert kinds(participant) == [TodoKind.BALLOT_OPEN] == kinds(member)
    assert kinds(users["jiwei"]) == []  # not on the roster
    ballot_cast(actor=participant, meeting=meeting, code=None, content={})
    assert kinds(participant) == [] and kinds(member) == [TodoKind.BALLOT_OPEN]
    type(meeting).objects.filter(pk=meeting.pk).update(status=MeetingStatus.CLOSED)
    assert kinds(member) == []


def test_outsider_home_still_says_no_role(users: dict[str, Any]) -> None:
    home = text_of(client_for(users["outsider"]).get("/"))
    assert "尚未分配角色或管理范围" in home


def test_officer_home_lists_tasks_and_keeps_the_figures(
    users: dict[str, Any], county: Any, committee: Any, personas: Any
) -> None:
    from django.utils import timezone

    idle = open_case(personas, county, committee)
    Case.objects.filter(pk=idle.pk).update(last_activity_at=timezone.now() - dt.timedelta(days=20))
    officer = users["officer"]
    page = client_for(officer).get("/")
    text = text_of(page)
    assert text.index("待办") < text.index("工作概况")
    assert "城关镇副镇长选任已 20 天未办理" in text
    # The idle case is not the member's or the commission's task.
    for who in ("member", "jiwei", "audit", "hr"):
        assert not [i for i in todo_for(actor=users[who]) if i.kind == TodoKind.CASE_IDLE], who


# ---- reports --------------------------------------------------------------------------


def test_report_tasks_move_from_the_officer_to_the_investigator(
    users: dict[str, Any], county: Any, committee: Any, personas: Any
) -> None:
    officer, jiwei = users["officer"], users["jiwei"]
    case = open_case(personas, county, committee)
    report, _receipt = report_register(
        actor=personas.case_officer, case=case, content="反映该同志分管工作中作风简单的问题", source="letter",
        anonymous=True, about_name="王某",
    )  # fmt: skip

    def kinds(user: Any) -> list[str]:
        return [i.kind for i in todo_for(actor=user) if i.kind.startswith("report_")]

    assert kinds(officer) == [TodoKind.REPORT_TO_ASSIGN] and kinds(jiwei) == []
    inbox = client_for(jiwei).get(reverse("supervision:inbox") + "?tab=unassigned")
    assert inbox.status_code == 200 and "王某" in text_of(inbox)
    report_assign(actor=officer, report=report, assignee=jiwei)
    assert kinds(officer) == [] and kinds(jiwei) == [TodoKind.REPORT_TO_HANDLE]
    mine = text_of(client_for(jiwei).get(reverse("supervision:inbox")))
    assert "我承办的（1）" in mine and "王某" in mine
    report_investigate(actor=jiwei, report=report, note="谈话核实")
    report_close(actor=jiwei, report=report, finding="none", text="查无实据")
    assert kinds(jiwei) == []
    closed = text_of(client_for(jiwei).get(reverse("supervision:inbox") + "?tab=closed"))
    assert "不影响任用" in closed
    report.refresh_from_db()
    assert report.status == ReportStatus.CLOSED


def test_report_inbox_refusals(users: dict[str, Any], county: Any, committee: Any, personas: Any):
    case = open_case(personas, county, committee)
    report_register(
        actor=personas.case_officer, case=case, content="反映该同志分管工作中作风简单的问题", source="letter",
        anonymous=True, about_name="王某",
    )  # fmt: skip
    for who in ("hr", "member", "audit", "participant", "outsider"):
        assert client_for(users[who]).get(reverse("supervision:inbox")).status_code == 403, who
    # Another county's commission sees nothing of this one.
    other = make_user("jiwei2", Role.DISCIPLINE_COMMISSION, county.other_town)
    page = client_for(other).get(reverse("supervision:inbox") + "?tab=open")
    assert page.status_code == 200 and "王某" not in text_of(page)


# ---- the unit HR contact's cases --------------------------------------------------------


def test_hr_follows_their_units_cases_without_content(
    users: dict[str, Any], county: Any, committee: Any, personas: Any
) -> None:
    hr = users["hr"]
    case = open_case(personas, county, committee)  # a post of 城关镇
    other = open_case(personas, county, committee, posts=[(county.finance_deputy, 1)])
    case_step_complete(
        actor=personas.case_officer, case=case, step="motion",
        data={**MOTION, "explanation": "机密的动议理由"}, on=dt.date(2026, 11, 27),
    )  # fmt: skip
    listing = client_for(hr).get(reverse("web:unit_case_list"))
    assert listing.status_code == 200
    assert case.number in text_of(listing) and other.number not in text_of(listing)
    detail = client_for(hr).get(reverse("web:unit_case_detail", args=[case.pk]))
    text = text_of(detail)
    assert detail.status_code == 200
    from xuanren.common.dates import SHANGHAI

    done = CaseStep.objects.get(case=case, step="motion").completed_at.astimezone(SHANGHAI)
    assert f"动议 {done:%Y.%m.%d} 已办理" in text and "讨论决定 未开始 内容保密" in text
    assert "内容保密" in text and "机密的动议理由" not in text
    assert [i.kind for i in todo_for(actor=hr)] == [TodoKind.UNIT_CASE]
    before = (CaseStep.objects.count(), Event.objects.count())
    # Another unit's case: not found; the officer's case page: forbidden.
    assert client_for(hr).get(reverse("web:unit_case_detail", args=[other.pk])).status_code == 404
    assert client_for(hr).get(reverse("web:case_detail", args=[case.pk])).status_code == 403
    shiqiao = client_for(personas.other_unit_hr)
    assert shiqiao.get(reverse("web:unit_case_detail", args=[case.pk])).status_code == 404
    assert (
        client_for(users["participant"])
        .get(reverse("web:unit_case_detail", args=[case.pk]))
        .status_code
        == 403
    )
    assert (CaseStep.objects.count(), Event.objects.count()) == before


def test_menu_marks_one_entry_where_apps_share_a_page_name() -> None:
    """Three apps have a page named "plan" (工作方案, 轮岗交流, 超职数消化): on
    each, only its own menu entry is current."""
    from xuanren.access.context import _nav

    for view_name, label in [
        ("plans:plan", "工作方案"),
        ("rotation:plan", "轮岗交流"),
        ("workforce:plan", "超职数消化"),
    ]:
        current = [str(item.label) for item in _nav() if item.is_here(view_name)]
        assert current == [label]
