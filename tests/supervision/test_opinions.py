"""征询意见 rounds (issue 14, docs/decisions/0130): the tally from
hand-computed figures, the reply → opinion → assign → answer transitions and
their refusals, 待办, permissions and scope, the XLSX upload's attacks, the
pages, the export, the API and query counts."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from tests.conftest import make_user
from tests.supervision.conftest import TODAY
from xuanren.access.models import Role
from xuanren.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from xuanren.common.uploads import UploadRefused, UploadTooLarge
from xuanren.journal.models import Event, EventType
from xuanren.procedure.todo import todo_for
from xuanren.supervision.models_opinion import (
    Opinion,
    OpinionRecipient,
    OpinionRound,
    OpinionStatus,
)
from xuanren.supervision.opinion_selectors import (
    open_opinions_for,
    opinion_round_get,
    opinion_rounds,
    round_tally,
    tally_of,
)
from xuanren.supervision.opinion_services import (
    RecipientIn,
    opinion_add,
    opinion_answer,
    opinion_assign,
    opinion_recipients_add,
    opinion_recipients_import,
    opinion_reply_record,
    opinion_round_create,
)

ISSUED = dt.date(2026, 6, 1)


# ---- the tally, by hand ---------------------------------------------------------------


def test_tally_hand_computed() -> None:
    # 217 of 300 returned: 72.333…% → 72.3%; 15 opinions: 6 → 40.0%, 4 → 26.666…% → 26.7%
    t = tally_of(300, 217, {"selection": 6, "voting": 4, "supervision": 3, "other": 2}, 9)
    assert (t.issued, t.returned, t.not_returned, t.opinions) == (300, 217, 83, 15)
    assert t.return_rate.percent == "72.3%"
    shares = {c.code: (c.count, c.share.percent) for c in t.categories}
    assert shares["selection"] == (6, "40.0%")
    assert shares["voting"] == (4, "26.7%")
    assert shares["supervision"] == (3, "20.0%")
    assert shares["other"] == (2, "13.3%")
    assert shares["conduct"] == (0, "0.0%")  # every category shown, zero included
    assert (t.answered, t.unanswered, t.answer_rate.percent) == (9, 6, "60.0%")
    # the seed's figure: 150 opinions from 3,277 letters (all counted as returned here)
    assert tally_of(3277, 3277, {"selection": 150}, 150).return_rate.percent == "100.0%"


def test_tally_edges_zero_returned_and_nothing_issued() -> None:
    none_back = tally_of(126, 0, {}, 0)
    assert none_back.return_rate.percent == "0.0%"
    assert none_back.opinions == 0 and none_back.answer_rate.percent == "—"
    assert all(c.share.percent == "—" for c in none_back.categories)
    empty = tally_of(0, 0, {}, 0)
    assert empty.return_rate.percent == "—" and empty.not_returned == 0
    # half up: 1 of 8 = 12.5% exactly; 1 of 3 = 33.333…% → 33.3%; 2 of 3 → 66.7%
    assert tally_of(8, 1, {}, 0).return_rate.percent == "12.5%"
    assert tally_of(3, 1, {}, 0).return_rate.percent == "33.3%"
    assert tally_of(3, 2, {}, 0).return_rate.percent == "66.7%"


# ---- fixtures ---------------------------------------------------------------------------


def _round(actor: Any, unit: Any, **kw: Any) -> OpinionRound:
    data: dict[str, Any] = {
        "title": "2026年上半年征询意见",
        "period_start": dt.date(2026, 1, 1),
        "period_end": dt.date(2026, 6, 30),
        "issued_on": ISSUED,
        "reply_deadline": dt.date(2026, 6, 30),
    }
    data.update(kw)
    return opinion_round_create(actor=actor, unit=unit, **data)


@pytest.fixture
def round_(personas: Any, county: Any) -> OpinionRound:
    r = _round(personas.case_officer, county.root)
    opinion_recipients_add(
        actor=personas.case_officer,
        round=r,
        people=[
            RecipientIn("李明", "城关镇", "13800000001"),
            RecipientIn("王芳", "县财政局", ""),
            RecipientIn("赵强", "石桥镇", ""),
        ],
    )
    return r


def _recipient(round_: OpinionRound, name: str) -> OpinionRecipient:
    return OpinionRecipient.objects.get(round=round_, name=name)


@pytest.fixture
def opinion(personas: Any, round_: OpinionRound) -> Opinion:
    who = _recipient(round_, "李明")
    opinion_reply_record(
        actor=personas.case_officer, recipient=who, returned_on=dt.date(2026, 6, 20)
    )
    return opinion_add(
        actor=personas.case_officer,
        recipient=who,
        text="建议任免人选提交常委会前书面征求纪委监委意见。",
        category="selection",
    )


# ---- transitions ----------------------------------------------------------------------------


def test_reply_opinion_assign_answer_and_todo(
    personas: Any, county: Any, round_: OpinionRound, opinion: Opinion
) -> None:
    officer, jiwei = personas.case_officer, personas.discipline
    t = round_tally(actor=officer, round=round_)
    assert (t.issued, t.returned, t.opinions, t.return_rate.percent) == (3, 1, 1, "33.3%")
    assert opinion.status == OpinionStatus.OPEN
    due = TODAY + dt.timedelta(days=10)
    opinion_assign(actor=officer, opinion=opinion, assignee=jiwei, answer_due=due)
    opinion.refresh_from_db()
    assert (opinion.status, opinion.assignee, opinion.answer_due) == ("assigned", jiwei, due)
    items = [i for i in todo_for(actor=jiwei) if i.kind == "opinion_due"]
    assert len(items) == 1 and items[0].due == due
    assert items[0].link == reverse("supervision:opinion", args=[opinion.pk])
    assert not [i for i in todo_for(actor=officer) if i.kind == "opinion_due"]
    opinion_answer(actor=jiwei, opinion=opinion, answer="已建立任前书面征求纪委意见制度。")
    opinion.refresh_from_db()
    assert opinion.status == "answered" and opinion.answered_on == TODAY
    assert opinion.answered_by == jiwei
    assert not [i for i in todo_for(actor=jiwei) if i.kind == "opinion_due"]
    t = round_tally(actor=officer, round=round_)
    assert (t.answered, t.unanswered) == (1, 0)
    kinds = list(
        Event.objects.filter(event_type__startswith="supervision.opinion")
        .order_by("pk")
        .values_list("event_type", flat=True)
    )
    assert kinds == [
        EventType.OPINION_ROUND_CREATED,
        EventType.OPINION_RECIPIENTS_ADDED,
        EventType.OPINION_REPLY_RECORDED,
        EventType.OPINION_RECORDED,
        EventType.OPINION_ASSIGNED,
        EventType.OPINION_ANSWERED,
    ]
    with pytest.raises(Conflict):
        opinion_answer(actor=officer, opinion=opinion, answer="再答复")
    with pytest.raises(Conflict):
        opinion_assign(actor=officer, opinion=opinion, assignee=officer, answer_due=due)


def test_refusals_change_nothing(personas: Any, county: Any, round_: OpinionRound) -> None:
    officer = personas.case_officer
    who = _recipient(round_, "王芳")
    before = Event.objects.count()
    with pytest.raises(Conflict):  # no reply recorded yet
        opinion_add(actor=officer, recipient=who, text="意见", category="selection")
    with pytest.raises(ValidationFailed):  # before the letters went out
        opinion_reply_record(actor=officer, recipient=who, returned_on=ISSUED - dt.timedelta(1))
    with pytest.raises(ValidationFailed):  # in the future
        opinion_reply_record(actor=officer, recipient=who, returned_on=TODAY + dt.timedelta(1))
    opinion_reply_record(actor=officer, recipient=who, returned_on=ISSUED)  # the same day is fine
    with pytest.raises(ValidationFailed) as exc:
        opinion_add(actor=officer, recipient=who, text=" ", category="nonsense")
    assert {e.field for e in exc.value.errors} == {"text", "category"}
    with pytest.raises(ValidationFailed):
        opinion_add(actor=officer, recipient=who, text="长" * 2001, category="other")
    with pytest.raises(ValidationFailed):  # the same person twice
        opinion_recipients_add(
            actor=officer, round=round_, people=[RecipientIn("王芳", "县财政局")]
        )
    with pytest.raises(ValidationFailed):  # formula-like text
        opinion_recipients_add(actor=officer, round=round_, people=[RecipientIn("=1+1", "x")])
    with pytest.raises(ValidationFailed):
        _round(officer, county.root, reply_deadline=ISSUED - dt.timedelta(1))
    with pytest.raises(ValidationFailed):
        _round(officer, county.root, issued_on=TODAY + dt.timedelta(1))
    assert Event.objects.count() == before + 1  # only the accepted reply
    assert not Opinion.objects.exists() and OpinionRecipient.objects.count() == 3
    made = opinion_add(actor=officer, recipient=who, text="意见", category="other")
    with pytest.raises(Conflict):  # opinions recorded: cannot be unmarked
        opinion_reply_record(actor=officer, recipient=who, returned_on=None)
    town_officer = make_user("town_officer", Role.CASE_OFFICER, county.other_town)
    with pytest.raises(ValidationFailed):  # out of the round's unit
        opinion_assign(actor=officer, opinion=made, assignee=town_officer, answer_due=TODAY)
    with pytest.raises(ValidationFailed):  # in the past
        opinion_assign(
            actor=officer, opinion=made, assignee=officer, answer_due=TODAY - dt.timedelta(1)
        )
    made.refresh_from_db()
    assert made.assignee is None and made.status == "open"


def test_assignee_scope_follows_the_unit_concerned(
    personas: Any, county: Any, round_: OpinionRound
) -> None:
    officer = personas.case_officer
    who = _recipient(round_, "赵强")
    opinion_reply_record(actor=officer, recipient=who, returned_on=TODAY)
    made = opinion_add(
        actor=officer, recipient=who, text="石桥镇班子配备", category="team",
        concerning_unit=county.other_town,
    )  # fmt: skip
    town_hr = make_user("town_hr", Role.UNIT_HR, county.other_town)
    opinion_assign(actor=officer, opinion=made, assignee=town_hr, answer_due=TODAY)
    # the HR contact answers their own opinion without any supervision permission
    assert [o.pk for o in open_opinions_for(actor=town_hr)] == [made.pk]
    opinion_answer(actor=town_hr, opinion=made, answer="已按职数配齐。")
    made.refresh_from_db()
    assert made.status == "answered"


# ---- permissions -------------------------------------------------------------------------------


def test_permissions_and_scope(personas: Any, county: Any, opinion: Opinion) -> None:
    round_ = opinion.recipient.round
    jiwei, outsider = personas.discipline, personas.outsider
    with pytest.raises(PermissionDenied):
        _round(jiwei, county.root)
    with pytest.raises(PermissionDenied):
        _round(outsider, county.root)
    town_officer = make_user("town_officer", Role.CASE_OFFICER, county.other_town)
    with pytest.raises(NotFound):
        _round(town_officer, county.root)
    assert opinion_round_get(actor=jiwei, pk=round_.pk) == round_
    with pytest.raises(NotFound):
        opinion_round_get(actor=town_officer, pk=round_.pk)
    with pytest.raises(PermissionDenied):
        opinion_recipients_add(actor=jiwei, round=round_, people=[RecipientIn("新人")])
    with pytest.raises(NotFound):
        opinion_recipients_add(actor=town_officer, round=round_, people=[RecipientIn("新人")])
    with pytest.raises(PermissionDenied):
        opinion_answer(actor=jiwei, opinion=opinion, answer="x")
    with pytest.raises(NotFound):
        opinion_answer(actor=town_officer, opinion=opinion, answer="x")
    with pytest.raises(PermissionDenied):
        opinion_assign(actor=jiwei, opinion=opinion, assignee=jiwei, answer_due=TODAY)
    opinion.refresh_from_db()
    assert opinion.status == "open" and not opinion.answer
    assert OpinionRecipient.objects.filter(round=round_).count() == 3
    assert OpinionRound.objects.count() == 1


# ---- the XLSX upload ----------------------------------------------------------------------------


def _workbook(rows: list[list[Any]], sheet: str = "党代表") -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_xlsx_import(personas: Any, round_: OpinionRound) -> None:
    data = _workbook(
        [["姓名", "单位", "联系方式"], ["孙丽", "县教育局", 13900000002], [None, None, None],
         ["周杰", "城关镇", ""]]
    )  # fmt: skip
    added = opinion_recipients_import(actor=personas.case_officer, round=round_, content=data)
    assert [(r.name, r.unit_name, r.contact) for r in added] == [
        ("孙丽", "县教育局", "13900000002"),
        ("周杰", "城关镇", ""),
    ]
    event = Event.objects.filter(event_type=EventType.OPINION_RECIPIENTS_ADDED).last()
    assert event is not None and event.payload == {"count": 2, "source": "xlsx"}


def test_xlsx_import_attacks(
    personas: Any, county: Any, round_: OpinionRound, settings: Any
) -> None:
    officer = personas.case_officer
    # no permission: refused before the content is looked at
    with pytest.raises(PermissionDenied):
        opinion_recipients_import(actor=personas.discipline, round=round_, content=b"junk")
    town_officer = make_user("town_officer", Role.CASE_OFFICER, county.other_town)
    with pytest.raises(NotFound):
        opinion_recipients_import(actor=town_officer, round=round_, content=b"junk")
    with pytest.raises(UploadRefused):  # not a ZIP
        opinion_recipients_import(actor=officer, round=round_, content=b"name,unit\n")
    with pytest.raises(UploadRefused):  # empty
        opinion_recipients_import(actor=officer, round=round_, content=b"")
    with pytest.raises(ValidationFailed, match="党代表"):  # no such sheet
        opinion_recipients_import(
            actor=officer, round=round_, content=_workbook([["姓名"], ["甲"]], sheet="Sheet1")
        )
    with pytest.raises(ValidationFailed, match="姓名"):  # no name column
        opinion_recipients_import(actor=officer, round=round_, content=_workbook([["单位"], ["x"]]))
    with pytest.raises(ValidationFailed):  # a formula-like name
        opinion_recipients_import(
            actor=officer, round=round_, content=_workbook([["姓名"], ["=HYPERLINK(1)"]])
        )
    with pytest.raises(ValidationFailed):  # an over-long name
        opinion_recipients_import(
            actor=officer, round=round_, content=_workbook([["姓名"], ["长" * 51]])
        )
    settings.XUANREN_XLSX_MAX_ROWS = 3
    with pytest.raises(UploadRefused):  # more rows than the limit
        opinion_recipients_import(
            actor=officer,
            round=round_,
            content=_workbook([["姓名"], *[[f"人{i}"] for i in range(5)]]),
        )
    data = _workbook([["姓名"], ["甲"]])
    settings.XUANREN_XLSX_MAX_UPLOAD_BYTES = len(data) - 1
    with pytest.raises(UploadTooLarge):
        opinion_recipients_import(actor=officer, round=round_, content=data)
    assert OpinionRecipient.objects.filter(round=round_).count() == 3


# ---- pages ------------------------------------------------------------------------------------


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_pages_officer(personas: Any, county: Any, opinion: Opinion) -> None:
    officer = _client(personas.case_officer)
    round_ = opinion.recipient.round
    listing = officer.get(reverse("supervision:opinion_rounds"))
    assert listing.status_code == 200 and round_.title in listing.content.decode()
    made = officer.post(
        reverse("supervision:opinion_rounds"),
        {"title": "2026年下半年征询意见", "unit": county.root.pk, "period_start": "2026-07-01",
         "period_end": "2026-12-31", "issued_on": "2026-11-02", "reply_deadline": "2026-12-15"},
    )  # fmt: skip
    assert made.status_code == 302
    new = OpinionRound.objects.get(title="2026年下半年征询意见")
    url = reverse("supervision:opinion_round", args=[new.pk])
    assert (
        officer.post(
            url, {"action": "recipient", "name": "钱进", "unit_name": "县委办"}
        ).status_code
        == 302
    )
    who = OpinionRecipient.objects.get(round=new)
    assert (
        officer.post(
            url, {"action": "reply", "recipient": who.pk, "returned_on": "2026-11-20"}
        ).status_code
        == 302
    )
    done = officer.post(
        url,
        {
            "action": "opinion",
            "recipient": who.pk,
            "category": "voting",
            "text": "票决前充分酝酿。",
        },
    )
    assert done.status_code == 302
    page = officer.get(url).content.decode()
    assert "票决前充分酝酿" in page and "100.0%" in page and "票决任免" in page
    upload = io.BytesIO(_workbook([["姓名", "单位"], ["孙丽", "县教育局"]]))
    upload.name = "党代表.xlsx"
    assert officer.post(url, {"action": "import", "workbook": upload}).status_code == 302
    assert OpinionRecipient.objects.filter(round=new).count() == 2
    bad = io.BytesIO(b"not a workbook")
    bad.name = "x.xlsx"
    assert officer.post(url, {"action": "import", "workbook": bad}).status_code == 422
    printed = officer.get(reverse("supervision:opinion_round_print", args=[new.pk]))
    assert printed.status_code == 200 and "统计表" in printed.content.decode()
    exported = officer.get(reverse("supervision:opinion_round_xlsx", args=[new.pk]))
    assert exported.status_code == 200
    book = load_workbook(io.BytesIO(exported.content))
    assert book.sheetnames == ["汇总", "意见分类", "征询对象", "意见"]
    summary = [list(r) for r in book["汇总"].iter_rows(values_only=True)]
    assert ["发出征询意见书（份）", 2] in summary and ["回收率", "50.0%"] in summary
    opinion_url = reverse("supervision:opinion", args=[opinion.pk])
    assigned = officer.post(
        opinion_url,
        {"action": "assign", "assignee": personas.discipline.pk, "answer_due": "2026-12-01"},
    )
    assert assigned.status_code == 302
    answered = _client(personas.discipline).post(
        opinion_url, {"action": "answer", "answer": "已落实。"}
    )
    assert answered.status_code == 302
    opinion.refresh_from_db()
    assert opinion.status == "answered"


def test_pages_readers_and_refusals(personas: Any, county: Any, opinion: Opinion) -> None:
    round_ = opinion.recipient.round
    url = reverse("supervision:opinion_round", args=[round_.pk])
    jiwei = _client(personas.discipline)
    page = jiwei.get(url)
    assert page.status_code == 200 and "登记意见" not in page.content.decode()
    assert jiwei.get(reverse("supervision:opinion_round_xlsx", args=[round_.pk])).status_code == 200
    refused = jiwei.post(url, {"action": "recipient", "name": "混入"})
    assert refused.status_code == 403
    assert jiwei.post(reverse("supervision:opinion_rounds"), {"title": "x"}).status_code == 403
    town = _client(make_user("town_officer", Role.CASE_OFFICER, county.other_town))
    assert town.get(url).status_code == 404
    assert town.post(url, {"action": "recipient", "name": "混入"}).status_code == 404
    assert town.get(reverse("supervision:opinion", args=[opinion.pk])).status_code == 404
    assert town.get(reverse("supervision:opinion_round_xlsx", args=[round_.pk])).status_code == 404
    outsider = _client(personas.outsider)
    assert outsider.get(reverse("supervision:opinion_rounds")).status_code == 403
    assert outsider.get(url).status_code == 403
    assert OpinionRecipient.objects.filter(round=round_).count() == 3


# ---- API -------------------------------------------------------------------------------------


def test_api(personas: Any, county: Any) -> None:
    officer = _client(personas.case_officer)
    made = officer.post(
        "/api/v1/opinion-rounds",
        {"title": "2026年上半年征询意见", "unit": county.root.pk, "period_start": "2026-01-01",
         "period_end": "2026-06-30", "issued_on": "2026-06-01", "reply_deadline": "2026-06-30"},
        content_type="application/json",
    )  # fmt: skip
    assert made.status_code == 201, made.content
    rid = made.json()["id"]
    people = officer.post(
        f"/api/v1/opinion-rounds/{rid}/recipients",
        {"people": [{"name": f"代表{i}", "unit_name": "城关镇"} for i in range(4)]},
        content_type="application/json",
    )
    assert people.status_code == 201 and len(people.json()) == 4
    first = people.json()[0]["id"]
    assert officer.post(
        f"/api/v1/opinion-rounds/{rid}/recipients/{first}/reply",
        {"returned_on": "2026-06-10"}, content_type="application/json",
    ).status_code == 200  # fmt: skip
    item = officer.post(
        f"/api/v1/opinion-rounds/{rid}/recipients/{first}/opinions",
        {"text": "公示期间受理渠道应更明确。", "category": "supervision"},
        content_type="application/json",
    )
    assert item.status_code == 201 and item.json()["status_label"] == "待分派"
    detail = officer.get(f"/api/v1/opinion-rounds/{rid}").json()
    assert detail["tally"]["issued"] == 4 and detail["tally"]["return_rate"] == "25.0%"
    supervision = next(c for c in detail["tally"]["categories"] if c["category"] == "supervision")
    assert supervision == {
        "category": "supervision",
        "label": "干部监督",
        "count": 1,
        "share": "100.0%",
    }
    oid = item.json()["id"]
    assigned = officer.post(
        f"/api/v1/opinions/{oid}/assign",
        {"assignee": personas.discipline.pk, "answer_due": "2026-12-10"},
        content_type="application/json",
    )
    assert assigned.status_code == 200 and assigned.json()["status"] == "assigned"
    jiwei = _client(personas.discipline)
    answered = jiwei.post(
        f"/api/v1/opinions/{oid}/answer",
        {"answer": "已在公示中列明。"},
        content_type="application/json",
    )
    assert answered.status_code == 200 and answered.json()["answered_on"] == TODAY.isoformat()
    # refusals: an over-long title (422), out of scope (404), a reader's write (403), no role (403)
    long = officer.post(
        "/api/v1/opinion-rounds",
        {"title": "长" * 101, "unit": county.root.pk, "period_start": "2026-01-01",
         "period_end": "2026-06-30", "issued_on": "2026-06-01", "reply_deadline": "2026-06-30"},
        content_type="application/json",
    )  # fmt: skip
    assert long.status_code == 422
    town = _client(make_user("town_officer", Role.CASE_OFFICER, county.other_town))
    assert town.get(f"/api/v1/opinion-rounds/{rid}").status_code == 404
    assert jiwei.post(
        f"/api/v1/opinion-rounds/{rid}/recipients", {"people": [{"name": "x"}]},
        content_type="application/json",
    ).status_code == 403  # fmt: skip
    assert _client(personas.outsider).get("/api/v1/opinion-rounds").status_code == 403
    assert OpinionRound.objects.count() == 1 and OpinionRecipient.objects.count() == 4
    # the XLSX upload: accepted, then a file that is not a workbook, then a reader's (403)
    url = f"/api/v1/opinion-rounds/{rid}/recipients.xlsx"
    book = io.BytesIO(_workbook([["姓名", "单位"], ["孙丽", "县教育局"]]))
    book.name = "党代表.xlsx"
    imported = officer.post(url, {"file": book})
    assert imported.status_code == 201 and imported.json()[0]["name"] == "孙丽"
    junk = io.BytesIO(b"PK\x03\x04 not really")
    junk.name = "x.xlsx"
    refused = officer.post(url, {"file": junk})
    assert refused.status_code == 422 and refused.json()["code"] == "upload_refused"
    book.seek(0)
    assert jiwei.post(url, {"file": book}).status_code == 403
    assert OpinionRecipient.objects.count() == 5


# ---- query counts -------------------------------------------------------------------------------


def test_query_counts(personas: Any, county: Any, round_: OpinionRound) -> None:
    officer = personas.case_officer
    people = [RecipientIn(f"代表{i}", "城关镇") for i in range(50)]
    opinion_recipients_add(actor=officer, round=round_, people=people)
    for who in OpinionRecipient.objects.filter(round=round_)[:10]:
        opinion_reply_record(actor=officer, recipient=who, returned_on=TODAY)
        opinion_add(actor=officer, recipient=who, text="意见", category="selection")
    officer = type(officer).objects.get(pk=officer.pk)
    with CaptureQueriesContext(connection) as ctx:
        found = opinion_round_get(actor=officer, pk=round_.pk)
        tally = round_tally(actor=officer, round=found)
    assert (tally.issued, tally.returned, tally.opinions) == (53, 10, 10)
    # permissions (user's, groups'), scope, the round with its counts, two for the tally:
    # whatever the number of representatives and opinions
    assert len(ctx.captured_queries) == 6
    with CaptureQueriesContext(connection) as ctx:
        rounds = list(opinion_rounds(actor=officer))
    assert len(rounds) == 1 and len(ctx.captured_queries) == 1
    back = OpinionRecipient.objects.filter(round=round_, returned_on__isnull=False).first()
    assert back is not None
    with CaptureQueriesContext(connection) as ctx:
        opinion_add(actor=officer, recipient=back, text="再一条", category="other")
    # the recipient and the round locked, the insert, the journal (head, event, hash,
    # head update) and four savepoint statements: the same for any round's size
    assert len(ctx.captured_queries) == 11
