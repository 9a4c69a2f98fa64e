"""The demo's ballots: the public-notice case's decision was taken at a
closed electronic decision meeting, and a township's recommendation meeting
is open, the demo participant on its roster, with codes to vote from a phone."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client, override_settings

from tests.shared_db import built_once
from xuanren.ballots.models import (
    Ballot,
    BallotMethod,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Receipt,
)
from xuanren.ballots.selectors import meeting_progress, meeting_result
from xuanren.ballots.services import ballot_cast, find_voter, meeting_close
from xuanren.common.errors import Conflict, NotFound
from xuanren.journal.models import Event, EventType
from xuanren.journal.services import journal_verify
from xuanren.procedure.models import CandidateStatus, Case
from xuanren.procedure.selectors import case_record
from xuanren.synth.cases import (
    build_demo_cases,
    demo_count_key,
    demo_decision_meeting,
    demo_recommendation_meeting,
)
from xuanren.synth.demo import DEMO_CODES, demo_users, lan_address, voting_demo_lines
from xuanren.synth.loader import seed

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 11, 27)


MD5_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"


@pytest.fixture(autouse=True)
def fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = [MD5_HASHER]


@pytest.fixture(autouse=True)
def fresh_cache() -> Any:
    cache.clear()  # the online report counts against a rate limit
    yield
    cache.clear()


@pytest.fixture(scope="class")
def demo_built(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[dict[str, int], Path]]:
    """The demo county (seeded, its accounts, its cases) built once for the
    class's tests (tests.shared_db.built_once), and the var folder the demo
    kept its count passphrases in: each stage's case id and that folder."""
    var_dir = tmp_path_factory.mktemp("demo_var")
    with built_once(django_db_blocker):
        with (
            django_db_blocker.unblock(),
            override_settings(PASSWORD_HASHERS=[MD5_HASHER], VAR_DIR=var_dir),
            pytest.MonkeyPatch.context() as monkeypatch,
        ):
            cache.clear()
            root = seed(cadres=1500, units=60, seed=7, as_of=ON).root
            monkeypatch.setattr("xuanren.synth.demo.build_demo_cases", lambda **kwargs: [])
            demo_users()
            admin = User.objects.get(username="admin")
            # With the generated history: its 回头看 is tested below (decision 0133).
            built = build_demo_cases(admin=admin, county_root=root, on=ON)
            stages = {d.stage: d.case.pk for d in built}
            cache.clear()
        yield stages, var_dir


@pytest.fixture
def built(demo_built: tuple[dict[str, int], Path], settings: Any, tmp_path: Path) -> dict[str, Any]:
    """Each stage's case, read afresh; the test's own copy of the var folder."""
    stages, var_dir = demo_built
    settings.VAR_DIR = tmp_path / "var"
    shutil.copytree(var_dir, settings.VAR_DIR)
    return {stage: Case.objects.get(pk=pk) for stage, pk in stages.items()}


def codes_of(lines: list[str]) -> list[str]:
    (line,) = [line for line in lines if "投票码投票" in line]
    return line.split("：", 1)[1].split()


class TestTheBuiltDemo:
    """The demo county and its cases, built once for these tests (the class
    fixture `demo_built`); each test runs in a savepoint of its own, rolled back
    after it, so each sees the demo as built."""

    def test_the_decision_was_taken_at_a_closed_electronic_meeting(
        self, built: dict[str, Any]
    ) -> None:
        case = built["public_notice"]
        officer = User.objects.get(username="officer")
        (meeting,) = Meeting.objects.filter(case=case)
        assert (meeting.kind, meeting.method, meeting.status) == (
            MeetingKind.DECISION,
            BallotMethod.ELECTRONIC,
            MeetingStatus.CLOSED,
        )
        assert meeting.meeting_date == ON - dt.timedelta(days=2)
        assert len(meeting.ballot_digest) == 64
        # Everyone present voted; the last member of the committee was absent.
        snap = meeting.snapshot
        assert snap["entitled"] == 11 and snap["present"] == snap["voted"] == 10
        assert Ballot.objects.filter(meeting=meeting).count() == 10 == len(meeting.receipts)

        record = case_record(actor=officer, pk=case.pk)
        (decision,) = [s for s in record.steps if s.step == "decision"]
        assert meeting.applied_step_id == decision.pk
        assert decision.data["method"] == "electronic"
        assert decision.data["ballot_meeting"] == meeting.pk
        assert decision.data["ballot_digest"] == meeting.ballot_digest
        assert decision.data["meeting_date"] == meeting.meeting_date.isoformat()

        # The first candidate passed, the second did not; the notice is running.
        outcomes = [c["outcome"] for c in meeting.result["decision"]["candidates"]]
        assert outcomes == ["passed", "rejected"]
        statuses = set(case.candidates.values_list("status", flat=True))
        assert CandidateStatus.REJECTED in statuses
        assert case.current_step == "public_notice"
        assert Event.objects.filter(event_type=EventType.RESULT_APPLIED).count() == 1

        # The result sheet and the case's 纪实 page show it to the officer.
        client = Client()
        client.force_login(officer)
        page = client.get(f"/ballots/{meeting.pk}/result/")
        assert page.status_code == 200
        assert meeting.ballot_digest in page.content.decode()
        assert meeting.ballot_digest in client.get(f"/cases/{case.pk}/record/").content.decode()

        # Of the other cases only the one at its decision step has a meeting,
        # voting today (docs/decisions/0053).
        others = Meeting.objects.exclude(case=None).exclude(case=case)
        assert [(m.case, m.status) for m in others] == [(built["decision"], MeetingStatus.OPEN)]
        assert journal_verify().ok

    def test_an_open_recommendation_meeting_for_the_participant(
        self, built: dict[str, Any]
    ) -> None:
        participant = User.objects.get(username="participant")
        officer = User.objects.get(username="officer")
        meeting = demo_recommendation_meeting()
        assert meeting is not None
        assert (meeting.kind, meeting.status, meeting.case) == (
            MeetingKind.RECOMMENDATION,
            MeetingStatus.OPEN,
            None,
        )
        assert meeting.unit == participant.scope.unit
        mine = meeting.voters.get(user=participant)
        assert mine.code_hash == ""  # votes with their own login
        others = meeting.voters.exclude(pk=mine.pk)
        assert others.count() >= 5 and not others.filter(code_hash="").exists()
        assert meeting.items.count() >= 2

        lines = voting_demo_lines("http://127.0.0.1:8000/")
        assert f"http://127.0.0.1:8000/ballots/{meeting.pk}/vote/" in lines[0]
        codes = codes_of(lines)
        assert len(codes) == DEMO_CODES == len(set(codes))
        voters = [find_voter(meeting=meeting, code=c, actor=None) for c in codes]
        assert len({v.pk for v in voters}) == DEMO_CODES and all(v.user is None for v in voters)

        # The participant votes with their own login, on the page.
        client = Client()
        client.force_login(participant)
        url = f"/ballots/{meeting.pk}/vote/"
        page = client.get(url)
        assert page.status_code == 200 and meeting.title in page.content.decode()
        item = meeting.items.order_by("order").first()
        assert item is not None and item.name in page.content.decode()
        content = json.dumps({"marks": {str(item.pk): "chosen"}, "write_ins": {}})
        done = client.post(url, {"confirm": "1", "content_json": content})
        assert done.status_code == 200
        assert "ballots/receipt.html" in [t.name for t in done.templates]
        assert meeting.participations.filter(voter__user=participant).exists()
        # A printed code opens the ballot without login (posted once, then kept
        # in the session) and works once.
        anonymous = Client()
        anonymous.post(url, {"action": "code", "code": codes[0]})
        assert item.name in anonymous.get(url).content.decode()
        # The printed link carries the code after "#", never in the query.
        assert f"{url}#code={codes[0]}" in "\n".join(lines) and "?code=" not in "\n".join(lines)
        ballot_cast(actor=AnonymousUser(), meeting=meeting, content={"marks": {}}, code=codes[0])
        with pytest.raises(Conflict):
            ballot_cast(
                actor=AnonymousUser(), meeting=meeting, content={"marks": {}}, code=codes[0]
            )
        with pytest.raises(NotFound):
            ballot_cast(
                actor=AnonymousUser(), meeting=meeting, content={"marks": {}}, code="AAAAA-AAAAA"
            )

        # Open: progress only, nothing of what was voted.
        progress = meeting_progress(actor=officer, meeting=meeting)
        assert (progress.voted, progress.status) == (2, MeetingStatus.OPEN)
        with pytest.raises(Conflict):
            meeting_result(actor=officer, meeting=meeting)
        meeting.refresh_from_db()
        assert meeting.result == {} and meeting.published_ballots == [] and meeting.receipts == []
        assert meeting.ballot_digest == ""
        officer_client = Client()
        officer_client.force_login(officer)
        assert officer_client.get(f"/ballots/{meeting.pk}/result/").status_code == 409
        # The demo's casts are journalled as receipts with MACs, not chained events.
        assert not Event.objects.filter(event_type=EventType.BALLOT_CAST).exists()
        assert not Receipt.objects.filter(meeting=meeting, mac="").exists()
        # The count passphrase is printed for the demo, and counts the demo vote.
        (key_line, _decision_key) = [line for line in lines if "计票密码" in line]
        halves = re.findall(r"[A-Z2-9]{5}-[A-Z2-9]{5}", key_line)
        closed = meeting_close(actor=officer, meeting=meeting, passphrase="".join(halves))
        assert closed.result["cast"] == 2

        assert journal_verify().ok

    def test_the_member_has_an_open_decision_ballot_on_their_own_login(
        self,
        built: dict[str, Any],
    ) -> None:
        """docs/decisions/0053: the competitive case's decision meeting is voting,
        the demo `member` is on its roster with their login, present, not voted."""
        from xuanren.ballots.selectors import open_ballots_for

        member = User.objects.get(username="member")
        meeting = demo_decision_meeting()
        assert meeting is not None and meeting.case == built["decision"]
        assert meeting.status == MeetingStatus.OPEN and meeting.meeting_date == ON
        # The county recommendation meeting (role_tasks) is open for them too.
        (ballot,) = [b for b in open_ballots_for(member) if b.meeting == meeting]
        assert ballot.present
        officer = User.objects.get(username="officer")
        progress = meeting_progress(actor=officer, meeting=meeting)
        assert progress.voted == 3 and progress.entitled == 11
        client = Client()
        client.force_login(member)
        page = client.get(f"/ballots/{meeting.pk}/vote/").content.decode()
        assert "您正以本人账号投票" in page
        items = list(meeting.items.order_by("section__order", "order"))
        ballot_cast(actor=member, meeting=meeting, content={"marks": {str(items[0].pk): "agree"}})
        halves = demo_count_key(meeting)
        assert halves is not None
        closed = meeting_close(actor=officer, meeting=meeting, passphrase="".join(halves))
        assert closed.result["cast"] == 4
        assert journal_verify().ok

    def test_each_demo_run_prints_fresh_codes(self, built: dict[str, Any]) -> None:
        """The next run prints fresh codes: those printed before stop working."""
        meeting = demo_recommendation_meeting()
        assert meeting is not None
        codes = codes_of(voting_demo_lines("http://127.0.0.1:8000/"))
        again = codes_of(voting_demo_lines("http://127.0.0.1:8000/"))
        assert not set(again) & set(codes)
        with pytest.raises(NotFound):
            find_voter(meeting=meeting, code=codes[1], actor=None)
        assert find_voter(meeting=meeting, code=again[0], actor=None).user is None

    @pytest.mark.parametrize("years_ago", [1, 7, 13])
    def test_a_lookback_over_a_past_year_finds_each_flaw_once(
        self, built: dict[str, Any], years_ago: int
    ) -> None:
        """The history's procedures are complete and its appointees qualified:
        a 回头看 over a past year finds the year's few deliberate flaws, one
        of each kind, each with its rectification task (decision 0133)."""
        from xuanren.supervision.lookback_services import lookback_run_create
        from xuanren.supervision.models import LookbackKind, RectificationTask
        from xuanren.synth.history import NUMBER_PREFIX

        officer = User.objects.get(username="officer")
        county = Case.objects.filter(number__startswith=NUMBER_PREFIX).first().unit
        year = ON.year - years_ago
        run = lookback_run_create(
            actor=officer,
            name=f"{year}年回头看",
            unit=county,
            start=dt.date(year, 1, 1),
            end=dt.date(year, 12, 31),
        )
        findings = list(run.findings.all())
        assert run.appointments > 150
        assert sorted(f.kind for f in findings) == sorted(LookbackKind.values)
        assert all(f.as_of.year == year for f in findings)
        tasks = RectificationTask.objects.filter(finding__run=run)
        assert sorted(tasks.values_list("finding_id", flat=True)) == sorted(f.pk for f in findings)


def test_the_demo_command_prints_where_to_vote(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.conf import settings

    # The command lets the printed address in; keep that from leaking to other tests.
    monkeypatch.setattr(settings, "ALLOWED_HOSTS", list(settings.ALLOWED_HOSTS))
    out = StringIO()
    call_command(
        "demo", "--no-serve", "--cadres", "1500", "--port", "8123", "--host", "0.0.0.0", stdout=out
    )
    text = out.getvalue()
    meeting = demo_recommendation_meeting()
    assert meeting is not None
    # Listening on every address, it prints the one a phone on the same network opens,
    # and lets requests for it in.
    lan = lan_address()
    assert lan in settings.ALLOWED_HOSTS
    assert f"投票演示：{meeting.title}" in text
    assert f"http://{lan}:8123/ballots/{meeting.pk}/vote/" in text
    decided = Meeting.objects.get(kind=MeetingKind.DECISION, status=MeetingStatus.CLOSED)
    assert f"http://{lan}:8123/ballots/{decided.pk}/result/" in text
    voting = demo_decision_meeting()
    assert voting is not None and f"表决演示：{voting.title}" in text
    assert f"http://{lan}:8123/ballots/mine/" in text
    codes = [line for line in text.splitlines() if "投票码投票" in line]
    assert len(codes) == 1 and len(codes[0].split("：", 1)[1].split()) == DEMO_CODES
    assert journal_verify().ok


def test_the_lan_address_is_an_ipv4_address() -> None:
    import ipaddress

    assert ipaddress.ip_address(lan_address()).version == 4
