"""The cadre picker of the step forms: a search box (htmx) that finds a cadre
by name, pinyin initials or the last 4–6 characters of the ID number, within
the actor's scope (and the case's unit where the step is about it), 20 a
page; the form posts the chosen cadre's id. Pages never list all cadres
(decision 0066)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuanren.access.policy import has_perm, unit_in_scope, unit_scope_q
from xuanren.common.dates import today
from xuanren.common.errors import NotFound
from xuanren.org.models import Post, Unit
from xuanren.org.selectors import post_find, post_list, unit_find, unit_list
from xuanren.people.models import Cadre, CadreStatus
from xuanren.people.selectors import CadreFilters, cadre_search, is_id_tail
from xuanren.people.services import mask_id_number
from xuanren.procedure.models import Case
from xuanren.procedure.selectors import case_get
from xuanren.web.forms import PostOption, post_option_label, post_options
from xuanren.web.pages import SAFE, login_page

PAGE_SIZE = 20
MAX_QUERY = 30


def cadre_label(cadre: Cadre) -> str:
    post = f"，{cadre.current_post_title}" if cadre.current_post_title else ""
    return f"{cadre.name}（{cadre.unit.name}{post}）"


class PickerScope:
    """The cadres one picker may choose from (the actor's scope, active, and
    the case's unit subtree when `within_unit`), the search address, and the
    labels of the ids a form holds — loaded in one query per form."""

    def __init__(self, *, actor: Any = None, case: Case | None = None, within_unit: bool) -> None:
        self.actor = actor
        self.case = case
        self.within_unit = within_unit
        self.labels: dict[int, str] = {}
        self._loaded: set[int] = set()

    @property
    def url(self) -> str:
        params: dict[str, Any] = {}
        if self.case is not None:
            params["case"] = self.case.pk
            if self.within_unit:
                params["within"] = "unit"
        return reverse("web:cadre_picker") + (f"?{urlencode(params)}" if params else "")

    @property
    def reserve_url(self) -> str:
        """The search listing the 后备干部 on a list today (a case's pickers
        offer it: a recommendation may start from the list; decision 0155)."""
        if self.case is None:
            return ""
        return self.url + ("&" if "?" in self.url else "?") + "reserve=1"

    def allowed(self) -> QuerySet[Cadre]:
        qs = Cadre.objects.filter(status=CadreStatus.ACTIVE)
        if self.actor is not None:
            qs = qs.filter(unit_scope_q(self.actor, prefix="unit__"))
        if self.within_unit and self.case is not None:
            qs = qs.filter(unit__path__startswith=self.case.unit.path)
        return qs

    def load(self, ids: Iterable[Any]) -> None:
        wanted = set()
        for value in ids:
            try:
                wanted.add(int(value))
            except (TypeError, ValueError):
                continue
        wanted -= self._loaded
        if not wanted:
            return
        self._loaded |= wanted
        for c in self.allowed().filter(pk__in=wanted).select_related("unit"):
            self.labels[c.pk] = cadre_label(c)


class CadrePicker(forms.Widget):
    """A hidden input with the cadre id, the chosen cadre's name and a search
    box; the static script `case_forms.js` puts a chosen result in place."""

    template_name = "web/_cadre_picker.html"
    scope: PickerScope | None = None

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        label = ""
        if value not in (None, ""):
            try:
                pk = int(value)
            except (TypeError, ValueError):
                pk = None
            if self.scope is not None and pk is not None:
                self.scope.load([pk])
                label = self.scope.labels.get(pk, "")
            if not label:
                label = _("（所选干部不在可选范围内，请重新选择）")
        context["widget"]["label"] = label
        context["widget"]["search_url"] = self.scope.url if self.scope else ""
        context["widget"]["reserve_url"] = self.scope.reserve_url if self.scope else ""
        return context


class CadreField(forms.IntegerField):
    """A cadre chosen with the picker: an id the scope allows."""

    widget = CadrePicker

    def __init__(self, *, within_unit: bool = True, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.within_unit = within_unit
        self.scope: PickerScope | None = None

    def set_scope(self, scope: PickerScope) -> None:
        self.scope = scope
        assert isinstance(self.widget, CadrePicker)
        self.widget.scope = scope

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {}  # no min/max/step: the value is an id, not a number typed

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value in (None, "") or self.scope is None:
            return
        self.scope.load([value])
        if value not in self.scope.labels:
            raise forms.ValidationError(
                gettext_lazy(
                    "所选干部不在可选范围内（须为在职干部，且在您的管理范围%(w)s内），请重新搜索选择。"
                ),
                params={"w": gettext_lazy("及本事项所在单位") if self.within_unit else ""},
            )


# ---- the search endpoint ------------------------------------------------------------------


page = login_page(methods=SAFE)


@page
def cadre_picker(request: HttpRequest) -> HttpResponse:
    """One page (20) of the cadres matching `q` in the actor's scope; with
    `case` (and `within=unit`) only that case's unit subtree."""
    actor = request.user
    q = request.GET.get("q", "").strip()[:MAX_QUERY]
    unit_id = None
    case_param = request.GET.get("case", "")
    if case_param:
        if not case_param.isdigit():
            raise NotFound(_("未找到该选任事项，或其不在您的管理范围内。"))
        case = case_get(actor=actor, pk=int(case_param))
        if request.GET.get("within") == "unit":
            unit_id = case.unit_id
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    context: dict[str, Any] = {"q": q, "rows": [], "hint": ""}
    digits = q.rstrip("xX").isdigit() if q else False
    reserve = request.GET.get("reserve") == "1"
    if not q and not reserve:
        context["hint"] = _("输入姓名、拼音首字母或身份证号码后 4–6 位查找。")
    elif digits and not is_id_tail(q):
        context["hint"] = _("按身份证号码查找，请输入号码的后 4–6 位。")
    else:
        qs = cadre_search(
            actor=actor,
            filters=CadreFilters(q=q, unit_id=unit_id, status=CadreStatus.ACTIVE),
        )
        if reserve:
            from xuanren.reserves.selectors import on_list_q

            qs = qs.filter(on_list_q(today()))
        start = (number - 1) * PAGE_SIZE
        found = list(qs[start : start + PAGE_SIZE + 1])
        rows = [
            {
                "pk": c.pk,
                "name": c.name,
                "unit": c.unit.name,
                "post": c.current_post_title,
                "id": mask_id_number(c.id_number),
                "label": cadre_label(c),
            }
            for c in found[:PAGE_SIZE]
        ]
        context["rows"] = rows
        base = {k: v for k, v in request.GET.items() if k != "page"}
        if len(found) > PAGE_SIZE:
            context["next_url"] = f"{request.path}?{urlencode({**base, 'page': number + 1})}"
        if number > 1:
            context["prev_url"] = f"{request.path}?{urlencode({**base, 'page': number - 1})}"
        context["page"] = number
        if not rows:
            context["hint"] = (
                _("后备干部名单中没有可选的在职干部。")
                if reserve
                else _("未找到符合条件的在职干部。")
            )
    return render(request, "web/_cadre_picker_results.html", context)


# ---- the unit picker (issue 13, decision 0109) ----------------------------------------------

# A scope with more units than this gets the picker instead of a <select>.
UNIT_SELECT_MAX = 300


def scope_units(actor: Any) -> list[Unit] | None:
    """The actor's units for a <select>, or None when there are more than
    UNIT_SELECT_MAX (use the picker); [] when the actor may not read units.
    One query either way."""
    from xuanren.common.errors import PermissionDenied

    try:
        units = list(unit_list(actor=actor)[: UNIT_SELECT_MAX + 1])
    except PermissionDenied:
        return []
    return None if len(units) > UNIT_SELECT_MAX else units


def unit_label(unit: Unit) -> str:
    parent = unit.parent.name if unit.parent_id and unit.parent else ""
    return f"{unit.name}（{parent}）" if parent else unit.name


class UnitPicker(forms.Widget):
    """A hidden input with the unit id, the chosen unit's name and a search box
    (htmx suggestions from /pickers/units/); the static script `pickers.js`
    puts a chosen suggestion in place."""

    template_name = "web/_unit_picker.html"
    actor: Any = None
    empty_label: Any = ""

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        label = ""
        if value not in (None, ""):
            unit = _scoped_unit(self.actor, value)
            label = (
                unit_label(unit)
                if unit is not None
                else _("（所选单位不在您的管理范围内，请重新选择）")
            )
        context["widget"]["label"] = label
        context["widget"]["empty"] = self.empty_label or _("全部单位")
        context["widget"]["search_url"] = reverse("web:unit_picker")
        return context


def _scoped_unit(actor: Any, value: Any) -> Unit | None:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return None
    if actor is None:
        return None
    cache: dict[int, Unit | None] = actor.__dict__.setdefault("_xuanren_picked_units", {})
    if pk not in cache:
        cache[pk] = unit_list(actor=actor).filter(pk=pk).select_related("parent").first()
    return cache[pk]


def remember_unit(actor: Any, unit: Unit) -> None:
    """A unit the request has already read with its parent (the cadre page's
    cadre's unit): the picker shows its label without reading it again, when
    unit_list would have found it (decision 0168)."""
    if actor is not None and has_perm(actor, "org.view_unit") and unit_in_scope(actor, unit):
        actor.__dict__.setdefault("_xuanren_picked_units", {})[unit.pk] = unit


class UnitField(forms.IntegerField):
    """A unit chosen with the picker: an id in the actor's scope."""

    widget = UnitPicker

    def __init__(self, *, actor: Any, empty_label: Any = "", **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.actor = actor
        assert isinstance(self.widget, UnitPicker)
        self.widget.actor = actor
        self.widget.empty_label = empty_label

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {}

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value in (None, ""):
            return
        if _scoped_unit(self.actor, value) is None:
            raise forms.ValidationError(
                gettext_lazy("所选单位不在您的管理范围内，请重新搜索选择。")
            )


@page
def unit_picker(request: HttpRequest) -> HttpResponse:
    """Up to 20 units of the actor's scope whose name contains `unit_q`, or
    whose name's pinyin or pinyin initials start with it."""
    q = request.GET.get("unit_q", "").strip()[:MAX_QUERY]
    context: dict[str, Any] = {"rows": [], "hint": ""}
    if not q:
        context["hint"] = _("输入单位名称的一部分、拼音或拼音首字母查找。")
    else:
        found = unit_find(actor=request.user, q=q, limit=PAGE_SIZE)
        context["rows"] = [
            {"pk": u.pk, "name": u.name, "parent": u.parent.name if u.parent else "",
             "label": unit_label(u)}
            for u in found
        ]  # fmt: skip
        if not found:
            context["hint"] = _("未找到符合条件的单位。")
    return render(request, "web/_unit_picker_results.html", context)


# ---- the post picker of 智能选人 (decision 0111) ------------------------------------------

# A scope with more active posts than this gets the picker instead of a
# <select> (a county's 728 posts keep the select; a city's 29,029 were 2 MB).
POST_SELECT_MAX = 1000


def scope_post_options(actor: Any) -> list[PostOption] | None:
    """The actor's active posts for the 智能选人 <select>, or None when there
    are more than POST_SELECT_MAX (use the picker). One query either way."""
    posts = post_list(actor=actor).filter(is_active=True)
    options = post_options(posts[: POST_SELECT_MAX + 1])
    return None if len(options) > POST_SELECT_MAX else options


def post_label(post: Post) -> str:
    return f"{post.unit.name} {post_option_label(post)}"


class PostPicker(forms.Widget):
    """A hidden input with the post id, the chosen post's name and a search
    box (htmx suggestions from /pickers/posts/); `pickers.js` puts a chosen
    suggestion in place. Without JavaScript the search box is submitted with
    the form and the page lists the matches as links (`found`)."""

    template_name = "web/_post_picker.html"
    label: str = ""
    found: list[dict[str, Any]] | None = None
    hint: str = ""

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"].update(
            label=self.label if value not in (None, "") else "",
            empty=_("请选择职位"),
            search_url=reverse("web:post_picker"),
            found=self.found,
            hint=self.hint,
        )
        return context


def post_rows(posts: Iterable[Post], link_query: dict[str, Any]) -> list[dict[str, Any]]:
    """The picker's suggestions; each is also a plain link to 智能选人 with
    that post (and the page's other fields) for browsers without JavaScript."""
    base = reverse("web:candidates")
    return [
        {
            "pk": p.pk,
            "title": post_option_label(p),
            "unit": p.unit.name,
            "label": post_label(p),
            "href": f"{base}?{urlencode({**link_query, 'post': p.pk})}",
        }
        for p in posts
    ]


def post_matches(
    actor: Any, q: str, link_query: dict[str, Any]
) -> tuple[list[dict[str, Any]], str]:
    """Up to PAGE_SIZE posts of the actor's scope matching `q`, and a hint."""
    q = q.strip()[:MAX_QUERY]
    if not q:
        return [], _(
            "输入职位名称或单位名称、拼音或拼音首字母查找，如“城关镇 党委书记”“cgz dwsj”。"
        )
    rows = post_rows(post_find(actor=actor, q=q, limit=PAGE_SIZE), link_query)
    return rows, "" if rows else _("未找到符合条件的职位。")


@page
def post_picker(request: HttpRequest) -> HttpResponse:
    """Up to 20 active posts of the actor's scope whose title or unit name
    contains every word of `post_q`, or starts with it in pinyin (one query)."""
    rows, hint = post_matches(request.user, request.GET.get("post_q", ""), {})
    return render(request, "web/_post_picker_results.html", {"rows": rows, "hint": hint})
