"""Bounded load test against `make serve-prod` (loopback only): N concurrent users for D seconds.

    make serve-prod PORT=8000 &                       # in another terminal
    DATABASE_URL=... .venv/bin/python bench/load_test.py --url http://127.0.0.1:8000 [--users 200] [--duration 60]

Each virtual user is a verified account with its own API token (created directly in the database before the run,
so that per-account limits apply as for real residents; per-IP limits would otherwise treat the whole test as one
visitor). Users loop over a mix: browsing the map (districts + proposals in a bbox), voting on a proposal, searching
missions, reading the strategy, listing themes. Endpoints that are not deployed yet (404) are skipped with a note.
Pure asyncio + h11 (already installed with uvicorn): no extra dependency.

Reports throughput, p50/p95/p99 latency per kind, the error rate (429s are counted apart: they are intended), and
checks that every accepted vote is in the database (the proposals' counts grew by exactly the accepted votes).
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
from urllib.parse import urlsplit

import h11

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BBOX = "2.25,48.81,2.42,48.91"
REQUEST_TIMEOUT = 30  # seconds; a slower answer counts as an error


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


def create_users(count: int) -> list[str]:
    """Verified accounts with tokens, in bulk (one INSERT per table)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
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
    return [t.key for t in tokens]


class Stats:
    def __init__(self):
        self.latency = defaultdict(list)
        self.status = defaultdict(lambda: defaultdict(int))
        self.errors = []

    def add(self, kind, status, seconds):
        self.latency[kind].append(seconds)
        self.status[kind][status] += 1


async def probe(url_host, url_port):
    """Which endpoints exist on this deployment; proposal ids to vote on."""
    conn = Connection(url_host, url_port)
    await conn.open()
    available, notes = {}, []
    endpoints = {
        "districts": "/api/v1/districts/",
        "themes": "/api/v1/themes/",
        "map": f"/api/v1/map/proposals/?bbox={BBOX}&zoom=16",
        "missions": "/api/v1/volunteering/missions/?q=jardin",
        "strategy": "/api/v1/strategy/",
    }
    proposal_ids = []
    for kind, path in endpoints.items():
        for _attempt in range(3):
            try:
                status, body = await conn.request("GET", path)
                break
            except (h11.ProtocolError, OSError):
                await conn.close()
                status, body = "conn-error", b""
        if status == 200:
            available[kind] = path
            if kind == "map":
                features = json.loads(body).get("features", [])
                proposal_ids = [f["id"] for f in features if not f.get("properties", {}).get("cluster") and f.get("id")]
        else:
            notes.append(f"  - {kind}: {path} answered {status}: skipped (not deployed on this branch yet)")
    await conn.close()
    return available, proposal_ids, notes


async def proposal_counts(host, port, ids):
    conn = Connection(host, port)
    await conn.open()
    counts = {}
    for pid in ids:
        status, body = await conn.request("GET", f"/api/v1/map/proposals/{pid}/")
        props = json.loads(body).get("properties", {}) if status == 200 else {}
        counts[pid] = (props.get("votes_for", 0), props.get("votes_against", 0))
    await conn.close()
    return counts


async def user_loop(host, port, token, available, proposal_ids, deadline, stats, accepted_votes):
    conn = Connection(host, port)
    auth = [("Authorization", f"Token {token}")]
    mix = [k for k in ("districts", "map", "map", "missions", "missions", "strategy", "themes") if k in available]
    if proposal_ids:
        mix += ["vote", "vote"]
    if not mix:
        return
    await asyncio.sleep(random.random())  # spread the start
    while time.monotonic() < deadline:
        kind = random.choice(mix)
        started = time.perf_counter()
        try:
            if kind == "vote":
                pid = random.choice(proposal_ids)
                value = random.choice(["for", "against"])
                body = json.dumps({"value": value}).encode()
                status, _ = await asyncio.wait_for(
                    conn.request("PUT", f"/api/v1/map/proposals/{pid}/vote/", auth, body), REQUEST_TIMEOUT
                )
                if status == 200:
                    accepted_votes[(token, pid)] = value
            else:
                status, _ = await asyncio.wait_for(conn.request("GET", available[kind], auth), REQUEST_TIMEOUT)
        except TimeoutError:
            status = "timeout"
            await conn.close()
        except Exception as exc:
            status = "conn-error"
            stats.errors.append(repr(exc))
            await conn.close()
        stats.add(kind, status, time.perf_counter() - started)
        await asyncio.sleep(random.uniform(0.05, 0.3))  # think time
    await conn.close()


def pct(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))] * 1000


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--duration", type=float, default=60)
    args = parser.parse_args()
    parts = urlsplit(args.url)
    host, port = parts.hostname, parts.port or 80
    if host not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("Loopback only: refusing to load-test a remote host.")

    print(f"Creating {args.users} verified accounts with tokens...", flush=True)
    tokens = await asyncio.to_thread(create_users, args.users)
    available, proposal_ids, notes = await probe(host, port)
    print("Endpoints in the mix: " + ", ".join(available) + (", vote" if proposal_ids else ""))
    if not proposal_ids:
        notes.append("  - vote: no map proposals to vote on: voting skipped")
    if notes:
        print("Skipped:\n" + "\n".join(notes))
    before = await proposal_counts(host, port, proposal_ids)

    stats, accepted_votes = Stats(), {}
    print(f"Running {args.users} users for {args.duration:.0f} s against {args.url} ...", flush=True)
    started = time.monotonic()
    deadline = started + args.duration
    await asyncio.gather(
        *(user_loop(host, port, t, available, proposal_ids, deadline, stats, accepted_votes) for t in tokens)
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
    print(f"{'kind':<10} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    everything = []
    for kind, values in sorted(stats.latency.items()):
        everything += values
        print(f"{kind:<10} {len(values):>7} {pct(values, 50):>8.0f} {pct(values, 95):>8.0f} {pct(values, 99):>8.0f}")
    print(
        f"{'all':<10} {len(everything):>7} {pct(everything, 50):>8.0f} {pct(everything, 95):>8.0f} {pct(everything, 99):>8.0f}"
    )
    print(f"error rate {errors / max(total, 1):.2%} (429 throttled apart: {throttled})")
    if stats.errors:
        print("first errors:", stats.errors[:3])

    ok = errors == 0
    if proposal_ids:
        after = await proposal_counts(host, port, proposal_ids)
        expected = defaultdict(lambda: [0, 0])
        for (_token, pid), value in accepted_votes.items():
            expected[pid][0 if value == "for" else 1] += 1
        missing = {
            pid: (before[pid], after[pid], expected[pid])
            for pid in proposal_ids
            if (after[pid][0] - before[pid][0], after[pid][1] - before[pid][1]) != tuple(expected[pid])
        }
        print(
            f"accepted votes: {len(accepted_votes)} (distinct account x proposal); all in the database: {not missing}"
        )
        ok = ok and not missing
        if missing:
            print("mismatch (before, after, expected delta):", dict(list(missing.items())[:5]))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    asyncio.run(main())
