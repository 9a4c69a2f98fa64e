"""Editing a cadre on the web (issue 10, item 12): the form carries the version;
a save from an old version is refused with who changed what, keeps the
officer's input against the latest version, and saves nothing; out of scope
is 404, without the right 403."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from xuanren.journal.models import Event
from xuanren.people.models import Cadre
from xuanren.people.services import CadreInput, cadre_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def cadre(county: Any, make_cadre: Any) -> Cadre:
    return make_cadre(county.town, name="李娜")


def form_data(cadre: Cadre, version: int, **changes: Any) -> dict[str, Any]:
    values = CadreInput.from_cadre(cadre).values()
    data = {k: ("" if v is None else v) for k, v in values.items()}
    data = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}
    return {**data, **changes, "version": version}


def test_the_form_carries_the_version(client: Client, personas: Any, cadre: Cadre) -> None:
    client.force_login(personas.case_officer)
    detail = client.get(reverse("web:cadre_detail", args=[cadre.pk])).content.decode()
    assert reverse("web:cadre_edit", args=[cadre.pk]) in detail
    response = client.get(reverse("web:cadre_edit", args=[cadre.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(rf'<input type="hidden" name="version" value="{cadre.version}"', html)
    assert 'name="native_place"' in html and "籍贯" in html


def test_a_save_from_the_current_version(client: Client, personas: Any, cadre: Cadre) -> None:
    client.force_login(personas.case_officer)
    seen = Cadre.objects.get(pk=cadre.pk).version
    response = client.post(
        reverse("web:cadre_edit", args=[cadre.pk]),
        form_data(cadre, seen, native_place="浙江宁波"),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("web:cadre_detail", args=[cadre.pk])
    cadre.refresh_from_db()
    assert (cadre.native_place, cadre.version) == ("浙江宁波", seen + 1)


def test_a_stale_save_shows_what_changed_and_saves_nothing(
    client: Client, personas: Any, cadre: Cadre, admin: Any
) -> None:
    client.force_login(personas.case_officer)
    seen = Cadre.objects.get(pk=cadre.pk).version
    opened = form_data(cadre, seen)
    cadre_update(actor=admin, cadre=cadre, changes={"native_place": "浙江宁波"})
    before = Event.objects.count()
    response = client.post(
        reverse("web:cadre_edit", args=[cadre.pk]), {**opened, "specialty": "财务管理"}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert admin.username in html
    assert "籍贯：" in html and "→ 浙江宁波" in html
    assert 'value="财务管理"' in html  # the officer's input is kept
    current = Cadre.objects.get(pk=cadre.pk)
    assert f'name="version" value="{current.version}"' in html  # now against the latest
    assert current.specialty == "" and Event.objects.count() == before
    # Saving again after reading the changes is deliberate, and goes through.
    again = client.post(
        reverse("web:cadre_edit", args=[cadre.pk]),
        {**opened, "native_place": "浙江宁波", "specialty": "财务管理", "version": current.version},
    )
    assert again.status_code == 302
    current.refresh_from_db()
    assert (current.native_place, current.specialty) == ("浙江宁波", "财务管理")


def test_invalid_input_is_shown_on_the_field(client: Client, personas: Any, cadre: Cadre) -> None:
    client.force_login(personas.case_officer)
    response = client.post(
        reverse("web:cadre_edit", args=[cadre.pk]),
        form_data(cadre, cadre.version, id_number="123"),
    )
    assert response.status_code == 422
    assert "公民身份号码" in response.content.decode()
    cadre.refresh_from_db()
    assert cadre.id_number != "123"


def test_out_of_scope_is_404_and_without_the_right_403(
    client: Client, personas: Any, cadre: Cadre
) -> None:
    url = reverse("web:cadre_edit", args=[cadre.pk])
    client.force_login(personas.other_unit_hr)
    assert client.get(url).status_code == 404
    assert client.post(url, form_data(cadre, cadre.version, native_place="x")).status_code == 404
    client.force_login(personas.committee_member)
    assert client.get(url).status_code == 403
    assert client.post(url, form_data(cadre, cadre.version, native_place="x")).status_code == 403
    cadre.refresh_from_db()
    assert cadre.native_place != "x"
