"""XLSX exports: the cadre list with the search page's filters (ID numbers
masked unless the user may see them in full) and the 花名册 of a unit; each
export is journaled; scope is respected."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tests.conftest import County, Personas
from xuanren.exchange.xlsx_export import cadre_list_headers, roster_headers
from xuanren.journal.models import Event, EventType
from xuanren.journal.services import journal_verify
from xuanren.org.models import Level
from xuanren.people.models import Cadre
from xuanren.people.services import education_add, mask_id_number, tenure_start
from xuanren.workforce.services import entry_set

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def rows_of(response: Any) -> list[list[Any]]:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def cadres(county: County, make_cadre: Any) -> tuple[Cadre, Cadre, Cadre]:
    a = make_cadre(county.finance, name="王建国", level=Level.SECTION_PRINCIPAL)
    b = make_cadre(county.town, name="李秀英", sex="female", birth=dt.date(1990, 7, 9),
        party_join=dt.date(2012, 7, 1), work_start=dt.date(2012, 8, 1))  # fmt: skip
    c = make_cadre(county.other_town, name="张平")
    return a, b, c


def test_cadre_list_export_has_the_headers_and_filtered_rows(
    client: Client, county: County, personas: Personas, make_cadre: Any
) -> None:
    a, b, _c = cadres(county, make_cadre)
    client.force_login(personas.case_officer)
    rows = rows_of(client.get(reverse("exchange:xlsx_cadres")))
    assert rows[0] == cadre_list_headers(entry=True)  # a case officer reads entry records
    assert rows[0][:6] == ["序号", "姓名", "性别", "出生日期", "年龄", "公民身份号码"]
    assert [r[1] for r in rows[1:]] == ["王建国", "李秀英", "张平"]
    # The search page's filters: sex=female narrows it to one.
    rows = rows_of(client.get(reverse("exchange:xlsx_cadres"), {"sex": "female"}))
    assert [r[1] for r in rows[1:]] == ["李秀英"]
    first = rows[1]
    assert first[2] == "女" and first[8] == "城关镇"
    assert first[5] == b.id_number  # a case officer may see numbers in full
    assert first[3] is not None and first[3].date() == dt.date(1990, 7, 9)
    rows = rows_of(client.get(reverse("exchange:xlsx_cadres"), {"unit": county.finance.pk}))
    assert [(r[1], r[10]) for r in rows[1:]] == [("王建国", "正科级")]
    assert a.pk


def test_id_numbers_are_masked_without_the_permission(
    client: Client, county: County, personas: Personas, make_cadre: Any
) -> None:
    _a, _b, c = cadres(county, make_cadre)
    hr = personas.other_unit_hr  # 石桥镇 only, no view_full_id_number
    client.force_login(hr)
    rows = rows_of(client.get(reverse("exchange:xlsx_cadres")))
    assert [r[1] for r in rows[1:]] == ["张平"]  # scope: only 石桥镇
    assert rows[1][5] == mask_id_number(c.id_number) and "*" in rows[1][5]
    event = Event.objects.filter(event_type=EventType.DATA_EXPORTED).latest("pk")
    assert event.actor_id == hr.pk
    assert event.payload["list"] == "cadres"
    assert event.payload["rows"] == 1 and event.payload["id_numbers"] == "masked"


def test_each_export_is_journaled_with_the_filters(
    client: Client, county: County, personas: Personas, make_cadre: Any
) -> None:
    cadres(county, make_cadre)
    client.force_login(personas.case_officer)
    before = Event.objects.count()
    rows_of(client.get(reverse("exchange:xlsx_cadres"), {"q": "王", "level": "section_principal"}))
    events = list(Event.objects.order_by("pk"))[before:]
    assert [e.event_type for e in events] == [EventType.DATA_EXPORTED]
    payload = events[0].payload
    assert payload["filters"]["q"] == "王" and payload["filters"]["level"] == "section_principal"
    assert payload["rows"] == 1 and payload["id_numbers"] == "full"
    assert journal_verify().ok


def test_outsider_exports_nothing(client: Client, county: County, personas: Personas) -> None:
    client.force_login(personas.outsider)
    before = Event.objects.count()
    assert client.get(reverse("exchange:xlsx_cadres")).status_code == 403
    response = client.get(reverse("exchange:xlsx_roster"), {"unit": county.root.pk})
    assert response.status_code == 403
    assert Event.objects.count() == before


def test_roster_of_a_unit_subtree(
    client: Client, admin: Any, county: County, personas: Personas, make_cadre: Any
) -> None:
    head = make_cadre(
        county.town, name="陈书记", level=Level.SECTION_PRINCIPAL, birth=dt.date(1975, 2, 3),
        party_join=dt.date(1998, 7, 1), work_start=dt.date(1996, 8, 1),
        current_post_title="城关镇党委书记",
    )  # fmt: skip
    clerk = make_cadre(
        county.town_office, name="刘办事", birth=dt.date(1992, 4, 5),
        party_join=dt.date(2014, 7, 1), work_start=dt.date(2014, 8, 1),
    )  # fmt: skip
    deputy = make_cadre(county.town, name="周副镇长", level=Level.SECTION_DEPUTY)
    make_cadre(county.finance, name="别的单位")
    education_add(
        actor=admin, cadre=head, kind="full_time", level="bachelor", degree="bachelor",
        school="浙江大学", major="法学",
    )  # fmt: skip
    education_add(
        actor=admin, cadre=head, kind="in_service", level="postgraduate", degree="master",
        school="中央党校", major="经济学",
    )  # fmt: skip
    tenure_start(
        actor=admin, cadre=head, post=county.town_secretary, start_date=dt.date(2021, 9, 1)
    )
    client.force_login(personas.case_officer)
    on = "2026-01-01"
    query: dict[str, Any] = {"unit": county.town.pk, "on": on}
    rows = rows_of(client.get(reverse("exchange:xlsx_roster"), query))
    assert rows[0][0] == "城关镇干部花名册（截至 2026-01-01）"
    assert rows[1] == roster_headers()
    # Unit order (城关镇, then its 党政办), higher levels first within a unit.
    assert [r[2] for r in rows[2:]] == ["陈书记", "周副镇长", "刘办事"]
    line = dict(zip(rows[1], rows[2], strict=True))
    assert line["出生年月"] == "1975.02" and line["年龄"] == 50
    assert line["入党时间"] == "1998.07" and line["参加工作时间"] == "1996.08"
    assert line["全日制学历学位"] == "大学本科学士"
    assert line["全日制毕业院校系及专业"] == "浙江大学法学"
    assert line["在职学历学位"] == "研究生硕士"
    assert line["任现职时间"] == "2021.09" and line["现任职务"] == "城关镇党委书记"
    assert line["所在单位"] == "城关镇"
    assert deputy.pk and clerk.pk
    event = Event.objects.filter(event_type=EventType.DATA_EXPORTED).latest("pk")
    assert event.payload == {"list": "roster", "format": "xlsx", "on": on, "rows": 3}
    assert event.subject_id == str(county.town.pk)


def test_roster_outside_the_scope_is_not_found(
    client: Client, county: County, personas: Personas
) -> None:
    client.force_login(personas.other_unit_hr)
    response = client.get(reverse("exchange:xlsx_roster"), {"unit": county.town.pk})
    assert response.status_code == 404
    assert client.get(reverse("exchange:xlsx_roster")).status_code == 404
    ok = client.get(reverse("exchange:xlsx_roster"), {"unit": county.other_town.pk})
    assert ok.status_code == 200


def test_the_cadre_list_page_links_the_export(
    client: Client, county: County, personas: Personas
) -> None:
    client.force_login(personas.case_officer)
    page = client.get(reverse("web:cadre_list")).content.decode()
    assert f'formaction="{reverse("exchange:xlsx_cadres")}"' in page
    assert "导出 XLSX" in page


def test_the_cadre_list_carries_the_entry_records_for_those_who_may_read_them(
    client: Client, county: County, personas: Personas, make_cadre: Any
) -> None:
    a, b, _c = cadres(county, make_cadre)
    entry_set(actor=personas.case_officer, cadre=a, method="examination",
              entered_on=dt.date(2008, 8, 1), document="青人〔2008〕3号")  # fmt: skip
    client.force_login(personas.case_officer)
    rows = rows_of(client.get(reverse("exchange:xlsx_cadres")))
    assert rows[0] == cadre_list_headers(entry=True)
    assert rows[0][-4:] == ["进人方式", "进入时间", "进人文件文号", "进人方式说明"]
    by_name = {r[1]: r for r in rows[1:]}
    assert by_name["王建国"][-4:-2] == ["考试录用", dt.datetime(2008, 8, 1)]
    assert by_name["王建国"][-2] == "青人〔2008〕3号" and by_name["王建国"][-1] is None
    assert by_name["李秀英"][-4:] == [None, None, None, None]  # no record: blank cells
    event = Event.objects.filter(event_type=EventType.DATA_EXPORTED).latest("pk")
    assert event.payload["entry_records"] is True

    # The unit HR contact may not read the entry records: the sixteen columns only.
    client.force_login(personas.other_unit_hr)
    rows = rows_of(client.get(reverse("exchange:xlsx_cadres")))
    assert rows[0] == cadre_list_headers() and len(rows[0]) == 16
    assert all(len(r) == 16 for r in rows)
    event = Event.objects.filter(event_type=EventType.DATA_EXPORTED).latest("pk")
    assert event.payload["entry_records"] is False
    assert b.pk
