"""Eligibility screening at scale (issue 3): screen() against hand-written SQL
and against explain() over every cadre.

Seeds (or, with --reuse, reuses) a PostgreSQL database with synthetic cadres
as of the reference date, picks three posts of different rule packs and, for
each, times as a superuser:

  (a) screen(): list(screen(...).values_list("id", flat=True)), one SQL query;
  (b) a hand-written SQL query with the same predicates, bounds as literals;
  (c) cadre_facts() for every cadre (once: the same for every post) and
      explain() over all of them, in Python.

It checks that the three give the same set of ids and prints a Markdown table,
with the active cadres by level and what each rule excludes (failure_counts),
so that one sees the promotion ladder at work. Then: screen for the first post
as of a past date (PAST, history subqueries; no raw SQL), screen and the raw
SQL without JIT (PostgreSQL), and the SQL of screen for the first post with
EXPLAIN (ANALYZE, BUFFERS) of screen, the raw SQL and the past-date screen.

    uv run python bench/screening.py                         # PostgreSQL, 1,000,000 cadres
    uv run python bench/screening.py --cadres 100000 --keep  # smaller, keep the database
    uv run python bench/screening.py --reuse                 # an already seeded database
    uv run python bench/screening.py --seed-only             # seed and keep, time nothing
    uv run python bench/screening.py --sqlite --no-postgres  # SQLite only, 100,000 cadres

The raw SQL is written for the reference date 2026-11-27 only (its date bounds
are literals worked out by hand), so the date is fixed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from seed_bench import (  # bench/ is this script's directory, on sys.path
    recreate_database,
    setup_django,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/xuanren_bench_screen"
DEFAULT_SQLITE = "/tmp/xuanren_bench_screen.sqlite3"
REF = dt.date(2026, 11, 27)

# ---- the hand-written queries ----------------------------------------------------
# Everything below is worked out by hand for REF = 2026-11-27, independently of
# xuanren/policy/compile.py, with the cadre's own columns (c.level,
# c.level_since, c.education_rank: the facts of today, as an expert would write
# them for the current date; screen() wraps each in a CASE whose first branch is
# the column, and this is what the comparison measures):
#   周岁 <= 40  ⇔ born after 1985-11-27 (on 2026-11-27 someone born 1985-11-27 is 41);
#   周岁 <= 38 ⇔ after 1987-11-27; <= 43 ⇔ after 1982-11-27; <= 41 ⇔ after 1984-11-27;
#   <= 50 ⇔ after 1975-11-27; 周岁 <= 30 (“30岁以下” includes 30) ⇔ after 1995-11-27;
#   two years at the current level ⇔ level_since on or before 2024-11-27;
#   last year's assessment is the one for 2025.
# 新提拔 (a promotion) is a cadre whose level is below the post's, or who has none.
# A comparison with NULL is never true, so missing data fails, as in explain().
# Plain string literals for dates work on PostgreSQL (cast to date) and SQLite
# (ISO text); `f.emigrated` is a boolean on PostgreSQL and 0/1 on SQLite.

# national-2019 for every 科级 post: the negative list (findings, assessment,
# sanctions, emigrated family) and 凡提四必 (archive, personal matters).
NEGATIVE_LIST = """
  AND c.archive_review_status = 'passed'
  AND c.personal_matters_status = 'verified'
  AND EXISTS (SELECT 1 FROM people_assessment a
              WHERE a.cadre_id = c.id AND a.year = 2025
                AND a.grade IN ('excellent', 'competent', 'not_graded'))
  AND NOT EXISTS (SELECT 1 FROM people_rewardpunishment p
                  WHERE p.cadre_id = c.id
                    AND p.category IN ('warning_talk', 'organizational_handling',
                                       'party_discipline', 'government_sanction')
                    AND p.decided_on <= '2026-11-27'
                    AND (p.effect_until IS NULL OR p.effect_until >= '2026-11-27'))
  -- 违反政治纪律, 群众公认度不高, 跑官要官 (three rules, one anti-join)
  AND NOT EXISTS (SELECT 1 FROM people_rewardpunishment p
                  WHERE p.cadre_id = c.id AND p.kind = 'finding'
                    AND p.category IN ('political_discipline', 'low_recognition',
                                       'office_seeking')
                    AND p.decided_on <= '2026-11-27'
                    AND (p.effect_until IS NULL OR p.effect_until >= '2026-11-27'))
  AND NOT EXISTS (SELECT 1 FROM people_familymember f
                  WHERE f.cadre_id = c.id AND f.relation = 'spouse' AND f.emigrated)
"""
# 没有配偶但子女均已移居: an emigrated child, and nobody at home (no spouse, no
# child who has not emigrated). Two top-level NOT EXISTS: anti-joins.
ALL_CHILDREN_GONE = """
  AND NOT EXISTS (SELECT 1 FROM people_familymember f
                  WHERE f.cadre_id = c.id AND f.relation IN ('son', 'daughter') AND f.emigrated
                    AND NOT EXISTS (SELECT 1 FROM people_familymember g
                                    WHERE g.cadre_id = f.cadre_id
                                      AND (g.relation = 'spouse'
                                           OR (g.relation IN ('son', 'daughter')
                                               AND NOT g.emigrated))))
"""
# 具有正常履行职责的身体条件 (national.fit_for_duty, for a promotion).
FIT = "c.health IN ('健康', '良好', '较好', '一般')"

RAW_SQL = {
    # 乡镇党委书记: 正科级, 党政正职, party post; county-leading-rules + national-2019.
    "township_principal": f"""
SELECT c.id FROM people_cadre c
WHERE c.status = 'active'
  -- 新提拔 (now below 正科级, or no level): the ladder (副科级 two years; 科员 and
  -- 股级 are 越级 and fail), the township principal's age by sex, under 30 needs
  -- 本科, fit for duty. Cadres at 正科级 or above are concerned by none of these.
  AND (c.level NOT IN ('section_deputy', 'subsection_principal', 'subsection_deputy', '')
       OR (c.level = 'section_deputy' AND c.level_since <= '2024-11-27'
           AND (c.sex <> 'male' OR c.birth_date > '1985-11-27')
           AND (c.sex <> 'female' OR c.birth_date > '1987-11-27')
           AND (c.birth_date <= '1995-11-27' OR c.education_rank >= 5)
           AND {FIT}))
  AND c.education_rank >= 4
  -- 中共党员 on the reference date
  AND c.political_status IN ('cpc_member', 'cpc_probationary')
  AND (c.party_join_date IS NULL OR c.party_join_date <= '2026-11-27')
"""
    + NEGATIVE_LIST
    + ALL_CHILDREN_GONE,
    # 县直机关副局长: 副科级; county-leading-rules + national-2019. The ladder's
    # rung to 副科级 is reached from 科员, 正股 or 副股 with no years: every
    # promotion is on it, so it removes nobody (no 越级 to 副科级 exists).
    "county_organ_deputy": f"""
SELECT c.id FROM people_cadre c
WHERE c.status = 'active'
  -- 新提拔 (now below 副科级, or no level): 男 43, 女 41, 大专, fit for duty
  AND (c.level NOT IN ('subsection_principal', 'subsection_deputy', '')
       OR ((c.sex <> 'male' OR c.birth_date > '1982-11-27')
           AND (c.sex <> 'female' OR c.birth_date > '1984-11-27')
           AND {FIT}))
  AND c.education_rank >= 4
"""
    + NEGATIVE_LIST
    + ALL_CHILDREN_GONE,
    # 内设机构股长: 正股级 principal; section-level-rules.
    "subsection_principal": """
SELECT c.id FROM people_cadre c
WHERE c.status = 'active'
  AND c.education_rank >= 4
  AND c.birth_date > '1975-11-27'
  -- 新提拔 (副股级 or no level): the ladder, 副股级 two years; 科员 is 越级 and fails
  AND (c.level NOT IN ('subsection_deputy', '')
       OR (c.level = 'subsection_deputy' AND c.level_since <= '2024-11-27'))
""",
}
# screen() returns its ids in id order (Cadre.Meta.ordering); so do these, which
# also keeps SQLite from reading the 股级 query through the birth_date index
# (a range covering most rows: five times slower than a scan at 100,000).
RAW_SQL = {key: sql + "ORDER BY c.id\n" for key, sql in RAW_SQL.items()}
#: The past reference date of the history measurement (screen only).
PAST = dt.date(2022, 6, 30)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--cadres", type=int, default=1_000_000)
    parser.add_argument(
        "--units", type=int, default=None, help="default: one unit per 50 cadres, at most 10,000"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=7, help="timed runs of screen and raw SQL")
    parser.add_argument(
        "--explain-runs",
        type=int,
        default=1,
        help="timed runs of cadre_facts and explain over every cadre (slow at scale)",
    )
    parser.add_argument(
        "--reuse", action="store_true", help="use the database as it is (already seeded); keep it"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--seed-only", action="store_true", help="seed (and keep) the database, time nothing"
    )
    parser.add_argument(
        "--sqlite", action="store_true", help="also run on SQLite (in a child process)"
    )
    parser.add_argument("--sqlite-cadres", type=int, default=100_000)
    parser.add_argument("--sqlite-path", default=DEFAULT_SQLITE)
    parser.add_argument("--no-postgres", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--child", choices=["sqlite"], help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main() -> None:
    args = parse_args()
    if args.child == "sqlite":
        run_sqlite_child(args)
        return
    if not args.no_postgres:
        run_postgres(args)
    if args.sqlite:
        cmd = [
            sys.executable,
            __file__,
            "--child=sqlite",
            f"--cadres={args.sqlite_cadres}",
            f"--sqlite-path={args.sqlite_path}",
            f"--seed={args.seed}",
            f"--runs={args.runs}",
            f"--explain-runs={args.explain_runs}",
        ]
        if args.units:
            cmd.append(f"--units={args.units}")
        cmd += ["--reuse"] * args.reuse + ["--keep"] * args.keep
        sys.stdout.flush()
        subprocess.run(cmd, check=True)


def run_postgres(args: argparse.Namespace) -> None:
    if not args.reuse:
        recreate_database(args.database_url)
    setup_django(args.database_url)
    try:
        bench(args, "PostgreSQL")
    finally:
        from django.db import connections

        connections.close_all()
        if not (args.keep or args.reuse or args.seed_only):
            recreate_database(args.database_url, drop_only=True)


def run_sqlite_child(args: argparse.Namespace) -> None:
    path = Path(args.sqlite_path)
    if not args.reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xuanren.settings")
    import django

    django.setup()
    try:
        bench(args, "SQLite")
    finally:
        from django.db import connections

        connections.close_all()
        if not (args.keep or args.reuse):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)


# ---- measuring -------------------------------------------------------------------


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def timed(fn: Callable[[], Any], runs: int, *, warm_up: bool = True) -> tuple[list[float], Any]:
    """Run times in milliseconds (after one untimed warm-up run) and the last result."""
    result = fn() if warm_up else None
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return times, result


def machine(vendor: str) -> list[str]:
    from django.db import connection

    if vendor == "PostgreSQL":
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            row = cursor.fetchone()
            cursor.execute("SHOW jit")
            jit = cursor.fetchone()
            cursor.execute("SHOW work_mem")
            work_mem = cursor.fetchone()
        version = (
            f"{row[0] if row else '?'} (jit {jit and jit[0]}, work_mem {work_mem and work_mem[0]})"
        )
    else:
        import sqlite3

        version = f"SQLite {sqlite3.sqlite_version}"
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    uname = subprocess.run(["uname", "-a"], capture_output=True, text=True, check=False)
    return [
        f"nproc: {os.cpu_count()}",
        f"memory: {mem_kb / 1024 / 1024:.1f} GiB",
        f"uname -a: {uname.stdout.strip()}",
        f"database: {version}",
        f"Python: {platform.python_version()}",
        f"load average at start: {loadavg()}",
    ]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---- the benchmark ---------------------------------------------------------------


def pick_posts() -> list[tuple[str, Any, list[str]]]:
    """(key, post, the pack codes it must use) for the three posts."""
    from xuanren.org.models import COUNTY_ORGAN_KINDS, Post, UnitKind

    posts = Post.objects.select_related("unit").order_by("id")
    township = posts.filter(
        unit__kind=UnitKind.TOWNSHIP,
        level="section_principal",
        is_party_government_principal=True,
        category="party",
    ).first()
    organ = (
        posts.filter(
            unit__kind=UnitKind.GOVERNMENT_DEPARTMENT,
            level="section_deputy",
            category="government",
            counts_against_quota=True,
        ).first()
        or posts.filter(unit__kind__in=COUNTY_ORGAN_KINDS, level="section_deputy").first()
    )
    office = posts.filter(
        unit__kind=UnitKind.INTERNAL_OFFICE, level="subsection_principal", is_principal=True
    ).first()
    assert township and organ and office, "the seed has no post of one of the three kinds"
    return [
        ("township_principal", township, ["county-leading-rules", "national-2019"]),
        ("county_organ_deputy", organ, ["county-leading-rules", "national-2019"]),
        ("subsection_principal", office, ["section-level-rules"]),
    ]


def seed_if_needed(args: argparse.Namespace) -> None:
    from django.core.management import call_command

    from xuanren.people.models import Cadre
    from xuanren.synth.loader import seed

    call_command("migrate", interactive=False, verbosity=0)
    if args.reuse and Cadre.objects.exists():
        print(f"\n## Seed\n- reused: {Cadre.objects.count():,} cadres already there")
        return
    units = args.units or max(100, min(args.cadres // 50, 10_000))
    result = seed(cadres=args.cadres, units=units, seed=args.seed, as_of=REF)
    rows = sum(v for k, v in result.counts.items() if not k.startswith(("quota_", "units_")))
    print(
        f"\n## Seed\n- {args.cadres:,} cadres, {units:,} units (seed {args.seed}, as of "
        f"{REF}): {result.seconds:.1f} s, {rows:,} rows in all"
    )


def levels_and_ladder(admin: Any, posts: list[Any]) -> None:
    """Whether the data exercises the ladder: active cadres by level (and how
    many reached it within two years of REF), and for each post how many
    candidates each rule excludes (failure_counts, one aggregate per post)."""
    from django.db import connection

    from xuanren.policy.selectors import failure_counts

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT level, count(*), count(*) FILTER (WHERE level_since > %s),"
            " count(*) FILTER (WHERE level_since IS NULL)"
            " FROM people_cadre WHERE status = 'active' GROUP BY level ORDER BY 2 DESC",
            [dt.date(REF.year - 2, REF.month, REF.day)],
        )
        rows = cursor.fetchall()
    print("\n## Active cadres by level\n")
    print("| level | cadres | level_since within 2 years | no level_since |\n|---|---:|---:|---:|")
    for level, n, recent, undated in rows:
        print(f"| {level or '(none: 科员)'} | {n:,} | {recent:,} | {undated:,} |")
    print("\n## Candidates each rule excludes (failure_counts)\n")
    for key, post, _codes in posts:
        start = time.perf_counter()
        counts = failure_counts(actor=admin, post=post, ref=REF)
        ms = (time.perf_counter() - start) * 1000
        print(f"- {key} ({ms:,.0f} ms): " + ", ".join(f"{c.rule.id} {c.failing:,}" for c in counts))


def ids_of(sql: str) -> list[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]


def explain_sql(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def bench(args: argparse.Namespace, vendor: str) -> None:
    from django.contrib.auth.models import User
    from django.db import connection

    from xuanren.policy.rules import explain
    from xuanren.policy.selectors import (
        cadre_facts,
        candidates_base,
        pack_codes_for_post,
        post_facts,
        rules_for_post,
        screen,
    )

    print(f"# Eligibility screening on {vendor}\n\n## Machine")
    for line in machine(vendor):
        print(f"- {line}")
    seed_if_needed(args)
    if args.seed_only:
        return
    if vendor == "PostgreSQL":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # visibility map and statistics, as in production
    admin = User.objects.filter(username="bench").first() or User.objects.create_superuser(
        "bench", "bench@example.invalid", "bench-pw-123"
    )
    posts = pick_posts()
    loads = [os.getloadavg()[0]]

    print(f"\n## Posts (reference date {REF})\n")
    for key, post, codes in posts:
        assert pack_codes_for_post(post) == codes, (key, pack_codes_for_post(post))
        rules = rules_for_post(post, REF)
        pf = post_facts(post)
        applying = [r.id for r in rules if r.concerns(pf)]
        print(
            f"- {key}: post {post.pk} {post.unit.name}{post.title} ({post.level}, "
            f"{pf.unit_group}, {post.category}); packs {', '.join(codes)}; "
            f"{len(applying)} of {len(rules)} rules apply: {', '.join(applying)}"
        )
    levels_and_ladder(admin, posts)

    # (a) and (b): the SQL, median of --runs after a warm-up.
    sql_rows = []
    for key, post, _codes in posts:

        def by_screen(post: Any = post) -> list[int]:
            return list(screen(actor=admin, post=post, ref=REF).values_list("id", flat=True))

        screen_times, screened = timed(by_screen, args.runs)
        raw_times, raw = timed(partial(ids_of, RAW_SQL[key]), args.runs)
        loads.append(os.getloadavg()[0])
        assert len(set(screened)) == len(screened)
        assert set(screened) == set(raw), (key, len(screened), len(raw))
        sql_rows.append((key, post, set(screened), screen_times, raw_times))

    # (c): facts once (the base is the same for every post), then explain() per post;
    # --explain-runs 0 skips it (at 1,000,000 it takes the better part of an hour).
    table = []
    cadres = candidates_base(actor=admin, post=posts[0][1]).count()
    if args.explain_runs:
        base = candidates_base(actor=admin, post=posts[0][1])
        rss_before = peak_rss_mb()
        facts_times, facts = timed(lambda: cadre_facts(base), args.explain_runs, warm_up=False)
        loads.append(os.getloadavg()[0])
        print(
            f"\n- cadre_facts: {len(facts):,} cadres, {statistics.median(facts_times) / 1000:.1f} s "
            f"(runs: {', '.join(f'{t / 1000:.1f}' for t in facts_times)}); peak RSS "
            f"{rss_before:,.0f} MB before, {peak_rss_mb():,.0f} MB after"
        )
        for key, post, screened, screen_times, raw_times in sql_rows:
            rules = rules_for_post(post, REF)
            pf = post_facts(post)

            def by_explain(rules: Any = rules, pf: Any = pf, facts: Any = facts) -> set[int]:
                return {f.id for f in facts if explain(rules, f, pf, REF).eligible}

            explain_times, explained = timed(by_explain, args.explain_runs, warm_up=False)
            loads.append(os.getloadavg()[0])
            assert explained == screened, (key, len(explained), len(screened))
            table.append((key, len(screened), screen_times, raw_times, facts_times, explain_times))
        del facts
    else:
        print("\n- explain() over every cadre: skipped (--explain-runs 0)")
        nan = [float("nan")]
        for key, _post, screened, screen_times, raw_times in sql_rows:
            table.append((key, len(screened), screen_times, raw_times, nan, nan))

    print(
        f"\n## Timings ({cadres:,} cadres; screen and raw SQL: median of {args.runs} runs "
        f"after a warm-up; cadre_facts and explain: median of {args.explain_runs} run(s))\n"
    )
    print(
        "| post | eligible | screen ms | raw SQL ms | screen/raw | facts-load s | explain s "
        "| (load+explain)/screen | explain/screen |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    verdicts = []
    for key, count, screen_times, raw_times, facts_times, explain_times in table:
        s, r = statistics.median(screen_times), statistics.median(raw_times)
        f, e = statistics.median(facts_times) / 1000, statistics.median(explain_times) / 1000
        python_ratio = (f + e) * 1000 / s
        print(
            f"| {key} | {count:,} | {s:.1f} | {r:.1f} | {s / r:.2f} | {f:.1f} | {e:.1f} "
            f"| {python_ratio:,.0f} | {e * 1000 / s:,.0f} |"
        )
        verdicts.append(
            f"{key}: screen/raw {s / r:.2f} ({'within' if s / r <= 1.5 else 'NOT within'} 1.5×), "
            f"(load+explain)/screen {python_ratio:,.0f} ({'≥' if python_ratio >= 100 else '<'} 100×)"
        )
    agree = "The three agree" if args.explain_runs else "screen and the raw SQL agree"
    print(f"\n{agree} on every post (asserted). Spread (min–max ms):")
    for key, _count, screen_times, raw_times, _f, _e in table:
        print(
            f"- {key}: screen {min(screen_times):.1f}–{max(screen_times):.1f}, "
            f"raw {min(raw_times):.1f}–{max(raw_times):.1f}"
        )
    print("\nTargets:")
    for line in verdicts:
        print(f"- {line}")
    print(
        f"\nload average (1 min) during the run: {min(loads):.2f}–{max(loads):.2f}; "
        f"at end: {loadavg()}; peak RSS {peak_rss_mb():,.0f} MB"
    )
    diagnostics(args, vendor, admin, posts)


def diagnostics(args: argparse.Namespace, vendor: str, admin: Any, posts: list[Any]) -> None:
    """Screen for a past reference date (PAST) for the first post, which runs
    the history subqueries (tenures; education entries) for the cadres whose
    level or education began after it; screen and the raw SQL without JIT
    (PostgreSQL); then the screen SQL and the plans for the first post."""
    from django.db import connection

    from xuanren.policy.selectors import screen

    postgres = vendor == "PostgreSQL"
    key, post, _codes = posts[0]

    def past_ids() -> list[int]:
        return list(screen(actor=admin, post=post, ref=PAST).values_list("id", flat=True))

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE level_since > %s),"
            " count(*) FILTER (WHERE education_since > %s),"
            " count(*) FILTER (WHERE level <> '' AND level_since IS NULL)"
            " FROM people_cadre WHERE status = 'active'",
            [PAST, PAST],
        )
        later_level, later_education, undated = cursor.fetchone()
    from xuanren.policy.compile import needs_history

    p_runs = max(1, min(args.runs, 3))
    p_times, p_ids = timed(past_ids, p_runs)
    print(
        f"\n## Past reference date\n\n- screen for {key} as of {PAST}: {len(p_ids):,} eligible, "
        f"median {statistics.median(p_times):.1f} ms of {p_runs} runs after a warm-up "
        f"({', '.join(f'{t:.1f}' for t in p_times)}); load {loadavg()}\n"
        f"- active cadres whose level began after {PAST}: {later_level:,}; whose highest "
        f"education was completed after it: {later_education:,}; with a level and no "
        f"level_since: {undated:,}"
    )
    # screen() reads the history only when some cadre's level or education began
    # after the reference date (compile.needs_history: two indexed probes).
    g_times, later = timed(lambda: needs_history(REF), args.runs)
    g_past, later_past = timed(lambda: needs_history(PAST), args.runs)
    print(
        f"- needs_history({REF}) = {later}, median {statistics.median(g_times):.2f} ms; "
        f"needs_history({PAST}) = {later_past}, median {statistics.median(g_past):.2f} ms"
    )

    if postgres:
        print(f"\n## JIT off (median of {args.runs} runs after a warm-up; ms)\n")
        print("| post | screen, jit off | raw SQL, jit off | ratio |\n|---|---:|---:|---:|")
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")
        try:
            for k, p, _c in posts:

                def screened(p: Any = p) -> list[int]:
                    return list(screen(actor=admin, post=p, ref=REF).values_list("id", flat=True))

                j_times, _ids = timed(screened, args.runs)
                k_times, _ids = timed(partial(ids_of, RAW_SQL[k]), args.runs)
                j, r = statistics.median(j_times), statistics.median(k_times)
                print(f"| {k} | {j:.1f} | {r:.1f} | {j / r:.2f} |")
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET jit")

    qs = screen(actor=admin, post=post, ref=REF).values_list("id", flat=True)
    past = screen(actor=admin, post=post, ref=PAST).values_list("id", flat=True)
    print(f"\n## The screen query for {key}\n\n```sql\n{qs.query}\n```")
    print(f"\n## The screen query for {key} as of {PAST}\n\n```sql\n{past.query}\n```")
    if postgres:
        plans = [
            ("screen", qs.explain(analyze=True, buffers=True)),
            ("the raw SQL", explain_sql(RAW_SQL[key])),
            (f"screen as of {PAST}", past.explain(analyze=True, buffers=True)),
        ]
        for label, plan in plans:
            print(f"\n## EXPLAIN (ANALYZE, BUFFERS) of {label}, {key}\n\n```\n{plan}\n```")
    else:
        print(f"\n## EXPLAIN QUERY PLAN of screen, {key}\n\n```\n{qs.explain()}\n```")


if __name__ == "__main__":
    main()
