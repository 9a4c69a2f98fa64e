"""Stale saves (issue 10, item 12): a cadre carries a version; GET gives it as
an ETag, PATCH must send it back in If-Match (428 without), and a change made
from an old version is refused with 412 saying who changed what, saving
nothing. The service refuses alike for every caller."""

import datetime as dt

import pytest

from tests.api.conftest import API, if_match, patch_json
from xuanren.common.errors import StaleWrite
from xuanren.journal.models import Event
from xuanren.people.models import Cadre
from xuanren.people.services import cadre_photo_set, cadre_update, education_add, tenure_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def cadre(county, make_cadre):
    return make_cadre(county.town, name="李娜")


def version(cadre) -> int:
    return Cadre.objects.values_list("version", flat=True).get(pk=cadre.pk)


def test_get_gives_the_version_as_etag(client, personas, cadre):
    client.force_login(personas.case_officer)
    response = client.get(f"{API}/cadres/{cadre.pk}")
    assert response.status_code == 200
    assert response["ETag"] == f'"v{version(cadre)}"'
    assert response.json()["version"] == version(cadre)


def test_patch_with_the_current_etag_saves_and_gives_the_next(client, personas, cadre):
    client.force_login(personas.case_officer)
    seen = version(cadre)
    etag = client.get(f"{API}/cadres/{cadre.pk}")["ETag"]
    response = patch_json(client, f"/cadres/{cadre.pk}", {"ethnicity": "回族"}, HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.content
    assert response["ETag"] == f'"v{seen + 1}"'
    assert response.json()["cadre"]["version"] == seen + 1
    assert version(cadre) == seen + 1


@pytest.mark.parametrize("header", [None, "", "*", 'W/"v1"', '"v1", "v2"', "v1", '"x"'])
def test_patch_without_a_usable_if_match_is_428_and_saves_nothing(client, personas, cadre, header):
    client.force_login(personas.case_officer)
    extra = {} if header is None else {"HTTP_IF_MATCH": header}
    before = (version(cadre), Event.objects.count())
    response = patch_json(client, f"/cadres/{cadre.pk}", {"ethnicity": "回族"}, **extra)
    assert response.status_code == 428
    body = response.json()
    assert body["code"] == "precondition_required"
    assert "If-Match" in body["message"] and "ETag" in body["message"]
    cadre.refresh_from_db()
    assert cadre.ethnicity == "汉族"
    assert (version(cadre), Event.objects.count()) == before


def test_out_of_scope_is_404_before_the_precondition(client, personas, cadre):
    client.force_login(personas.other_unit_hr)
    response = patch_json(client, f"/cadres/{cadre.pk}", {"ethnicity": "回族"})
    assert response.status_code == 404


def test_stale_patch_is_412_with_who_changed_what(client, personas, cadre, admin):
    client.force_login(personas.case_officer)
    stale = if_match(cadre)  # the officer opened the record...
    # ...then the administrator changed it.
    cadre_update(
        actor=admin,
        cadre=cadre,
        changes={"native_place": "浙江宁波", "personal_matters_status": "verified"},
    )
    before = (version(cadre), Event.objects.count())
    response = patch_json(client, f"/cadres/{cadre.pk}", {"native_place": "江苏南京"}, **stale)
    assert response.status_code == 412, response.content
    body = response.json()
    assert body["code"] == "stale_write"
    assert body["current_version"] == before[0]
    message = body["message"]
    assert admin.username in message  # who
    assert "籍贯" in message and "→ 浙江宁波" in message  # what, by label
    assert "未报告 → 已核实一致" in message  # a choice shown by its label, not its code
    assert "刷新" in message  # what to do
    fields = {e["field"]: e["message"] for e in body["errors"]}
    assert set(fields) == {"native_place", "personal_matters_status"}
    assert fields["native_place"].startswith("籍贯：") and fields["native_place"].endswith(
        "→ 浙江宁波"
    )
    cadre.refresh_from_db()
    assert cadre.native_place == "浙江宁波"
    assert (version(cadre), Event.objects.count()) == before


def test_the_later_of_two_editors_is_refused(client, personas, cadre, admin):
    """Two officers open the same record; the first save wins, the second is
    refused rather than silently overwriting it."""
    client.force_login(personas.case_officer)
    seen = if_match(cadre)
    first = patch_json(client, f"/cadres/{cadre.pk}", {"specialty": "财务"}, **seen)
    second = patch_json(client, f"/cadres/{cadre.pk}", {"specialty": "法律"}, **seen)
    assert (first.status_code, second.status_code) == (200, 412)
    assert "财务" in second.json()["message"]
    cadre.refresh_from_db()
    assert cadre.specialty == "财务"


# ---- the service --------------------------------------------------------------------


def test_service_refuses_a_stale_version_for_every_caller(personas, cadre):
    seen = version(cadre)
    cadre_update(actor=personas.case_officer, cadre=cadre, changes={"specialty": "甲"})
    with pytest.raises(StaleWrite) as caught:
        cadre_update(
            actor=personas.case_officer,
            cadre=cadre,
            changes={"specialty": "乙"},
            expected_version=seen,
        )
    assert "专长" in caught.value.message or "specialty" in {e.field for e in caught.value.errors}
    cadre.refresh_from_db()
    assert cadre.specialty == "甲"
    # The current version is accepted.
    cadre_update(
        actor=personas.case_officer,
        cadre=cadre,
        changes={"specialty": "乙"},
        expected_version=version(cadre),
    )
    cadre.refresh_from_db()
    assert cadre.specialty == "乙"


def test_every_write_of_the_row_raises_the_version(personas, cadre, county):
    officer = personas.case_officer
    v = version(cadre)
    cadre_update(actor=officer, cadre=cadre, changes={"specialty": "甲"})
    assert version(cadre) == v + 1
    cadre_update(actor=officer, cadre=cadre, changes={"specialty": "甲"})  # no change
    assert version(cadre) == v + 1
    education_add(actor=officer, cadre=cadre, kind="full_time", level="bachelor", school="某大学")
    assert version(cadre) == v + 2
    cadre_photo_set(actor=officer, cadre=cadre, photo=b"\x89PNG\r\n\x1a\n")
    assert version(cadre) == v + 3
    tenure_start(
        actor=officer, cadre=cadre, post=county.town_deputy, start_date=dt.date(2024, 1, 1)
    )
    assert version(cadre) == v + 4


def test_a_stale_save_after_another_kind_of_write_names_it(personas, cadre):
    seen = version(cadre)
    cadre_photo_set(actor=personas.case_officer, cadre=cadre, photo=b"\x89PNG\r\n\x1a\n")
    with pytest.raises(StaleWrite) as caught:
        cadre_update(
            actor=personas.case_officer,
            cadre=cadre,
            changes={"specialty": "乙"},
            expected_version=seen,
        )
    assert "照片" in caught.value.message


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_saves_from_the_same_version_at_once_one_wins(county, personas, make_cadre, admin):
    from tests.test_concurrency import run_at_once

    cadre = make_cadre(county.town, name="并发")
    seen = version(cadre)

    def save(actor, text):
        return lambda: cadre_update(
            actor=actor, cadre=cadre, changes={"specialty": text}, expected_version=seen
        )

    results = run_at_once(save(personas.case_officer, "甲"), save(admin, "乙"))
    wins = [r for r in results if isinstance(r, Cadre)]
    losses = [r for r in results if isinstance(r, StaleWrite)]
    assert (len(wins), len(losses)) == (1, 1), results
    cadre.refresh_from_db()
    assert cadre.specialty == wins[0].specialty
    assert cadre.version == seen + 1
    assert wins[0].specialty in losses[0].message
