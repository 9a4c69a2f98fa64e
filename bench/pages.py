"""The main pages at scale (issue 13): median, p95 and query count against a floor page.

Seeds (or, with --reuse, reuses) a PostgreSQL database with `xuanren seed`'s
loader at --cadres, then the demo's accounts and cases (`xuanren demo`'s
synth.demo.demo_users: a case at every stage, meetings, 待办), and requests
each page in-process through Django's test Client, as a case officer scoped
to one county (the county of the demo's cases) and, where the whole tree
matters, as the superuser. The time is the server side of one request (URL
resolution, middleware, view, template; no network, no application server);
the queries are counted with CaptureQueriesContext. After one warm-up request
per page, --runs timed requests: median, p95 and the ratio of the p95 to the
floor page's p95. The floor page is /password/done/, which renders the site's
layout (menus, user, scope) for the same user and does nothing else.

For 智能选人 it also times screen() alone for the same post (all eligible ids,
as bench/screening.py) and prints p95(page) / (1.5 × p95(screen) + 100 ms),
which issue 13 wants at most 1.

    uv run python bench/pages.py                                   # 100,000 cadres
    uv run python bench/pages.py --cadres 1000000 \\
        --database-url postgres://postgres@127.0.0.1:5432/xuanren_bench_pages_1m --keep
    uv run python bench/pages.py --reuse --database-url ...        # already seeded

Prints Markdown: the machine, the load average, one table per user.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from screening import loadavg, machine  # bench/ is this script's directory, on sys.path
from seed_bench import recreate_database, setup_django

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/xuanren_bench_pages"
#: Requests a page makes by htmx after it has been shown (decisions 0108, 0113):
#: timed as their no-JS page and reported apart from the pages.
AFTER_PAGE = ("candidate_counts", "dashboard_figures", "quota_level")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--cadres", type=int, default=100_000)
    parser.add_argument(
        "--units", type=int, default=None, help="default: one unit per 50 cadres, at most 10,000"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=21, help="timed requests per page")
    parser.add_argument(
        "--reuse", action="store_true", help="use the database as it is (already seeded); keep it"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--seed-only", action="store_true", help="seed (and keep) the database, time nothing"
    )
    parser.add_argument("--only", default="", help="comma-separated page keys (default: all)")
    parser.add_argument("--no-superuser", action="store_true", help="time the case officer only")
    parser.add_argument(
        "--superuser-runs",
        type=int,
        default=None,
        help="timed requests per page as the superuser (default: --runs)",
    )
    return parser.parse_args(argv)


def main() -> None:
    args = parse_args()
    if not args.reuse:
        recreate_database(args.database_url)
    setup_django(args.database_url)
    # The application as a production worker loads it (xuanren.wsgi, which
    # freezes what is loaded at start; decision 0164), before any page.
    import xuanren.wsgi  # noqa: F401

    try:
        bench(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not (args.keep or args.reuse or args.seed_only):
            recreate_database(args.database_url, drop_only=True)


# ---- data ------------------------------------------------------------------------


def seed_if_needed(args: argparse.Namespace) -> None:
    """The seeder's cadres, then the demo's accounts and cases (once)."""
    from django.core.management import call_command
    from django.db import connection

    from xuanren.people.models import Cadre
    from xuanren.procedure.models import Case
    from xuanren.synth.demo import demo_users
    from xuanren.synth.loader import seed

    call_command("migrate", interactive=False, verbosity=0)
    if Cadre.objects.exists():
        print(f"\n## Seed\n- reused: {Cadre.objects.count():,} cadres already there")
    else:
        units = args.units or max(100, min(args.cadres // 50, 10_000))
        result = seed(cadres=args.cadres, units=units, seed=args.seed)
        print(
            f"\n## Seed\n- {args.cadres:,} cadres, {units:,} units (seed {args.seed}): "
            f"{result.seconds:.1f} s"
        )
    if not Case.objects.exists():
        start = time.perf_counter()
        # The demo's accounts, cases at every stage, meetings and role tasks, in
        # the first county (a county of several at 100,000 and 1,000,000).
        demo_users(root=first_county())
        print(
            f"- demo accounts and cases: {Case.objects.count()} cases, "
            f"{time.perf_counter() - start:.1f} s"
        )
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # visibility map and statistics, as in production


def first_county() -> Any:
    """The first county: a REGION below the top-level unit, or the top-level
    unit itself when the seed made one county."""
    from xuanren.org.models import Unit, UnitKind

    root = Unit.objects.filter(parent=None).order_by("path").first()
    assert root is not None
    county = (
        Unit.objects.filter(path__startswith=root.path, depth=1, kind=UnitKind.REGION)
        .order_by("path")
        .first()
    )
    return county or root


def county_officer(county: Any) -> Any:
    """A case officer scoped to `county` (created once)."""
    from django.contrib.auth.models import Group, User

    from xuanren.access.models import Role, Scope

    officer, created = User.objects.get_or_create(
        username="bench-officer", defaults={"last_name": "李", "first_name": "明"}
    )
    if created:
        officer.groups.add(Group.objects.get(name=Role.CASE_OFFICER))
    Scope.objects.update_or_create(user=officer, defaults={"unit": county})
    return User.objects.get(pk=officer.pk)


def the_officer() -> tuple[Any, Any]:
    """The demo's case officer and the county of their scope; a case officer
    scoped to the first county when the demo's is scoped to more than one."""
    from django.contrib.auth.models import User

    from xuanren.access.models import Scope

    county = first_county()
    officer = User.objects.filter(username="officer").first()
    scope = Scope.objects.filter(user=officer).select_related("unit").first()
    if officer is None or scope is None or scope.unit_id != county.pk:
        return county_officer(county), county
    return officer, county


# ---- measuring -------------------------------------------------------------------


def counted(client: Any) -> Any:
    """The test client with each request counted as a production worker
    counts it (xuanren.common.warmup: collect and freeze after its
    first requests, decision 0197); the client does not go through the WSGI
    application itself."""
    from xuanren.common.warmup import after_request

    request = client.request

    def counting(**kwargs: Any) -> Any:
        try:
            return request(**kwargs)
        finally:
            after_request()

    client.request = counting
    return client


def p95(times: list[float]) -> float:
    """The nearest-rank 95th percentile."""
    ordered = sorted(times)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def time_page(client: Any, url: str, runs: int) -> tuple[list[float], int, int, int]:
    """Run times (ms) after one warm-up request, the queries of the request
    after it (steady state), the status and the response's size."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm-up: the process's caches (rule packs, templates) fill here
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    queries = len(ctx.captured_queries)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    return times, queries, response.status_code, len(response.content)


def time_call(fn: Callable[[], Any], runs: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()
    with CaptureQueriesContext(connection) as ctx:
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times, len(ctx.captured_queries)


# ---- the benchmark ---------------------------------------------------------------


def pages(officer: Any, county: Any) -> list[tuple[str, str, str]]:
    """(key, label, URL) of every page timed, the floor page first."""
    from urllib.parse import urlencode

    from django.db.models import Count
    from django.urls import reverse

    from xuanren.common.dates import add_months, today
    from xuanren.org.models import Post
    from xuanren.people.models import Cadre, FamilyMember, Tenure
    from xuanren.people.selectors import CadreFilters, cadre_search
    from xuanren.procedure.models import Case

    visible = cadre_search(actor=officer, filters=CadreFilters())
    linked = FamilyMember.objects.exclude(related_cadre=None).values("cadre_id")
    with_history = Tenure.objects.exclude(end_date=None).values("cadre_id")
    # A cadre with the most to show: past tenures and a relative who is a cadre.
    cadre = (
        visible.filter(pk__in=linked).filter(pk__in=with_history).order_by("pk").first()
        or visible.order_by("pk").first()
    )
    post = post_pick(officer)
    # The case with the most steps done: the longest 纪实.
    case = (
        Case.objects.filter(pk__in=case_pks(officer))
        .annotate(n=Count("steps"))
        .order_by("-n", "pk")
        .first()
    ) or Case.objects.order_by("pk").first()
    assert cadre and post and case, "no cadre, post or case in the officer's scope"
    assert isinstance(post, Post) and isinstance(cadre, Cadre)
    r = reverse
    return [
        ("floor", "floor page (/password/done/)", r("web:password_change_done")),
        ("dashboard", "dashboard (home)", r("web:dashboard")),
        ("dashboard_figures", "dashboard: figures (loaded after the page; no-JS page)",
         r("web:dashboard_figures")),
        ("units", "unit tree", r("web:unit_list")),
        ("quota", "quota report", r("web:quota")),
        ("quota_level", "quota report: rows (loaded after the page; no-JS page)",
         r("web:quota_level")),
        ("units_open", f"unit tree: open {county.name}", r("web:unit_children", args=[county.pk])),
        ("quota_open", f"quota report: open {county.name}", r("web:quota_children", args=[county.pk])),
        ("cadres", "cadre list", r("web:cadre_list")),
        ("cadres_q", "cadre search: name prefix 王", r("web:cadre_list") + "?" + urlencode({"q": "王"})),
        ("cadres_f", "cadre search: county, age 30–45, 本科+", r("web:cadre_list") + "?" + urlencode(
            {"unit": county.pk, "age_min": 30, "age_max": 45, "education_min": "bachelor"})),
        ("cadre", "cadre detail", r("web:cadre_detail", args=[cadre.pk])),
        ("candidates", f"智能选人 ({post.unit.name}{post.title})",
         r("web:candidates") + "?" + urlencode({"post": post.pk})),
        ("candidate_counts", "智能选人: exclusion counts (loaded after the page; no-JS page)",
         r("web:candidate_counts") + "?" + urlencode({"post": post.pk})),
        ("post_picker", f"智能选人: post picker, “{post.unit.name} {post.title}”",
         r("web:post_picker") + "?" + urlencode({"post_q": f"{post.unit.name} {post.title}"})),
        ("cases", "case list", r("web:case_list")),
        ("case", f"case detail ({case.number})", r("web:case_detail", args=[case.pk])),
        ("record", "纪实 (case record)", r("web:case_record", args=[case.pk])),
        ("todo", "待办", r("web:todo")),
        # statistics (issue 14, docs/decisions/0144): this year, and the 13 years the demo's
        # history covers; the structure analysis today, and on a past date (facts from history)
        ("selection", "选人用人统计 (this year)", r("statistics:selection")),
        ("selection_13y", "选人用人统计 (13 years)", r("statistics:selection") + "?" + urlencode(
            {"start": f"{today().year - 13}-01-01", "end": today().isoformat()})),
        ("structure", "结构分析 (today)", r("statistics:structure")),
        ("structure_past", "结构分析 (a year ago)", r("statistics:structure") + "?" + urlencode(
            {"on": add_months(today(), -12).isoformat()})),
        ("targets", "班子结构要求", r("statistics:targets")),
    ]  # fmt: skip


def case_pks(actor: Any) -> list[int]:
    from xuanren.procedure.selectors import case_list

    return list(case_list(actor=actor).values_list("pk", flat=True)[:100])


def post_pick(actor: Any) -> Any:
    """A 科级 post in the actor's scope: a township's 正科级 party principal,
    or any 科级 post."""
    from xuanren.org.models import UnitKind
    from xuanren.org.selectors import post_list

    posts = post_list(actor=actor).filter(is_active=True).select_related("unit").order_by("pk")
    return (
        posts.filter(
            unit__kind=UnitKind.TOWNSHIP,
            level="section_principal",
            is_party_government_principal=True,
        ).first()
        or posts.filter(level__in=["section_principal", "section_deputy"]).first()
    )


def counts_job_rows(client: Any, user: Any, officer: Any, runs: int, floor: float) -> list[str]:
    """智能选人's exclusion counts as a background job (decision 0112): the
    job started as `user` and run once here as the worker would, then its
    result fragment (what htmx polls) timed. A scope under the threshold
    counts in the request (the candidate_counts row) and starts no job."""
    from django.urls import reverse

    from xuanren.common.dates import today
    from xuanren.exchange.job_kinds import screening_counts_start
    from xuanren.exchange.jobs import import_job_run

    job = screening_counts_start(actor=user, post=post_pick(officer), ref=today())
    if job is None:
        return ["| 智能选人: background count | — | | | | | below the threshold: in the request |"]
    start = time.perf_counter()
    import_job_run.call(job.pk)
    ran = (time.perf_counter() - start) * 1000
    url = reverse("web:candidate_counts_job", args=[job.pk])
    times, queries, status, size = time_page(client, url, runs)
    print(f"  candidate_counts_job: run {ran:.0f} ms", file=sys.stderr)
    return [
        f"| 智能选人: background count, the job run once (worker) | — | | | {ran:.1f} | | |",
        f"| 智能选人: background count, its finished result (htmx poll) | {status} | "
        f"{size / 1024:.0f} | {queries} | {statistics.median(times):.1f} | {p95(times):.1f} | "
        f"{p95(times) / floor:.1f}× |",
    ]


def table(
    client: Any, urls: list[tuple[str, str, str]], runs: int, only: set[str]
) -> tuple[list[str], dict[str, list[float]]]:
    lines = [
        "| page | status | KiB | queries | median ms | p95 ms | p95 / floor p95 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    all_times: dict[str, list[float]] = {}
    floor = 0.0
    for key, label, url in urls:
        if only and key not in only and key != "floor":
            continue
        times, queries, status, size = time_page(client, url, runs)
        all_times[key] = times
        if key == "floor":
            floor = p95(times)
        lines.append(
            f"| {label} | {status} | {size / 1024:.0f} | {queries} | "
            f"{statistics.median(times):.1f} | {p95(times):.1f} | {p95(times) / floor:.1f}× |"
        )
        print(f"  {key}: {statistics.median(times):.1f} ms, {queries} queries", file=sys.stderr)
    return lines, all_times


def bench(args: argparse.Namespace) -> None:
    from django.contrib.auth.models import User
    from django.test import Client

    from xuanren.people.models import Cadre
    from xuanren.policy.selectors import screen

    print("# Pages at scale (issue 13)\n\n## Machine")
    for line in machine("PostgreSQL"):
        print(f"- {line}")
    seed_if_needed(args)
    if args.seed_only:
        return
    officer, county = the_officer()
    admin = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    cadres = Cadre.objects.count()
    only = {k for k in args.only.split(",") if k}
    loads = [os.getloadavg()[0]]
    print(
        f"\n{cadres:,} cadres; in-process Django test Client (server-side time, no network, "
        f"no application server); one warm-up request, then {args.runs} timed requests per page; "
        f"p95 nearest-rank. Case officer scoped to {county.name}."
    )
    users = [(f"case officer ({officer.username}, scoped to {county.name})", officer)]
    if admin is not None and not args.no_superuser:
        users.append(("superuser", admin))
    for label, user in users:
        client = counted(Client())
        client.force_login(user)
        urls = pages(officer, county)
        runs = args.runs if user is officer else (args.superuser_runs or args.runs)
        print(
            f"\n## {label}: {runs} timed requests per page (load average before: {loadavg()})\n",
            flush=True,
        )
        lines, times = table(client, urls, runs, only)
        if not only or "candidate_counts_job" in only:
            lines.extend(counts_job_rows(client, user, officer, runs, p95(times["floor"])))
        loads.append(os.getloadavg()[0])
        print("\n".join(lines))
        if "candidates" in times:
            post = post_pick(officer)

            def screened(user: Any = user, post: Any = post) -> list[int]:
                return list(screen(actor=user, post=post).values_list("id", flat=True))

            s_times, s_queries = time_call(screened, runs)
            page_p95, s_p95 = p95(times["candidates"]), p95(s_times)
            budget = 1.5 * s_p95 + 100
            print(
                f"\n- screen() alone for the same post ({len(screened()):,} eligible, "
                f"{s_queries} queries): median {statistics.median(s_times):.1f} ms, "
                f"p95 {s_p95:.1f} ms; 智能选人 p95 {page_p95:.1f} ms / (1.5 × {s_p95:.1f} + 100) "
                f"= {page_p95 / budget:.2f} ({'met' if page_p95 <= budget else 'NOT met'})"
            )
        floor = p95(times["floor"])
        over = [
            k
            for k, t in times.items()
            if k not in ("floor", "candidates", *AFTER_PAGE) and p95(t) > 10 * floor
        ]
        print(f"- pages over 10× the floor's p95: {', '.join(over) if over else 'none'}")
        late = [k for k, t in times.items() if k in AFTER_PAGE and p95(t) > 10 * floor]
        if any(k in AFTER_PAGE for k in times):
            print(
                "- loaded after the page (htmx), over 10× the floor's p95: "
                f"{', '.join(late) if late else 'none'}"
            )
    print(
        f"\nload average (1 min) during the run: {min(loads):.2f}–{max(loads):.2f}; at end: {loadavg()}"
    )


if __name__ == "__main__":
    main()
