"""Helpers for the API tests: URLs, JSON requests, token headers, query counts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

API = "/api/v1"


def post_json(client: Client, url: str, data: dict[str, Any], **extra: Any) -> Any:
    return client.post(API + url, json.dumps(data), content_type="application/json", **extra)


def patch_json(client: Client, url: str, data: dict[str, Any], **extra: Any) -> Any:
    return client.patch(API + url, json.dumps(data), content_type="application/json", **extra)


def if_match(cadre: Any) -> dict[str, str]:
    """The If-Match header naming the cadre's version as stored now."""
    from xuanren.people.models import Cadre

    version = Cadre.objects.values_list("version", flat=True).get(pk=cadre.pk)
    return {"HTTP_IF_MATCH": f'"v{version}"'}


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def counted_get(client: Client, url: str, **extra: Any) -> tuple[int, Any]:
    """(number of queries, response) for one GET."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(API + url, **extra)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), response


def field_errors(response: Any) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def cadre_body(unit: Any, **overrides: Any) -> dict[str, Any]:
    """A valid POST /cadres body for a new cadre in `unit` (see cadre_input)."""
    from tests.conftest import cadre_input

    data = cadre_input(**overrides).values()
    body = {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in data.items()}
    return {"unit": unit.pk, **body}


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Any:
    """Wrong bearer tokens are counted per address in the cache (xuanren.api.auth);
    each test starts from zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
