"""选任事项 pages: the case list, opening a case, the case page with its
timeline and the current step's form, corrections, the printable 纪实 and its
JSON, and the to-do list. Views stay thin: reads go through the procedure
selectors, writes through its services; what is here only shapes their
results for the templates."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Count, F, Prefetch, Window
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xuanren.access.policy import has_perm, require_perm, unit_in_scope
from xuanren.common.dates import SHANGHAI, today
from xuanren.common.errors import (
    Conflict,
    DomainError,
    FieldError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from xuanren.org.selectors import post_list, unit_list
from xuanren.procedure.catalogue import GUARDS, STEPS, TemplateDef
from xuanren.procedure.models import (
    Case,
    CasePost,
    CaseStatus,
    CaseStep,
    MotionProposalStatus,
)
from xuanren.procedure.record import (
    Names,
    RecordView,
    ballot_of,
    case_ending,
    moment,
    person,
    record_names,
    record_rows,
    record_view,
    rows_as_json,
    step_rows,
)
from xuanren.procedure.selectors import (
    CaseRecord,
    GuardState,
    TimelineEntry,
    case_get,
    case_list,
    case_record,
    case_timeline,
    committee_list,
    motion_proposal_get,
    motion_proposal_list,
    procedure_template_list,
    step_preview,
)
from xuanren.procedure.services import (
    GuardBlocked,
    case_attachment_add,
    case_decision_resume,
    case_open,
    case_step_complete,
    case_step_correct,
    decision_resumable,
    motion_proposal_decide,
    motion_proposal_submit,
    template_def,
)
from xuanren.procedure.todo import KIND_ITEMS, TodoItem, TodoKind, todo_for
from xuanren.supervision.channel_selectors import case_channel_reports
from xuanren.web.assignments import step_owner
from xuanren.web.case_forms import (
    CaseFilterForm,
    CaseOpenForm,
    CorrectionForm,
    MotionDecideForm,
    MotionProposalForm,
    PostRowFormSet,
    ResumedDecisionForm,
    StepForm,
    post_rows,
    step_form_class,
)
from xuanren.web.pages import FORMS, login_page
from xuanren.web.views import _partial

CASES_PER_PAGE = 50


form_page = login_page(methods=FORMS)  # login; refusals as the Chinese 403/404 pages


# ---- shaping ----------------------------------------------------------------------------


def day(value: dt.date | None) -> str:
    return f"{value:%Y.%m.%d}" if value else ""


@form_page
def comment_row(request: HttpRequest) -> HttpResponse:
    """One more empty row of plan consultation comments (htmx)."""
    return render(request, "web/_case_comment_row.html", {"source": "", "comment": ""})


def _root(record: CaseStep, by_pk: dict[int, CaseStep]) -> int:
    """The original record a correction (or a correction of one) belongs to."""
    seen = set()
    while record.corrects_id and record.corrects_id in by_pk and record.pk not in seen:
        seen.add(record.pk)
        record = by_pk[record.corrects_id]
    return record.pk


def grouped_records(
    records: tuple[CaseStep, ...], seq_of: dict[int, int], names: Names | None = None
) -> list[RecordView]:
    """Originals in order, each with its corrections (in order) under it."""
    by_pk = {r.pk: r for r in records}
    views = {r.pk: record_view(r, seq_of, names) for r in records}
    originals = []
    for r in records:
        if r.corrects_id is None:
            originals.append(views[r.pk])
        else:
            views[_root(r, by_pk)].corrections.append(views[r.pk])
    return originals


@dataclass(frozen=True)
class GuardView:
    code: str
    title: str
    problems: tuple[str, ...]
    checked: bool  # False: a preview on the stored data; True: this submission

    @property
    def holds(self) -> bool:
        return not self.problems


@dataclass
class StepView:
    entry: TimelineEntry
    index: int
    records: list[RecordView]
    guards: list[GuardView]
    requires: list[str]  # what the step's guards ask, for steps not yet reached
    form: StepForm | None = None
    owner: dict[str, Any] | None = None  # who does it, for a reader without the form

    @property
    def code(self) -> str:
        return self.entry.code


def _guards_after_block(
    definition: TemplateDef, step: str, errors: list[FieldError]
) -> list[GuardView]:
    return [
        GuardView(
            code,
            str(GUARDS[code]),
            tuple(e.message for e in errors if e.field == code),
            checked=True,
        )
        for code in definition.step(step).guards
    ]


def _preview(states: tuple[GuardState, ...]) -> list[GuardView]:
    return [GuardView(s.code, s.title, s.problems, checked=False) for s in states]


def _explain_query(case: Case, candidate: Any) -> str:
    from urllib.parse import urlencode

    query = urlencode(
        {
            "post": candidate.post_id,
            "cadre": candidate.cadre_id,
            "ref_date": case.reference_date.isoformat(),
        }
    )
    return f"{reverse('web:candidate_explain')}?{query}"


def can_change(actor: Any, case: Case) -> bool:
    return has_perm(actor, "procedure.change_case") and unit_in_scope(actor, case.unit)


def _step_form(
    definition: TemplateDef,
    step: str,
    data: Any = None,
    initial: dict[str, Any] | None = None,
    *,
    case: Case | None = None,
    files: Any = None,
    actor: Any = None,
) -> StepForm:
    return step_form_class(step)(
        data,
        files,
        prefix="step",
        template_params=definition.parameters,
        initial=initial,
        case=case,
        actor=actor,
    )


def _initial_for(step: str) -> dict[str, Any]:
    return {"date": today()} if step == "publication" else {}


def case_context(
    request: HttpRequest,
    case: Case,
    *,
    form: StepForm | None = None,
    blocked: list[FieldError] | None = None,
    error: str = "",
    resume: StepForm | None = None,
    resume_problems: list[str] | None = None,
) -> dict[str, Any]:
    """Everything the case page shows. `form`, `blocked` and `error` come from
    a refused submission (the user's input kept, each blocking guard's
    message). A record is corrected on its own page (`case_correct`)."""
    actor = request.user
    definition = template_def(case.template)
    changeable = can_change(actor, case)
    entries = case_timeline(case)
    seq_of = {r.pk: r.seq for r in case.steps.all()}
    steps: list[StepView] = []
    names = record_names(case)
    for index, entry in enumerate(entries, start=1):
        records = grouped_records(entry.records, seq_of, names)
        requires = [str(GUARDS[g]) for g in definition.step(entry.code).guards]
        step_view = StepView(entry, index, records, [], requires)
        if entry.state == "current":
            if blocked is not None:
                step_view.guards = _guards_after_block(definition, entry.code, blocked)
            else:
                step_view.guards = _preview(entry.guards)
            if changeable:
                step_view.form = form or _step_form(
                    definition, entry.code, initial=_initial_for(entry.code), case=case, actor=actor
                )
            elif case.status == CaseStatus.OPEN:
                step_view.owner = step_owner(actor, case, entry.code)
        steps.append(step_view)
    candidates = [
        {"candidate": c, "explain": _explain_query(case, c)} for c in case.candidates.all()
    ]
    current = next((s for s in steps if s.entry.state == "current"), None)
    resume_form = None
    if changeable and decision_resumable(case):
        resume_form = resume or ResumedDecisionForm(
            prefix="resume", template_params=definition.parameters, case=case
        )
    return {
        "resume_form": resume_form,
        "resume_problems": resume_problems or [],
        "case": case,
        "definition": definition,
        "posts": list(case.case_posts.all()),
        "steps": steps,
        "current": current,
        "done_count": sum(1 for s in steps if s.entry.state == "done"),
        "candidates": candidates,
        "can_change": changeable,
        # The channel's entries linked to the case, for those who may read
        # reports (docs/decisions/0129).
        "linked_reports": case_channel_reports(actor=request.user, case=case),
        "error": error,
        "blocked": blocked is not None,
        "officer": person(case.officer),
        "opened": moment(case.opened_at),
        "last_activity": moment(case.last_activity_at),
    }


# ---- the case list ----------------------------------------------------------------------


def is_idle(case: Case, now: dt.datetime) -> bool:
    from xuanren.procedure.todo import IDLE_DAYS

    return case.status == CaseStatus.OPEN and case.last_activity_at < now - dt.timedelta(
        days=IDLE_DAYS
    )


#: The posts a case list row names; a batch case's (e.g. a year's history
#: with fifty posts) further posts are counted, not listed (decision 0159).
CASE_LIST_POSTS = 3


def _first_posts() -> Prefetch[Any]:
    """Each case's first CASE_LIST_POSTS posts (in the order they were added)
    with their units and, on each, how many posts the case has: one query for
    the page's cases (measured cheaper than reading the posts and units by
    key in two more)."""
    return Prefetch(
        "case_posts",
        queryset=CasePost.objects.select_related("post__unit")
        .only("case_id", "seats", "post__title", "post__unit__name")
        .annotate(of=Window(Count("pk"), partition_by=F("case_id")))
        .order_by("pk")[:CASE_LIST_POSTS],
        to_attr="first_posts",
    )


def _list_rows(cases: Any) -> list[dict[str, Any]]:
    now = timezone.now()
    return [
        {
            "case": c,
            "url": reverse("web:case_detail", args=[c.pk]),  # once for the row's two links
            "posts": c.first_posts,
            "more_posts": c.first_posts[0].of - len(c.first_posts) if c.first_posts else 0,
            "step": str(STEPS.get(c.current_step, "")) if c.current_step else "",
            "officer": person(c.officer),
            "opened": moment(c.opened_at)[:10],
            "last_activity": moment(c.last_activity_at)[:16],
            "idle": is_idle(c, now),
            "idle_days": (now - c.last_activity_at).days,
        }
        for c in cases
    ]


@form_page
def cases(request: HttpRequest) -> HttpResponse:
    actor = request.user
    form = CaseFilterForm(request.GET or None)
    found = (
        case_list(actor=actor, **form.values())
        # the template's name only: its steps and parameters are JSON documents
        .defer("template__steps", "template__parameters")
        .prefetch_related(_first_posts())
    )
    page_obj = Paginator(found, CASES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page_obj": page_obj,
        "rows": _list_rows(page_obj),
        "can_open": has_perm(actor, "procedure.add_case"),
    }
    template = "web/_case_results.html" if _partial(request) else "web/case_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


# ---- opening a case --------------------------------------------------------------------


_OPEN_FIELDS = {"title", "template", "committee", "reference_date"}


@form_page
def case_new(request: HttpRequest) -> HttpResponse:
    actor = request.user
    require_perm(actor, "procedure.add_case")
    committees = list(committee_list(actor=actor).select_related("unit"))
    posts = list(post_list(actor=actor).filter(is_active=True))
    posting = request.method == "POST"
    form = CaseOpenForm(
        request.POST if posting else None,
        initial={"reference_date": today()},
        templates=procedure_template_list(actor=actor, latest_only=True),
        committees=committees,
    )
    rows = PostRowFormSet(
        request.POST if posting else None, prefix="posts", form_kwargs={"posts": posts}
    )
    status = 200
    if posting:
        if form.is_valid() and rows.is_valid():
            committee = next(c for c in committees if c.pk == form.cleaned_data["committee"])
            by_pk = {p.pk: p for p in posts}
            try:
                case = case_open(
                    actor=actor,
                    title=form.cleaned_data["title"],
                    template_code=form.cleaned_data["template"],
                    unit=committee.unit,
                    committee=committee,
                    posts=[(by_pk[pk], seats) for pk, seats in post_rows(rows)],
                    reference_date=form.cleaned_data["reference_date"],
                )
            except ValidationFailed as exc:
                _form_errors(form, rows, exc)
            else:
                messages.success(
                    request,
                    _("已立项：%(n)s。请办理第一个环节“%(s)s”。")
                    % {"n": case.number, "s": STEPS[case.current_step]},
                )
                return HttpResponseRedirect(reverse("web:case_detail", args=[case.pk]))
        status = 422
    return render(
        request,
        "web/case_new.html",
        {"form": form, "rows": rows, "has_committees": bool(committees)},
        status=status,
    )


def _form_errors(form: CaseOpenForm, rows: Any, exc: DomainError) -> None:
    """A service's refusal shown on the fields it names (the rest above the form)."""
    for e in exc.errors:
        if e.field in _OPEN_FIELDS:
            form.add_error(e.field, e.message)
        else:
            form.add_error(None, e.message)
    if not exc.errors:
        form.add_error(None, exc.message)


# ---- the case page ------------------------------------------------------------------------


@form_page
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_get(actor=request.user, pk=pk)
    return render(request, "web/case_detail.html", case_context(request, case))


def _require_change(actor: Any, case: Case) -> None:
    if not can_change(actor, case):
        require_perm(actor, "procedure.change_case")
        raise PermissionDenied(
            _("“%(unit)s”不在您的管理范围内，不能查看或修改其记录。") % {"unit": case.unit.name}
        )


@form_page
@require_POST
def case_step(request: HttpRequest, pk: int) -> HttpResponse:
    """Complete the case's current step with the submitted form."""
    actor = request.user
    case = case_get(actor=actor, pk=pk)
    _require_change(actor, case)
    step = request.POST.get("step", "")
    if step != case.current_step or case.status != CaseStatus.OPEN:
        # Only the current step has a form; anything else is for the service
        # to refuse, in its own words (不得跳过, already done, closed case).
        try:
            case_step_complete(actor=actor, case=case, step=step)
        except DomainError as exc:
            return _case_refused(request, case, str(exc.message))
        return HttpResponseRedirect(reverse("web:case_detail", args=[case.pk]))
    definition = template_def(case.template)
    form = _step_form(definition, step, request.POST, case=case, files=request.FILES, actor=actor)
    if not form.is_valid():
        context = case_context(
            request, case, form=form, error=_("填写的内容有误，请按提示修改后再提交。")
        )
        return render(request, "web/case_detail.html", context, status=422)
    try:
        record = _complete_with_attachment(actor, case, step, form)
    except GuardBlocked as exc:
        context = case_context(request, case, form=form, blocked=exc.errors, error=exc.message)
        return render(request, "web/case_detail.html", context, status=409)
    except ValidationFailed as exc:
        if not exc.errors:
            return _case_refused(request, case, str(exc), form=form, step=step)
        attach_errors(form, exc.errors)
        context = case_context(request, case, form=form, error=exc.message)
        return render(request, "web/case_detail.html", context, status=422)
    except Conflict as exc:
        return _case_refused(request, case, str(exc), form=form, step=step)
    messages.success(
        request,
        _("“%(n)s”环节已办理（第 %(s)d 号记录）。") % {"n": STEPS[step], "s": record.seq},
    )
    return HttpResponseRedirect(reverse("web:case_detail", args=[case.pk]) + f"#step-{step}")


def _used_rows(rowset: Any) -> list[Any]:
    return [
        f for f in rowset.formset.forms if getattr(f, "cleaned_data", None) and not f.is_blank()
    ]


def attach_errors(form: StepForm, errors: list[FieldError]) -> None:
    """Put each of the step contract's errors (`field` a dotted path such as
    "results.2.signed") where the officer typed the value: the form's field,
    the row's cell, or the row, else above the form. The message names the
    row and the field already, so it reads the same as the API's."""
    for e in errors:
        parts = e.field.split(".")
        head = parts[0]
        joined = "_".join(p for p in parts if not p.isdigit())
        placed = False
        for name in (joined, head):
            if name in form.fields and name not in ("note", "attachment"):
                form.add_error(name, e.message)
                placed = True
                break
        if placed:
            continue
        rowset = next((r for r in getattr(form, "rowsets", ()) if r.name == head), None)
        if rowset is not None and len(parts) >= 2 and parts[1].isdigit():
            used = _used_rows(rowset)
            index = int(parts[1])
            if len(used) == len(rowset.rows()) and index < len(used):
                row = used[index]
                cell = "_".join(p for p in parts[2:] if not p.isdigit())
                row.add_error(cell if cell in row.fields else None, e.message)
                continue
        form.add_error(None, e.message)


@transaction.atomic
def _complete_with_attachment(actor: Any, case: Case, step: str, form: StepForm) -> CaseStep:
    """The step and its attachment in one transaction: a refused file leaves
    the step undone (the form has already checked it, so this is rare)."""
    record = case_step_complete(
        actor=actor,
        case=case,
        step=step,
        data=form.step_data(),
        note=form.cleaned_data.get("note", "").strip(),
    )
    upload = form.cleaned_data.get("attachment")
    if upload:
        case_attachment_add(actor=actor, case=case, step=record, **upload)
    return record


@form_page
@require_POST
def case_step_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The current step's guards evaluated against what the form now holds,
    without saving anything (htmx, on every change of the step form)."""
    actor = request.user
    case = case_get(actor=actor, pk=pk)
    _require_change(actor, case)
    step = request.POST.get("step", "")
    if step != case.current_step or case.status != CaseStatus.OPEN:
        return HttpResponse(status=204)
    definition = template_def(case.template)
    form = _step_form(definition, step, request.POST, case=case, actor=actor)
    note = ""
    data: dict[str, Any] | None = None
    if form.is_valid():
        data = form.step_data()
    else:
        note = _("表单尚有填写错误，以下按已保存的记录预检；改正后将按填写的内容预检。")
    states = step_preview(actor=actor, case=case, step=step, data=data)
    return render(
        request,
        "web/_case_guards.html",
        {
            "s": {"code": step, "guards": _preview(tuple(states))},
            "previewed": data is not None,
            "preview_note": note,
        },
    )


def _case_refused(
    request: HttpRequest,
    case: Case,
    message: str,
    form: StepForm | None = None,
    step: str = "",
) -> HttpResponse:
    """The case as it now is (another officer may just have moved it on), with
    the refusal above it; the user's input is kept while its step is current."""
    fresh = case_get(actor=request.user, pk=case.pk)
    keep = form if step and step == fresh.current_step else None
    context = case_context(request, fresh, form=keep, error=message)
    return render(request, "web/case_detail.html", context, status=409)


@form_page
@require_POST
def case_decision_resume_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Put the candidates deferred (缓议) at the decision to a later meeting."""
    actor = request.user
    case = case_get(actor=actor, pk=pk)
    _require_change(actor, case)
    definition = template_def(case.template)
    form = ResumedDecisionForm(
        request.POST, prefix="resume", template_params=definition.parameters, case=case
    )
    if not form.is_valid():
        context = case_context(
            request, case, resume=form, error=_("填写的内容有误，请按提示修改后再提交。")
        )
        return render(request, "web/case_detail.html", context, status=422)
    try:
        record = case_decision_resume(
            actor=actor,
            case=case,
            data=form.step_data(),
            note=form.cleaned_data.get("note", "").strip(),
        )
    except GuardBlocked as exc:
        context = case_context(
            request,
            case,
            resume=form,
            resume_problems=[e.message for e in exc.errors],
            error=exc.message,
        )
        return render(request, "web/case_detail.html", context, status=409)
    except (Conflict, ValidationFailed) as exc:
        return _case_refused(request, case, str(exc))
    messages.success(
        request,
        _("缓议人选已再次讨论决定（第 %(s)d 号记录）。") % {"s": record.seq},
    )
    return HttpResponseRedirect(reverse("web:case_detail", args=[case.pk]) + "#step-decision")


@form_page
def case_correct(request: HttpRequest, pk: int, record: int) -> HttpResponse:
    """Correct a done step: its own form, prefilled with the record's data,
    and a required reason; saved as a new record pointing at this one."""
    actor = request.user
    case = case_get(actor=actor, pk=pk)
    _require_change(actor, case)
    target = next((r for r in case.steps.all() if r.pk == record), None)
    if target is None:
        raise NotFound(_("未找到该环节记录。"))
    definition = template_def(case.template)
    seq_of = {r.pk: r.seq for r in case.steps.all()}
    bound = request.method == "POST"
    form = step_form_class(target.step)(
        request.POST if bound else None,
        prefix="step",
        template_params=definition.parameters,
        case=case,
        actor=actor,
        record=dict(target.data or {}),
    )
    reason = CorrectionForm(request.POST if bound else None, prefix="c")
    error = ""
    if bound:
        if form.is_valid() and reason.is_valid():
            try:
                correction = case_step_correct(
                    actor=actor,
                    record=target,
                    data=form.corrected_data(),
                    note=reason.cleaned_data["reason"],
                )
            except ValidationFailed as exc:
                for e in exc.errors:
                    reason.add_error("reason" if e.field == "note" else None, e.message)
            else:
                messages.success(
                    request,
                    _("已记录对第 %(o)d 号记录的更正（第 %(s)d 号记录），原记录保持不变。")
                    % {"o": target.seq, "s": correction.seq},
                )
                return HttpResponseRedirect(
                    reverse("web:case_detail", args=[case.pk]) + f"#record-{correction.seq}"
                )
        error = _("更正未保存：请按提示修改。")
    context = {
        "case": case,
        "target": target,
        "corrects_seq": seq_of.get(target.corrects_id) if target.corrects_id else None,
        "s": {"code": target.step, "name": STEPS.get(target.step, target.step)},
        "form": form,
        "reason": reason,
        "error": error,
        "correcting": True,
    }
    return render(request, "web/case_correct.html", context, status=422 if error else 200)


# ---- 纪实 -------------------------------------------------------------------------------


def record_json(rec: CaseRecord, printed_at: dt.datetime) -> dict[str, Any]:
    """The 纪实 as data, for inspection teams: the same content as the page."""
    case = rec.case
    seq_of = {r.pk: r.seq for r in rec.steps}
    names = record_names(case)
    template = case.template
    return {
        "case": {
            "number": case.number,
            "title": case.title,
            "template": {
                "code": template.code,
                "version": template.version,
                "name": template.name,
                "source": template.source,
                "sha256": template.sha256,
            },
            "unit": case.unit.name,
            "committee": case.committee.name,
            "posts": [
                {
                    "unit": cp.post.unit.name,
                    "post": cp.post.title,
                    "level": cp.post.get_level_display(),
                    "seats": cp.seats,
                }
                for cp in case.case_posts.all()
            ],
            "reference_date": case.reference_date,
            "officer": person(case.officer),
            "status": case.status,
            "status_display": case.get_status_display(),
            "opened_at": case.opened_at.astimezone(SHANGHAI),
            "ending": ending.as_dict() if (ending := case_ending(case)) else None,
        },
        "steps": [
            {
                "seq": r.seq,
                "step": r.step,
                "name": str(STEPS.get(r.step, r.step)),
                "completed_by": person(r.completed_by),
                "completed_at": r.completed_at.astimezone(SHANGHAI),
                "data": r.data,
                "content": rows_as_json(step_rows(r.step, r.data, names)),
                "note": r.note,
                "corrects_seq": seq_of.get(r.corrects_id) if r.corrects_id else None,
                "attachments": [
                    {
                        "name": a.name,
                        "content_type": a.content_type,
                        "size": a.size,
                        "sha256": a.sha256,
                    }
                    for a in rec.attachments.get(r.pk, ())
                ],
                "ballot": ballot_of(r),
                "journal_hash": r.journal_hash,
            }
            for r in rec.steps
        ],
        "case_attachments": [
            {"name": a.name, "sha256": a.sha256, "size": a.size}
            for a in rec.attachments.get(None, ())
        ],
        "candidates": [
            {
                "cadre": c.cadre.name,
                "post": f"{c.post.unit.name}{c.post.title}",
                "status": c.status,
                "status_display": c.get_status_display(),
                "reason": c.status_reason,
                "rank": c.rank,
            }
            for c in case.candidates.all()
        ],
        "journal": {
            "tip": rec.journal_tip,
            "count": rec.journal_count,
            "seq": rec.journal_seq,
            "verify": "xuanren journal verify",
        },
        "printed_at": printed_at.astimezone(SHANGHAI),
    }


@form_page
def case_record_page(request: HttpRequest, pk: int) -> HttpResponse:
    rec = case_record(actor=request.user, pk=pk)
    now = timezone.now()
    case = rec.case
    return render(
        request,
        "web/case_record.html",
        {
            "rec": rec,
            "case": case,
            "posts": list(case.case_posts.all()),
            "rows": record_rows(rec),
            "case_attachments": rec.attachments.get(None, ()),
            "candidates": list(case.candidates.all()),
            "officer": person(case.officer),
            "ending": case_ending(case),
            "opened": moment(case.opened_at),
            "printed": moment(now),
        },
    )


@form_page
def case_record_json(request: HttpRequest, pk: int) -> HttpResponse:
    rec = case_record(actor=request.user, pk=pk)
    body = json.dumps(
        record_json(rec, timezone.now()), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2
    )
    filename = f"{_('纪实')}-{rec.case.number}.json"
    return HttpResponse(
        body,
        content_type="application/json; charset=utf-8",
        headers={"Content-Disposition": content_disposition_header(True, filename) or ""},
    )


# ---- 待办 ----------------------------------------------------------------------------


@form_page
def todo(request: HttpRequest) -> HttpResponse:
    actor = request.user
    tab = "all" if request.GET.get("tab") == "all" else "mine"
    # One kind alone, up to KIND_ITEMS of it (a summary item's link, decision 0194).
    kind = request.GET.get("kind", "")
    kind = kind if kind in TodoKind.values else ""
    on = today()
    items: list[TodoItem] = todo_for(actor=actor, on=on, kind=kind)
    mine = [i for i in items if i.mine]
    shown = items if tab == "all" else mine
    proposals = (
        list(motion_proposal_list(actor=actor, status=MotionProposalStatus.SUBMITTED))
        if has_perm(actor, "procedure.add_case") and not kind
        else []
    )
    return render(
        request,
        "web/case_todo.html",
        {
            "tab": tab,
            "on": on,
            "kind": kind,
            "kind_label": TodoKind(kind).label if kind else "",
            "kind_items": KIND_ITEMS,
            "rows": [{"item": i, "overdue": i.overdue(on), "due": day(i.due)} for i in shown],
            "mine_count": len(mine),
            "all_count": len(items),
            "proposals": [
                {"p": p, "when": moment(p.proposed_at), "posts": list(p.proposal_posts.all())}
                for p in proposals
            ],
        },
    )


# ---- 动议建议 ---------------------------------------------------------------------------


def _proposal_rows(actor: Any, proposals: Any, decide: tuple[int, MotionDecideForm] | None) -> Any:
    can_decide = has_perm(actor, "procedure.add_case")
    templates = procedure_template_list(actor=actor, latest_only=True) if can_decide else []
    committees = list(committee_list(actor=actor).select_related("unit")) if can_decide else []
    rows = []
    for p in proposals:
        form = None
        if (
            can_decide
            and p.status == MotionProposalStatus.SUBMITTED
            and unit_in_scope(actor, p.unit)
        ):
            if decide is not None and decide[0] == p.pk:
                form = decide[1]
            else:
                form = MotionDecideForm(prefix=f"d{p.pk}", templates=templates,
                                        committees=committees)  # fmt: skip
        rows.append({"p": p, "posts": list(p.proposal_posts.all()), "when": moment(p.proposed_at),
                     "decided": moment(p.decided_at), "by": person(p.proposed_by),
                     "decided_by": person(p.decided_by), "form": form})  # fmt: skip
    return rows


def _motions_page(
    request: HttpRequest,
    *,
    form: MotionProposalForm | None = None,
    rows_form: Any = None,
    decide: tuple[int, MotionDecideForm] | None = None,
    status: int = 200,
    error: str = "",
) -> HttpResponse:
    actor = request.user
    proposals = motion_proposal_list(actor=actor)
    can_propose = has_perm(actor, "procedure.add_motionproposal")
    if can_propose and form is None:
        units = list(unit_list(actor=actor))
        posts = list(post_list(actor=actor).filter(is_active=True))
        form = MotionProposalForm(prefix="m", units=units)
        rows_form = PostRowFormSet(prefix="posts", form_kwargs={"posts": posts})
    return render(
        request,
        "web/motion_proposals.html",
        {"form": form, "rows": rows_form, "proposals": _proposal_rows(actor, proposals, decide),
         "can_propose": can_propose, "error": error},
        status=status,
    )  # fmt: skip


@form_page
def motion_proposals(request: HttpRequest) -> HttpResponse:
    """Units' HR contacts propose filling posts; the organization department
    sees every proposal in its scope and decides on it."""
    actor = request.user
    if request.method != "POST":
        return _motions_page(request)
    require_perm(actor, "procedure.add_motionproposal")
    units = list(unit_list(actor=actor))
    posts = list(post_list(actor=actor).filter(is_active=True))
    form = MotionProposalForm(request.POST, prefix="m", units=units)
    rows = PostRowFormSet(request.POST, prefix="posts", form_kwargs={"posts": posts})
    if form.is_valid() and rows.is_valid():
        by_pk = {p.pk: p for p in posts}
        unit = next(u for u in units if u.pk == form.cleaned_data["unit"])
        try:
            proposal = motion_proposal_submit(
                actor=actor,
                unit=unit,
                posts=[(by_pk[pk], seats) for pk, seats in post_rows(rows)],
                reasons=form.cleaned_data["reasons"],
            )
        except ValidationFailed as exc:
            for e in exc.errors:
                form.add_error("reasons" if e.field == "reasons" else None, e.message)
        else:
            messages.success(
                request, _("动议建议已提交（第 %(n)d 号），待组织部门研究。") % {"n": proposal.pk}
            )
            return HttpResponseRedirect(reverse("web:motion_proposals"))
    return _motions_page(request, form=form, rows_form=rows, status=422,
                         error=_("动议建议未提交：请按提示修改。"))  # fmt: skip


@form_page
@require_POST
def motion_proposal_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    require_perm(actor, "procedure.add_case")
    proposal = motion_proposal_get(actor=actor, pk=pk)
    committees = list(committee_list(actor=actor).select_related("unit"))
    form = MotionDecideForm(
        request.POST,
        prefix=f"d{pk}",
        templates=procedure_template_list(actor=actor, latest_only=True),
        committees=committees,
    )
    if form.is_valid():
        d = form.cleaned_data
        accept = d["decision"] == "accept"
        try:
            decided = motion_proposal_decide(
                actor=actor,
                proposal=proposal,
                accept=accept,
                reason=d["reason"],
                template_code=d["template"],
                committee=next((c for c in committees if c.pk == d["committee"]), None),
                title=d["title"],
                reference_date=d["reference_date"],
            )
        except Conflict as exc:
            return _motions_page(request, status=409, error=str(exc.message))
        except ValidationFailed as exc:
            for e in exc.errors or [FieldError("", exc.message)]:
                form.add_error(e.field if e.field in form.fields else None, e.message)
        else:
            if decided.case is not None:
                messages.success(request, _("已采纳并立项：%(n)s。") % {"n": decided.case.number})
                return HttpResponseRedirect(reverse("web:case_detail", args=[decided.case.pk]))
            messages.success(request, _("已记录不采纳的理由。"))
            return HttpResponseRedirect(reverse("web:motion_proposals"))
    return _motions_page(request, decide=(pk, form), status=422,
                         error=_("未处理：请按提示修改。"))  # fmt: skip
