"""Role scoping in the selectors themselves (pages and API have their own tests)."""

import datetime as dt

import pytest

from xuanren.access.policy import unit_scope_q
from xuanren.common.errors import NotFound, PermissionDenied
from xuanren.org.models import Unit
from xuanren.org.selectors import post_list, unit_get, unit_list
from xuanren.people.selectors import (
    CadreFilters,
    approaching_age_limit,
    cadre_get,
    cadre_search,
    shown_id_number,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(county, make_cadre):
    return {
        "town": make_cadre(county.town, name="城关甲"),
        "finance": make_cadre(county.finance, name="财政乙"),
        "other": make_cadre(county.other_town, name="石桥丙"),
    }


def test_case_officer_sees_the_whole_county(personas, people):
    names = set(
        cadre_search(actor=personas.case_officer, filters=CadreFilters()).values_list(
            "name", flat=True
        )
    )
    assert names == {"城关甲", "财政乙", "石桥丙"}


def test_other_unit_hr_sees_only_own_unit(personas, people, county):
    hr = personas.other_unit_hr
    names = set(cadre_search(actor=hr, filters=CadreFilters()).values_list("name", flat=True))
    assert names == {"石桥丙"}
    for key in ("town", "finance"):
        with pytest.raises(NotFound):
            cadre_get(actor=hr, pk=people[key].pk)
    assert list(unit_list(actor=hr)) == [county.other_town]
    with pytest.raises(NotFound):
        unit_get(actor=hr, pk=county.town.pk)
    with pytest.raises(PermissionDenied):
        post_list(actor=hr, unit=county.town)
    # Filtering on a unit outside the scope finds nobody rather than leaking.
    assert not cadre_search(actor=hr, filters=CadreFilters(unit_id=county.town.pk)).exists()


def test_outsider_sees_nothing(personas, people, county):
    out = personas.outsider
    for call in (
        lambda: cadre_search(actor=out, filters=CadreFilters()),
        lambda: cadre_get(actor=out, pk=people["town"].pk),
        lambda: unit_list(actor=out),
        lambda: approaching_age_limit(actor=out),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert not Unit.objects.filter(unit_scope_q(out)).exists()


def test_anonymous_sees_nothing(people):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        cadre_search(actor=AnonymousUser(), filters=CadreFilters())


def test_a_role_without_scope_sees_nothing(people):
    from tests.conftest import make_user
    from xuanren.access.models import Role

    lost = make_user("noscope", Role.CASE_OFFICER, None)
    assert not cadre_search(actor=lost, filters=CadreFilters()).exists()


def test_inactive_user_sees_nothing(personas, people):
    officer = personas.case_officer
    officer.is_active = False
    with pytest.raises(PermissionDenied):
        cadre_search(actor=officer, filters=CadreFilters())


def test_full_id_number_only_with_permission(personas, people):
    cadre = people["town"]
    assert shown_id_number(actor=personas.case_officer, cadre=cadre, full=True) == cadre.id_number
    assert shown_id_number(actor=personas.discipline, cadre=cadre, full=True) == cadre.id_number
    assert (
        shown_id_number(actor=personas.committee_member, cadre=cadre, full=True) != cadre.id_number
    )
    assert "*" in shown_id_number(actor=personas.case_officer, cadre=cadre)


def test_search_filters(personas, county, make_cadre):
    officer = personas.case_officer
    ref = dt.date(2026, 3, 2)
    make_cadre(county.town, name="欧阳修", birth=dt.date(1985, 3, 2))  # 41 on ref
    make_cadre(county.town, name="欧阳娜", sex="female", birth=dt.date(1985, 3, 3))  # 40 on ref
    search = lambda **kw: set(  # noqa: E731
        cadre_search(actor=officer, filters=CadreFilters(ref_date=ref, **kw)).values_list(
            "name", flat=True
        )
    )
    assert search(q="欧阳") == {"欧阳修", "欧阳娜"}
    assert search(q="oyx") == {"欧阳修"}
    assert search(q="OY") == {"欧阳修", "欧阳娜"}
    assert search(age_min=41) == {"欧阳修"}
    assert search(age_max=40) == {"欧阳娜"}
    assert search(age_min=40, age_max=41) == {"欧阳修", "欧阳娜"}
    assert search(sex="female") == {"欧阳娜"}
    assert search(unit_id=county.finance.pk) == set()
    assert search(unit_id=county.root.pk) == {"欧阳修", "欧阳娜"}
