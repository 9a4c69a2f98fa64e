import itertools

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from xuanren.journal.chain import GENESIS
from xuanren.journal.models import Event, EventType
from xuanren.journal.services import journal_record, journal_verify

pytestmark = pytest.mark.django_db


def test_chain_links_each_event_to_the_previous(county):
    events = list(Event.objects.order_by("id"))
    assert len(events) >= 10
    assert events[0].prev_hash == GENESIS
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash
    assert journal_verify().ok


def test_verify_detects_an_edited_payload(county):
    victim = Event.objects.order_by("id")[3]
    Event.objects.filter(pk=victim.pk).update(payload={"name": "篡改"})
    result = journal_verify()
    assert not result.ok
    assert result.broken_at == victim.pk
    assert result.checked == 3


def test_verify_detects_a_deleted_last_event(county):
    Event.objects.order_by("-id")[0].delete()
    result = journal_verify()
    assert not result.ok
    assert "删除" in result.reason


def test_verify_detects_a_deleted_middle_event(county):
    Event.objects.order_by("id")[2].delete()
    assert not journal_verify().ok


def test_command_reports_the_broken_link(county, capsys):
    call_command("journal", "verify")
    assert "日志链完整" in capsys.readouterr().out
    victim = Event.objects.order_by("id")[1]
    Event.objects.filter(pk=victim.pk).update(actor_label="someone-else")
    with pytest.raises(CommandError, match=f"第 {victim.pk} 号记录"):
        call_command("journal", "verify")


def test_payload_with_dates_round_trips_through_the_database(db):
    import datetime as dt

    journal_record(
        actor=None,
        event_type=EventType.SEED_LOADED,
        subject=("synth.seed", "1"),
        payload={"on": dt.date(2026, 2, 28), "n": 3, "名": "县"},
    )
    assert journal_verify().ok


def test_event_rolls_back_with_the_failed_change(county, admin):
    from xuanren.common.errors import ValidationFailed
    from xuanren.org.services import post_create

    before = Event.objects.count()
    with pytest.raises(ValidationFailed):
        post_create(actor=admin, unit=county.town, title="", level="section_deputy")
    assert Event.objects.count() == before


# ---- the keyed chain (issue 10) ----------------------------------------------------------


def test_events_are_keyed_hmac_links(county, settings):
    import hashlib
    import hmac

    from xuanren.journal.chain import KEYED
    from xuanren.journal.services import _event_canonical

    event = Event.objects.order_by("-id")[0]
    assert event.version == KEYED
    expected = hmac.new(
        settings.JOURNAL_KEY,
        (event.prev_hash + _event_canonical(event)).encode(),
        hashlib.sha256,
    ).hexdigest()
    assert event.hash == expected


def test_verify_under_another_key_fails_at_the_first_keyed_event(county, settings):
    first = Event.objects.order_by("id")[0]
    settings.JOURNAL_KEY = b"x" * 32
    result = journal_verify()
    assert not result.ok
    assert result.broken_at == first.pk
    assert "XUANREN_JOURNAL_KEY" in result.reason


def _rechain_plain() -> None:
    """What a journal written before the key looks like (or what an attacker
    without the key can compute): plain SHA-256 links, version 1."""
    from xuanren.journal.chain import GENESIS, PLAIN, link_hash
    from xuanren.journal.models import JournalHead
    from xuanren.journal.services import _event_canonical

    prev = GENESIS
    for event in Event.objects.order_by("id"):
        h = link_hash(prev, _event_canonical(event))
        Event.objects.filter(pk=event.pk).update(prev_hash=prev, hash=h, version=PLAIN)
        prev = h
    JournalHead.objects.filter(pk=1).update(last_hash=prev)


def test_a_legacy_unkeyed_journal_verifies_and_new_events_are_keyed(county, admin):
    from xuanren.journal.chain import KEYED
    from xuanren.journal.models import JournalHead

    _rechain_plain()
    legacy = Event.objects.count()
    result = journal_verify()
    assert result.ok, result.reason
    assert result.legacy == legacy
    # Writing goes on with keyed links after the legacy prefix.
    JournalHead.objects.filter(pk=1).update(last_hash=Event.objects.order_by("-id")[0].hash)
    event = journal_record(
        actor=admin, event_type=EventType.SEED_LOADED, subject=("synth.seed", "2"), payload={}
    )
    assert event.version == KEYED
    result = journal_verify()
    assert result.ok, result.reason
    assert (result.legacy, result.checked) == (legacy, legacy + 1)


def test_a_plain_link_after_a_keyed_one_is_a_downgrade(county):
    """Recomputing the tail without the key (version 1) is caught even
    before the anchor: a plain link never follows a keyed one."""
    from xuanren.journal.chain import PLAIN, link_hash
    from xuanren.journal.models import JournalHead
    from xuanren.journal.services import _event_canonical

    events = list(Event.objects.order_by("id"))
    victim = events[-2]
    Event.objects.filter(pk=victim.pk).update(payload={"name": "篡改"})
    prev = victim.prev_hash
    for event in Event.objects.filter(pk__gte=victim.pk).order_by("id"):
        h = link_hash(prev, _event_canonical(event))
        Event.objects.filter(pk=event.pk).update(prev_hash=prev, hash=h, version=PLAIN)
        prev = h
    JournalHead.objects.filter(pk=1).update(last_hash=prev)
    result = journal_verify()
    assert not result.ok
    assert result.broken_at == victim.pk
    assert "无密钥" in result.reason


# ---- the anchor file ------------------------------------------------------------------------


@pytest.fixture
def anchor(settings, tmp_path):
    settings.JOURNAL_ANCHOR = tmp_path / "journal.anchor"
    return settings.JOURNAL_ANCHOR


def _lines(path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def _seed_event(n: int):
    return journal_record(
        actor=None, event_type=EventType.SEED_LOADED, subject=("synth.seed", str(n)), payload={}
    )


def test_each_committed_transaction_appends_its_head_once(
    db, anchor, settings, django_capture_on_commit_callbacks
):
    from django.db import transaction

    from xuanren.journal.chain import parse_anchor_line

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        _seed_event(1)
        _seed_event(2)
        last = _seed_event(3)
    lines = _lines(anchor)
    assert len(lines) == 1
    entry = parse_anchor_line(settings.JOURNAL_KEY, lines[0] + "\n")
    assert entry is not None and (entry.seq, entry.hash) == (last.pk, last.hash)
    assert journal_verify().ok
    assert journal_verify().anchored_seq == last.pk


def test_a_rolled_back_event_never_reaches_the_anchor(
    db, anchor, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True):
        kept = _seed_event(1)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        _seed_event(2)
        try:
            with transaction.atomic():
                _seed_event(3)
                raise RuntimeError
        except RuntimeError:
            pass
    with (
        pytest.raises(RuntimeError),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        _seed_event(4)
        raise RuntimeError
    seqs = [int(line.split("\t")[1]) for line in _lines(anchor)]
    assert seqs[0] == kept.pk
    assert Event.objects.filter(pk__in=seqs).count() == len(seqs)
    assert journal_verify().ok


def test_verify_fails_when_the_database_is_behind_the_anchor(
    db, anchor, django_capture_on_commit_callbacks
):
    from xuanren.journal.models import JournalHead

    with django_capture_on_commit_callbacks(execute=True):
        events = [_seed_event(n) for n in range(4)]
    # Delete the last and fix the head: the chain alone cannot tell.
    Event.objects.filter(pk=events[-1].pk).delete()
    JournalHead.objects.filter(pk=1).update(
        last_hash=events[-2].hash, count=3, last_seq=events[-2].pk
    )
    result = journal_verify()
    assert not result.ok
    assert result.broken_at == events[-1].pk
    assert f"第 {events[-1].pk} 号" in result.reason and "删除" in result.reason


def test_verify_fails_when_the_journal_is_wiped(db, anchor, django_capture_on_commit_callbacks):
    from xuanren.journal.models import JournalHead

    with django_capture_on_commit_callbacks(execute=True):
        _seed_event(1)
    Event.objects.all().delete()
    JournalHead.objects.all().delete()
    result = journal_verify()
    assert not result.ok
    assert "清空" in result.reason


def test_an_edited_anchor_line_is_reported(db, anchor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        event = _seed_event(1)
    anchor.write_text(anchor.read_text().replace(event.hash, "f" * 64))
    result = journal_verify()
    assert not result.ok
    assert "第 1 行无法校验" in result.reason


def test_a_missing_anchor_file_is_reported_and_anchor_command_fixes_it(db, anchor, capsys):
    _seed_event(1)  # on_commit never runs inside the test's transaction
    result = journal_verify()
    assert not result.ok
    assert "不存在或没有有效的记录" in result.reason
    call_command("journal", "anchor")
    assert "已锚定链头" in capsys.readouterr().out
    assert journal_verify().ok


def test_a_printed_head_is_checked_like_an_anchor(county, capsys):
    event = Event.objects.order_by("id")[4]
    call_command("journal", "verify", "--head", str(event.pk), event.hash)
    assert "日志链完整" in capsys.readouterr().out
    with pytest.raises(CommandError, match=f"第 {event.pk} 号记录.*打印的纪实"):
        call_command("journal", "verify", "--head", str(event.pk), "0" * 64)


def test_anchor_hook_failure_does_not_fail_the_committed_change(db, settings, tmp_path, caplog):
    from xuanren.journal.services import _AnchorHook

    settings.JOURNAL_ANCHOR = tmp_path / "a-file" / "journal.anchor"
    (tmp_path / "a-file").write_text("not a folder")
    _AnchorHook(1, "0" * 64)()
    assert "could not append" in caplog.text


# ---- reconciliation -------------------------------------------------------------------------


def test_cadre_paths_carry_fingerprints_and_verify_clean(county, admin, make_cadre):
    from xuanren.org.models import Post
    from xuanren.people.services import cadre_update, education_add, tenure_start

    cadre = make_cadre(county.town)
    cadre_update(actor=admin, cadre=cadre, changes={"native_place": "浙江杭州"})
    education_add(actor=admin, cadre=cadre, kind="full_time", level="bachelor", school="某大学")
    post = Post.objects.filter(unit=county.town).first()
    if post is not None:
        import datetime as dt

        tenure_start(actor=admin, cadre=cadre, post=post, start_date=dt.date(2020, 1, 1))
    result = journal_verify()
    assert result.ok, result.reason
    assert result.reconciled["cadres"] >= 1


def test_a_cadre_changed_without_an_event_is_reported(county, make_cadre):
    from xuanren.people.models import Cadre

    cadre = make_cadre(county.town)
    Cadre.objects.filter(pk=cadre.pk).update(name="李四")
    result = journal_verify()
    assert not result.ok
    last = Event.objects.filter(subject_type="people.cadre", subject_id=str(cadre.pk)).last()
    assert result.broken_at == last.pk
    assert "李四" in result.reason and f"第 {last.pk} 号记录" in result.reason


def test_a_cadre_without_any_event_is_reported_until_baselined(county, make_cadre):
    from xuanren.common.errors import Conflict
    from xuanren.people.models import Cadre

    cadre = make_cadre(county.town)
    # As a journal written before fingerprints: no event carries one.
    for event in Event.objects.filter(payload__has_key="cadre_fp"):
        payload = dict(event.payload)
        payload.pop("cadre_fp")
        Event.objects.filter(pk=event.pk).update(payload=payload)
    _rechain_plain()
    result = journal_verify()
    assert not result.ok
    assert "journal baseline" in result.reason and cadre.name in result.reason
    call_command("journal", "baseline")
    result = journal_verify()
    assert result.ok, result.reason
    assert Event.objects.filter(event_type=EventType.CADRES_BASELINED).count() == 1
    # A row changed after the baseline is not made legitimate by a second one.
    Cadre.objects.filter(pk=cadre.pk).update(name="王五")
    with pytest.raises(Conflict, match="不能记录基线"):
        from xuanren.journal.services import journal_baseline

        journal_baseline(actor=None)


def test_production_settings_refuse_to_start_without_a_journal_key(tmp_path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("XUANREN_JOURNAL", "DJANGO_"))}
    env.update(
        SECRET_KEY="s" * 50,
        DATABASE_URL="postgres://nobody@127.0.0.1:5432/none",
        XUANREN_ALLOWED_HOSTS="xuanren.example.org",
        XUANREN_VAR_DIR=str(tmp_path),
    )
    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='xuanren.settings_production'; django.setup()"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr and "XUANREN_JOURNAL_KEY" in done.stderr
    env["XUANREN_JOURNAL_KEY"] = "short"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode != 0 and "日志链密钥太短" in done.stderr
    env["XUANREN_JOURNAL_KEY"] = "k" * 40
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert "XUANREN_JOURNAL_KEY" not in done.stderr
    assert not (tmp_path / "journal_key").exists()  # nothing generated in production


def test_a_key_file_outside_the_database_is_read(tmp_path):
    import os
    import subprocess
    import sys

    key_file = tmp_path / "key"
    key_file.write_text("f" * 40 + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("XUANREN_JOURNAL")}
    env.update(XUANREN_VAR_DIR=str(tmp_path), XUANREN_JOURNAL_KEY_FILE=str(key_file))
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='xuanren.settings'; "
        "django.setup(); from django.conf import settings; print(settings.JOURNAL_KEY.decode())"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert done.stdout.strip() == "f" * 40
    assert not (tmp_path / "journal_key").exists()
    del env["XUANREN_JOURNAL_KEY_FILE"]
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    generated = tmp_path / "journal_key"
    assert done.stdout.strip() == generated.read_text().strip()
    assert generated.stat().st_mode & 0o777 == 0o600


def test_a_deleted_head_row_is_reported(county):
    from xuanren.journal.models import JournalHead

    JournalHead.objects.all().delete()
    result = journal_verify()
    assert not result.ok
    assert "链头却不存在" in result.reason


def test_many_events_at_once_extend_the_chain_as_one_by_one(county, admin):
    """journal_record_many (the demo history's step events, decision 0133):
    the same links as as many journal_record calls, and the chain verifies."""
    from xuanren.journal.models import JournalHead
    from xuanren.journal.services import journal_record_many

    before = Event.objects.order_by("-id").first()
    events = journal_record_many(
        actor=admin,
        entries=[
            (EventType.SEED_LOADED, ("synth.seed", str(n)), {"n": n, "名": "县"}) for n in range(3)
        ],
    )
    after = journal_record(
        actor=admin, event_type=EventType.SEED_LOADED, subject=("synth.seed", "9")
    )
    chain = [before, *events, after]
    for earlier, later in itertools.pairwise(chain):
        assert later.pk == earlier.pk + 1 and later.prev_hash == earlier.hash
    assert [e.payload["n"] for e in events] == [0, 1, 2]
    head = JournalHead.objects.get()
    assert (head.last_hash, head.last_seq) == (after.hash, after.pk)
    assert journal_record_many(actor=admin, entries=[]) == []
    assert journal_verify().ok
