"""LongSelect (docs/decisions/0103): the markup of Django's Select, written in one pass."""

from __future__ import annotations

from django import forms
from django.test.html import parse_html

from xuanren.common.widgets import LongSelect

CHOICES = [
    ("", "全部单位"),
    ("一局", [("1", "局长（正科级）"), ("2", '<b>"副"</b> & 股长')]),
    ("3", "　乡镇"),
    ("二局", [("4", "办公室主任")]),
]


def _both(value, attrs=None):
    old = forms.Select(choices=CHOICES).render("post", value, attrs=attrs)
    new = LongSelect(choices=CHOICES).render("post", value, attrs=attrs)
    return parse_html(old), parse_html(new), new


def test_same_markup_as_djangos_select():
    for value in (None, "", "2", 2, "3", "9"):
        old, new, _html = _both(value, attrs={"id": "id_post", "required": True, "class": "x"})
        assert old == new, value


def test_selected_and_escaped():
    _old, _new, html = _both(4)
    assert '<option value="4" selected>办公室主任</option>' in html
    assert "&lt;b&gt;&quot;副&quot;&lt;/b&gt; &amp; 股长" in html
    assert html.count("selected") == 1
    assert '<optgroup label="一局">' in html


def test_bound_field_renders_through_it():
    class F(forms.Form):
        unit = forms.TypedChoiceField(required=False, coerce=int, widget=LongSelect)

    form = F({"unit": "3"})
    form.fields["unit"].choices = CHOICES  # type: ignore[attr-defined]
    html = str(form["unit"])
    assert '<select name="unit" id="id_unit">' in html
    assert '<option value="3" selected>' in html
