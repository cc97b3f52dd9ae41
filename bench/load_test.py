"""Bounded load test against `make serve-prod` (loopback only): N concurrent users for D seconds.

    DATABASE_URL=postgis://postgres@127.0.0.1:5432/participe_bench PORT=8765 make serve-prod &
    .venv/bin/python bench/load_test.py --url http://127.0.0.1:8765 [--users 200] [--duration 60]

The server and this script must use the same *_bench database (DATABASE_URL defaults to participe_bench; any other
name is refused, since accounts are created in it); run bench/mapvotes_bench.py (and the others) first so that
there are proposals, missions and a strategy to read. Each virtual user is a verified account with its own API
token (created directly in the database before the run, so that per-account limits apply as for real residents).
Users loop over a mix: browsing the map (a viewport somewhere in Paris at zoom 12–17, districts), voting on a
proposal, searching missions (words, near a point), reading the strategy (current version, diff v1→v2), listing
themes. Pure asyncio + h11 (installed with uvicorn): no extra dependency.

Reports throughput, p50/p95/p99 latency per kind, the error rate (429s are counted apart: they are intended), and
checks in the database that every accepted vote is there: each user's last accepted answer on each proposal is the
vote row, and every proposal's counters equal its rows.
"""

import argparse
import asyncio
import contextlib
import json
import os
import random
import secrets
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote, urlsplit

import h11

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
REQUEST_TIMEOUT = 30  # seconds; a slower answer counts as an error
MISSION_WORDS = ["jardin", "aide", "vélo", "alimentaire", "numérique", "nettoyage", "lecture", "compostage"]


class Connection:
    """One keep-alive HTTP/1.1 connection (h11 over asyncio streams)."""

    def __init__(self, host, port):
        self.host, self.port = host, port
        self.reader = self.writer = self.conn = None

    async def open(self):
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.conn = h11.Connection(h11.CLIENT)

    async def request(self, method, path, headers=(), body=b""):
        if self.conn is None or self.conn.our_state is not h11.IDLE:
            await self.close()
            await self.open()
        head = [("Host", f"{self.host}:{self.port}"), ("Accept", "application/json"), *headers]
        if body:
            head += [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        data = self.conn.send(h11.Request(method=method, target=path, headers=head))
        if body:
            data += self.conn.send(h11.Data(data=body))
        data += self.conn.send(h11.EndOfMessage())
        self.writer.write(data)
        await self.writer.drain()
        status, chunks = None, []
        while True:
            event = self.conn.next_event()
            if event is h11.NEED_DATA:
                received = await self.reader.read(65536)
                self.conn.receive_data(received)
                continue
            if isinstance(event, h11.Response):
                status = event.status_code
            elif isinstance(event, h11.Data):
                chunks.append(event.data)
            elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed):
                break
        if self.conn.our_state is h11.DONE and self.conn.their_state is h11.DONE:
            try:
                self.conn.start_next_cycle()
            except h11.LocalProtocolError:
                await self.close()
        else:
            await self.close()
        return status, b"".join(chunks)

    async def close(self):
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()
        self.reader = self.writer = self.conn = None


def create_users(count: int) -> list[tuple[int, str]]:
    """Verified accounts with tokens, in bulk (one INSERT per table): [(user id, token key)]."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from rest_framework.authtoken.models import Token

    from accounts.models import User

    run = secrets.token_hex(3)
    password = make_password(secrets.token_urlsafe(12))
    users = User.objects.bulk_create(
        [
            User(
                email=f"charge-{run}-{i}@bench.participe.test",
                display_name=f"Charge {i}",
                email_verified=True,
                password=password,
            )
            for i in range(count)
        ]
    )
    EmailAddress.objects.bulk_create([EmailAddress(user=u, email=u.email, primary=True, verified=True) for u in users])
    tokens = Token.objects.bulk_create([Token(user=u, key=Token.generate_key()) for u in users])
    return [(t.user_id, t.key) for t in tokens]


def targets():
    """Proposals to vote on (generated ones when present) and the strategy versions to diff."""
    from mapvotes.models import Proposal
    from strategy.models import Version

    ids = list(
        Proposal.objects.filter(is_hidden=False, merged_into=None).order_by("?").values_list("pk", flat=True)[:2000]
    )
    versions = list(Version.objects.order_by("number").values_list("number", flat=True))
    return ids, versions


def counters_match_rows() -> int:
    """How many proposals have counters that differ from their vote rows (must be 0)."""
    from django.db import connection

    with connection.cursor() as c:
        c.execute(
            """
            SELECT count(*) FROM mapvotes_proposal p LEFT JOIN (
                SELECT proposal_id, count(*) FILTER (WHERE value = 'for') f, count(*) FILTER (WHERE value = 'against') a
                FROM mapvotes_vote GROUP BY proposal_id) v ON v.proposal_id = p.id
            WHERE (p.votes_for, p.votes_against) <> (coalesce(v.f, 0), coalesce(v.a, 0))
            """
        )
        return c.fetchone()[0]


def votes_in_database(user_ids) -> dict:
    from mapvotes.models import Vote

    return {
        (u, p): v
        for u, p, v in Vote.objects.filter(user_id__in=user_ids).values_list("user_id", "proposal_id", "value")
    }


class Stats:
    def __init__(self):
        self.latency = defaultdict(list)
        self.status = defaultdict(lambda: defaultdict(int))
        self.errors = []
        self.samples = {}  # (kind, status) -> first body of a non-2xx answer

    def add(self, kind, status, seconds, body=b""):
        self.latency[kind].append(seconds)
        self.status[kind][status] += 1
        if not (isinstance(status, int) and 200 <= status < 300):
            self.samples.setdefault((kind, status), body[:200])


def viewport(rng):
    """A bbox of a 1280×800 screen somewhere in Paris, at zoom 12 (all Paris) to 17 (street)."""
    zoom = rng.choice([12, 13, 14, 15, 16, 17])
    lon, lat = 2.28 + rng.random() * 0.13, 48.83 + rng.random() * 0.05
    dx = 640 * 360 / (256 * 2**zoom)
    dy = 400 * 360 / (256 * 2**zoom) * 0.66
    return f"/api/v1/map/proposals/?bbox={lon - dx:.5f},{lat - dy:.5f},{lon + dx:.5f},{lat + dy:.5f}&zoom={zoom}"


def next_request(kind, rng, proposal_ids, versions):
    """(method, path, body) of one request of `kind`."""
    if kind == "map":
        return "GET", viewport(rng), b""
    if kind == "districts":
        return "GET", "/api/v1/districts/", b""
    if kind == "themes":
        return "GET", "/api/v1/themes/", b""
    if kind == "vote":
        body = json.dumps({"value": rng.choice(["for", "against"])}).encode()
        return "PUT", f"/api/v1/map/proposals/{rng.choice(proposal_ids)}/vote/", body
    if kind == "missions":
        word = quote(rng.choice(MISSION_WORDS))
        if rng.random() < 0.5:
            lon, lat = 2.29 + rng.random() * 0.11, 48.835 + rng.random() * 0.045
            return "GET", f"/api/v1/volunteering/missions/?q={word}&near={lon:.4f},{lat:.4f}&radius_km=2", b""
        return "GET", f"/api/v1/volunteering/missions/?q={word}", b""
    if kind == "strategy":
        if len(versions) >= 2 and rng.random() < 0.3:
            return "GET", f"/api/v1/strategy/diff/?from={versions[0]}&to={versions[-1]}", b""
        return "GET", "/api/v1/strategy/", b""
    raise ValueError(kind)


async def user_loop(host, port, user, proposal_ids, versions, deadline, stats, accepted_votes, uncertain):
    user_id, token = user
    rng = random.Random(user_id)
    conn = Connection(host, port)
    auth = [("Authorization", f"Token {token}")]
    mix = ["districts", "map", "map", "map", "missions", "missions", "strategy", "themes"]
    if proposal_ids:
        mix += ["vote", "vote"]
    await asyncio.sleep(rng.random())  # spread the start
    while time.monotonic() < deadline:
        kind = rng.choice(mix)
        method, path, body = next_request(kind, rng, proposal_ids, versions)
        started = time.perf_counter()
        answer = b""
        try:
            status, answer = await asyncio.wait_for(conn.request(method, path, auth, body), REQUEST_TIMEOUT)
        except TimeoutError:
            status = "timeout"
            await conn.close()
        except Exception as exc:
            status = "conn-error"
            stats.errors.append(f"{type(exc).__name__}: {exc}"[:120])
            await conn.close()
        if kind == "vote":
            pid = int(path.split("/")[-3])
            if status == 200:
                accepted_votes[(user_id, pid)] = json.loads(answer)["my_vote"]
                uncertain.discard((user_id, pid))
            elif not isinstance(status, int) or status >= 500:
                uncertain.add((user_id, pid))  # the server may or may not have recorded it
        stats.add(kind, status, time.perf_counter() - started, answer)
        await asyncio.sleep(rng.uniform(0.05, 0.3))  # think time
    await conn.close()


def pct(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))] * 1000


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8765")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--duration", type=float, default=60)
    args = parser.parse_args()
    parts = urlsplit(args.url)
    host, port = parts.hostname, parts.port or 80
    if host not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("Loopback only: refusing to load-test a remote host.")
    import benchdb

    benchdb.setup_django()  # refuses any database but a *_bench one: accounts are created in it

    print(f"Creating {args.users} verified accounts with tokens...", flush=True)
    users = await asyncio.to_thread(create_users, args.users)
    proposal_ids, versions = await asyncio.to_thread(targets)
    print(
        f"{len(proposal_ids)} proposals to vote on, strategy versions {versions}; load average {os.getloadavg()[0]:.1f}"
    )

    stats, accepted_votes, uncertain = Stats(), {}, set()
    print(f"Running {args.users} users for {args.duration:.0f} s against {args.url} ...", flush=True)
    started = time.monotonic()
    deadline = started + args.duration
    await asyncio.gather(
        *(user_loop(host, port, u, proposal_ids, versions, deadline, stats, accepted_votes, uncertain) for u in users)
    )
    elapsed = time.monotonic() - started

    total = sum(len(v) for v in stats.latency.values())
    all_status = defaultdict(int)
    for per_kind in stats.status.values():
        for status, n in per_kind.items():
            all_status[status] += n
    throttled = all_status.get(429, 0)
    errors = sum(n for s, n in all_status.items() if not (isinstance(s, int) and 200 <= s < 300) and s != 429)
    print(f"\n{total} requests in {elapsed:.1f} s = {total / elapsed:.1f} req/s; statuses {dict(all_status)}")
    print(f"{'kind':<10} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  statuses")
    everything = []
    for kind, values in sorted(stats.latency.items()):
        everything += values
        print(
            f"{kind:<10} {len(values):>7} {pct(values, 50):>8.0f} {pct(values, 95):>8.0f} {pct(values, 99):>8.0f}  "
            f"{dict(stats.status[kind])}"
        )
    print(
        f"{'all':<10} {len(everything):>7} {pct(everything, 50):>8.0f} {pct(everything, 95):>8.0f} {pct(everything, 99):>8.0f}"
    )
    print(f"error rate {errors / max(total, 1):.2%} (429 throttled apart: {throttled})")
    for (kind, status), body in list(stats.samples.items())[:8]:
        print(f"  sample {kind} {status}: {body!r}")
    if stats.errors:
        from collections import Counter

        print("connection errors:", Counter(stats.errors).most_common(5))

    ok = errors == 0
    rows = await asyncio.to_thread(votes_in_database, [u for u, _ in users])
    checked = {k: v for k, v in accepted_votes.items() if k not in uncertain}
    lost = [k for k, v in checked.items() if rows.get(k) != v]
    extra = [k for k in rows if k not in accepted_votes and k not in uncertain]
    bad_counters = await asyncio.to_thread(counters_match_rows)
    print(
        f"accepted votes: {len(checked)} (account × proposal, last answer); missing or different in the database: "
        f"{len(lost)}; rows without an accepted vote: {len(extra)}; proposals whose counters differ from their rows: "
        f"{bad_counters}; pairs left uncertain by a 5xx/timeout: {len(uncertain)}"
    )
    ok = ok and not lost and not extra and not bad_counters
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    asyncio.run(main())
