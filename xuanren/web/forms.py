"""Search and filter forms. Unit choices come from the caller (the units the
actor may see), so a form never offers a unit outside the actor's scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

from django import forms
from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _

from xuanren.common.widgets import LongSelect, date_input
from xuanren.org.models import Level, Post, Unit
from xuanren.people.models import EducationLevel, Sex
from xuanren.people.selectors import CadreFilters

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

INDENT = "\u3000"  # a full-width space per level of depth


def unit_choices(units: Iterable[Unit], *, blank: str) -> list[tuple[str, str]]:
    rows = list(units)
    top = min((u.depth for u in rows), default=0)
    return [("", blank)] + [(str(u.pk), INDENT * (u.depth - top) + u.name) for u in rows]


class CadreSearchForm(forms.Form):
    q = forms.CharField(
        label=_("姓名"),
        required=False,
        max_length=30,
        widget=forms.TextInput(
            attrs={"placeholder": _("姓名或拼音首字母，如 zw"), "autocomplete": "off"}
        ),
    )
    unit = forms.TypedChoiceField(
        label=_("单位（含下级）"), required=False, coerce=int, widget=LongSelect
    )
    level = forms.ChoiceField(
        label=_("职务层次"), required=False, choices=[("", _("全部")), *Level.choices]
    )
    sex = forms.ChoiceField(
        label=_("性别"), required=False, choices=[("", _("全部")), *Sex.choices]
    )
    age_min = forms.IntegerField(
        label=_("年龄自"), required=False, min_value=0, max_value=120, widget=forms.NumberInput
    )
    age_max = forms.IntegerField(
        label=_("至"), required=False, min_value=0, max_value=120, widget=forms.NumberInput
    )
    education_min = forms.ChoiceField(
        label=_("最低学历"),
        required=False,
        choices=[("", _("不限")), *EducationLevel.choices],
    )

    def __init__(
        self, *args: Any, units: Iterable[Unit] | None = (), actor: Any = None, **kwargs: Any
    ) -> None:
        """units None: the scope is too large for a <select>; the unit picker
        (decision 0109) searches the actor's scope instead."""
        super().__init__(*args, **kwargs)
        if units is None:
            from xuanren.web.pickers import UnitField

            self.fields["unit"] = UnitField(actor=actor, label=_("单位（含下级）"))
            return
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.TypedChoiceField)
        unit_field.choices = unit_choices(units, blank=str(_("全部单位")))

    @property
    def unit_picker(self) -> bool:
        return not isinstance(self.fields["unit"].widget, forms.Select)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("age_min"), data.get("age_max")
        if low is not None and high is not None and low > high:
            self.add_error("age_max", _("年龄上限不能小于下限。"))
        return data

    def filters(self) -> CadreFilters:
        """The filters of a valid form; an invalid one searches nothing narrower
        than its valid fields."""
        data = self.cleaned_data if self.is_valid() else _valid_part(self)
        return CadreFilters(
            q=data.get("q") or "",
            unit_id=data.get("unit") or None,
            level=data.get("level") or "",
            sex=data.get("sex") or "",
            age_min=data.get("age_min"),
            age_max=data.get("age_max"),
            education_min=data.get("education_min") or "",
        )


def _valid_part(form: forms.Form) -> dict[str, Any]:
    return {k: v for k, v in getattr(form, "cleaned_data", {}).items() if k not in form.errors}


class QuotaFilterForm(forms.Form):
    # The unit is chosen by opening the tree level by level (decision 0109),
    # not from a <select> of every unit in the scope.
    under = forms.IntegerField(
        label=_("单位（含下级）"), required=False, min_value=1, widget=forms.HiddenInput
    )
    on = forms.DateField(
        label=_("统计日期"),
        required=False,
        widget=date_input(),
        input_formats=["%Y-%m-%d", "%Y.%m.%d", "%Y/%m/%d"],
    )

    def values(self) -> tuple[int | None, dt.date | None]:
        data = self.cleaned_data if self.is_valid() else _valid_part(self)
        return data.get("under") or None, data.get("on")


# ---- 智能选人 ---------------------------------------------------------------------

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y.%m.%d", "%Y/%m/%d"]


def _date_field(label: StrOrPromise) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=date_input(),
        input_formats=DATE_INPUT_FORMATS,
    )


class PostOption(NamedTuple):
    """What a post select shows of a post, read without building a Post and
    its Unit per option (智能选人 lists every post in scope)."""

    pk: int
    title: str
    level: str
    is_party_government_principal: bool
    unit_name: str


def post_options(posts: QuerySet[Post]) -> list[PostOption]:
    """The rows of a post select, in the queryset's order, in one query."""
    fields = ("pk", "title", "level", "is_party_government_principal", "unit__name")
    return [PostOption(*row) for row in posts.values_list(*fields)]


def post_option_label(post: Post | PostOption) -> str:
    """A post as its option shows it: 党委书记（正科级·一把手）."""
    level = str(dict(Level.choices).get(post.level, post.level))
    principal = "·" + str(_("一把手")) if post.is_party_government_principal else ""
    return f"{post.title}（{level}{principal}）"


def post_choices(posts: Iterable[Post | PostOption], *, blank: str) -> list[Any]:
    """Posts grouped by unit (an <optgroup> per unit), in tree order."""
    groups: dict[str, list[tuple[str, str]]] = {}
    principal = "·" + str(_("一把手"))
    levels: dict[str, str] = {}
    for post in posts:
        if isinstance(post, PostOption):
            if post.level not in levels:
                levels[post.level] = str(dict(Level.choices).get(post.level, post.level))
            level, unit_name = levels[post.level], post.unit_name
        else:
            level, unit_name = post.get_level_display(), post.unit.name
        label = f"{post.title}（{level}"
        if post.is_party_government_principal:
            label += principal
        groups.setdefault(unit_name, []).append((str(post.pk), label + "）"))
    return [("", blank), *groups.items()]


#: The eligible list's orders: key → (label, ORM ordering). Ages sort by birth
#: date and years at level by the date since when, so the index does the work.
CANDIDATE_SORTS: dict[str, tuple[Any, tuple[Any, ...]]] = {
    "unit": (_("按单位"), ("unit__path", "name_initials", "id")),
    "name": (_("按姓名拼音"), ("name_initials", "name", "id")),
    "age": (_("年龄由小到大"), ("-birth_date", "id")),
    "-age": (_("年龄由大到小"), ("birth_date", "id")),
    "years": (_("任现职务层次年限由长到短"), (F("level_since").asc(nulls_last=True), "id")),
    "-years": (_("任现职务层次年限由短到长"), (F("level_since").desc(nulls_last=True), "id")),
}


class CandidateSearchForm(forms.Form):
    """The post and reference date of a screening, and filters of its list.
    `post` is a plain number: whether the actor may see that post is for the
    selector to say (a post outside the scope is a 404, not a form error)."""

    post = forms.IntegerField(label=_("拟任职位"), required=False, widget=LongSelect)
    ref_date = _date_field(_("资格计算基准日"))
    sex = forms.ChoiceField(
        label=_("性别"), required=False, choices=[("", _("全部")), *Sex.choices]
    )
    age_max = forms.IntegerField(
        label=_("年龄不超过"),
        required=False,
        min_value=0,
        max_value=120,
        widget=forms.NumberInput,
    )
    education_min = forms.ChoiceField(
        label=_("最低学历"), required=False, choices=[("", _("不限")), *EducationLevel.choices]
    )
    in_reserve = forms.BooleanField(label=_("在后备干部名单中"), required=False)
    sort = forms.ChoiceField(
        label=_("排序"),
        required=False,
        choices=[(key, label) for key, (label, _order) in CANDIDATE_SORTS.items()],
    )

    def __init__(
        self, *args: Any, posts: Iterable[Post | PostOption] | None = (), **kwargs: Any
    ) -> None:
        """posts None: too many for a <select>; the post picker searches the
        actor's posts instead (decision 0111)."""
        super().__init__(*args, **kwargs)
        if posts is None:
            from xuanren.web.pickers import PostPicker

            self.fields["post"].widget = PostPicker()
            return
        widget = self.fields["post"].widget
        assert isinstance(widget, forms.Select)
        # post_choices is already in Django's normalized form; the choices
        # setter would walk every option again (about 170 ms for the 29,000
        # posts of a city at 1,000,000 cadres; decision 0108).
        widget._choices = post_choices(posts, blank=str(_("请选择职位")))  # type: ignore[attr-defined]

    @property
    def post_picker(self) -> bool:
        return not isinstance(self.fields["post"].widget, forms.Select)

    def _data(self) -> dict[str, Any]:
        return self.cleaned_data if self.is_valid() else _valid_part(self)

    def post_id(self) -> int | None:
        return self._data().get("post")

    def reference_date(self, default: dt.date) -> dt.date:
        return self._data().get("ref_date") or default

    def sort_key(self) -> str:
        key = self._data().get("sort") or "unit"
        return key if key in CANDIDATE_SORTS else "unit"

    def ordering(self) -> tuple[Any, ...]:
        return CANDIDATE_SORTS[self.sort_key()][1]

    def reserve_only(self) -> bool:
        """Only cadres on a fixed 后备干部 list on the reference date (decision 0155)."""
        return bool(self._data().get("in_reserve"))

    def narrowed(self, ref: dt.date) -> bool:
        """Whether any list filter narrows the screening."""
        return self.filters(ref) is not None or self.reserve_only()

    def filters(self, ref: dt.date) -> CadreFilters | None:
        """The list filters on top of the screening, or None when there are none."""
        data = self._data()
        filters = CadreFilters(
            sex=data.get("sex") or "",
            age_max=data.get("age_max"),
            education_min=data.get("education_min") or "",
            status="",
            ref_date=ref,
        )
        if not (filters.sex or filters.age_max is not None or filters.education_min):
            return None
        return filters


class CandidateExplainForm(forms.Form):
    post = forms.IntegerField(min_value=1)
    cadre = forms.IntegerField(min_value=1)
    ref_date = _date_field(_("资格计算基准日"))


class CadreLookupForm(forms.Form):
    q = forms.CharField(
        label=_("查找干部"),
        required=False,
        max_length=30,
        widget=forms.TextInput(
            attrs={"placeholder": _("姓名或拼音首字母"), "autocomplete": "off", "type": "search"}
        ),
    )
    post = forms.IntegerField(required=False, widget=forms.HiddenInput)
    ref_date = _date_field(_("资格计算基准日"))


class CadrePostsForm(forms.Form):
    """可任职位: one unit's posts and a cadre's verdict for each."""

    unit = forms.IntegerField(label=_("单位"), required=False, widget=LongSelect)
    ref_date = _date_field(_("资格计算基准日"))

    def __init__(
        self, *args: Any, units: Iterable[Unit] | None = (), actor: Any = None, **kwargs: Any
    ) -> None:
        """units None: the unit picker instead of a <select> (decision 0109)."""
        super().__init__(*args, **kwargs)
        if units is None:
            from xuanren.web.pickers import UnitField

            self.fields["unit"] = UnitField(
                actor=actor, label=_("单位"), empty_label=_("请选择单位")
            )
            return
        widget = self.fields["unit"].widget
        assert isinstance(widget, forms.Select)
        widget.choices = unit_choices(units, blank=str(_("请选择单位")))

    @property
    def unit_picker(self) -> bool:
        return not isinstance(self.fields["unit"].widget, forms.Select)

    def values(self) -> tuple[int | None, dt.date | None]:
        data = self.cleaned_data if self.is_valid() else _valid_part(self)
        return data.get("unit") or None, data.get("ref_date")
