"""get_FOO_display for the models that pages list by the row (docs/decisions/0102).

Django's Model._get_FIELD_display builds `dict(make_hashable(field.flatchoices))`
on every call, and hashing a lazily translated label translates it: each call
translates every label of the field (0.2–0.6 ms for a field of 2–8 choices),
and a list page calls it several times per row. ChoiceLabels keeps each field's
value → label map (the labels still lazy, so still in the request's language)
and translates only the label shown.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.encoding import force_str

_LABELS: dict[models.Field[Any, Any], dict[Any, Any]] = {}


def choice_labels(field: models.Field[Any, Any]) -> dict[Any, Any]:
    """The field's value → (lazy) label map, built once per field."""
    labels = _LABELS.get(field)
    if labels is None:
        labels = dict(field.flatchoices)
        _LABELS[field] = labels
    return labels


class ChoiceLabels:
    """Mixin for a model (before models.Model): the same get_FOO_display,
    without translating every label of the field on each call."""

    def _get_FIELD_display(self, field: models.Field[Any, Any]) -> Any:
        value = getattr(self, field.attname)
        try:
            label = choice_labels(field).get(value, value)
        except TypeError:  # an unhashable value (a JSON field's list)
            label = value
        return force_str(label, strings_only=True)
