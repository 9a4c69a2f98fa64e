"""动议建议 pages: a unit's HR contact proposes for their own unit and sees
only their unit's proposals; the case officer sees them on 待办 and decides
(accept opens a case, decline needs a reason); an outsider gets 403."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.web.helpers import page_text
from xuanren.org.models import Level
from xuanren.org.services import post_create
from xuanren.procedure.models import Case, MotionProposal, MotionProposalStatus
from xuanren.procedure.services import committee_create, motion_proposal_submit

pytestmark = pytest.mark.django_db
URL = "/motions/"


@pytest.fixture
def post(county: Any, admin: Any) -> Any:
    return post_create(actor=admin, unit=county.other_town, title="石桥镇副镇长",
                       level=Level.SECTION_DEPUTY)  # fmt: skip


def test_hr_proposes_through_the_page(client: Any, personas: Any, county: Any, post: Any) -> None:
    assert reverse("web:motion_proposals") == URL
    client.force_login(personas.other_unit_hr)
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "石桥镇副镇长" in html and "城关镇副镇长" not in html  # only posts in scope offered
    data = {"m-unit": str(county.other_town.pk), "m-reasons": "原副镇长调任。",
            "posts-TOTAL_FORMS": "1", "posts-INITIAL_FORMS": "0", "posts-0-post": str(post.pk),
            "posts-0-seats": "1"}  # fmt: skip
    response = client.post(URL, {**data, "m-reasons": ""})
    assert response.status_code == 422 and "这个字段是必填项。" in page_text(response)
    response = client.post(URL, data)
    assert response.status_code == 302
    proposal = MotionProposal.objects.get()
    assert proposal.unit == county.other_town
    text = page_text(client.get(URL))
    assert "原副镇长调任。" in text and "待处理" in text and "处理此建议" not in text


def test_officer_sees_it_on_todo_and_accepts(
    client: Any, personas: Any, county: Any, post: Any, admin: Any
) -> None:
    proposal = motion_proposal_submit(actor=personas.other_unit_hr, unit=county.other_town,
                                      posts=[(post, 1)], reasons="职位空缺")  # fmt: skip
    committee = committee_create(actor=admin, unit=county.root, name="常委会",
                                 kind="standing_committee")  # fmt: skip
    client.force_login(personas.case_officer)
    todo = page_text(client.get(reverse("web:todo")))
    assert "待处理的动议建议" in todo and "石桥镇副镇长" in todo
    url = reverse("web:motion_proposal_decide", args=[proposal.pk])
    p = f"d{proposal.pk}-"
    response = client.post(url, {p + "decision": "accept"})
    assert response.status_code == 422
    assert "采纳并立项须选择程序模板。" in page_text(response)
    response = client.post(url, {p + "decision": "accept", p + "template": "county-leading",
                                 p + "committee": str(committee.pk),
                                 p + "reference_date": "2026-11-01"})  # fmt: skip
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "web:case_detail", args=[case.pk]
    )
    proposal.refresh_from_db()
    assert proposal.status == MotionProposalStatus.ACCEPTED and proposal.case == case
    assert "待处理的动议建议" not in page_text(client.get(reverse("web:todo")))
    # Deciding again is refused with a clear message.
    response = client.post(url, {p + "decision": "decline", p + "reason": "x"})
    assert response.status_code == 409 and "已处理" in page_text(response)

    # The HR contact who proposed it follows the case on the progress page: the
    # list links there, never to the case record they may not open.
    client.force_login(personas.other_unit_hr)
    html = client.get(URL).content.decode()
    assert reverse("web:case_detail", args=[case.pk]) not in html
    progress = reverse("web:unit_case_detail", args=[case.pk])
    assert progress in html and client.get(progress).status_code == 200
    assert client.get(reverse("web:case_detail", args=[case.pk])).status_code == 403


def test_decline_needs_a_reason(client: Any, personas: Any, county: Any, post: Any) -> None:
    proposal = motion_proposal_submit(actor=personas.other_unit_hr, unit=county.other_town,
                                      posts=[(post, 1)], reasons="职位空缺")  # fmt: skip
    client.force_login(personas.case_officer)
    url = reverse("web:motion_proposal_decide", args=[proposal.pk])
    p = f"d{proposal.pk}-"
    response = client.post(url, {p + "decision": "decline"})
    assert response.status_code == 422 and "请写明不采纳的理由。" in page_text(response)
    assert (
        client.post(url, {p + "decision": "decline", p + "reason": "另行统筹"}).status_code == 302
    )
    proposal.refresh_from_db()
    assert proposal.status == MotionProposalStatus.DECLINED


def test_outsider_and_hr_cannot_decide(client: Any, personas: Any, county: Any, post: Any) -> None:
    proposal = motion_proposal_submit(actor=personas.other_unit_hr, unit=county.other_town,
                                      posts=[(post, 1)], reasons="职位空缺")  # fmt: skip
    url = reverse("web:motion_proposal_decide", args=[proposal.pk])
    client.force_login(personas.outsider)
    assert client.get(URL).status_code == 403
    assert client.post(url, {}).status_code == 403
    client.force_login(personas.other_unit_hr)
    assert client.post(url, {f"d{proposal.pk}-decision": "decline"}).status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == MotionProposalStatus.SUBMITTED


def test_the_home_page_reads_the_waiting_proposals_with_their_posts_in_one_query(
    client: Any, personas: Any, county: Any, post: Any, admin: Any
) -> None:
    """The home page's 待处理的动议建议: the newest first, each with its posts,
    at most `limit`, only those submitted; one query (through their posts)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xuanren.common.errors import PermissionDenied
    from xuanren.procedure.selectors import motion_proposals_waiting

    second = post_create(actor=admin, unit=county.other_town, title="石桥镇党委委员",
                         level=Level.SECTION_DEPUTY)  # fmt: skip
    hr = personas.other_unit_hr
    first = motion_proposal_submit(actor=hr, unit=county.other_town, posts=[(post, 1)],
                                   reasons="职位空缺")  # fmt: skip
    both = motion_proposal_submit(actor=hr, unit=county.other_town,
                                  posts=[(second, 1), (post, 1)], reasons="换届")  # fmt: skip
    officer = personas.case_officer
    motion_proposals_waiting(actor=officer)  # the permission and scope caches
    with CaptureQueriesContext(connection) as ctx:
        waiting = motion_proposals_waiting(actor=officer)
    assert len(ctx.captured_queries) == 1
    assert [(p.pk, [x.title for x in posts]) for p, posts in waiting] == [
        (both.pk, ["石桥镇党委委员", "石桥镇副镇长"]),
        (first.pk, ["石桥镇副镇长"]),
    ]
    assert [p.pk for p, _posts in motion_proposals_waiting(actor=officer, limit=1)] == [both.pk]
    MotionProposal.objects.filter(pk=both.pk).update(status=MotionProposalStatus.DECLINED)
    assert [p.pk for p, _posts in motion_proposals_waiting(actor=officer)] == [first.pk]
    with pytest.raises(PermissionDenied):
        motion_proposals_waiting(actor=hr)
    client.force_login(officer)
    home = page_text(client.get(reverse("web:dashboard")))
    assert "待处理的动议建议" in home and "石桥镇副镇长" in home
