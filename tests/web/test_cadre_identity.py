"""身份 on the cadre page and form (Chinese labels), and in the API (issue 12);
party-school and as-written 学历 on the cadre page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.api.conftest import API, cadre_body, field_errors, if_match, patch_json, post_json
from tests.web.test_cadre_edit import form_data
from xuanren.people.models import Cadre
from xuanren.people.services import education_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def cadre(county: Any, make_cadre: Any) -> Cadre:
    return make_cadre(county.town, name="李娜", identity="reference_civil_servant")


def test_cadre_page_shows_identity_in_chinese(client: Client, personas: Any, cadre: Cadre) -> None:
    client.force_login(personas.case_officer)
    html = client.get(reverse("web:cadre_detail", args=[cadre.pk])).content.decode()
    assert "<dt>身份</dt><dd>参照公务员法管理</dd>" in html
    assert "reference_civil_servant" not in html
    Cadre.objects.filter(pk=cadre.pk).update(identity="")
    html = client.get(reverse("web:cadre_detail", args=[cadre.pk])).content.decode()
    assert "<dt>身份</dt><dd>未记录</dd>" in html


def test_cadre_page_shows_party_school_and_as_written_education(
    client: Client, personas: Any, admin: Any, cadre: Cadre
) -> None:
    education_add(
        actor=admin,
        cadre=cadre,
        kind="party_school",
        level="bachelor",
        level_text="中央党校大学",
        school="中央党校",
    )
    education_add(
        actor=admin, cadre=cadre, kind="in_service", level="", level_text="夜大毕业", school="夜校"
    )
    client.force_login(personas.case_officer)
    html = client.get(reverse("web:cadre_detail", args=[cadre.pk])).content.decode()
    assert "中央党校大学，中央党校" in html and "夜大毕业，夜校" in html


def test_form_edits_identity_with_chinese_choices(
    client: Client, personas: Any, cadre: Cadre
) -> None:
    client.force_login(personas.case_officer)
    html = client.get(reverse("web:cadre_edit", args=[cadre.pk])).content.decode()
    assert 'name="identity"' in html
    assert '<option value="state_enterprise">国有企业</option>' in html
    seen = Cadre.objects.get(pk=cadre.pk).version
    response = client.post(
        reverse("web:cadre_edit", args=[cadre.pk]),
        form_data(cadre, seen, identity="state_enterprise"),
    )
    assert response.status_code == 302
    assert Cadre.objects.get(pk=cadre.pk).identity == "state_enterprise"
    response = client.post(
        reverse("web:cadre_edit", args=[cadre.pk]),
        form_data(cadre, seen + 1, identity="bogus"),
    )
    assert response.status_code == 422
    assert Cadre.objects.get(pk=cadre.pk).identity == "state_enterprise"


def test_api_reads_and_writes_identity(client: Client, personas: Any, county: Any) -> None:
    client.force_login(personas.case_officer)
    response = post_json(client, "/cadres", cadre_body(county.town, identity="civil_servant"))
    assert response.status_code == 201, response.content
    out = response.json()["cadre"]
    assert out["identity"] == "civil_servant"
    cadre = Cadre.objects.get(pk=out["id"])
    response = patch_json(client, f"/cadres/{cadre.pk}", {"identity": "其他"}, **if_match(cadre))
    assert response.status_code == 422
    assert list(field_errors(response)) == ["identity"]
    response = patch_json(client, f"/cadres/{cadre.pk}", {"identity": "other"}, **if_match(cadre))
    assert response.status_code == 200, response.content
    assert client.get(f"{API}/cadres/{cadre.pk}").json()["identity"] == "other"
    schema = client.get(f"{API}/openapi.json").json()["components"]["schemas"]
    assert "identity" in schema["CadreDetailOut"]["properties"]
    assert "level_text" in schema["EducationOut"]["properties"]
