"""Seeding, quota report, search and detail on PostgreSQL (issue 2).

Creates (and afterwards drops) its own database, seeds it with `xuanren seed`'s
loader, then times the selectors the web pages and the API call, as a
superuser, taking the median of several runs after one warm-up run:

    uv run python bench/seed_bench.py                      # 100,000 cadres
    uv run python bench/seed_bench.py --cadres 1000000     # the seeding time at scale

Prints the machine, the seed time and a Markdown table of timings.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/xuanren_bench"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--cadres", type=int, default=100_000)
    parser.add_argument(
        "--units", type=int, default=None, help="default: one unit per 50 cadres, at most 10,000"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=7, help="timed runs per operation")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args()


def recreate_database(url: str, *, drop_only: bool = False) -> None:
    """Drop and create the database named in `url`, from the server's
    maintenance database `postgres`."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        if not drop_only:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def setup_django(database_url: str, *, recreate: bool = False) -> None:
    """Point Django at a bench database (dropped and created first when
    `recreate`), with an anchor file of its own: another database than var/'s
    must not append to var/'s anchor (decision 0038)."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault(
        "XUANREN_JOURNAL_ANCHOR",
        os.path.join(tempfile.gettempdir(), f"xuanren-bench-{os.getpid()}.anchor"),
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xuanren.settings")
    if recreate:
        recreate_database(database_url)
    import django

    django.setup()


def machine() -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        row = cursor.fetchone()
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    return [
        f"nproc: {os.cpu_count()}",
        f"memory: {mem_kb / 1024 / 1024:.1f} GiB",
        f"uname -a: {subprocess.run(['uname', '-a'], capture_output=True, text=True, check=False).stdout.strip()}",
        f"PostgreSQL: {row[0] if row else '?'}",
        f"Python: {platform.python_version()}",
        f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
    ]


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, float, float, int, Any]:
    """(median, min, max) in milliseconds, the number of queries of one run, and
    the last result; one untimed warm-up run first."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times), max(times), len(ctx.captured_queries), result


def main() -> None:
    args = parse_args()
    units = args.units or max(100, min(args.cadres // 50, 10_000))
    recreate_database(args.database_url)
    setup_django(args.database_url)
    try:
        run(args, units)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            recreate_database(args.database_url, drop_only=True)


def run(args: argparse.Namespace, units: int) -> None:
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command

    from xuanren.access.models import Role, Scope
    from xuanren.org.models import Unit, UnitKind
    from xuanren.org.selectors import quota_report
    from xuanren.people.models import Cadre, FamilyMember, Tenure
    from xuanren.people.selectors import CadreFilters, cadre_get, cadre_search
    from xuanren.synth.loader import seed

    call_command("migrate", interactive=False, verbosity=0)
    print("## Machine")
    for line in machine():
        print(f"- {line}")
    result = seed(cadres=args.cadres, units=units, seed=args.seed)
    c = result.counts
    rows = sum(v for k, v in c.items() if not k.startswith(("quota_", "units_")))
    print(
        f"\n## Seed\n- {args.cadres:,} cadres, {units:,} units (seed {args.seed}): "
        f"{result.seconds:.1f} s, {rows:,} rows in all ({rows / result.seconds:,.0f} rows/s)"
    )
    print("- " + ", ".join(f"{k} {v:,}" for k, v in sorted(c.items())))

    admin = User.objects.create_superuser("bench", "bench@example.invalid", "bench-pw-123")
    root = Unit.objects.get(pk=result.root.pk)
    county = (
        Unit.objects.filter(path__startswith=root.path, kind=UnitKind.REGION)
        .exclude(pk=root.pk)
        .order_by("path")
        .first()
        or root
    )
    town = (
        Unit.objects.filter(path__startswith=county.path, kind=UnitKind.TOWNSHIP)
        .order_by("path")
        .first()
    )
    officer = User.objects.create_user("bench-officer", password="bench-pw-123")
    officer.groups.add(Group.objects.get(name=Role.CASE_OFFICER))
    Scope.objects.create(user=officer, unit=county)
    officer = User.objects.get(pk=officer.pk)
    linked = FamilyMember.objects.exclude(related_cadre=None).values_list("cadre_id", flat=True)
    with_history = Tenure.objects.exclude(end_date=None).values_list("cadre_id", flat=True)
    # A cadre with the most to fetch: past tenures and a relative who is a cadre.
    richest = Cadre.objects.filter(pk__in=linked).filter(pk__in=with_history)
    detail_pk = richest.values_list("pk", flat=True).first() or linked[0]

    def search(actor: Any, filters: CadreFilters) -> tuple[Callable[[], Any], Callable[[], Any]]:
        return (
            lambda: cadre_search(actor=actor, filters=filters).count(),
            lambda: list(cadre_search(actor=actor, filters=filters)[:50]),
        )

    def detail() -> int:
        cadre = cadre_get(actor=admin, pk=detail_pk)
        touched = len(cadre.educations.all()) + len(cadre.resume_entries.all())
        touched += sum(1 for t in cadre.tenures.all() if t.post.unit.name)
        touched += sum(
            1 for f in cadre.family_members.all() if f.related_cadre is None or f.related_cadre.name
        )
        touched += len(cadre.assessments.all()) + len(cadre.rewards_punishments.all())
        touched += len(cadre.trainings.all()) + (cadre.unit.name != "")
        return touched

    cases: list[tuple[str, Callable[[], Any], Callable[[Any], str]]] = [
        ("quota_report, whole tree (superuser)", lambda: quota_report(actor=admin), lambda r: f"{len(r):,} units"),
        (f"quota_report, one county (case officer, {county.name})", lambda: quota_report(actor=officer), lambda r: f"{len(r):,} units"),
    ]  # fmt: skip
    searches = [
        ("name prefix 王", CadreFilters(q="王")),
        ("pinyin initials wj", CadreFilters(q="wj")),
        (
            f"subtree {county.name} + age 30–45 + 本科及以上",
            CadreFilters(unit_id=county.pk, age_min=30, age_max=45, education_min="bachelor"),
        ),
    ]
    if town is not None:
        searches.append(
            (f"subtree {town.name} + 副科级", CadreFilters(unit_id=town.pk, level="section_deputy"))
        )
    for label, filters in searches:
        count, page = search(admin, filters)
        cases.append((f"cadre_search {label}: count", count, lambda n: f"{n:,} cadres"))
        cases.append((f"cadre_search {label}: first page", page, lambda r: f"{len(r)} rows"))
    cases.append(("cadre_get + every prefetched relation", detail, lambda n: f"{n} records"))

    print(f"\n## Timings (median of {args.runs} runs after a warm-up; ms)\n")
    print("| operation | result | median | min | max | queries |")
    print("|---|---|---:|---:|---:|---:|")
    for label, fn, describe in cases:
        median, low, high, queries, value = timed(fn, args.runs)
        print(
            f"| {label} | {describe(value)} | {median:.1f} | {low:.1f} | {high:.1f} | {queries} |"
        )
    print(f"\nload average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
