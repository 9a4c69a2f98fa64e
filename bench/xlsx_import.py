"""XLSX import of generated cadres (issue 6), on SQLite or PostgreSQL.

Builds a fresh database (a temporary SQLite file, or the PostgreSQL database
named by DATABASE_URL, dropped and created), seeds a small county with the
seeder so the cadres have units to go to, writes a workbook of --cadres
cadres with openpyxl's write-only mode into a temporary file, imports it as a
superuser through `xlsx_import` and prints the read / validate / write times
and the total, then checks the journal chain:

    uv run python bench/xlsx_import.py --cadres 100000                 # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xuanren_h6b \\
        uv run python bench/xlsx_import.py --cadres 100000             # PostgreSQL
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cadres", type=int, default=100_000)
    parser.add_argument("--base-cadres", type=int, default=5000, help="seeded before the import")
    parser.add_argument("--units", type=int, default=100, help="units of the seeded county")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    return parser.parse_args()


def recreate_postgres(url: str, *, drop_only: bool = False) -> None:
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


def main() -> None:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="xlsx-bench-"))
    url = os.environ.get("DATABASE_URL", "")
    postgres = url.startswith("postgres")
    if postgres:
        recreate_postgres(url)
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xuanren.settings")
    # A throwaway database has its own anchor file (decision 0038).
    os.environ["XUANREN_JOURNAL_ANCHOR"] = str(workdir / "journal.anchor")

    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection

    from xuanren.exchange.xlsx_import import xlsx_import
    from xuanren.exchange.xlsx_workbook import sample_cadre_rows, write_workbook
    from xuanren.journal.services import journal_verify
    from xuanren.org.models import Unit
    from xuanren.people.models import Cadre
    from xuanren.synth.loader import seed

    try:
        call_command("migrate", verbosity=0)
        admin = User.objects.create_superuser("bench", "bench@example.invalid", "bench-pw-123")
        seed(cadres=args.base_cadres, units=args.units, seed=1)
        codes = list(Unit.objects.filter(depth__gte=1).values_list("code", flat=True))
        before = Cadre.objects.count()

        path = workdir / "cadres.xlsx"
        started = time.perf_counter()
        # Region 110101 (Beijing 东城区) keeps the numbers clear of the seeded county's.
        rows = sample_cadre_rows(args.cadres, unit_codes=codes, seed=2, region="110101")
        write_workbook(path, {"cadres": rows})
        generated = time.perf_counter() - started
        del rows
        content = path.read_bytes()

        load = os.getloadavg()[0]
        cpu = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        result = xlsx_import(actor=admin, content=content, filename=path.name)
        after = (
            resource.getrusage(resource.RUSAGE_SELF),
            resource.getrusage(resource.RUSAGE_CHILDREN),
        )
        cpu_self = after[0].ru_utime + after[0].ru_stime - cpu[0].ru_utime - cpu[0].ru_stime
        cpu_workers = after[1].ru_utime + after[1].ru_stime - cpu[1].ru_utime - cpu[1].ru_stime
        t = result.timings
        added = Cadre.objects.count() - before
        assert added == args.cadres, (added, args.cadres)
        verified = journal_verify()
        assert verified.ok, verified

        print(
            f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        )
        print(f"database: {connection.vendor} {connection.get_database_version()}")
        print(
            f"cadres imported: {added:,} into {len(codes)} units (with {result.counts['educations']:,} education rows)"
        )
        print(
            f"workbook: {len(content) / 1e6:.1f} MB, written in {generated:.1f} s (not part of the import)"
        )
        print(f"read      {t['read']:6.2f} s")
        print(f"validate  {t['validate']:6.2f} s")
        print(f"write     {t['write']:6.2f} s")
        print(f"total     {t['total']:6.2f} s")
        print(f"CPU: {cpu_self:.2f} s in this process, {cpu_workers:.2f} s in check workers")
        print(f"load average before the import: {load:.2f}")
        print(f"journal verify: ok ({verified.checked} events)")
    finally:
        connection.close()
        if postgres and not args.keep:
            recreate_postgres(url, drop_only=True)


if __name__ == "__main__":
    main()
