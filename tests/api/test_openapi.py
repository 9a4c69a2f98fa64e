"""The OpenAPI description and the docs page; the API's input schemas stay in
step with the service's CadreInput."""

from dataclasses import fields

import pytest

from tests.api.conftest import API
from xuanren.api.schemas import CadreChangesIn, CadreCreateIn, CadreDetailOut
from xuanren.people.services import CadreInput

pytestmark = pytest.mark.django_db

PATHS = {
    "/api/v1/units": {"get"},
    "/api/v1/units/{unit_id}": {"get"},
    "/api/v1/units/{unit_id}/posts": {"get"},
    "/api/v1/posts": {"get"},
    "/api/v1/quota-report": {"get"},
    "/api/v1/cadres": {"get", "post"},
    "/api/v1/cadres/{cadre_id}": {"get", "patch"},
}


def test_openapi_lists_the_paths(client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["info"]["title"] == "xuanren API"
    for path, methods in PATHS.items():
        assert path in spec["paths"], path
        assert set(spec["paths"][path]) == methods, path
    schemes = spec["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
    created = spec["paths"]["/api/v1/cadres"]["post"]["responses"]
    assert {"201", "403", "404", "422"} <= set(created)


def test_docs_page_loads(client):
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content


CADRE_INPUT_FIELDS = {f.name for f in fields(CadreInput)} - {"warnings"}


def test_create_schema_matches_cadre_input():
    assert set(CadreCreateIn.model_fields) - {"unit"} == CADRE_INPUT_FIELDS


def test_change_schema_matches_cadre_input():
    assert set(CadreChangesIn.model_fields) - {"unit"} == CADRE_INPUT_FIELDS


def test_detail_shows_every_input_field():
    assert set(CadreDetailOut.model_fields) >= CADRE_INPUT_FIELDS
