"""The quota report against an independent count."""

import datetime as dt
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xuanren.org.models import Level
from xuanren.org.quota import build_report, level_counts
from xuanren.org.selectors import quota_report
from xuanren.org.services import path_segment
from xuanren.people.models import Tenure
from xuanren.people.services import tenure_end, tenure_start

LEVELS = [Level.SECTION_PRINCIPAL, Level.SECTION_DEPUTY]


def test_level_counts_never_net_vacancy_against_over_quota():
    assert level_counts(3, 1) == level_counts(3, 1)
    c = level_counts(3, 1)
    assert (c.vacant, c.over_quota) == (2, 0)
    c = level_counts(1, 3)
    assert (c.vacant, c.over_quota) == (0, 2)
    c = level_counts(2, 2)
    assert (c.vacant, c.over_quota) == (0, 0)


@st.composite
def trees(draw):
    """A random unit tree with paths built like the service builds them."""
    n = draw(st.integers(1, 25))
    units = [(1, "u1", path_segment(0), 0, "region")]
    children: dict[int, int] = {}
    for i in range(2, n + 1):
        parent = draw(st.sampled_from(units))
        k = children.get(parent[0], 0)
        children[parent[0]] = k + 1
        units.append((i, f"u{i}", parent[2] + path_segment(k), parent[3] + 1, "township"))
    keys = st.tuples(st.sampled_from([u[0] for u in units]), st.sampled_from(LEVELS))
    approved = draw(st.dictionaries(keys, st.integers(0, 5), max_size=20))
    filled = draw(st.dictionaries(keys, st.integers(0, 6), max_size=20))
    return units, approved, filled


@given(trees())
def test_subtree_totals_match_a_brute_force_sum(data):
    units, approved, filled = data
    report = {row.unit_id: row for row in build_report(units, approved, filled)}
    for unit_id, _name, path, _depth, _kind in units:
        below = [u[0] for u in units if u[2].startswith(path)]
        pairs = {(u, lv) for u in below for lv in LEVELS}
        exp_vacant = sum(max(approved.get(p, 0) - filled.get(p, 0), 0) for p in pairs)
        exp_over = sum(max(filled.get(p, 0) - approved.get(p, 0), 0) for p in pairs)
        row = report[unit_id]
        assert row.subtree.vacant == exp_vacant
        assert row.subtree.over_quota == exp_over
        assert row.subtree.approved == sum(approved.get(p, 0) for p in pairs)
        assert row.subtree.filled == sum(filled.get(p, 0) for p in pairs)


@pytest.mark.django_db
def test_report_matches_an_independent_count_on_generated_tenures(county, personas, make_cadre):
    officer = personas.case_officer
    rng = random.Random(7)
    posts = [county.finance_head, county.finance_deputy, county.town_secretary, county.town_deputy]
    on = dt.date(2026, 6, 30)
    for i in range(14):
        post = rng.choice(posts)
        unit = post.unit
        cadre = make_cadre(unit, name=f"测{i}")
        start = dt.date(2015 + rng.randrange(10), rng.randrange(1, 13), 1)
        end = None if rng.random() < 0.7 else start + dt.timedelta(days=rng.randrange(100, 900))
        try:
            t = tenure_start(actor=officer, cadre=cadre, post=post, start_date=start)
        except Exception:
            continue
        if end is not None:
            tenure_end(actor=officer, tenure=t, end_date=end)
    # Independent count: walk every tenure in Python.
    expected: dict[tuple[int, str], int] = {}
    for t in Tenure.objects.select_related("post"):
        if (
            t.start_date <= on
            and (t.end_date is None or t.end_date > on)
            and t.post.counts_against_quota
        ):
            key = (t.post.unit_id, t.post.level)
            expected[key] = expected.get(key, 0) + 1
    rows = {row.unit_id: row for row in quota_report(actor=officer, on=on)}
    for (unit_id, level), n in expected.items():
        assert rows[unit_id].levels[level].filled == n
    total_filled = sum(expected.values())
    assert rows[county.root.pk].subtree.filled == total_filled
    approved = {(county.finance.pk, Level.SECTION_PRINCIPAL): 1, (county.finance.pk, Level.SECTION_DEPUTY): 2,
                (county.town.pk, Level.SECTION_PRINCIPAL): 2, (county.town.pk, Level.SECTION_DEPUTY): 3}  # fmt: skip
    vacant = sum(max(a - expected.get(k, 0), 0) for k, a in approved.items())
    assert rows[county.root.pk].subtree.vacant == vacant


@pytest.mark.django_db
def test_over_quota_and_not_counting_posts(county, personas, make_cadre, admin):
    from xuanren.org.services import post_create, quota_set

    officer = personas.case_officer
    quota_set(actor=admin, unit=county.town, level=Level.SECTION_PRINCIPAL, approved=1)
    mayor = post_create(
        actor=admin,
        unit=county.town,
        title="镇长",
        level=Level.SECTION_PRINCIPAL,
        is_principal=True,
    )
    extra = post_create(
        actor=admin,
        unit=county.town,
        title="调研员",
        level=Level.SECTION_PRINCIPAL,
        counts_against_quota=False,
    )
    for post in (county.town_secretary, mayor, extra):
        tenure_start(
            actor=officer, cadre=make_cadre(county.town), post=post, start_date=dt.date(2024, 1, 1)
        )
    row = {r.unit_id: r for r in quota_report(actor=officer)}[county.town.pk]
    counts = row.levels[Level.SECTION_PRINCIPAL]
    assert (counts.approved, counts.filled, counts.vacant, counts.over_quota) == (1, 2, 0, 1)
    # A level with tenures and no quota at all is wholly over quota.
    other = {r.unit_id: r for r in quota_report(actor=officer)}[county.other_town.pk]
    assert other.own.over_quota == 0


@pytest.mark.django_db
def test_report_is_scoped(county, personas):
    hr_rows = quota_report(actor=personas.other_unit_hr)
    assert [r.unit_id for r in hr_rows] == [county.other_town.pk]
    from xuanren.common.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        quota_report(actor=personas.outsider)
