"""Benchmark of the participatory map.

    DATABASE_URL=postgis://postgres@127.0.0.1:5432/participe_bench .venv/bin/python bench/mapvotes_bench.py [--size small|full]

1. Generates proposals and votes in bulk SQL (generate_series): full = 100,000 proposals, 1,000,000 votes.
2. Viewport endpoint: median/p95 server time at zooms 11–18 (in-process Django test client, i.e. the whole
   Django stack without the network), payload at the all-Paris view, ratio to the same SQL run raw.
3. Votes/s through the real HTTP stack: a uvicorn started here, 100 concurrent voters (token auth), then
   counters checked against the rows (zero lost or double votes).
4. WebSocket fan-out: 500 clients on ws/map/, one vote, p95 delivery time.
Targets (issue 3): viewport median ≤ 30 ms, payload ≤ 100 KB, ≥ 300 votes/s, fan-out p95 ≤ 250 ms.
"""

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

SIZES = {"small": (10_000, 100_000, 2_000), "full": (100_000, 1_000_000, 10_000)}
TARGETS = {"viewport_ms": 30, "payload_kb": 100, "votes_per_s": 300, "fanout_p95_ms": 250}


def log(*args):
    print(*args, flush=True)


def generate(proposals, votes, users):
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from core.models import District

    if District.objects.count() < 20:
        call_command("load_districts", "--approximate", verbosity=0)
    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM mapvotes_proposal WHERE title LIKE 'Bench %%'")
        if c.fetchone()[0] >= proposals:
            log(f"data already there ({proposals} proposals)")
            return
        started = time.perf_counter()
        c.execute("DELETE FROM mapvotes_vote; DELETE FROM mapvotes_comment; DELETE FROM mapvotes_timelineevent;")
        c.execute("DELETE FROM mapvotes_proposal")
        c.execute(
            "DELETE FROM authtoken_token WHERE user_id IN (SELECT id FROM accounts_user WHERE email LIKE 'bench%%')"
        )
        c.execute("DELETE FROM accounts_user WHERE email LIKE 'bench%%@example.org'")
        c.execute(
            """
            INSERT INTO accounts_user (password, is_superuser, email, display_name, preferred_language, email_verified,
                                       is_team, is_staff, is_active, date_joined)
            SELECT '!', false, 'bench' || i || '@example.org', 'Votant ' || i, 'fr', true, false, false, true, now()
            FROM generate_series(1, %s) i
            """,
            [users],
        )
        log(f"{users} users in {time.perf_counter() - started:.1f}s")
        # Random points in the outline of Paris (drawn in the bounding box, kept if inside a district).
        c.execute(
            """
            WITH pts AS (
              SELECT i, ST_SetSRID(ST_MakePoint(2.225 + random() * 0.245, 48.816 + random() * 0.086), 4326) AS p
              FROM generate_series(1, %s) i
            ), located AS (
              SELECT pts.i, pts.p, d.id AS district_id FROM pts JOIN core_district d ON ST_Covers(d.geometry, pts.p)
            )
            INSERT INTO mapvotes_proposal (is_hidden, hidden_reason, title, description, theme_id, geometry, point,
              district_id, status, status_reason, photo, votes_for, votes_against, comments_count, created_at, updated_at)
            SELECT false, '', 'Bench proposition ' || i, 'Description de la proposition ' || i,
                   (SELECT id FROM core_theme ORDER BY id OFFSET (i %% 12) LIMIT 1), p, p, district_id,
                   'published', '', '', 0, 0, 0, now() - (i %% 400) * interval '1 day', now()
            FROM located
            """,
            [int(proposals * 1.45)],
        )
        c.execute("SELECT count(*) FROM mapvotes_proposal")
        n = c.fetchone()[0]
        c.execute(
            "DELETE FROM mapvotes_proposal WHERE id IN (SELECT id FROM mapvotes_proposal ORDER BY id OFFSET %s)",
            [proposals],
        )
        log(f"{min(n, proposals)} proposals in {time.perf_counter() - started:.1f}s")
        c.execute(
            "UPDATE mapvotes_proposal SET search = setweight(to_tsvector('french_unaccent', title), 'A')"
            " || setweight(to_tsvector('french_unaccent', description), 'B')"
        )
        c.execute("SELECT min(id) FROM accounts_user WHERE email LIKE 'bench%%'")
        first_user = c.fetchone()[0]
        c.execute(
            "CREATE TEMP TABLE bench_p AS SELECT row_number() OVER (ORDER BY id) - 1 AS k, id FROM mapvotes_proposal"
        )
        c.execute("CREATE INDEX ON bench_p (k)")
        per_user = votes // users
        c.execute(
            """
            INSERT INTO mapvotes_vote (user_id, proposal_id, value, created_at, updated_at)
            SELECT %s + (i %% %s), bp.id, CASE WHEN random() < 0.7 THEN 'for' ELSE 'against' END, now(), now()
            FROM generate_series(0, %s - 1) i
            JOIN bench_p bp ON bp.k = (((i %% %s) * 7919 + (i / %s) * 1009) %% %s)
            ON CONFLICT DO NOTHING
            """,
            [first_user, users, per_user * users, users, users, proposals],
        )
        c.execute(
            """
            UPDATE mapvotes_proposal p SET votes_for = v.f, votes_against = v.a
            FROM (SELECT proposal_id, count(*) FILTER (WHERE value = 'for') f, count(*) FILTER (WHERE value = 'against') a
                  FROM mapvotes_vote GROUP BY proposal_id) v WHERE v.proposal_id = p.id
            """
        )
        c.execute("SELECT count(*) FROM mapvotes_vote")
        log(f"{c.fetchone()[0]} votes; data ready in {time.perf_counter() - started:.1f}s")
        c.execute("ANALYZE mapvotes_proposal; ANALYZE mapvotes_vote")


def viewport_bbox(lon, lat, zoom, width=1280, height=800):
    deg_per_px = 360 / (256 * 2**zoom)
    dx, dy = width / 2 * deg_per_px, height / 2 * deg_per_px * 0.66
    return f"{lon - dx:.5f},{lat - dy:.5f},{lon + dx:.5f},{lat + dy:.5f}"


def bench_viewport(repeat=15):
    import random

    client = Client()
    rng = random.Random(1)
    log("\n== Viewport (GET /api/v1/map/proposals/?bbox&zoom) ==")
    log("zoom  median_ms  p95_ms  raw_sql_median_ms  ratio  features  payload_kb")
    results = {}
    for zoom in range(11, 19):
        times, raw_times, sizes, counts = [], [], [], []
        for _ in range(repeat):
            lon, lat = (2.3522, 48.8566) if zoom <= 12 else (2.28 + rng.random() * 0.14, 48.83 + rng.random() * 0.05)
            url = f"/api/v1/map/proposals/?bbox={viewport_bbox(lon, lat, zoom)}&zoom={zoom}"
            with CaptureQueriesContext(connection) as ctx:
                t = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, response.content[:300]
            sizes.append(len(response.content))
            counts.append(len(response.json()["features"]))
            sql = [q["sql"] for q in ctx.captured_queries]
            t = time.perf_counter()
            with connection.cursor() as cursor:
                for statement in sql:
                    cursor.execute(statement)
                    cursor.fetchall()
            raw_times.append((time.perf_counter() - t) * 1000)
        med, raw = statistics.median(times), statistics.median(raw_times)
        p95 = sorted(times)[int(len(times) * 0.95) - 1]
        results[zoom] = (med, p95, raw, statistics.median(sizes) / 1024)
        log(
            f"{zoom:4d}  {med:9.1f}  {p95:6.1f}  {raw:17.1f}  {med / raw if raw else 0:5.2f}  {statistics.median(counts):8.0f}  {statistics.median(sizes) / 1024:10.1f}"
        )
    full = client.get(f"/api/v1/map/proposals/?bbox={viewport_bbox(2.3522, 48.8566, 11)}&zoom=11")
    log(f"all-Paris payload at zoom 11: {len(full.content) / 1024:.1f} KB (target ≤ {TARGETS['payload_kb']} KB)")
    worst = max(r[0] for r in results.values())
    log(
        f"worst median: {worst:.1f} ms (target ≤ {TARGETS['viewport_ms']} ms) → {'OK' if worst <= TARGETS['viewport_ms'] else 'MISSED'}"
    )
    return results


def start_server(port, workers):
    env = dict(os.environ, DEBUG="false", SECRET_KEY="bench", ALLOWED_HOSTS="127.0.0.1,localhost", LOG_LEVEL="WARNING")
    env["SECURE_SSL_REDIRECT"] = "false"
    cmd = [
        str(ROOT / ".venv/bin/uvicorn"),
        "config.asgi:application",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    import urllib.error
    import urllib.request

    for _ in range(360):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return proc
        except urllib.error.HTTPError:
            return proc  # it answers
        except Exception:  # noqa: BLE001
            time.sleep(0.5)
    proc.terminate()
    raise RuntimeError("uvicorn did not start")


def tokens(n):
    from rest_framework.authtoken.models import Token

    from accounts.models import User

    users = list(User.objects.filter(email__startswith="bench", email_verified=True).order_by("pk")[:n])
    return [Token.objects.get_or_create(user=u)[0].key for u in users]


def bench_votes(port, seconds=20, voters=100):
    import random

    import requests

    from mapvotes.models import Proposal, Vote

    log(f"\n== Votes through HTTP: {voters} concurrent voters for {seconds}s ==")
    keys = tokens(voters)
    ids = list(Proposal.objects.order_by("?").values_list("pk", flat=True)[:300])
    ok, errors, latencies = [0], [0], []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def voter(key, seed):
        rng = random.Random(seed)
        session = requests.Session()
        session.headers["Authorization"] = f"Token {key}"
        while time.monotonic() < stop:
            pk = rng.choice(ids)
            t = time.perf_counter()
            try:
                r = _vote(session, rng, port, pk)
            except requests.RequestException:
                with lock:
                    errors[0] += 1
                continue
            with lock:
                latencies.append((time.perf_counter() - t) * 1000)
                if r.status_code == 200:
                    ok[0] += 1
                else:
                    errors[0] += 1

    def _vote(session, rng, port, pk):
        url = f"http://127.0.0.1:{port}/api/v1/map/proposals/{pk}/vote/"
        if rng.random() < 0.15:
            return session.delete(url, timeout=30)
        return session.put(url, json={"value": rng.choice(["for", "against"])}, timeout=30)

    threads = [threading.Thread(target=voter, args=(k, i)) for i, k in enumerate(keys)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    rate = ok[0] / elapsed
    bad = 0
    for pk in ids:
        p = Proposal.objects.get(pk=pk)
        f = Vote.objects.filter(proposal_id=pk, value="for").count()
        a = Vote.objects.filter(proposal_id=pk, value="against").count()
        bad += (p.votes_for, p.votes_against) != (f, a)
    lat = sorted(latencies) or [0.0]
    log(
        f"{ok[0]} votes OK, {errors[0]} errors in {elapsed:.1f}s → {rate:.0f} votes/s (target ≥ {TARGETS['votes_per_s']}); "
        f"latency median {statistics.median(lat):.0f} ms, p95 {lat[int(len(lat) * 0.95)]:.0f} ms"
    )
    log(f"proposals whose counters differ from their rows: {bad} of {len(ids)} (must be 0)")
    return rate, bad


def bench_fanout(port, clients=500):
    import websockets

    from mapvotes.models import Proposal

    log(f"\n== WebSocket fan-out: {clients} clients on ws/map/ ==")
    key = tokens(1)[0]
    pk = Proposal.objects.order_by("pk").values_list("pk", flat=True).first()

    async def run():
        sockets = []
        for _i in range(clients):
            sockets.append(
                await websockets.connect(
                    f"ws://127.0.0.1:{port}/ws/map/", origin=f"http://127.0.0.1:{port}", open_timeout=30
                )
            )
        log(f"{len(sockets)} connected")
        await asyncio.sleep(1)
        results = []
        for round_ in range(3):
            import requests

            value = "for" if round_ % 2 == 0 else "against"
            sent = time.perf_counter()
            await asyncio.to_thread(
                requests.put,
                f"http://127.0.0.1:{port}/api/v1/map/proposals/{pk}/vote/",
                json={"value": value},
                headers={"Authorization": f"Token {key}"},
            )

            async def wait(ws, sent=sent):
                while True:
                    message = json.loads(await asyncio.wait_for(ws.recv(), timeout=20))
                    if message.get("type") == "proposal.votes" and message.get("id") == pk:
                        return (time.perf_counter() - sent) * 1000

            delays = await asyncio.gather(*(wait(ws) for ws in sockets), return_exceptions=True)
            got = sorted(d for d in delays if isinstance(d, float))
            results.append(got)
            log(
                f"round {round_ + 1}: {len(got)}/{clients} received, p50 {got[len(got) // 2]:.0f} ms, p95 {got[int(len(got) * 0.95) - 1]:.0f} ms"
            )
            await asyncio.sleep(1.2)  # past the coalescing window
        for ws in sockets:
            await ws.close()
        return results

    results = asyncio.run(run())
    p95 = statistics.median(r[int(len(r) * 0.95) - 1] for r in results if r)
    log(
        f"fan-out p95 (median of rounds): {p95:.0f} ms (target ≤ {TARGETS['fanout_p95_ms']} ms, includes the HTTP vote itself)"
    )
    return p95


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", choices=SIZES, default="small")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip", nargs="*", default=[], choices=["viewport", "votes", "fanout"])
    args = parser.parse_args()
    proposals, votes, users = SIZES[args.size]
    log(
        f"Size {args.size}: {proposals} proposals, {votes} votes, {users} voters; load average {os.getloadavg()[0]:.1f}"
    )
    generate(proposals, votes, users)
    if "viewport" not in args.skip:
        bench_viewport()
    if "votes" in args.skip and "fanout" in args.skip:
        return
    # Several workers need a shared channel layer: Redis when REDIS_URL is set, else one worker.
    workers = args.workers if os.environ.get("REDIS_URL") else 1
    log(f"\nuvicorn with {workers} worker(s), channel layer: {'Redis' if os.environ.get('REDIS_URL') else 'in-memory'}")
    server = start_server(args.port, workers)
    try:
        if "votes" not in args.skip:
            bench_votes(args.port)
        if "fanout" not in args.skip:
            bench_fanout(args.port)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
