"""The cadre edit form: the scalar fields of CadreInput, labelled and with the
choices of the model, and the version the editor saw (hidden)."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from django import forms
from django.forms.models import fields_for_model

from xuanren.common.widgets import date_input
from xuanren.people.models import Cadre
from xuanren.people.services import CadreInput

#: The fields the form edits, in the record's order.
CADRE_EDIT_FIELDS = [f.name for f in fields(CadreInput) if f.name != "warnings"]


class CadreEditForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in fields_for_model(Cadre, fields=CADRE_EDIT_FIELDS).items():
            if isinstance(field, forms.DateField):
                field.widget = date_input()
            self.fields[name] = field

    def changes(self) -> dict[str, Any]:
        """Every edited field as the service takes it (text never None)."""
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        return {k: ("" if v is None and isinstance(self.fields[k], forms.CharField) else v)
                for k, v in data.items()}  # fmt: skip
