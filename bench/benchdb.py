"""The benchmark database: refuse to touch anything but a `*_bench` database, prepare it, place points in Paris.

Every script in bench/ generates (and deletes) rows in bulk, so each one starts with `benchdb.setup_django()`:
DATABASE_URL defaults to `participe_bench`, and a database whose name does not end in `_bench` is refused before
Django opens a connection. `prepare()` creates the database if missing (with its extensions), migrates it, loads
the official Paris boundaries from the open-data files (PARIS_DATA_DIR, default /work/shared/data; approximate
ones otherwise) and the demo content (it holds the strategy's two versions); it is idempotent.
"""

import os
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATABASE_URL = "postgis://postgres@127.0.0.1:5432/participe_bench"
DATA_DIR = Path(os.environ.get("PARIS_DATA_DIR", "/work/shared/data"))
BOUNDARY_FILES = ("arrondissements_paris.geojson", "quartier_paris.geojson")


def database_name(url: str) -> str:
    return unquote(urlsplit(url).path.lstrip("/"))


def is_bench_name(name: str) -> bool:
    return name == "participe_bench" or name.endswith("_bench")


def refuse_unless_bench(url: str) -> None:
    name = database_name(url)
    if not is_bench_name(name):
        sys.exit(
            f"Refusing to run a benchmark on database {name!r}: benchmarks generate and delete rows in bulk. "
            f"Use a database named participe_bench (or ending in _bench), e.g. DATABASE_URL={BENCH_DATABASE_URL}"
        )


def setup_django() -> None:
    """Default DATABASE_URL to participe_bench, refuse any other database, then set Django up."""
    os.environ.setdefault("DATABASE_URL", BENCH_DATABASE_URL)
    refuse_unless_bench(os.environ["DATABASE_URL"])
    # In-process benchmarks fire hundreds of requests from one "client": the API rate limits (DRF throttles) would
    # answer 429 after 120 of them. Raised unless set (THROTTLE_<SCOPE>, read by config/settings.py).
    for scope in ("ANON", "USER", "VOTE", "PROPOSE", "COMMENT", "APPLY", "MESSAGE"):
        os.environ.setdefault(f"THROTTLE_{scope}", "1000000/min")
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.conf import settings

    django.setup()
    name = settings.DATABASES["default"]["NAME"]  # what Django will really connect to
    if not is_bench_name(name):
        sys.exit(f"Refusing to run a benchmark on database {name!r} (not a *_bench database).")


def log(*args):
    print(*args, flush=True)


def ensure_database() -> None:
    """CREATE DATABASE (and the extensions) if it does not exist yet, connecting to the server's `postgres` db."""
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    params = {k: v for k, v in {"host": db.get("HOST"), "port": db.get("PORT"), "user": db.get("USER"),
                                 "password": db.get("PASSWORD")}.items() if v}  # fmt: skip
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{db["NAME"]}"')
            log(f"Created database {db['NAME']}.")
    with psycopg.connect(dbname=db["NAME"], autocommit=True, **params) as conn:
        for extension in ("postgis", "pg_trgm", "unaccent"):
            conn.execute(f"CREATE EXTENSION IF NOT EXISTS {extension}")


def prepare(demo: bool = True) -> None:
    """Create, migrate and fill the territory (and the demo content) of the bench database; idempotent."""
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    ensure_database()
    call_command("migrate", verbosity=0)
    from core.models import District, Quartier

    files = [DATA_DIR / f for f in BOUNDARY_FILES if (DATA_DIR / f).exists()]
    official = District.objects.filter(approximate=False).count()
    if files and (official < 20 or Quartier.objects.filter(approximate=False).count() < 80):
        call_command("load_districts", *map(str, files), verbosity=0)
        log(f"Official Paris boundaries loaded from {', '.join(map(str, files))}.")
    elif not files and District.objects.count() < 20:
        call_command("load_districts", "--approximate", verbosity=0)
        log(f"No open-data boundary files in {DATA_DIR}: approximate boundaries loaded.")
    if demo:
        from strategy.models import Version

        if Version.objects.count() < 2:
            from io import StringIO

            call_command("load_demo", stdout=StringIO())
            log("Demo content loaded (strategy v1 and v2, demo accounts).")
    log(
        f"Database {connection.settings_dict['NAME']} ready ({District.objects.filter(approximate=False).count()} official "
        f"arrondissements) in {time.perf_counter() - started:.1f} s."
    )


def vacuum(*tables: str) -> None:
    """VACUUM (ANALYZE) the tables a benchmark wrote, before it measures: every run leaves dead rows behind (a vote
    updates its proposal), and a PostgreSQL without autovacuum — the one of this machine runs with `autovacuum = off`
    — lets them pile up run after run (120,000 dead proposal rows after a dozen vote runs: votes were 10-20 % slower,
    and the figures drifted from one run to the next)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        autovacuum = cursor.fetchone()[0]
        started = time.perf_counter()
        cursor.execute(f"VACUUM (ANALYZE) {', '.join(tables)}")
    log(
        f"VACUUM (ANALYZE) {', '.join(tables)} in {time.perf_counter() - started:.1f} s (server autovacuum: {autovacuum})"
    )


def make_points(cursor, n: int, table: str = "bench_points", seed: int = 1) -> None:
    """A temporary table `table(i, p, district_id, quartier_id)` of n random points inside Paris, i = 1..n.

    Points are drawn inside each quartier (in proportion to its area) with ST_GeneratePoints, so that every point
    falls inside the real boundaries and carries its arrondissement and quartier; without quartiers, inside each
    arrondissement.
    """
    cursor.execute("SELECT count(*) FROM core_quartier")
    source = (
        "SELECT id AS quartier_id, district_id, geometry FROM core_quartier"
        if cursor.fetchone()[0]
        else "SELECT NULL::bigint AS quartier_id, id AS district_id, geometry FROM core_district"
    )
    cursor.execute(f"DROP TABLE IF EXISTS {table}")
    cursor.execute(
        f"""
        CREATE TEMP TABLE {table} AS
        WITH zones AS ({source}),
        shares AS (
            SELECT z.*, ceil(%(n)s * ST_Area(geometry::geography) / sum(ST_Area(geometry::geography)) OVER ())::int AS k
            FROM zones z
        ),
        pts AS (
            SELECT quartier_id, district_id, (ST_Dump(ST_GeneratePoints(geometry, k, %(seed)s + coalesce(quartier_id, 0)::int
                                                                           + district_id::int))).geom AS p
            FROM shares WHERE k > 0
        )
        SELECT row_number() OVER (ORDER BY random())::int AS i, ST_SetSRID(p, 4326) AS p, district_id, quartier_id
        FROM pts
        """,
        {"n": n, "seed": seed},
    )
    cursor.execute(f"DELETE FROM {table} WHERE i > %s", [n])
    cursor.execute(f"CREATE UNIQUE INDEX ON {table} (i)")
    cursor.execute(f"ANALYZE {table}")
