"""The post picker's search at about 200,000 posts on PostgreSQL (decision 0140).

Seeds a city of --units units with `xuanren seed`'s loader (few cadres: the
posts are what matters), copies every post --copies more times (same units
and titles, so ~200,000 posts with the seed's distribution of titles), then
times `org.selectors.post_find` for the superuser against the join form it
replaced (decision 0111's: every word in the title or the unit's name
through the join) and prints the plan of the last query.

    uv run python bench/post_picker.py                          # seeds, drops at the end
    uv run python bench/post_picker.py --reuse --database-url … # already seeded and copied
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from seed_bench import machine, recreate_database, setup_django, timed

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/xuanren_bench_post_picker"
QUERIES = (
    "书记",  # short and frequent: through the join, stops at the first 20
    "财政局",  # long and frequent
    "云岭 书记",
    "火箭",  # short and absent: no index can help (fewer than 3 characters)
    "火箭局",  # long and absent: the trigram indexes
    "云岭县 党委书记",
    "dwsj",  # pinyin initials
    "dangwei",
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--cadres", type=int, default=20_000)
    parser.add_argument("--copies", type=int, default=6, help="extra copies of every post")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="use the database as it is")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args()


def seed_posts(args: argparse.Namespace) -> None:
    from django.db import connection

    from xuanren.synth.loader import seed

    seed(cadres=args.cadres, units=args.units, seed=1)
    columns = (
        "unit_id, title, title_initials, title_pinyin, level, category, is_principal, "
        "is_party_government_principal, professional_requirement, counts_against_quota, seats, "
        "is_active"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO org_post ({columns}, sort_order) SELECT {columns}, sort_order + 1000 * g "
            "FROM org_post, generate_series(1, %s) g",
            [args.copies],
        )
        cursor.execute("ANALYZE org_post")
        cursor.execute("ANALYZE org_unit")


def join_form(actor: Any, q: str, limit: int = 20) -> Any:
    """Decision 0111's search: each word in the title or the unit's names."""
    from django.db.models import Q

    from xuanren.org.selectors import post_list

    qs = post_list(actor=actor).filter(is_active=True)
    for word in q.split()[:4]:
        qs = qs.filter(
            Q(title__icontains=word)
            | Q(unit__name__icontains=word)
            | Q(unit__short_name__icontains=word)
        )
    return qs[:limit]


def main() -> None:
    args = parse_args()
    setup_django(args.database_url, recreate=not args.reuse)
    try:
        if not args.reuse:
            seed_posts(args)
        run(args)
    finally:
        if not (args.keep or args.reuse):
            from django.db import connections

            connections.close_all()
            recreate_database(args.database_url, drop_only=True)


def run(args: argparse.Namespace) -> None:
    from django.contrib.auth.models import User
    from django.db import connection

    from xuanren.org.models import Post, Unit
    from xuanren.org.selectors import post_find

    admin = User.objects.filter(is_superuser=True).first()
    if admin is None:
        admin = User.objects.create_superuser("bench_admin", "", None)
    print("## Machine\n" + "\n".join(f"- {line}" for line in machine()))
    print(f"\n{Post.objects.count():,} posts, {Unit.objects.count():,} units; superuser\n")
    print("| query | rows | post_find median ms | join form median ms |")
    print("|---|---|---|---|")
    for q in QUERIES:

        def found(q: str = q) -> list[Any]:
            return list(post_find(actor=admin, q=q))

        def joined(q: str = q) -> list[Any]:
            return list(join_form(admin, q))

        new_ms, _lo, _hi, _n, rows = timed(found, args.runs)
        old_ms, *_ = timed(joined, args.runs)
        print(f"| {q} | {len(rows)} | {new_ms:.1f} | {old_ms:.1f} |")
    for q in ("火箭局", "云岭县 党委书记"):
        sql, params = post_find(actor=admin, q=q).query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        print(f"\n### EXPLAIN ANALYZE: post_find {q!r}\n```\n{plan}\n```")


if __name__ == "__main__":
    main()
