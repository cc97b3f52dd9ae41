"""Benchmark of the participatory map.

    .venv/bin/python bench/mapvotes_bench.py [--size full|small] [--skip viewport votes fanout]

Runs on the participe_bench database only (DATABASE_URL defaults to it; any database whose name does not end in
`_bench` is refused: the generator deletes and inserts rows in bulk).
1. Generates proposals and votes in bulk SQL (generate_series, points drawn inside the real quartiers of Paris):
   full = 100,000 proposals, 1,000,000 votes from 10,000 voters; small = 10,000 / 100,000 / 2,000.
2. Viewport endpoint: median/p95 server time at zooms 11–18 (in-process Django test client, i.e. the whole
   Django stack without the network), payload at the all-Paris view, ratio to the same SQL run raw.
3. Votes/s through the real HTTP stack: uvicorn started here as serve-prod runs it (CPUs + 1 workers, Redis layer),
   100 concurrent voters (token auth, keep-alive), then every proposal's counters are checked against its rows and
   every voter's last answer against the vote row (zero lost or double votes).
4. WebSocket fan-out: 500 clients on ws/map/, one vote, p95 delivery time.
Targets (issue 3): viewport median ≤ 30 ms, payload ≤ 100 KB, ≥ 300 votes/s, fan-out p95 ≤ 250 ms.
"""

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import subprocess
import time

import benchdb

benchdb.setup_django()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402

ROOT = benchdb.ROOT
SIZES = {"small": (10_000, 100_000, 2_000), "full": (100_000, 1_000_000, 10_000)}
TARGETS = {"viewport_ms": 30, "payload_kb": 100, "votes_per_s": 300, "fanout_p95_ms": 250}
VOTER_EMAIL = "bench-voter-%@example.org"
TITLE = "Bench proposition %"
log = benchdb.log


def generate(proposals, votes, users):
    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM mapvotes_proposal WHERE title LIKE %s", [TITLE])
        have = c.fetchone()[0]
        c.execute("SELECT count(*) FROM accounts_user WHERE email LIKE %s", [VOTER_EMAIL])
        have_users = c.fetchone()[0]
        if have == proposals and have_users == users:
            log(f"Bench data already there ({have} proposals, {have_users} voters).")
            return
        started = time.perf_counter()
        log(f"Generating {proposals:,} proposals, {votes:,} votes from {users:,} voters...")
        # Only the generated rows are removed (children first: the foreign keys have no ON DELETE CASCADE).
        bench_proposals = "SELECT id FROM mapvotes_proposal WHERE title LIKE %s"
        bench_users = "SELECT id FROM accounts_user WHERE email LIKE %s"
        c.execute(f"DELETE FROM mapvotes_vote WHERE proposal_id IN ({bench_proposals})", [TITLE])
        c.execute(f"DELETE FROM mapvotes_vote WHERE user_id IN ({bench_users})", [VOTER_EMAIL])
        for table in ("mapvotes_comment", "mapvotes_timelineevent"):
            c.execute(f"DELETE FROM {table} WHERE proposal_id IN ({bench_proposals})", [TITLE])
        c.execute("DELETE FROM mapvotes_proposal WHERE title LIKE %s", [TITLE])
        c.execute(f"DELETE FROM authtoken_token WHERE user_id IN ({bench_users})", [VOTER_EMAIL])
        c.execute(f"DELETE FROM account_emailaddress WHERE user_id IN ({bench_users})", [VOTER_EMAIL])
        c.execute("DELETE FROM accounts_user WHERE email LIKE %s", [VOTER_EMAIL])
        # Counters of the other (demo) proposals may have counted bench voters: recount them.
        c.execute(
            """
            UPDATE mapvotes_proposal p SET votes_for = coalesce(v.f, 0), votes_against = coalesce(v.a, 0)
            FROM mapvotes_proposal q LEFT JOIN (
                SELECT proposal_id, count(*) FILTER (WHERE value = 'for') f, count(*) FILTER (WHERE value = 'against') a
                FROM mapvotes_vote GROUP BY proposal_id) v ON v.proposal_id = q.id
            WHERE q.id = p.id AND (p.votes_for, p.votes_against) <> (coalesce(v.f, 0), coalesce(v.a, 0))
            """
        )
        c.execute(
            """
            INSERT INTO accounts_user (password, is_superuser, email, display_name, preferred_language, email_verified,
                                       is_team, is_staff, is_active, date_joined)
            SELECT '!', false, 'bench-voter-' || i || '@example.org', 'Votant ' || i, 'fr', true, false, false, true,
                   now()
            FROM generate_series(1, %s) i
            """,
            [users],
        )
        log(f"  {users:,} voters in {time.perf_counter() - started:.1f} s")
        benchdb.make_points(c, proposals)
        c.execute("SELECT array_agg(id ORDER BY id) FROM core_theme")
        themes = c.fetchone()[0]
        c.execute(
            """
            INSERT INTO mapvotes_proposal (is_hidden, hidden_reason, title, description, theme_id, geometry, point,
              district_id, quartier_id, status, status_reason, photo, votes_for, votes_against, comments_count,
              search, created_at, updated_at)
            SELECT false, '', 'Bench proposition ' || i, 'Description de la proposition ' || i || ' du quartier',
                   (%(themes)s::bigint[])[1 + i %% array_length(%(themes)s::bigint[], 1)], p, p, district_id,
                   quartier_id, (ARRAY['published','published','published','under_study','retained'])[1 + i %% 5], '', '',
                   0, 0, 0,
                   setweight(to_tsvector('french_unaccent', 'Bench proposition ' || i), 'A')
                   || setweight(to_tsvector('french_unaccent', 'Description de la proposition ' || i || ' du quartier'), 'B'),
                   now() - (i %% 400) * interval '1 day', now()
            FROM bench_points
            """,
            {"themes": themes},
        )
        log(f"  {proposals:,} proposals (inside the quartiers of Paris) in {time.perf_counter() - started:.1f} s")
        c.execute("SELECT min(id) FROM accounts_user WHERE email LIKE %s", [VOTER_EMAIL])
        first_user = c.fetchone()[0]
        c.execute(
            "CREATE TEMP TABLE bench_p AS SELECT (row_number() OVER (ORDER BY id) - 1)::int AS k, id "
            "FROM mapvotes_proposal WHERE title LIKE %s",
            [TITLE],
        )
        c.execute("CREATE UNIQUE INDEX ON bench_p (k)")
        per_user = votes // users
        # Voter u votes on proposals (u * 7919 + j * 1009) mod P, j < per_user: distinct for each voter, spread out.
        c.execute(
            """
            INSERT INTO mapvotes_vote (user_id, proposal_id, value, created_at, updated_at)
            SELECT %s + (i %% %s), bp.id, CASE WHEN random() < 0.7 THEN 'for' ELSE 'against' END, now(), now()
            FROM generate_series(0, %s - 1) i
            JOIN bench_p bp ON bp.k = (((i %% %s)::bigint * 7919 + (i / %s) * 1009) %% %s)
            ON CONFLICT DO NOTHING
            """,
            [first_user, users, per_user * users, users, users, proposals],
        )
        log(f"  votes in {time.perf_counter() - started:.1f} s")
        c.execute(
            """
            UPDATE mapvotes_proposal p SET votes_for = v.f, votes_against = v.a
            FROM (SELECT proposal_id, count(*) FILTER (WHERE value = 'for') f, count(*) FILTER (WHERE value = 'against') a
                  FROM mapvotes_vote GROUP BY proposal_id) v WHERE v.proposal_id = p.id AND p.title LIKE %s
            """,
            [TITLE],
        )
        c.execute("DROP TABLE bench_p; DROP TABLE bench_points")
        for table in ("mapvotes_proposal", "mapvotes_vote", "accounts_user"):
            c.execute(f"VACUUM ANALYZE {table}")
        c.execute("SELECT count(*) FROM mapvotes_vote")
        log(f"{c.fetchone()[0]:,} votes in all; data ready in {time.perf_counter() - started:.1f} s")


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
    check_summary()
    full = client.get(f"/api/v1/map/proposals/?bbox={viewport_bbox(2.3522, 48.8566, 11)}&zoom=11")
    log(f"all-Paris payload at zoom 11: {len(full.content) / 1024:.1f} KB (target ≤ {TARGETS['payload_kb']} KB)")
    worst = max(r[0] for r in results.values())
    log(
        f"worst median: {worst:.1f} ms (target ≤ {TARGETS['viewport_ms']} ms) → {'OK' if worst <= TARGETS['viewport_ms'] else 'MISSED'}"
    )
    return results


def check_summary():
    """Clusters come from mapvotes_clustercell (kept by triggers), unfiltered or by theme and status: same cells as
    grouping live?"""
    from core.models import Theme
    from mapvotes import selectors
    from mapvotes.models import CELL_ZOOMS

    themes = list(Theme.objects.order_by("pk").values_list("slug", flat=True)[:3])
    # Unfiltered, then filtered by three themes and by a status: the summary has a row per theme and status.
    for label, params in (
        ("", {}),
        (" [3 themes]", {"theme": ",".join(themes)}),
        (" [published]", {"status": "published"}),
    ):
        filters = selectors.parse_filters(params)
        for zoom in [z for z in (11, 12, 13, 14, 15, 16) if z in CELL_ZOOMS]:
            bbox = selectors.parse_bbox(viewport_bbox(2.3522, 48.8566, zoom))
            started = time.perf_counter()
            live = selectors.live_cells(selectors.filtered(filters), zoom, bbox)
            live_ms = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            summary = selectors.summarised_cells(zoom, bbox, filters)
            summary_ms = (time.perf_counter() - started) * 1000

            def key(cells):
                return sorted((c["gx"], c["gy"], c["n"], round(c["x"], 6), round(c["y"], 6)) for c in cells)

            same = key(live) == key(summary)
            log(
                f"zoom {zoom}{label}: {len(summary)} cells from the summary in {summary_ms:.1f} ms, grouping live "
                f"{live_ms:.1f} ms → {'same cells' if same else 'DIFFERENT CELLS'}"
            )
            assert same, f"the cluster summary differs from the live grouping at zoom {zoom}{label}"


def start_server(port, workers, settings=None, kind="uvicorn"):
    """uvicorn as scripts/serve_prod.sh runs it (uvloop, httptools, several workers on one port, Redis layer), or
    daphne (one process: it has no multi-process mode of its own) for the comparison."""
    env = dict(
        os.environ,
        DEBUG="false",
        SECRET_KEY="bench-" + os.urandom(16).hex(),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        SECURE_HSTS_SECONDS="0",
        CONN_MAX_AGE="0",
    )  # THROTTLE_* are raised by benchdb: the per-account vote limit (60/min) would cap a voter at 1 vote/s.
    if settings:  # e.g. pool_settings (bench/pool_settings.py): a fix measured before it is made
        env["DJANGO_SETTINGS_MODULE"] = settings
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "bench"), os.environ.get("PYTHONPATH")]))
    if kind == "daphne":
        cmd = [str(ROOT / ".venv/bin/daphne"), "-b", "127.0.0.1", "-p", str(port), "-v", "0", "config.asgi:application"]
    else:
        cmd = [str(ROOT / ".venv/bin/uvicorn"), "config.asgi:application", "--port", str(port), "--workers",
               str(workers), "--loop", "uvloop", "--http", "httptools", "--ws", "websockets-sansio", "--lifespan",
               "off", "--no-access-log", "--timeout-worker-healthcheck", "60", "--log-level", "warning"]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
    import urllib.error
    import urllib.request

    for _ in range(360):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            time.sleep(2 if workers > 1 else 0)  # let the other workers finish starting
            return proc
        except urllib.error.HTTPError:
            return proc  # it answers
        except Exception:  # noqa: BLE001
            time.sleep(0.5)
    stop_server(proc)
    raise RuntimeError("uvicorn did not start")


def stop_server(proc):
    import signal

    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def voters(n):
    """(user id, token key) of n bench voters."""
    from rest_framework.authtoken.models import Token

    from accounts.models import User

    users = list(User.objects.filter(email__startswith="bench-voter-", email_verified=True).order_by("pk")[:n])
    return [(u.pk, Token.objects.get_or_create(user=u)[0].key) for u in users]


def inprocess_vote_ms(n=200):
    """Median time of one vote through the Django stack in this process (no HTTP, no ASGI, one thread): the CPU a
    vote costs the application, hence an upper bound of votes/s per core."""
    from mapvotes.models import Proposal

    user_id, key = voters(1)[0]
    ids = list(Proposal.objects.filter(title__startswith="Bench ").order_by("?").values_list("pk", flat=True)[:n])
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    times = []
    for i, pk in enumerate(ids):
        started = time.perf_counter()
        response = client.put(
            f"/api/v1/map/proposals/{pk}/vote/", {"value": ("for", "against")[i % 2]}, content_type="application/json"
        )
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content[:200]
    median = statistics.median(times)
    log(f"one vote in-process (Django stack, no HTTP): median {median:.1f} ms → ≤ {1000 / median:.0f} votes/s per core")
    return median


def cpu_seconds(server_group: int) -> dict[str, float]:
    """CPU time used so far (user + system, from /proc) by the server's process group, by PostgreSQL's processes and
    by this process: what a vote costs each of them, whatever else the machine does."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {"server": 0.0, "postgresql": 0.0, "client": 0.0}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
        except OSError:  # gone meanwhile
            continue
        name, fields = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :].split()
        cpu = (int(fields[11]) + int(fields[12])) / tick
        if int(pid) == os.getpid():
            used["client"] += cpu
        elif int(fields[2]) == server_group:
            used["server"] += cpu
        elif name.startswith("postgres"):
            used["postgresql"] += cpu
    return used


def bench_votes(port, seconds=20, n_voters=100, server_group=None):
    """n_voters coroutines, each with its own keep-alive connection, vote (85 %) or withdraw (15 %) in a loop."""
    from load_test import Connection

    from mapvotes.models import Proposal, Vote

    log(f"\n== Votes through HTTP: {n_voters} concurrent voters for {seconds}s ==")
    with override_settings(DEBUG=False):
        inprocess_vote_ms()
    accounts = voters(n_voters)
    ids = list(Proposal.objects.filter(title__startswith="Bench ").order_by("?").values_list("pk", flat=True)[:300])
    ok, errors, latencies, last = [0], {}, [], {}

    async def voter(user_id, key, seed, stop):
        rng = random.Random(seed)
        conn = Connection("127.0.0.1", port)
        auth = [("Authorization", f"Token {key}")]
        while time.monotonic() < stop:
            pk = rng.choice(ids)
            path = f"/api/v1/map/proposals/{pk}/vote/"
            started = time.perf_counter()
            try:
                if rng.random() < 0.15:
                    status, body = await asyncio.wait_for(conn.request("DELETE", path, auth), 30)
                else:
                    value = json.dumps({"value": rng.choice(["for", "against"])}).encode()
                    status, body = await asyncio.wait_for(conn.request("PUT", path, auth, value), 30)
            except Exception as exc:  # noqa: BLE001
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                await conn.close()
                last[(user_id, pk)] = "unknown"  # the server may or may not have recorded it
                continue
            latencies.append((time.perf_counter() - started) * 1000)
            if status == 200:
                ok[0] += 1
                last[(user_id, pk)] = json.loads(body)["my_vote"]
            else:
                errors[status] = errors.get(status, 0) + 1
                last[(user_id, pk)] = "unknown"
        await conn.close()

    async def run():
        stop = time.monotonic() + seconds
        await asyncio.gather(*(voter(uid, key, i, stop) for i, (uid, key) in enumerate(accounts)))

    cpu_before = cpu_seconds(server_group) if server_group else None
    started = time.monotonic()
    asyncio.run(run())
    elapsed = time.monotonic() - started
    rate = ok[0] / elapsed
    lat = sorted(latencies) or [0.0]
    log(
        f"{ok[0]} votes OK, errors {errors or 0} in {elapsed:.1f}s → {rate:.0f} votes/s (target ≥ "
        f"{TARGETS['votes_per_s']}); latency median {statistics.median(lat):.0f} ms, p95 {lat[int(len(lat) * 0.95)]:.0f} ms, "
        f"p99 {lat[int(len(lat) * 0.99)]:.0f} ms"
    )
    if cpu_before and ok[0]:
        cpu_after = cpu_seconds(server_group)
        per_vote = {k: (cpu_after[k] - cpu_before[k]) * 1000 / ok[0] for k in cpu_after}
        log(
            f"CPU per vote: server {per_vote['server']:.1f} ms, PostgreSQL {per_vote['postgresql']:.1f} ms, "
            f"load generator {per_vote['client']:.1f} ms ({os.cpu_count()} cores: "
            f"≤ {os.cpu_count() * 1000 / sum(per_vote.values()):.0f} votes/s at this cost)"
        )
    # 1. Every proposal's counters equal its rows (all proposals, not only the ones voted on).
    with connection.cursor() as c:
        c.execute(
            """
            SELECT count(*) FROM mapvotes_proposal p LEFT JOIN (
                SELECT proposal_id, count(*) FILTER (WHERE value = 'for') f, count(*) FILTER (WHERE value = 'against') a
                FROM mapvotes_vote GROUP BY proposal_id) v ON v.proposal_id = p.id
            WHERE (p.votes_for, p.votes_against) <> (coalesce(v.f, 0), coalesce(v.a, 0))
            """
        )
        bad_counters = c.fetchone()[0]
    # 2. Every voter's last answer is what the database holds (no lost vote, no vote counted twice).
    rows = {
        (u, p): v
        for u, p, v in Vote.objects.filter(user_id__in=[u for u, _ in accounts], proposal_id__in=ids).values_list(
            "user_id", "proposal_id", "value"
        )
    }
    checked = {k: v for k, v in last.items() if v != "unknown"}
    lost = sum(rows.get(k) != v for k, v in checked.items())
    log(f"proposals whose counters differ from their rows: {bad_counters} of {Proposal.objects.count():,} (must be 0)")
    log(f"(voter, proposal) pairs whose last answer differs from the database: {lost} of {len(checked):,} (must be 0)")
    return rate, bad_counters + lost


def bench_fanout(port, clients=500, rounds=5):
    import requests
    import websockets

    from mapvotes.models import Proposal

    log(f"\n== WebSocket fan-out: {clients} clients on ws/map/ ==")
    _user_id, key = voters(1)[0]
    pk = Proposal.objects.filter(title__startswith="Bench ").order_by("pk").values_list("pk", flat=True).first()

    async def run():
        sockets = []
        for _i in range(clients):
            sockets.append(
                await websockets.connect(
                    f"ws://127.0.0.1:{port}/ws/map/", origin=f"http://127.0.0.1:{port}", open_timeout=30
                )
            )
        log(f"{len(sockets)} connected")
        # Withdraw the voter's generated vote first, so that every round's vote is a change (and is broadcast).
        await asyncio.to_thread(
            requests.delete,
            f"http://127.0.0.1:{port}/api/v1/map/proposals/{pk}/vote/",
            headers={"Authorization": f"Token {key}"},
        )
        await asyncio.sleep(1.5)  # past the coalescing window, and the withdrawal's own message is drained below
        for ws in sockets:
            with contextlib.suppress(TimeoutError):
                while True:
                    await asyncio.wait_for(ws.recv(), timeout=0.01)
        results = []
        for round_ in range(rounds):
            value = "for" if round_ % 2 == 0 else "against"
            sent = time.perf_counter()
            answer = await asyncio.to_thread(
                requests.put,
                f"http://127.0.0.1:{port}/api/v1/map/proposals/{pk}/vote/",
                json={"value": value},
                headers={"Authorization": f"Token {key}"},
            )
            if answer.status_code != 200:
                log(f"round {round_ + 1}: the vote answered {answer.status_code} {answer.text[:200]}")

            async def wait(ws, sent=sent):
                while True:
                    message = json.loads(await asyncio.wait_for(ws.recv(), timeout=20))
                    if message.get("type") == "proposal.votes" and message.get("id") == pk:
                        return (time.perf_counter() - sent) * 1000

            delays = await asyncio.gather(*(wait(ws) for ws in sockets), return_exceptions=True)
            got = sorted(d for d in delays if isinstance(d, float))
            if not got:
                log(f"round {round_ + 1}: 0/{clients} received within 20 s")
                continue
            results.append(got)
            log(
                f"round {round_ + 1}: {len(got)}/{clients} received, p50 {got[len(got) // 2]:.0f} ms, "
                f"p95 {got[int(len(got) * 0.95) - 1]:.0f} ms, max {got[-1]:.0f} ms"
            )
            await asyncio.sleep(1.2)  # past the coalescing window
        for ws in sockets:
            await ws.close()
        return results

    results = asyncio.run(run())
    if not results:
        log("fan-out: no round was received (MISSED)")
        return None
    p95 = statistics.median(r[int(len(r) * 0.95) - 1] for r in results if r)
    log(
        f"fan-out p95 (median of {rounds} rounds): {p95:.0f} ms (target ≤ {TARGETS['fanout_p95_ms']} ms, "
        "includes the HTTP vote itself)"
    )
    return p95


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", choices=SIZES, default="full")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 2) + 1, help="as serve-prod: CPUs + 1")
    parser.add_argument("--seconds", type=int, default=20, help="duration of the votes run")
    parser.add_argument("--skip", nargs="*", default=[], choices=["viewport", "votes", "fanout"])
    parser.add_argument(
        "--same-server", action="store_true", help="votes then fan-out on one server (see docs/performance.md)"
    )
    parser.add_argument("--server", choices=["uvicorn", "daphne"], default="uvicorn")
    parser.add_argument("--server-settings", help="DJANGO_SETTINGS_MODULE of the server, e.g. pool_settings")
    args = parser.parse_args()
    proposals, votes, users = SIZES[args.size]
    log(
        f"Size {args.size}: {proposals:,} proposals, {votes:,} votes, {users:,} voters; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    benchdb.prepare()
    generate(proposals, votes, users)
    benchdb.vacuum("mapvotes_proposal", "mapvotes_vote", "mapvotes_clustercell", "strategy_contribution")
    if "viewport" not in args.skip:
        with override_settings(DEBUG=False):
            bench_viewport()
    # Several workers share the Redis channel layer and cache, as serve-prod does (a Redis database of the bench's own).
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/13")
    log(
        f"\n{args.server} with {1 if args.server == 'daphne' else args.workers} worker(s), channel layer and cache: Redis {os.environ['REDIS_URL']}, "
        f"settings {args.server_settings or 'config.settings'}"
    )
    # Each part gets a fresh server (--same-server: votes then fan-out on one), with an empty Redis database.
    parts = [p for p in ("votes", "fanout") if p not in args.skip]
    for group in [parts] if args.same_server else [[p] for p in parts]:
        flush_bench_redis()
        server = start_server(args.port, args.workers, args.server_settings, args.server)
        try:
            if "votes" in group:
                bench_votes(args.port, seconds=args.seconds, server_group=server.pid)
            if "fanout" in group:
                bench_fanout(args.port)
        finally:
            stop_server(server)


def flush_bench_redis():
    """Empty the bench's own Redis database (stale channel-layer groups of a previous run would be sent to)."""
    import redis

    url = os.environ["REDIS_URL"]
    if url.rstrip("/").endswith("/13"):
        redis.Redis.from_url(url).flushdb()


if __name__ == "__main__":
    main()
