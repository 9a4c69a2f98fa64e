"""The generated county: deterministic, valid by the project's own rules, and
realistic where later features depend on it (quotas, seats, recusal)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError

from xuanren.common.dates import today
from xuanren.common.errors import Conflict, ErrorCollector
from xuanren.journal.models import Event, EventType
from xuanren.journal.services import journal_verify
from xuanren.org.models import Unit
from xuanren.org.selectors import quota_report
from xuanren.people.models import (
    EDUCATION_RANK,
    Cadre,
    Education,
    FamilyMember,
    ResumeEntry,
    RewardPunishment,
    Tenure,
)
from xuanren.people.services import name_initials
from xuanren.people.validation import (
    CadreFacts,
    check_id_number,
    max_concurrent,
    validate_cadre,
    validate_period,
    validate_tenure_dates,
)
from xuanren.synth.generator import Generator, MemorySink, SeedConfig
from xuanren.synth.loader import seed

AS_OF = dt.date(2026, 3, 1)


def generate(
    seed_value: int, cadres: int = 300, units: int = 40, as_of: dt.date = AS_OF
) -> MemorySink:
    sink = MemorySink()
    Generator(SeedConfig(cadres=cadres, units=units, seed=seed_value, as_of=as_of), sink).run()
    return sink


def names_and_numbers(sink: MemorySink) -> list[tuple[str, str]]:
    return [(c["name"], c["id_number"]) for c in sink.dicts(Cadre)]


def test_same_seed_same_county() -> None:
    first, second = generate(7), generate(7)
    assert names_and_numbers(first) == names_and_numbers(second)
    assert first.rows == second.rows
    assert names_and_numbers(generate(8)) != names_and_numbers(first)


def test_a_few_cadres_are_born_on_29_february() -> None:
    births = [c["birth_date"] for c in generate(3, cadres=4000, units=100).dicts(Cadre)]
    assert any((b.month, b.day) == (2, 29) for b in births)


def test_many_units_make_several_counties_and_a_shallow_tree() -> None:
    units = generate(5, cadres=200, units=320).dicts(Unit)
    assert len(units) == 320
    roots = [u for u in units if u["parent_id"] is None]
    assert len(roots) == 1
    counties = [u for u in units if u["parent_id"] == roots[0]["id"]]
    assert len(counties) >= 2 and all(c["kind"] == "region" for c in counties)
    assert max(u["depth"] for u in units) <= 4  # at most five levels
    paths = [u["path"] for u in units]
    assert len(set(paths)) == len(paths)
    by_id = {u["id"]: u for u in units}
    for u in units:
        if u["parent_id"]:
            assert u["path"].startswith(by_id[u["parent_id"]]["path"])


@pytest.fixture
def county(db: None) -> dict[str, int]:
    return seed(cadres=400, units=40, seed=11, as_of=today()).counts


@pytest.mark.django_db
def test_database_matches_the_generator(county: dict[str, int]) -> None:
    from_db = list(Cadre.objects.order_by("id").values_list("name", "id_number"))
    assert from_db == names_and_numbers(generate(11, cadres=400, units=40, as_of=today()))


@pytest.mark.django_db
def test_every_cadre_passes_validation(county: dict[str, int]) -> None:
    ref = today()
    cadres = list(Cadre.objects.all())
    assert len(cadres) == 400
    for c in cadres:
        facts = CadreFacts(
            name=c.name,
            sex=c.sex,
            birth_date=c.birth_date,
            id_number=c.id_number,
            political_status=c.political_status,
            party_join_date=c.party_join_date,
            party_full_date=c.party_full_date,
            work_start_date=c.work_start_date,
            level_since=c.level_since,
        )
        out = validate_cadre(facts, today=ref)
        assert (out.errors, out.warnings) == ([], []), c.pk
        out = ErrorCollector()
        assert check_id_number(c.id_number, birth_date=c.birth_date, sex=c.sex, out=out)
        assert (out.errors, out.warnings) == ([], [])
        assert c.name_initials == name_initials(c.name)
        age = ref.year - c.birth_date.year
        assert 21 <= age <= 61
        assert c.work_start_date is not None
        assert 18 <= c.work_start_date.year - c.birth_date.year <= 26


@pytest.mark.django_db
def test_child_records_pass_validation(county: dict[str, int]) -> None:
    ref = today()
    for t in Tenure.objects.select_related("cadre"):
        out = ErrorCollector()
        validate_tenure_dates(
            start=t.start_date,
            end=t.end_date,
            birth_date=t.cadre.birth_date,
            work_start_date=t.cadre.work_start_date,
            out=out,
        )
        assert out.errors == [], t.pk
        assert "〔" in t.document_number and t.document_number.endswith("号")
    for e in Education.objects.select_related("cadre"):
        assert e.start_date and e.start_date > e.cadre.birth_date
        assert e.end_date and e.end_date > e.start_date
    for r in RewardPunishment.objects.all():
        out = ErrorCollector()
        validate_period(start=r.decided_on, end=r.effect_until, out=out, strict=False, today=ref)
        assert out.errors == []
    assert RewardPunishment.objects.filter(kind="punishment", effect_until__gt=ref).exists()
    assert not FamilyMember.objects.filter(birth_date__gt=ref).exists()


@pytest.mark.django_db
def test_education_level_is_the_highest_entry(county: dict[str, int]) -> None:
    levels = defaultdict(list)
    for cadre_id, level in Education.objects.values_list("cadre_id", "level"):
        levels[cadre_id].append(level)
    for c in Cadre.objects.all():
        best = max(levels[c.pk], key=EDUCATION_RANK.__getitem__)
        assert (c.education_level, c.education_rank) == (best, EDUCATION_RANK[best])


@pytest.mark.django_db
def test_tenures_never_exceed_seats(county: dict[str, int]) -> None:
    by_post, by_cadre = defaultdict(list), defaultdict(list)
    for t in Tenure.objects.select_related("post"):
        by_post[t.post].append((t.start_date, t.end_date))
        by_cadre[t.cadre_id].append((t.start_date, t.end_date))
    assert by_post
    for post, periods in by_post.items():
        assert max_concurrent(periods) <= post.seats, post.pk
    for periods in by_cadre.values():
        assert max_concurrent(periods) == 1


@pytest.mark.django_db
def test_current_post_matches_the_open_tenure(county: dict[str, int]) -> None:
    open_tenures = Tenure.objects.filter(end_date=None).select_related("cadre", "post__unit")
    assert open_tenures.exists()
    for t in open_tenures:
        c, post = t.cadre, t.post
        assert c.unit_id == post.unit_id
        assert c.level == post.level
        assert c.current_post_title == f"{post.unit.short_name or post.unit.name}{post.title}"
        assert c.level_since is not None and c.level_since <= t.start_date
    holders = set(open_tenures.values_list("cadre_id", flat=True))
    assert not Cadre.objects.exclude(pk__in=holders).exclude(level="").exists()


@pytest.mark.django_db
def test_resume_runs_without_gaps_to_today(county: dict[str, int]) -> None:
    entries = defaultdict(list)
    for e in ResumeEntry.objects.order_by("cadre_id", "start_date"):
        entries[e.cadre_id].append(e)
    work_start = dict(Cadre.objects.values_list("id", "work_start_date"))
    assert len(entries) == len(work_start)
    for cadre_id, lines in entries.items():
        for before, after in itertools.pairwise(lines):
            assert before.end_date == after.start_date, cadre_id
        assert lines[-1].end_date is None
        start = work_start[cadre_id]
        assert start is not None
        assert lines[0].start_date <= start
        assert any(line.start_date == work_start[cadre_id] for line in lines)


@pytest.mark.django_db
def test_quota_report_has_vacancies_and_over_quota(county: dict[str, int]) -> None:
    admin = User.objects.create_superuser("root", "root@example.invalid", "pw-root-123")
    report = quota_report(actor=admin)
    assert any(row.own.vacant for row in report)
    over = [row for row in report if row.own.over_quota]
    assert over
    root = report[0]
    assert root.depth == 0
    assert root.subtree.vacant == county["quota_vacant"]
    assert root.subtree.over_quota == county["quota_over"]
    assert len(over) == county["units_over_quota"]
    assert len(over) < len(report) / 5  # a few units, not most


@pytest.mark.django_db
def test_family_links_inside_a_unit_both_ways(county: dict[str, int]) -> None:
    links = FamilyMember.objects.exclude(related_cadre=None).select_related(
        "cadre", "related_cadre"
    )
    assert links.exists()
    pairs = set()
    for f in links:
        assert f.cadre.unit_id == f.related_cadre.unit_id
        assert f.name == f.related_cadre.name
        pairs.add((f.cadre_id, f.related_cadre_id))
    assert all((b, a) in pairs for a, b in pairs)


@pytest.mark.django_db
def test_one_journal_event_for_the_seed(county: dict[str, int]) -> None:
    events = Event.objects.filter(event_type=EventType.SEED_LOADED)
    assert events.count() == 1
    event = events.get()
    assert (event.subject_type, event.subject_id) == ("synth.seed", "11")
    assert event.payload["counts"]["cadre"] == 400
    assert journal_verify().ok


@pytest.mark.django_db
def test_seed_refuses_a_database_with_data_unless_appending(county: dict[str, int]) -> None:
    with pytest.raises(Conflict):
        seed(cadres=50, units=10, seed=12)
    first_root = Unit.objects.get(parent=None)
    result = seed(cadres=100, units=20, seed=11, append=True)  # the same seed again
    assert result.root.parent is None and result.root.pk != first_root.pk
    assert result.root.name != first_root.name
    assert Cadre.objects.count() == 500
    assert Cadre.objects.values("id_number").distinct().count() == 500
    assert Cadre.objects.filter(unit__path__startswith=result.root.path).count() == 100
    assert Event.objects.filter(event_type=EventType.SEED_LOADED).count() == 2
    # New IDs continue after the existing ones; the sequences know about them.
    unit = Unit.objects.create(
        name="新单位", code="NEW", kind="party_organ", parent=first_root, path="zzzzzzzz", depth=1
    )
    assert unit.pk > result.root.pk


@pytest.mark.django_db
def test_a_failed_seed_leaves_nothing_behind() -> None:
    # The next top-level unit gets path 0001 and code SY0001: take that code.
    Unit.objects.create(name="已有单位", code="SY0001", kind="region", path="0000", depth=0)
    with pytest.raises(IntegrityError):
        seed(cadres=300, units=30, seed=3, append=True, chunk_size=50)
    assert Unit.objects.count() == 1
    assert not Cadre.objects.exists()
    assert not Event.objects.filter(event_type=EventType.SEED_LOADED).exists()
