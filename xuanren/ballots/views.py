"""Pages: a case's voting meetings and the setup of its decision meeting, the
teller console, the voter's ballot page (works on a phone, with or without a
login), voter slips with QR codes, the printable result sheet and the paper
ballot sheets (PDF). Views only call selectors and services."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import segno
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from xuanren.ballots import selectors, services
from xuanren.ballots.models import (
    BallotMethod,
    EvaluationScale,
    Item,
    MeetingKind,
    MeetingStatus,
    PaperMode,
)
from xuanren.common.errors import DomainError, NotFound
from xuanren.common.http import client_address
from xuanren.procedure.selectors import case_get
from xuanren.web.pages import FORMS, login_page

page = login_page(methods=FORMS)  # login; refusals as the Chinese 403/404 pages


def _error(exc: DomainError) -> str:
    return " ".join([exc.message, *(e.message for e in exc.errors)])


# ---- a case's meetings ---------------------------------------------------------------------


@page
def case_meetings(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_get(actor=request.user, pk=case_id)
    error = ""
    if request.method == "POST":
        try:
            day = dt.date.fromisoformat(request.POST.get("meeting_date", ""))
        except ValueError:
            error = _("请填写会议日期。")
        else:
            kind = request.POST.get("kind", MeetingKind.DECISION)
            method = request.POST.get("method", BallotMethod.ELECTRONIC)
            try:
                sheet_count = int(request.POST.get("sheet_count") or 0)
                if kind == MeetingKind.DECISION:
                    meeting = services.meeting_create_for_decision(
                        actor=request.user,
                        case=case,
                        meeting_date=day,
                        method=method,
                        paper_mode=request.POST.get("paper_mode", PaperMode.SHEETS),
                        sheet_count=sheet_count,
                    )
                else:
                    meeting = services.meeting_create_for_case(
                        actor=request.user,
                        case=case,
                        kind=kind,
                        meeting_date=day,
                        method=method,
                        sheet_count=sheet_count,
                        scale=request.POST.get("scale", EvaluationScale.GRADES),
                        participants=_participants(request.POST.get("participants", "")),
                    )
                return redirect("ballots:console", meeting.pk)
            except DomainError as exc:
                error = _error(exc)
            except ValueError:
                error = _("纸质票张数应为整数。")
    return render(
        request,
        "ballots/case_meetings.html",
        {
            "case": case,
            "meetings": selectors.meeting_list(actor=request.user, case_id=case.pk),
            "error": error,
            "methods": BallotMethod.choices,
            "kinds": MeetingKind.choices,
            "scales": EvaluationScale.choices,
            "paper_modes": PaperMode.choices,
        },
    )


def _participants(text: str) -> list[tuple[str, str]]:
    """One participant a line: 姓名，类别 (a Chinese or ASCII comma or a tab)."""
    out = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.replace("，", ",").replace("\t", ",").split(",")]
        if parts and parts[0]:
            out.append((parts[0], parts[1] if len(parts) > 1 else ""))
    return out


# ---- the teller console ---------------------------------------------------------------------


def _console_context(request: HttpRequest, meeting: Any) -> dict[str, Any]:
    ctx: dict[str, Any] = {
        "meeting": meeting,
        "progress": selectors.meeting_progress(actor=request.user, meeting=meeting),
        "roster": selectors.meeting_roster(actor=request.user, meeting=meeting),
        "can_run": services.can_run(request.user, meeting),
        "is_paper": meeting.method == BallotMethod.PAPER,
        "is_decision": meeting.kind == MeetingKind.DECISION,
        "items": list(meeting.items.order_by("section__order", "order")),
        "seats_over": selectors.seats_over(meeting)
        if meeting.status == MeetingStatus.CLOSED and not meeting.applied_step_id
        else [],
        "can_abandon": meeting.status in (MeetingStatus.SETUP, MeetingStatus.OPEN),
    }
    if meeting.method == BallotMethod.PAPER and meeting.status == MeetingStatus.OPEN:
        state = selectors.paper_sheets_state(meeting)
        ctx["paper_problems"] = state.problems[:50]
        ctx["serials"] = selectors.serials_of(meeting)
        ctx["options"] = selectors.ballot_form(meeting, None)[0]["options"]
        ctx["write_in_sections"] = list(meeting.sections.filter(write_ins=True))
        if meeting.kind != MeetingKind.DECISION:
            ctx["groups"] = selectors.groups_of(meeting)
    return ctx


@page
def console(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_get(actor=request.user, pk=meeting_id)
    error = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "attendance":
                services.meeting_attendance_set(
                    actor=request.user,
                    meeting=meeting,
                    present=[int(x) for x in request.POST.getlist("present")],
                )
            elif action == "deferral":
                item = meeting.items.get(pk=int(request.POST["item"]))
                services.meeting_deferral_record(
                    actor=request.user,
                    meeting=meeting,
                    item=item,
                    votes=int(request.POST["votes"] or 0),
                )
            elif action == "codes":
                chosen = [int(x) for x in request.POST.getlist("code_for")]
                if not chosen and meeting.status == MeetingStatus.OPEN:
                    # While voting, slips already handed out stay valid: by
                    # default only those without a code get one.
                    chosen = [
                        v["id"]
                        for v in selectors.meeting_roster(actor=request.user, meeting=meeting)
                        if not v["voted"] and not v["has_code"]
                    ]
                    if not chosen:
                        raise ValueError
                issued = services.meeting_codes_issue(
                    actor=request.user, meeting=meeting, voters=chosen or None
                )
                return _slips(request, meeting, issued)
            elif action == "abandon":
                services.meeting_abandon(
                    actor=request.user, meeting=meeting, reason=request.POST.get("reason", "")
                )
            elif action == "seats":
                services.meeting_seats_choose(
                    actor=request.user,
                    meeting=meeting,
                    choices=[
                        {
                            "post": over.post_id,
                            "candidates": [
                                int(x) for x in request.POST.getlist(f"seat-{over.post_id}")
                            ],
                            "reason": request.POST.get(f"reason-{over.post_id}", ""),
                        }
                        for over in selectors.seats_over(meeting)
                    ],
                )
            elif action == "count_key":
                key = services.meeting_count_key_create(actor=request.user, meeting=meeting)
                return render(request, "ballots/count_key.html", {"meeting": meeting, "key": key})
            elif action == "open":
                services.meeting_open(actor=request.user, meeting=meeting)
            elif action == "paper":
                services.paper_entry_record(
                    actor=request.user,
                    meeting=meeting,
                    serial=request.POST.get("serial", "").strip(),
                    content=_paper_content(request, meeting),
                )
            elif action == "resolve":
                services.paper_entry_resolve(
                    actor=request.user,
                    meeting=meeting,
                    serial=request.POST.get("serial", "").strip(),
                    content=_paper_content(request, meeting),
                )
            elif action == "close":
                services.meeting_close(
                    actor=request.user,
                    meeting=meeting,
                    passphrase=request.POST.get("passphrase_1", "")
                    + request.POST.get("passphrase_2", ""),
                )
                return redirect("ballots:result", meeting.pk)
            elif action == "apply":
                services.meeting_result_apply(actor=request.user, meeting=meeting)
                assert meeting.case is not None
                return redirect("web:case_detail", meeting.case.pk)
            return redirect("ballots:console", meeting.pk)
        except DomainError as exc:
            error = _error(exc)
        except (ValueError, KeyError, Item.DoesNotExist):
            error = (
                _("没有需要发放投票码的人员：如需补发，请在名单中勾选后再发放。")
                if action == "codes"
                else _("提交的内容不完整，请重新填写。")
            )
        meeting.refresh_from_db()
    ctx = _console_context(request, meeting)
    ctx["error"] = error
    return render(request, "ballots/console.html", ctx)


def _paper_content(request: HttpRequest, meeting: Any) -> dict[str, Any]:
    """A paper sheet as the teller's form sends it (one field per name), or
    the counts as JSON in counts mode."""
    if meeting.paper_mode == PaperMode.COUNTS:
        raw = json.loads(request.POST.get("counts") or "{}")
        return raw if isinstance(raw, dict) else {}
    marks = {}
    for item in meeting.items.all():
        value = request.POST.get(f"item-{item.pk}", "")
        if value:
            marks[str(item.pk)] = value
    write_ins: dict[str, list[str]] = {}
    for section in meeting.sections.filter(write_ins=True):
        names = [n.strip() for n in request.POST.get(f"write-{section.pk}", "").split("、")]
        if any(names):
            write_ins[str(section.pk)] = [n for n in names if n]
    return {
        "marks": marks,
        "write_ins": write_ins,
        "group": request.POST.get("group", ""),
        "spoiled": bool(request.POST.get("spoiled")),
    }


@page
def progress(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The progress line, polled by the console (htmx)."""
    meeting = selectors.meeting_get(actor=request.user, pk=meeting_id)
    return render(
        request,
        "ballots/_progress.html",
        {
            "meeting": meeting,
            "progress": selectors.meeting_progress(actor=request.user, meeting=meeting),
        },
    )


def _slips(request: HttpRequest, meeting: Any, issued: list[tuple[Any, str]]) -> HttpResponse:
    """The printable slips: shown once, when the codes are issued."""
    url = request.build_absolute_uri(reverse("ballots:vote", args=[meeting.pk]))
    slips = [
        {
            "name": voter.name,
            "group": voter.group,
            "code": code,
            # After "#": the browser keeps it and the page posts it; no log sees it.
            "qr": segno.make(f"{url}#code={code}", error="m").svg_inline(scale=3),
        }
        for voter, code in issued
    ]
    return render(request, "ballots/slips.html", {"meeting": meeting, "slips": slips, "url": url})


@page
def result(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_get(actor=request.user, pk=meeting_id)
    try:
        published = selectors.meeting_result(actor=request.user, meeting=meeting)
    except DomainError as exc:
        return render(
            request, "ballots/result.html", {"meeting": meeting, "error": exc.message}, status=409
        )
    names = selectors.item_names(meeting)
    sections = selectors.ballot_form(meeting, None)[0]
    res = published["result"]
    rows = [
        {
            "name": item["name"],
            "counts": [
                res["items"].get(str(item["id"]), {}).get(o, 0) for o, _w in sections["options"]
            ],
        }
        for s in sections["sections"]
        for item in s["items"]
    ]
    score_rows: list[dict[str, Any]] = []
    score_groups: list[str] = []
    if meeting.kind == MeetingKind.EVALUATION and meeting.scale == EvaluationScale.SCORE:
        # 101 possible scores a name: the sheet gives each group's mean instead.
        means = selectors.score_means(meeting)
        score_groups = sorted(res.get("groups", {}))
        score_rows = [
            {
                "section": s["title"],
                "name": item["name"],
                "means": [means.get(str(item["id"]), {}).get(g) for g in score_groups],
            }
            for s in sections["sections"]
            for item in s["items"]
        ]
    return render(
        request,
        "ballots/result.html",
        {
            "meeting": meeting,
            "published": published,
            "score_rows": score_rows,
            "score_groups": score_groups,
            "res": res,
            "names": names,
            "options": sections["options"],
            "rows": rows,
            "decision": res.get("decision"),
            "write_ins": [
                (n, c) for names_ in res.get("write_ins", {}).values() for n, c in names_.items()
            ],
        },
    )


@page
def sheets(request: HttpRequest, meeting_id: int) -> HttpResponse:
    from xuanren.documents.ballot_sheets import render_ballot_sheets

    meeting = selectors.meeting_get(actor=request.user, pk=meeting_id)
    try:
        spec = selectors.sheet_spec(actor=request.user, meeting=meeting)
    except DomainError as exc:
        return render(request, "web/404.html", {"message": exc.message}, status=404)
    response = HttpResponse(render_ballot_sheets(spec), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="ballots-{meeting.pk}.pdf"'
    return response


# ---- the voter's page (no login needed: the code is the credential) ------------------------


def _code_key(meeting_id: int) -> str:
    return f"ballot-code:{meeting_id}"


def _vote_page(request: HttpRequest, ctx: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, "ballots/vote.html", ctx, status=status)


@never_cache  # a ballot or a receipt is never kept by a browser or a proxy
@require_http_methods(["GET", "HEAD", "POST"])
def vote(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The ballot, only while the vote is open and only to a roster login or a
    valid code. The code is posted once, kept in the session and never put in
    a URL (the QR slips carry it after a `#`, which browsers do not send); the
    session forgets it once the ballot is cast."""
    try:
        meeting = selectors.meeting_voting(pk=meeting_id)
    except NotFound as exc:
        return render(request, "web/404.html", {"message": exc.message}, status=404)
    own = selectors.voter_for_user(meeting, request.user)
    ctx: dict[str, Any] = {
        "meeting": meeting,
        "own": own is not None,
        "is_recommendation": meeting.kind == MeetingKind.RECOMMENDATION,
        "is_decision": meeting.kind == MeetingKind.DECISION,
        "is_score": meeting.scale == EvaluationScale.SCORE
        and meeting.kind == MeetingKind.EVALUATION,
    }
    client = client_address(request)
    if request.method == "POST" and request.POST.get("action") == "code":
        try:
            services.code_enter(meeting=meeting, code=request.POST.get("code", ""), client=client)
        except DomainError as exc:
            return _vote_page(request, {**ctx, "error": exc.message}, exc.http_status)
        request.session[_code_key(meeting.pk)] = services.clean_code(request.POST["code"])
        return redirect("ballots:vote", meeting.pk)
    code = None if own is not None else request.session.get(_code_key(meeting.pk))
    voter = own
    if voter is None and code:
        try:
            voter = services.find_voter(meeting=meeting, code=code, actor=None, client=client)
        except DomainError:
            request.session.pop(_code_key(meeting.pk), None)
    if voter is None:
        return _vote_page(request, ctx)  # the code form
    ctx["voter"] = voter
    if selectors.voted_in(voter):
        ctx["voted"] = True
        return _vote_page(request, ctx, 409 if request.method == "POST" else 200)
    if meeting.kind == MeetingKind.DECISION and not voter.present:
        ctx["not_present"] = True
        return _vote_page(request, ctx, 409 if request.method == "POST" else 200)
    (form,) = selectors.ballot_form(meeting, voter)
    ctx["form"] = form
    if request.method != "POST":
        return _vote_page(request, ctx)
    if request.POST.get("confirm") != "1":
        content = _ballot_content(request, form, meeting.kind)
        try:
            # Refused before "确认投票" is offered, as the cast would refuse it.
            content, _spec = services.ballot_check(meeting, voter, content)
        except DomainError as exc:
            ctx["marked"] = content["marks"]
            return _vote_page(request, {**ctx, "error": _error(exc)}, exc.http_status)
        ctx["confirming"] = True
        ctx["summary"] = _summary(form, content, meeting.kind, ctx["is_score"])
        ctx["content_json"] = json.dumps(content, ensure_ascii=False)
        return _vote_page(request, ctx)
    try:
        content = json.loads(request.POST.get("content_json") or "{}")
        receipt = services.ballot_cast(
            actor=request.user, meeting=meeting, code=code, content=content, client=client
        )
    except DomainError as exc:
        # The same statuses as the API: a second vote is 409, a bad ballot 422.
        return _vote_page(request, {**ctx, "error": _error(exc)}, exc.http_status)
    except ValueError:
        return _vote_page(request, {**ctx, "error": _("选票内容有误。")}, 422)
    request.session.pop(_code_key(meeting.pk), None)
    return render(request, "ballots/receipt.html", {"meeting": meeting, "receipt": receipt})


def _ballot_content(request: HttpRequest, form: dict[str, Any], kind: str) -> dict[str, Any]:
    marks: dict[str, str] = {}
    write_ins: dict[str, list[str]] = {}
    for s in form["sections"]:
        for item in s["items"]:
            value = request.POST.get(f"item-{item['id']}", "")
            if kind == MeetingKind.RECOMMENDATION:
                if value == "chosen":
                    marks[str(item["id"])] = "chosen"
            elif value and value != "abstain":
                marks[str(item["id"])] = value
        if s["write_ins"]:
            names = [n.strip() for n in request.POST.getlist(f"write-{s['id']}") if n.strip()]
            if names:
                write_ins[str(s["id"])] = names
    return {"marks": marks, "write_ins": write_ins}


def _summary(
    form: dict[str, Any], content: dict[str, Any], kind: str, score: bool = False
) -> list[tuple[str, str]]:
    words = dict(form["options"])
    blank = _("未评分") if score else _("弃权") if kind != MeetingKind.RECOMMENDATION else "—"
    out = []
    for s in form["sections"]:
        for item in s["items"]:
            if item["barred"]:
                continue
            mark = content["marks"].get(str(item["id"]))
            out.append((item["name"], words.get(mark, blank)))
        for name in content["write_ins"].get(str(s["id"]), []):
            out.append((name, _("另推荐")))
    return out


@page
def mine(request: HttpRequest) -> HttpResponse:
    """我的选票: the meetings voting now in which this login may vote."""
    return render(
        request, "ballots/mine.html", {"ballots": selectors.open_ballots_for(request.user)}
    )
