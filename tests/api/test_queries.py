"""List and detail endpoints run a fixed number of queries, whatever the
number of rows: each test measures 5 rows, then 30, and expects the same count."""

import datetime as dt

import pytest

from tests.api.conftest import bearer, counted_get
from xuanren.access.services import api_token_issue
from xuanren.org.models import Level, UnitKind
from xuanren.org.services import post_create, quota_set, unit_create
from xuanren.people.models import (
    Assessment,
    Education,
    FamilyMember,
    ResumeEntry,
    RewardPunishment,
    Tenure,
    Training,
)
from xuanren.people.services import tenure_start

pytestmark = pytest.mark.django_db

#: Session, user, permissions (2) and scope, then the endpoint's own few queries.
MAX_QUERIES = 10
#: The detail adds one query per kind of child record (seven kinds).
MAX_DETAIL_QUERIES = 14


def _same_for_5_and_30(client, url, grow, rows, django_assert_max_num_queries, **extra):
    grow(5)
    with django_assert_max_num_queries(MAX_QUERIES):
        few, response = counted_get(client, url, **extra)
    assert rows(response.json()) >= 5
    grow(25)
    with django_assert_max_num_queries(MAX_QUERIES):
        many, response = counted_get(client, url, **extra)
    assert rows(response.json()) >= 30
    assert few == many


def test_cadres(client, personas, county, make_cadre, django_assert_max_num_queries):
    made = iter(range(1000))

    def grow(n):
        for _ in range(n):
            make_cadre(county.town, name=f"蒋{next(made)}")

    client.force_login(personas.case_officer)
    _same_for_5_and_30(
        client,
        f"/cadres?unit={county.root.pk}",
        grow,
        lambda body: len(body["items"]),
        django_assert_max_num_queries,
    )


def test_cadres_by_token(client, personas, county, make_cadre, django_assert_max_num_queries):
    _token, plaintext = api_token_issue(
        actor=personas.committee_member, user=personas.committee_member, name="q"
    )
    made = iter(range(1000))

    def grow(n):
        for _ in range(n):
            make_cadre(county.finance, name=f"韩{next(made)}")

    _same_for_5_and_30(
        client,
        "/cadres",
        grow,
        lambda body: len(body["items"]),
        django_assert_max_num_queries,
        **bearer(plaintext),
    )


@pytest.fixture
def grow_units(county, admin, make_cadre):
    made = iter(range(1000))

    def grow(n):
        for _ in range(n):
            i = next(made)
            unit = unit_create(
                actor=admin,
                name=f"城关镇站所{i}",
                code=f"Q{i}",
                kind=UnitKind.PUBLIC_INSTITUTION,
                parent=county.town,
            )
            quota_set(actor=admin, unit=unit, level=Level.SUBSECTION_PRINCIPAL, approved=2)
            post = post_create(
                actor=admin, unit=unit, title="站长", level=Level.SUBSECTION_PRINCIPAL
            )
            cadre = make_cadre(unit, name=f"站长{i}")
            tenure_start(actor=admin, cadre=cadre, post=post, start_date=dt.date(2020, 1, 1))

    return grow


def test_units(client, personas, county, grow_units, django_assert_max_num_queries):
    client.force_login(personas.committee_member)
    _same_for_5_and_30(
        client, f"/units?under={county.town.pk}", grow_units, len, django_assert_max_num_queries
    )


def test_quota_report(client, personas, county, grow_units, django_assert_max_num_queries):
    client.force_login(personas.case_officer)
    _same_for_5_and_30(
        client,
        f"/quota-report?under={county.town.pk}",
        grow_units,
        len,
        django_assert_max_num_queries,
    )
    _count, response = counted_get(client, f"/quota-report?under={county.town.pk}")
    town = response.json()[0]
    assert town["subtree"]["approved"] == 5 + 2 * 30
    assert town["subtree"]["filled"] == 30


def test_posts(client, personas, county, grow_units, django_assert_max_num_queries):
    client.force_login(personas.case_officer)
    _same_for_5_and_30(
        client,
        f"/posts?unit={county.town.pk}&subtree=true",
        grow_units,
        len,
        django_assert_max_num_queries,
    )


@pytest.fixture
def grow_posts(county, admin, make_cadre):
    made = iter(range(1000))

    def grow(n):
        for _ in range(n):
            i = next(made)
            post = post_create(
                actor=admin, unit=county.other_town, title=f"副镇长{i}", level=Level.SECTION_DEPUTY
            )
            cadre = make_cadre(county.other_town, name=f"许{i}")
            tenure_start(actor=admin, cadre=cadre, post=post, start_date=dt.date(2021, 1, 1))

    return grow


def test_unit_posts(client, personas, county, grow_posts, django_assert_max_num_queries):
    client.force_login(personas.other_unit_hr)
    _same_for_5_and_30(
        client,
        f"/units/{county.other_town.pk}/posts",
        grow_posts,
        len,
        django_assert_max_num_queries,
    )
    _count, response = counted_get(client, f"/units/{county.other_town.pk}/posts")
    assert {p["occupied"] for p in response.json()} == {1}


def _add_children(cadre, post, n):
    """n of each kind of child record, written directly (reads are under test)."""
    Education.objects.bulk_create(
        Education(cadre=cadre, kind="in_service", level="bachelor", school=f"党校{i}")
        for i in range(n)
    )
    ResumeEntry.objects.bulk_create(
        ResumeEntry(cadre=cadre, start_date=dt.date(2000 + i % 20, 1 + i % 12, 1), text=f"工作{i}")
        for i in range(n)
    )
    Tenure.objects.bulk_create(
        Tenure(
            cadre=cadre,
            post=post,
            start_date=dt.date(1990 + i, 1, 1),
            end_date=dt.date(1990 + i, 12, 31),
        )
        for i in range(n)
    )
    FamilyMember.objects.bulk_create(
        FamilyMember(cadre=cadre, relation="other", name=f"亲属{i}") for i in range(n)
    )
    Assessment.objects.bulk_create(
        Assessment(cadre=cadre, year=1990 + i, grade="competent") for i in range(n)
    )
    RewardPunishment.objects.bulk_create(
        RewardPunishment(
            cadre=cadre,
            kind="reward",
            category="commendation",
            title=f"奖{i}",
            decided_on=dt.date(2000 + i % 20, 1, 1),
        )
        for i in range(n)
    )
    Training.objects.bulk_create(
        Training(cadre=cadre, year=1990 + i, hours=8, title=f"培训{i}") for i in range(n)
    )


def test_cadre_detail(client, personas, county, make_cadre, django_assert_max_num_queries):
    few = make_cadre(
        county.finance,
        name="少",
        birth=dt.date(1960, 1, 1),
        party_join=None,
        political_status="masses",
        work_start=None,
    )
    many = make_cadre(
        county.finance,
        name="多",
        birth=dt.date(1960, 1, 1),
        party_join=None,
        political_status="masses",
        work_start=None,
    )
    _add_children(few, county.finance_deputy, 5)
    _add_children(many, county.finance_head, 30)
    client.force_login(personas.discipline)
    with django_assert_max_num_queries(MAX_DETAIL_QUERIES):
        n_few, r_few = counted_get(client, f"/cadres/{few.pk}")
    with django_assert_max_num_queries(MAX_DETAIL_QUERIES):
        n_many, r_many = counted_get(client, f"/cadres/{many.pk}")
    body = r_many.json()
    for key in (
        "educations",
        "resume",
        "tenures",
        "family_members",
        "assessments",
        "rewards_punishments",
        "trainings",
    ):
        assert len(r_few.json()[key]) == 5, key
        assert len(body[key]) == 30, key
    assert n_few == n_many
