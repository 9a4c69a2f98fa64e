"""Who reads a case: the superuser reads every case, including those with no
request or team (an empty scope Q once vanished from the OR of the ways to
read a case, so the administrator's 待办 linked to 404 pages)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.procedure import conftest as procedure_fixtures
from tests.procedure.conftest import open_case
from xuanren.common.errors import PermissionDenied
from xuanren.procedure.models import Case, IntegrityRequest
from xuanren.procedure.selectors import case_get

pytestmark = pytest.mark.django_db

committee = procedure_fixtures.committee


def test_the_superuser_reads_every_case(
    client: Any, admin: Any, personas: Any, county: Any, committee: Any
) -> None:
    case = open_case(personas, county, committee)
    assert not IntegrityRequest.objects.exists()
    assert case_get(actor=admin, pk=case.pk) == case
    client.force_login(admin)
    assert client.get(f"/cases/{case.pk}/").status_code == 200


def test_an_actor_out_of_scope_still_reads_nothing(
    client: Any, personas: Any, county: Any, committee: Any
) -> None:
    case = open_case(personas, county, committee)
    with pytest.raises(PermissionDenied):  # no way to read any case: 403
        case_get(actor=personas.other_unit_hr, pk=case.pk)
    client.force_login(personas.other_unit_hr)
    assert client.get(f"/cases/{case.pk}/").status_code == 403
    assert Case.objects.filter(pk=case.pk, current_step="motion").exists()
