"""get_FOO_display through ChoiceLabels (docs/decisions/0102): the same labels
as Django's, in the active language, without translating every label per call."""

from __future__ import annotations

from django.db import models
from django.utils import translation

from xuanren.org.models import Level, Post, Unit, UnitKind
from xuanren.people.models import Assessment, Cadre, Sex
from xuanren.procedure.models import Case


def _django_display(obj: models.Model, name: str) -> object:
    return models.Model._get_FIELD_display(obj, obj._meta.get_field(name))  # type: ignore[attr-defined]


def test_labels_match_django_in_each_language():
    cadre = Cadre(sex=Sex.FEMALE, level=Level.SECTION_DEPUTY, status="active")
    unit = Unit(kind=UnitKind.TOWNSHIP)
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert cadre.get_sex_display() == _django_display(cadre, "sex")
            assert cadre.get_level_display() == _django_display(cadre, "level")
            assert cadre.get_status_display() == _django_display(cadre, "status")
            assert unit.get_kind_display() == _django_display(unit, "kind")
    with translation.override("zh-hans"):
        assert cadre.get_sex_display() == "女"
        assert cadre.get_level_display() == "副科级"


def test_unknown_and_empty_values_are_shown_as_they_are():
    assert Cadre(level="no_such_level").get_level_display() == "no_such_level"
    assert Cadre(level="").get_level_display() == _django_display(Cadre(level=""), "level")
    assert Post(level="").get_level_display() == _django_display(Post(level=""), "level")


def test_every_model_on_the_list_pages_uses_it():
    from xuanren.common.choices import ChoiceLabels

    for model in (Cadre, Assessment, Unit, Post, Case):
        assert issubclass(model, ChoiceLabels), model
