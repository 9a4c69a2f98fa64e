"""The access record (查阅记录): each look at sensitive personal data writes
exactly one row, with one INSERT; the table is append-only; the search page
is for the discipline commission and administrators only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.web.helpers import page_text
from xuanren.access.models import AccessKind, AccessRecord, AppendOnlyError
from xuanren.access.records import AccessRecordFilters, access_record, access_record_search
from xuanren.common.errors import PermissionDenied

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client(REMOTE_ADDR="10.3.0.7")
    client.force_login(user)
    return client


def only_record() -> AccessRecord:
    [record] = AccessRecord.objects.all()
    return record


def test_cadre_page_writes_one_row(personas, county, make_cadre):
    cadre = make_cadre(county.town, name="李娜")
    response = client_for(personas.case_officer).get(f"/cadres/{cadre.pk}/")
    assert response.status_code == 200
    record = only_record()
    assert (record.kind, record.subject_type, record.subject_id, record.subject_label) == (
        AccessKind.CADRE, "people.cadre", str(cadre.pk), "李娜",
    )  # fmt: skip
    assert record.user_id == personas.case_officer.pk and record.username == "officer"
    assert record.path == f"/cadres/{cadre.pk}/" and record.address == "10.3.0.7"
    assert record.detail == {"id_number": "full"}
    assert timezone.now() - record.at < dt.timedelta(minutes=1)


def test_cadre_page_without_full_number_still_recorded_masked(personas, county, make_cadre):
    cadre = make_cadre(county.town)
    assert client_for(personas.committee_member).get(f"/cadres/{cadre.pk}/").status_code == 200
    assert only_record().detail == {"id_number": "masked"}


def test_refused_cadre_page_writes_nothing(personas, county, make_cadre):
    cadre = make_cadre(county.town)
    assert client_for(personas.other_unit_hr).get(f"/cadres/{cadre.pk}/").status_code == 404
    assert client_for(personas.outsider).get(f"/cadres/{cadre.pk}/").status_code in (403, 404)
    assert not AccessRecord.objects.exists()


def test_cadre_page_costs_exactly_one_more_query(personas, county, make_cadre, monkeypatch):
    cadre = make_cadre(county.town)
    client = client_for(personas.case_officer)
    url = f"/cadres/{cadre.pk}/"
    client.get(url)  # warm caches (content types, session)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    with_record = len(ctx.captured_queries)
    touching = [q["sql"] for q in ctx.captured_queries if "access_accessrecord" in q["sql"]]
    assert len(touching) == 1 and touching[0].startswith("INSERT")
    monkeypatch.setattr("xuanren.web.views.cadre_look_record", lambda **kwargs: None)
    assert with_record == count() + 1


def test_api_cadre_detail_writes_one_row(personas, county, make_cadre):
    cadre = make_cadre(county.town)
    response = client_for(personas.discipline).get(f"/api/v1/cadres/{cadre.pk}")
    assert response.status_code == 200
    record = only_record()
    assert (record.kind, record.subject_id, record.username) == (
        AccessKind.CADRE, str(cadre.pk), "jiwei",
    )  # fmt: skip
    assert record.path == f"/api/v1/cadres/{cadre.pk}"


@pytest.mark.parametrize(
    ("url", "export"),
    [
        ("/quota/export.csv", "quota"),
        ("/quota/export.xlsx", "quota"),
        ("/exchange/xlsx/cadres.xlsx", "cadres"),
        ("/api/v1/xlsx/cadres.xlsx", "cadres"),
    ],
)
def test_each_export_writes_one_row(personas, county, make_cadre, url, export):
    make_cadre(county.town)
    make_cadre(county.finance, name="王芳", sex="female")
    response = client_for(personas.case_officer).get(url)
    assert response.status_code == 200
    record = only_record()
    assert record.kind == AccessKind.EXPORT
    assert record.detail["export"] == export
    assert record.path == url
    if export == "cadres":
        assert record.detail["rows"] == 2


def test_roster_export_records_unit_and_rows(personas, county, make_cadre):
    make_cadre(county.town)
    url = f"/exchange/xlsx/roster.xlsx?unit={county.town.pk}"
    assert client_for(personas.case_officer).get(url).status_code == 200
    record = only_record()
    assert (record.subject_type, record.subject_id) == ("org.unit", str(county.town.pk))
    assert record.detail["rows"] == 1 and "城关镇" in record.subject_label


def test_candidates_export_records_filters(personas, county, make_cadre):
    make_cadre(county.town)
    url = f"/candidates/export.xlsx?post={county.town_deputy.pk}&sex=female"
    assert client_for(personas.case_officer).get(url).status_code == 200
    record = only_record()
    assert record.detail["export"] == "candidates"
    assert record.detail["filters"]["sex"] == "female"
    assert isinstance(record.detail["rows"], int)


def test_lrmx_export_writes_one_row(personas, county, make_cadre):
    cadre = make_cadre(county.town, name="赵敏", sex="female")
    assert (
        client_for(personas.case_officer).get(f"/exchange/lrmx/cadres/{cadre.pk}.lrmx").status_code
        == 200
    )
    record = only_record()
    assert (record.kind, record.subject_label, record.detail["export"]) == (
        AccessKind.EXPORT, "赵敏", "lrmx",
    )  # fmt: skip


def test_generated_document_writes_one_row(personas, county, make_cadre):
    cadre = make_cadre(county.town, name="钱进")
    url = f"/documents/cadres/{cadre.pk}/approval-form.docx"
    assert client_for(personas.case_officer).get(url).status_code == 200
    record = only_record()
    assert record.kind == AccessKind.DOCUMENT
    assert record.detail["document"] == "approval_form" and record.detail["format"] == "docx"
    assert "钱进" in record.subject_label


def test_append_only(admin):
    record = access_record(
        actor=admin, kind=AccessKind.CADRE, subject=("people.cadre", "1"), label="张伟"
    )
    assert record is not None
    record.subject_label = "改"
    with pytest.raises(AppendOnlyError):
        record.save()
    with pytest.raises(AppendOnlyError):
        record.delete()
    with pytest.raises(AppendOnlyError):
        AccessRecord.objects.filter(pk=record.pk).update(subject_label="改")
    with pytest.raises(AppendOnlyError):
        AccessRecord.objects.all().delete()
    assert AccessRecord.objects.get().subject_label == "张伟"


def test_anonymous_not_recorded():
    from django.contrib.auth.models import AnonymousUser

    assert (
        access_record(
            actor=AnonymousUser(), kind=AccessKind.CADRE, subject=("people.cadre", "1"), label="x"
        )
        is None
    )
    assert not AccessRecord.objects.exists()


def _seed(admin, personas) -> None:
    for actor, label, kind in (
        (personas.case_officer, "张伟", AccessKind.CADRE),
        (personas.case_officer, "干部信息", AccessKind.EXPORT),
        (personas.committee_member, "李娜", AccessKind.CADRE),
    ):
        access_record(actor=actor, kind=kind, subject=("people.cadre", label), label=label)


def test_search_filters(admin, personas):
    _seed(admin, personas)
    search = lambda **f: [  # noqa: E731
        r.subject_label
        for r in access_record_search(actor=personas.discipline, filters=AccessRecordFilters(**f))
    ]
    assert search() == ["李娜", "干部信息", "张伟"]
    assert search(person="张") == ["张伟"]
    assert search(viewer="member") == ["李娜"]
    # by the viewer's real name too (decision 0057)
    User.objects.filter(pk=personas.committee_member.pk).update(last_name="周", first_name="建华")
    assert search(viewer="周建华") == ["李娜"]
    assert search(kind=AccessKind.EXPORT) == ["干部信息"]
    today = timezone.localdate()
    assert len(search(date_from=today, date_to=today)) == 3
    assert search(date_to=today - dt.timedelta(days=1)) == []


@pytest.mark.parametrize("who", ["case_officer", "committee_member", "other_unit_hr", "outsider"])
def test_search_refused_to_others(admin, personas, who):
    _seed(admin, personas)
    with pytest.raises(PermissionDenied):
        access_record_search(actor=getattr(personas, who), filters=AccessRecordFilters())
    response = client_for(getattr(personas, who)).get("/account/records/")
    assert response.status_code == 403
    text = page_text(response)
    assert "张伟" not in text and "无权访问" in text
    assert "查阅记录" not in page_text(client_for(getattr(personas, who)).get("/"))


def test_search_page_for_the_discipline_commission(admin, personas):
    _seed(admin, personas)
    client = client_for(personas.discipline)
    home = client.get("/").content.decode()
    assert 'href="/account/records/"' in home
    response = client.get("/account/records/", {"person": "张", "kind": "cadre"})
    assert response.status_code == 200
    text = page_text(response)
    assert "张伟" in text and "李娜" not in text and "干部详情" in text
    html = response.content.decode()
    assert "<script>" not in html and "style=" not in html
    assert client_for(admin).get("/account/records/").status_code == 200
    assert Client().get("/account/records/").status_code == 302  # login first


def test_search_page_is_paged(admin, personas):
    for i in range(60):
        access_record(
            actor=admin, kind=AccessKind.CADRE, subject=("people.cadre", str(i)), label=f"人{i}"
        )
    client = client_for(personas.discipline)
    first = page_text(client.get("/account/records/"))
    assert "第 1 页，共 2 页" in first and "共 60 条" in first
    second = client.get("/account/records/", {"page": 2})
    assert second.status_code == 200 and "人0" in page_text(second)


def test_search_page_bad_date_is_told_in_chinese(personas):
    response = client_for(personas.discipline).get("/account/records/", {"date_from": "xx"})
    assert response.status_code == 200
    assert "起始日期" in page_text(response)


def test_cadre_in_admin_writes_one_row(admin, county, make_cadre):
    cadre = make_cadre(county.town, name="孙丽", sex="female")
    client = client_for(admin)
    assert client.get("/admin/people/cadre/").status_code == 200
    assert not AccessRecord.objects.exists()  # the list shows no family
    assert client.get(f"/admin/people/cadre/{cadre.pk}/change/").status_code == 200
    record = only_record()
    assert (record.kind, record.subject_label, record.detail) == (
        AccessKind.CADRE, "孙丽", {"id_number": "masked"},
    )  # fmt: skip
