"""Cost of the access record on the cadre page (issue 10, item 9).

Seeds a small county (default 500 cadres) into a fresh SQLite file (or the
database in DATABASE_URL, which it migrates), logs in as a case officer with
the Django test client and times GET /cadres/<pk>/ over several hundred
requests, alternating blocks with the access record written (one INSERT per
view) and with the recording replaced by a no-op, so that both arms see the
same caches and the same machine load. Prints p50/p95 of both and the growth
as Markdown, for docs/performance.md. Budget: p95 grows by at most 10%.

    uv run python bench/access_record.py
    uv run python bench/access_record.py --requests 600 --cadres 2000
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cadres", type=int, default=500)
    parser.add_argument("--requests", type=int, default=400, help="per arm")
    parser.add_argument("--block", type=int, default=20, help="requests per alternating block")
    return parser.parse_args()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
    return ordered[index]


def main() -> None:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="access-record-bench-"))
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["XUANREN_VAR_DIR"] = str(workdir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xuanren.settings")

    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.test import Client

    import xuanren.web.views as web_views
    from xuanren.access.models import AccessRecord, Role, Scope
    from xuanren.org.models import Unit
    from xuanren.people.models import Cadre
    from xuanren.synth.loader import seed

    call_command("migrate", verbosity=0)
    seed(cadres=args.cadres, units=max(10, args.cadres // 50), seed=1)
    root = Unit.objects.filter(parent=None).order_by("path").first()
    assert root is not None
    officer = User.objects.create_user("bench-officer", password="bench-pw-123")
    officer.groups.add(Group.objects.get(name=Role.CASE_OFFICER))
    Scope.objects.create(user=officer, unit=root)
    client = Client(REMOTE_ADDR="127.0.0.1")
    client.force_login(officer)
    pks = list(Cadre.objects.values_list("pk", flat=True))
    rng = random.Random(7)

    real = web_views.access_record

    def skip(**kwargs: object) -> None:
        return None

    timings: dict[str, list[float]] = {"with": [], "without": []}

    def run(arm: str, n: int) -> None:
        web_views.access_record = real if arm == "with" else skip
        for _ in range(n):
            url = f"/cadres/{rng.choice(pks)}/"
            started = time.perf_counter()
            response = client.get(url)
            timings[arm].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code

    run("with", 30)  # warm-up, not counted
    run("without", 30)
    timings = {"with": [], "without": []}
    before = AccessRecord.objects.count()
    blocks = args.requests // args.block
    for i in range(blocks):
        for arm in ("with", "without") if i % 2 == 0 else ("without", "with"):
            run(arm, args.block)
    web_views.access_record = real
    written = AccessRecord.objects.count() - before
    assert written == blocks * args.block, (written, blocks * args.block)

    backend = "PostgreSQL" if "postgres" in os.environ["DATABASE_URL"] else "SQLite"
    rows = []
    for arm in ("without", "with"):
        values = timings[arm]
        rows.append(
            (
                arm,
                len(values),
                statistics.median(values),
                percentile(values, 95),
                statistics.mean(values),
            )
        )
    p95_growth = (rows[1][3] / rows[0][3] - 1) * 100
    print(f"\nCadre detail page, {backend}, {args.cadres} cadres, Django test client\n")
    print("| access record | requests | p50 ms | p95 ms | mean ms |")
    print("|---|---:|---:|---:|---:|")
    for arm, n, p50, p95, mean in rows:
        label = "written (one INSERT)" if arm == "with" else "not written"
        print(f"| {label} | {n} | {p50:.1f} | {p95:.1f} | {mean:.1f} |")
    print(f"\np95 growth: {p95_growth:+.1f}% (budget +10%); rows written: {written}")


if __name__ == "__main__":
    main()
