"""智能选人 for a large scope (decisions 0111–0112): the post picker instead of
a <select> of every post, and the exclusion counts of a large screening as a
background job the requester starts and polls."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import County, Personas, make_user
from tests.web.helpers import page_text
from tests.web.test_candidates import (
    AGE_RULE,
    HTMX,
    REF,
    Screening,
    _params,
    make_candidate,
    screening,  # noqa: F401 (a fixture)
)
from xuanren.access.models import Role, Scope
from xuanren.exchange.jobs import import_job_run
from xuanren.exchange.models import ImportJob, JobKind, JobStatus
from xuanren.journal.models import Event
from xuanren.org.models import Level
from xuanren.org.services import post_create
from xuanren.policy.selectors import failure_counts
from xuanren.web import pickers

pytestmark = pytest.mark.django_db


@pytest.fixture
def picker(monkeypatch: pytest.MonkeyPatch) -> None:
    """The picker from 3 active posts on (the county has 4)."""
    monkeypatch.setattr(pickers, "POST_SELECT_MAX", 2)


def _queries(client: Any, url: str, params: dict[str, Any], headers: Any = None) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params, headers=headers or {})
    assert response.status_code == 200
    return len(ctx.captured_queries), response


# ---- the post picker (decision 0111) --------------------------------------------------------


def test_small_scope_keeps_the_select(client, county, personas):
    client.force_login(personas.case_officer)
    html = client.get(reverse("web:candidates")).content.decode()
    assert '<select name="post"' in html
    assert 'name="post_q"' not in html
    assert f'<option value="{county.town_secretary.pk}">' in html


def test_large_scope_gets_the_picker(client, county, personas, picker):
    client.force_login(personas.case_officer)
    html = client.get(reverse("web:candidates")).content.decode()
    assert '<select name="post"' not in html
    assert '<input type="hidden" name="post" value=""' in html
    assert f'hx-get="{reverse("web:post_picker")}"' in html
    assert "<option value=" not in html.split('name="ref_date"')[0]  # no post is listed
    assert "党委书记" not in html
    # A chosen post screens as before and is shown by name.
    chosen = client.get(reverse("web:candidates"), _params(county))
    assert chosen.status_code == 200
    text = page_text(chosen)
    assert "城关镇 党委书记（正科级·一把手）" in text
    assert f'name="post" value="{county.town_secretary.pk}"' in chosen.content.decode()


def test_suggestions_are_scoped(client, admin, county, personas, picker):
    own = post_create(
        actor=admin, unit=county.other_town, title="党委书记", level=Level.SECTION_PRINCIPAL
    )
    gone = post_create(
        actor=admin, unit=county.town, title="党委副书记", level=Level.SECTION_DEPUTY
    )
    gone.is_active = False
    gone.save()
    url = reverse("web:post_picker")
    client.force_login(personas.case_officer)
    found = client.get(url, {"post_q": "党委"}, headers=HTMX)
    assert found.status_code == 200
    assert [r["pk"] for r in found.context["rows"]] == [county.town_secretary.pk, own.pk]
    # Every word must match, in the title or the unit's name (or short name).
    both = client.get(url, {"post_q": "城关镇 书记"}, headers=HTMX)
    assert [r["pk"] for r in both.context["rows"]] == [county.town_secretary.pk]
    short = client.get(url, {"post_q": "县财政局 副"}, headers=HTMX)
    assert [r["pk"] for r in short.context["rows"]] == [county.finance_deputy.pk]
    html = both.content.decode()
    assert f'data-picker-id="{county.town_secretary.pk}"' in html
    assert 'data-picker-text="城关镇 党委书记（正科级·一把手）"' in html
    assert f'href="{reverse("web:candidates")}?post={county.town_secretary.pk}"' in html
    assert "未找到符合条件的职位" in page_text(client.get(url, {"post_q": "无此职位"}))
    assert "输入职位名称或单位名称、拼音或拼音首字母查找" in page_text(
        client.get(url, {"post_q": " "})
    )
    # The HR contact of 石桥镇 is offered 石桥镇's post only.
    client.force_login(personas.other_unit_hr)
    scoped = client.get(url, {"post_q": "党委"}, headers=HTMX)
    assert [r["pk"] for r in scoped.context["rows"]] == [own.pk]
    assert "城关镇" not in page_text(scoped)
    client.force_login(personas.outsider)
    assert client.get(url, {"post_q": "党委"}).status_code == 403


def test_a_forged_post_out_of_scope_is_404(client, admin, county, personas, monkeypatch):
    post_create(actor=admin, unit=county.other_town, title="副镇长", level=Level.SECTION_DEPUTY)
    monkeypatch.setattr(pickers, "POST_SELECT_MAX", 0)  # the picker even for one post
    client.force_login(personas.other_unit_hr)
    page = client.get(reverse("web:candidates"))
    assert 'name="post_q"' in page.content.decode()
    forged = client.get(reverse("web:candidates"), _params(county))
    assert forged.status_code == 404
    assert "党委书记" not in page_text(forged)


def test_without_javascript_the_matches_are_links(client, county, personas, picker):
    client.force_login(personas.case_officer)
    response = client.get(
        reverse("web:candidates"),
        {"post": "", "post_q": "城关镇", "ref_date": REF.isoformat(), "sex": "female"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    links = re.findall(r'<a class="picker-option" href="([^"]+)"', html)
    expected = {county.town_secretary.pk, county.town_deputy.pk}
    assert {int(re.search(r"post=(\d+)", h).group(1)) for h in links} == expected
    assert all("ref_date=2026-11-27" in h and "sex=female" in h for h in links)
    assert "请选择拟任职位" in page_text(response)
    # With a post chosen, a new search lists the matches too (to change the post).
    again = client.get(reverse("web:candidates"), {**_params(county), "post_q": "财政局 副局长"})
    assert again.status_code == 200
    links = re.findall(r'<a class="picker-option" href="([^"]+)"', again.content.decode())
    assert [int(re.search(r"post=(\d+)", h).group(1)) for h in links] == [county.finance_deputy.pk]


def test_picker_queries_do_not_grow(client, admin, county, personas, picker):
    client.force_login(personas.case_officer)
    url, page = reverse("web:post_picker"), reverse("web:candidates")
    few, _ = _queries(client, url, {"post_q": "镇"}, HTMX)
    few_page, _ = _queries(client, page, {})
    for i in range(8):
        post_create(
            actor=admin, unit=county.other_town, title=f"副镇长{i}", level=Level.SECTION_DEPUTY
        )
    many, response = _queries(client, url, {"post_q": "镇"}, HTMX)
    assert len(response.context["rows"]) == 10
    many_page, _ = _queries(client, page, {})
    assert many == few  # session, user, permissions, scope and one query of posts
    assert many_page == few_page


# ---- the exclusion counts in the background (decision 0112) -----------------------------


@pytest.fixture
def large(settings: Any) -> None:
    """A screening of more than 4 candidates counts in the background (the
    screening fixture has 5)."""
    settings.XUANREN_SCREENING_BACKGROUND_CANDIDATES = 4


def _start(client: Any, county: County, **extra: Any) -> Any:
    return client.post(
        reverse("web:candidate_counts_start"),
        {"post": county.town_secretary.pk, "ref_date": REF.isoformat(), **extra},
        headers=HTMX,
    )


def _jobs() -> list[ImportJob]:
    return list(ImportJob.objects.filter(kind=JobKind.SCREENING_COUNTS).order_by("pk"))


def test_threshold_both_sides(client, county, personas, screening, settings):  # noqa: F811
    client.force_login(personas.case_officer)
    url = reverse("web:candidate_counts")
    settings.XUANREN_SCREENING_BACKGROUND_CANDIDATES = 5  # 5 candidates: in the request
    with CaptureQueriesContext(connection) as ctx:
        now = client.get(url, _params(county), headers=HTMX)
    assert now.context["considered"] == 5
    assert "background" not in now.context
    assert any("FILTER" in q["sql"] or "COUNT(CASE" in q["sql"] for q in ctx.captured_queries)
    # One past it: the rules at once, no aggregate, no job until asked for.
    settings.XUANREN_SCREENING_BACKGROUND_CANDIDATES = 4
    with CaptureQueriesContext(connection) as ctx:
        later = client.get(url, _params(county), headers=HTMX)
    assert later.status_code == 200
    assert not any("FILTER" in q["sql"] or "COUNT(CASE" in q["sql"] for q in ctx.captured_queries)
    assert later.context["background"] and later.context["considered"] is None
    html = later.content.decode()
    assert AGE_RULE in html  # the rules and their sources at once
    assert "未统计" in page_text(later) and "超过 4 人" in page_text(later)
    assert 'hx-post="' + reverse("web:candidate_counts_start") + '"' in html
    assert 'hx-trigger="every' not in html
    assert _jobs() == []
    # Below the threshold a start counts nothing in the background.
    settings.XUANREN_SCREENING_BACKGROUND_CANDIDATES = 5
    small = _start(client, county)
    assert small.status_code == 303
    assert small["Location"].startswith(url + "?")
    assert _jobs() == []


def test_job_end_to_end(client, county, personas, screening, large):  # noqa: F811
    officer = personas.case_officer
    client.force_login(officer)
    events = Event.objects.count()
    started = _start(client, county)
    assert started.status_code == 200
    [job] = _jobs()
    assert job.status == JobStatus.QUEUED and job.created_by == officer
    assert job.params == {
        "post": county.town_secretary.pk,
        "ref": "2026-11-27",
        "scope": job.params["scope"],
    }
    assert Event.objects.count() == events + 1  # exchange.job_started
    poll = reverse("web:candidate_counts_job", args=[job.pk])
    html = started.content.decode()
    assert f'hx-get="{poll}" hx-trigger="every 2s"' in html
    assert "排队中" in page_text(started) and AGE_RULE in html and "统计中" in page_text(started)
    # Asked again while it waits: the same job.
    assert _start(client, county).status_code == 200
    assert len(_jobs()) == 1
    # The worker's task, run here.
    import_job_run.call(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    expected = failure_counts(actor=officer, post=county.town_secretary, ref=REF)
    done = client.get(poll, headers=HTMX)
    assert done.status_code == 200
    assert "hx-trigger" not in done.content.decode()
    shown = [(rc.rule.id, rc.failing) for rc in done.context["rule_counts"]]
    assert shown == [(rc.rule.id, rc.failing) for rc in expected]
    assert done.context["considered"] == 5
    rows = dict(
        re.findall(
            r"<td>([^<]+)</td>\s*<td class=\"muted\">[^<]*</td>.*?"
            r"<td class=\"num failing\">(\d+) 人</td>",
            done.content.decode(),
            re.S,
        )
    )
    assert rows[AGE_RULE] == "1"
    # The screening's own fragment now shows the result, and offers a recount.
    again = client.get(reverse("web:candidate_counts"), _params(county), headers=HTMX)
    assert [(rc.rule.id, rc.failing) for rc in again.context["rule_counts"]] == shown
    assert "重新统计" in page_text(again) and "统计于" in page_text(again)
    # Another reference date is another count.
    other = client.get(reverse("web:candidate_counts"), _params(county, ref_date="2025-01-01"))
    assert other.context["job"] is None and "未统计" in page_text(other)
    # A recount is a new job.
    assert _start(client, county).status_code == 200
    assert len(_jobs()) == 2


def test_without_javascript(client, county, personas, screening, large):  # noqa: F811
    client.force_login(personas.case_officer)
    response = client.post(
        reverse("web:candidate_counts_start"),
        {"post": county.town_secretary.pk, "ref_date": REF.isoformat()},
    )
    [job] = _jobs()
    poll = reverse("web:candidate_counts_job", args=[job.pk])
    assert response.status_code == 303 and response["Location"] == poll
    page = client.get(poll)
    assert "<html" in page.content.decode()
    text = page_text(page)
    assert "城关镇党委书记" in text and "刷新查看进度" in text and AGE_RULE in text
    import_job_run.call(job.pk)
    assert "1 人" in page_text(client.get(poll))


def test_only_the_requester_sees_the_job(
    client,
    admin: User,
    county: County,
    personas: Personas,
    screening: Screening,  # noqa: F811
    large,
):
    client.force_login(personas.case_officer)
    _start(client, county)
    [job] = _jobs()
    import_job_run.call(job.pk)
    poll = reverse("web:candidate_counts_job", args=[job.pk])
    colleague = make_user("officer2", Role.CASE_OFFICER, county.root)  # the same scope
    before = (Event.objects.count(), ImportJob.objects.count())
    for user in [colleague, admin, personas.other_unit_hr]:
        client.force_login(user)
        refused = client.get(poll, headers=HTMX)
        assert refused.status_code == 404, user
        assert AGE_RULE not in refused.content.decode()
    client.force_login(admin)
    assert client.get(reverse("exchange:xlsx_job", args=[job.pk])).status_code == 404
    # The colleague's own fragment does not show the officer's result.
    client.force_login(colleague)
    theirs = client.get(reverse("web:candidate_counts"), _params(county), headers=HTMX)
    assert theirs.context["job"] is None
    # Out of scope: 404, nothing started; no permission: 403.
    client.force_login(personas.other_unit_hr)
    assert _start(client, county).status_code == 404
    client.force_login(personas.outsider)
    assert _start(client, county).status_code == 403
    assert (Event.objects.count(), ImportJob.objects.count()) == before
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    # The requester's scope moves: the count is no longer theirs to see.
    Scope.objects.filter(user=personas.case_officer).update(unit=county.town)
    client.force_login(personas.case_officer)
    assert client.get(poll, headers=HTMX).status_code == 404


def test_start_needs_post_and_a_post(client, county, personas, screening, large):  # noqa: F811
    client.force_login(personas.case_officer)
    assert client.get(reverse("web:candidate_counts_start")).status_code == 405
    missing = client.post(reverse("web:candidate_counts_start"), {"ref_date": REF.isoformat()})
    assert missing.status_code == 404
    assert _jobs() == []


def test_background_queries_do_not_grow(client, admin, county, personas, make_cadre, large):
    client.force_login(personas.case_officer)
    import datetime as dt

    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            make_candidate(admin, make_cadre, county.town, name=f"候选{i}",
                           birth=dt.date(1986, 1, 1) + dt.timedelta(days=11 * i))  # fmt: skip

    add(5, 0)
    url = reverse("web:candidate_counts")
    client.get(url, _params(county), headers=HTMX)  # warm the parsed-rules cache
    few, _ = _queries(client, url, _params(county), HTMX)
    _start(client, county)
    [job] = _jobs()
    import_job_run.call(job.pk)
    poll = reverse("web:candidate_counts_job", args=[job.pk])
    few_poll, _ = _queries(client, poll, {}, HTMX)
    add(10, 5)
    many, _ = _queries(client, url, _params(county), HTMX)
    many_poll, response = _queries(client, poll, {}, HTMX)
    assert response.context["considered"] == 5  # the result as counted
    assert many == few
    assert many_poll == few_poll


def test_a_count_made_for_another_scope_fails_and_is_offered_again(
    client,
    county,
    personas,
    screening,  # noqa: F811
    large,
):
    officer = personas.case_officer
    client.force_login(officer)
    _start(client, county)
    [job] = _jobs()
    # The officer's scope moves to 城关镇 before the worker runs the job.
    Scope.objects.filter(user=officer).update(unit=county.town)
    import_job_run.call(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.result is None and "管理范围已变化" in (job.failure or {})["message"]
    # Back to the county: the failed count is shown with a way to count again.
    Scope.objects.filter(user=officer).update(unit=county.root)
    again = client.get(reverse("web:candidate_counts"), _params(county), headers=HTMX)
    text = page_text(again)
    assert "后台统计未完成：您的管理范围已变化，请重新统计。" in text
    assert "在后台统计不符合人数" in text and "未统计" in text
    assert _start(client, county).status_code == 200
    assert len(_jobs()) == 2
