"""LRMX through the API (/api/v1) and the pages (/exchange/lrmx/)."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.exchange.test_lrmx_import import (
    enrich,
    export,
    snapshot,
    wipe,
    zipped,
)
from xuanren.exchange.lrmx import record_from_xml
from xuanren.exchange.models import ImportBatch
from xuanren.people.models import Cadre

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def zhang(admin, county, make_cadre) -> Cadre:
    return enrich(admin, make_cadre(county.town, name="张伟", native_place="浙江青山"))


def upload(data: bytes, name: str = "张伟.lrmx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


# ---- API: export --------------------------------------------------------------------


def test_api_exports_a_cadre(client, personas, zhang):
    client.force_login(personas.case_officer)
    response = client.get(f"{API}/cadres/{zhang.pk}/lrmx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert "attachment" in response["Content-Disposition"]
    assert record_from_xml(response.content).id_number == zhang.id_number


@pytest.mark.parametrize(
    ("persona", "status"),
    [("committee_member", 403), ("other_unit_hr", 404), ("outsider", 403)],
)
def test_api_export_refusals(client, personas, zhang, persona, status):
    client.force_login(getattr(personas, persona))
    response = client.get(f"{API}/cadres/{zhang.pk}/lrmx")
    assert response.status_code == status
    assert zhang.id_number not in response.content.decode()


def test_api_export_needs_login(client, zhang):
    assert client.get(f"{API}/cadres/{zhang.pk}/lrmx").status_code == 401


# ---- API: import --------------------------------------------------------------------


def test_api_preview_then_confirm(client, personas, county, zhang):
    data = export(zhang)
    wipe(zhang)
    client.force_login(personas.case_officer)
    before = snapshot()
    response = client.post(f"{API}/lrmx/import", {"file": upload(data)})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "previewed"
    assert [(f["name"], f["action"]) for f in body["files"]] == [("张伟.lrmx", "create")]
    assert snapshot() == before

    url = f"{API}/lrmx/batches/{body['id']}/confirm"
    missing = client.post(url, json.dumps({}), content_type="application/json")
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "unit"

    done = client.post(
        url, json.dumps({"unit": county.finance.pk}), content_type="application/json"
    )
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "confirmed"
    assert done.json()["files"][0]["saved"] is True
    assert Cadre.objects.get().unit == county.finance
    again = client.post(
        url, json.dumps({"unit": county.finance.pk}), content_type="application/json"
    )
    assert again.status_code == 409
    shown = client.get(f"{API}/lrmx/batches/{body['id']}")
    assert shown.json()["files"][0]["cadre"] == Cadre.objects.get().pk


def test_api_direct_import_of_a_zip(client, personas, county, zhang):
    good = export(zhang)
    bad = good.replace(b"<XingMing>\xe5\xbc\xa0\xe4\xbc\x9f</XingMing>", b"")
    wipe(zhang)
    client.force_login(personas.case_officer)
    response = client.post(
        f"{API}/lrmx/import",
        {
            "file": upload(zipped({"a.lrmx": good, "b.lrmx": bad}), "batch.zip"),
            "preview": "false",
            "unit": str(county.town.pk),
        },
    )
    assert response.status_code == 200, response.content
    files = {f["name"]: f for f in response.json()["files"]}
    assert files["a.lrmx"]["saved"] is True
    assert files["b.lrmx"]["saved"] is False
    assert files["b.lrmx"]["errors"][0]["element"] == "XingMing"
    assert Cadre.objects.count() == 1


def test_api_preview_shows_differences(client, personas, zhang):
    data = export(zhang).replace("<MinZu>汉族</MinZu>".encode(), "<MinZu>回族</MinZu>".encode())
    client.force_login(personas.case_officer)
    body = client.post(f"{API}/lrmx/import", {"file": upload(data)}).json()
    row = body["files"][0]
    assert row["action"] == "update"
    assert row["changes"] == [{"field": "ethnicity", "label": "民族", "old": "汉族", "new": "回族"}]


@pytest.mark.parametrize("persona", ["outsider", "committee_member"])
def test_api_import_refused_for_non_editors(client, personas, zhang, persona):
    client.force_login(getattr(personas, persona))
    response = client.post(f"{API}/lrmx/import", {"file": upload(export(zhang))})
    assert response.status_code == 403
    assert not ImportBatch.objects.exists()


def test_api_batches_are_private_to_their_uploader(client, personas, zhang):
    client.force_login(personas.case_officer)
    body = client.post(f"{API}/lrmx/import", {"file": upload(export(zhang))}).json()
    client.force_login(personas.other_unit_hr)
    assert client.get(f"{API}/lrmx/batches/{body['id']}").status_code == 404


def test_api_bad_zip_is_422(client, personas):
    client.force_login(personas.case_officer)
    response = client.post(f"{API}/lrmx/import", {"file": upload(b"PK\x03\x04nope", "x.zip")})
    assert response.status_code == 422
    assert "ZIP" in response.json()["message"]


# ---- pages --------------------------------------------------------------------------


def test_cadre_page_links_the_export_for_full_id_viewers_only(client, personas, zhang):
    client.force_login(personas.case_officer)
    page = client.get(f"/cadres/{zhang.pk}/").content.decode()
    assert f"/exchange/lrmx/cadres/{zhang.pk}.lrmx" in page
    assert "导出 LRMX" in page
    client.force_login(personas.committee_member)
    page = client.get(f"/cadres/{zhang.pk}/").content.decode()
    assert "导出 LRMX" not in page


def test_export_page_download(client, personas, zhang):
    client.force_login(personas.case_officer)
    response = client.get(f"/exchange/lrmx/cadres/{zhang.pk}.lrmx")
    assert response.status_code == 200
    assert record_from_xml(response.content).name == "张伟"
    client.force_login(personas.other_unit_hr)
    assert client.get(f"/exchange/lrmx/cadres/{zhang.pk}.lrmx").status_code == 404


def test_upload_preview_confirm_pages(client, personas, county, zhang):
    data = export(zhang).replace("<MinZu>汉族</MinZu>".encode(), "<MinZu>回族</MinZu>".encode())
    client.force_login(personas.case_officer)
    assert client.get("/exchange/lrmx/import/").status_code == 200
    response = client.post("/exchange/lrmx/import/", {"file": upload(data)})
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "导入预览" in page
    assert "更新已有干部" in page
    assert "回族" in page and "汉族" in page
    assert "确认导入" in page
    zhang.refresh_from_db()
    assert zhang.ethnicity == "汉族"
    done = client.post(f"/exchange/lrmx/batches/{batch.pk}/confirm/", {"unit": ""})
    assert done.status_code == 302
    zhang.refresh_from_db()
    assert zhang.ethnicity == "回族"
    assert "已保存" in client.get(done["Location"]).content.decode()


def test_bad_file_page_names_file_and_element(client, personas, zhang):
    data = export(zhang).replace(b"<ZhaoPian>/9j/", b"<ZhaoPian>/9j/*%$")
    client.force_login(personas.case_officer)
    response = client.post(
        "/exchange/lrmx/import/", {"file": upload(data, "坏照片.lrmx")}, follow=True
    )
    page = response.content.decode()
    assert "坏照片.lrmx：ZhaoPian：" in page
    assert "有错误，不导入" in page


def test_new_cadres_page_asks_for_the_unit(client, personas, county, zhang):
    data = export(zhang)
    wipe(zhang)
    client.force_login(personas.case_officer)
    client.post("/exchange/lrmx/import/", {"file": upload(data)})
    batch = ImportBatch.objects.get()
    page = client.get(f"/exchange/lrmx/batches/{batch.pk}/").content.decode()
    assert "新建干部所在单位" in page
    refused = client.post(f"/exchange/lrmx/batches/{batch.pk}/confirm/", {"unit": ""})
    assert refused.status_code == 422
    assert "请选择新建干部所在单位" in refused.content.decode()
    assert not Cadre.objects.exists()
    client.post(f"/exchange/lrmx/batches/{batch.pk}/confirm/", {"unit": county.town.pk})
    assert Cadre.objects.get().unit == county.town


def test_upload_page_refuses_outsider_and_bad_zip(client, personas):
    client.force_login(personas.outsider)
    response = client.post("/exchange/lrmx/import/", {"file": upload(b"x", "a.lrmx")})
    assert response.status_code == 403
    client.force_login(personas.case_officer)
    response = client.post("/exchange/lrmx/import/", {"file": upload(b"PK\x03\x04x", "a.zip")})
    assert response.status_code == 422  # issue 10: a refused upload answers with its status
    assert "不是有效的 ZIP" in response.content.decode()


def test_cancel_from_the_page(client, personas, zhang):
    client.force_login(personas.case_officer)
    client.post("/exchange/lrmx/import/", {"file": upload(export(zhang))})
    batch = ImportBatch.objects.get()
    client.post(f"/exchange/lrmx/batches/{batch.pk}/cancel/")
    batch.refresh_from_db()
    assert batch.status == "cancelled"
