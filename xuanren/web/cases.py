"""选任事项 pages: the case list, opening a case, the case page with its
timeline and the current step's form, corrections, the printable 纪实 and its
JSON, and the to-do list. Views stay thin: reads go through the procedure
selectors, writes through its services; what is here only shapes their
results for the templates."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

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
from xuanren.org.selectors import post_list
from xuanren.procedure.catalogue import GUARDS, STEPS, TemplateDef
from xuanren.procedure.models import (
    Case,
    CaseStatus,
    CaseStep,
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
    procedure_template_list,
)
from xuanren.procedure.services import (
    GuardBlocked,
    case_open,
    case_step_complete,
    case_step_correct,
    template_def,
)
from xuanren.procedure.todo import TodoItem, todo_for
from xuanren.web.case_forms import (
    DATA_LABELS,
    VALUE_LABELS,
    CaseFilterForm,
    CaseOpenForm,
    CorrectionForm,
    PostRowFormSet,
    StepForm,
    post_rows,
    step_form_class,
)
from xuanren.web.views import _partial

CASES_PER_PAGE = 50
View = Callable[..., HttpResponse]


def form_page(view: View) -> View:
    """Login required, GET/HEAD/POST, domain errors shown as Chinese pages."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return render(request, "web/403.html", {"message": exc.message}, status=403)
        except NotFound as exc:
            return render(request, "web/404.html", {"message": exc.message}, status=404)

    return login_required(require_http_methods(["GET", "HEAD", "POST"])(wrapped))


# ---- shaping ----------------------------------------------------------------------------


def person(user: Any) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


def moment(value: dt.datetime | None) -> str:
    """A time of record in Asia/Shanghai, to the second: 2026.11.27 14:03:09."""
    if value is None:
        return ""
    return value.astimezone(SHANGHAI).strftime("%Y.%m.%d %H:%M:%S")


def day(value: dt.date | None) -> str:
    return f"{value:%Y.%m.%d}" if value else ""


@form_page
def comment_row(request: HttpRequest) -> HttpResponse:
    """One more empty row of plan consultation comments (htmx)."""
    return render(request, "web/_case_comment_row.html", {"source": "", "comment": ""})


@dataclass(frozen=True)
class DataNode:
    """One entry of a record's data as a definition list: a text, or groups of
    nested entries (a list of objects), never both."""

    label: str
    text: str = ""
    groups: tuple[tuple[DataNode, ...], ...] = ()


def _label(key: str) -> str:
    label = DATA_LABELS.get(key)
    return str(label) if label is not None else key


def _scalar(key: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    labels = VALUE_LABELS.get(key, {})
    if isinstance(value, str) and value in labels:
        return str(labels[value])
    return str(value)


def data_nodes(data: Any) -> tuple[DataNode, ...]:
    """The whole of a record's data, keys labelled in Chinese where known,
    coded values named, nested objects as nested lists."""
    if not isinstance(data, dict):
        return (DataNode(_("内容"), json.dumps(data, ensure_ascii=False)),)
    out = []
    for key, value in data.items():
        label = _label(str(key))
        if isinstance(value, dict):
            out.append(DataNode(label, groups=(data_nodes(value),)))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            out.append(DataNode(label, groups=tuple(data_nodes(v) for v in value)))
        elif isinstance(value, list):
            text = "、".join(_scalar(str(key), v) for v in value) if value else "—"
            out.append(DataNode(label, text))
        else:
            out.append(DataNode(label, _scalar(str(key), value)))
    return tuple(out)


@dataclass
class RecordView:
    record: CaseStep
    name: str
    who: str
    when: str
    nodes: tuple[DataNode, ...]
    corrects_seq: int | None
    corrections: list[RecordView] = field(default_factory=list)
    correction_form: CorrectionForm | None = None
    attachments: tuple[Any, ...] = ()

    @property
    def hash_short(self) -> str:
        return self.record.journal_hash[:12]


def record_view(record: CaseStep, seq_of: dict[int, int]) -> RecordView:
    return RecordView(
        record=record,
        name=str(STEPS.get(record.step, record.step)),
        who=person(record.completed_by),
        when=moment(record.completed_at),
        nodes=data_nodes(record.data),
        corrects_seq=seq_of.get(record.corrects_id) if record.corrects_id else None,
    )


def _root(record: CaseStep, by_pk: dict[int, CaseStep]) -> int:
    """The original record a correction (or a correction of one) belongs to."""
    seen = set()
    while record.corrects_id and record.corrects_id in by_pk and record.pk not in seen:
        seen.add(record.pk)
        record = by_pk[record.corrects_id]
    return record.pk


def grouped_records(records: tuple[CaseStep, ...], seq_of: dict[int, int]) -> list[RecordView]:
    """Originals in order, each with its corrections (in order) under it."""
    by_pk = {r.pk: r for r in records}
    views = {r.pk: record_view(r, seq_of) for r in records}
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
    definition: TemplateDef, step: str, data: Any = None, initial: dict[str, Any] | None = None
) -> StepForm:
    return step_form_class(step)(
        data, prefix="step", template_params=definition.parameters, initial=initial
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
    correction: tuple[int, CorrectionForm] | None = None,
) -> dict[str, Any]:
    """Everything the case page shows. `form`, `blocked` and `error` come from
    a refused submission (the user's input kept, each blocking guard's
    message); `correction` is a refused correction form of one record."""
    actor = request.user
    definition = template_def(case.template)
    changeable = can_change(actor, case)
    entries = case_timeline(case)
    seq_of = {r.pk: r.seq for r in case.steps.all()}
    steps: list[StepView] = []
    for index, entry in enumerate(entries, start=1):
        records = grouped_records(entry.records, seq_of)
        if changeable:
            for view in records:
                for target in [view, *view.corrections]:
                    if correction is not None and correction[0] == target.record.pk:
                        target.correction_form = correction[1]
                    else:
                        target.correction_form = CorrectionForm(
                            prefix=f"c{target.record.pk}",
                            initial={"payload": target.record.data},
                        )
        requires = [str(GUARDS[g]) for g in definition.step(entry.code).guards]
        step_view = StepView(entry, index, records, [], requires)
        if entry.state == "current":
            if blocked is not None:
                step_view.guards = _guards_after_block(definition, entry.code, blocked)
            else:
                step_view.guards = _preview(entry.guards)
            if changeable:
                step_view.form = form or _step_form(
                    definition, entry.code, initial=_initial_for(entry.code)
                )
        steps.append(step_view)
    candidates = [
        {"candidate": c, "explain": _explain_query(case, c)} for c in case.candidates.all()
    ]
    current = next((s for s in steps if s.entry.state == "current"), None)
    return {
        "case": case,
        "definition": definition,
        "posts": list(case.case_posts.all()),
        "steps": steps,
        "current": current,
        "done_count": sum(1 for s in steps if s.entry.state == "done"),
        "candidates": candidates,
        "can_change": changeable,
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


def _list_rows(cases: Any) -> list[dict[str, Any]]:
    now = timezone.now()
    return [
        {
            "case": c,
            "posts": list(c.case_posts.all()),
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
    found = case_list(actor=actor, **form.values()).prefetch_related("case_posts__post__unit")
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
    form = _step_form(definition, step, request.POST)
    if not form.is_valid():
        context = case_context(
            request, case, form=form, error=_("填写的内容有误，请按提示修改后再提交。")
        )
        return render(request, "web/case_detail.html", context, status=422)
    try:
        record = case_step_complete(
            actor=actor,
            case=case,
            step=step,
            data=form.step_data(),
            note=form.cleaned_data.get("note", "").strip(),
        )
    except GuardBlocked as exc:
        context = case_context(request, case, form=form, blocked=exc.errors, error=exc.message)
        return render(request, "web/case_detail.html", context, status=409)
    except (Conflict, ValidationFailed) as exc:
        return _case_refused(request, case, str(exc), form=form, step=step)
    messages.success(
        request,
        _("“%(n)s”环节已办理（第 %(s)d 号记录）。") % {"n": STEPS[step], "s": record.seq},
    )
    return HttpResponseRedirect(reverse("web:case_detail", args=[case.pk]) + f"#step-{step}")


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
def case_correct(request: HttpRequest, pk: int, record: int) -> HttpResponse:
    """Record a correction of a done step: new data and a required reason."""
    actor = request.user
    case = case_get(actor=actor, pk=pk)
    _require_change(actor, case)
    target = next((r for r in case.steps.all() if r.pk == record), None)
    if target is None:
        raise NotFound(_("未找到该环节记录。"))
    form = CorrectionForm(request.POST, prefix=f"c{target.pk}")
    if form.is_valid():
        try:
            correction = case_step_correct(
                actor=actor,
                record=target,
                data=form.cleaned_data["payload"],
                note=form.cleaned_data["reason"],
            )
        except ValidationFailed as exc:
            for e in exc.errors:
                form.add_error("reason" if e.field == "note" else None, e.message)
        else:
            messages.success(
                request,
                _("已记录对第 %(o)d 号记录的更正（第 %(s)d 号记录），原记录保持不变。")
                % {"o": target.seq, "s": correction.seq},
            )
            return HttpResponseRedirect(
                reverse("web:case_detail", args=[case.pk]) + f"#record-{correction.seq}"
            )
    context = case_context(
        request,
        case,
        correction=(target.pk, form),
        error=_("更正未保存：请按提示修改。"),
    )
    return render(request, "web/case_detail.html", context, status=422)


# ---- 纪实 -------------------------------------------------------------------------------


def _record_rows(rec: CaseRecord) -> list[RecordView]:
    seq_of = {r.pk: r.seq for r in rec.steps}
    rows = []
    for r in rec.steps:
        view = record_view(r, seq_of)
        view.attachments = rec.attachments.get(r.pk, ())
        rows.append(view)
    return rows


def record_json(rec: CaseRecord, printed_at: dt.datetime) -> dict[str, Any]:
    """The 纪实 as data, for inspection teams: the same content as the page."""
    case = rec.case
    seq_of = {r.pk: r.seq for r in rec.steps}
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
        },
        "steps": [
            {
                "seq": r.seq,
                "step": r.step,
                "name": str(STEPS.get(r.step, r.step)),
                "completed_by": person(r.completed_by),
                "completed_at": r.completed_at.astimezone(SHANGHAI),
                "data": r.data,
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
            "rows": _record_rows(rec),
            "case_attachments": rec.attachments.get(None, ()),
            "candidates": list(case.candidates.all()),
            "officer": person(case.officer),
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
    on = today()
    items: list[TodoItem] = todo_for(actor=actor, on=on)
    mine = [i for i in items if i.mine]
    shown = items if tab == "all" else mine
    return render(
        request,
        "web/case_todo.html",
        {
            "tab": tab,
            "on": on,
            "rows": [{"item": i, "overdue": i.overdue(on), "due": day(i.due)} for i in shown],
            "mine_count": len(mine),
            "all_count": len(items),
        },
    )
