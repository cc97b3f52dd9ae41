"""Benchmark of the participatory budget (issue 16).

    .venv/bin/python bench/budget_bench.py [--size full|small] [--skip results pages ballots]

Runs on the participe_bench database only (benchdb refuses any other). Generates two campaigns (a past one with its
ballots, a current one in its vote phase) and their projects in every arrondissement, and voters who declared their
arrondissement: full = 200,000 voters and 1,500 projects (issue 16), small = 20,000 and 1,500.
1. Results of the past campaign (every voter cast a ballot: one project of all of Paris and two of an arrondissement)
   counted and selected per scope: target ≤ 1 s.
2. The realisation map of all the winners, per viewport (in-process Django test client): target ≤ 30 ms median;
   the ballot page of a resident: target ≤ 100 ms median; the project list page.
3. Ballots through the real HTTP stack (uvicorn as serve-prod runs it): 100 concurrent voters fill and change their
   ballots for --seconds, then 50 parallel requests from one account; then one ballot per account, every voter's last
   answer equals the database, no ballot over an envelope, totals equal rows. Target ≥ 300 ballots/s, 0 lost.
"""

import argparse
import asyncio
import datetime
import json
import os
import random
import statistics
import time

import benchdb

benchdb.setup_django()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

SIZES = {"small": (20_000, 1_500), "full": (200_000, 1_500)}
TARGETS = {"results_s": 1.0, "viewport_ms": 30, "ballot_page_ms": 100, "ballots_per_s": 300}
PAST, CURRENT = 2090, 2091  # years of the bench's own campaigns (the demo's are real years)
VOTER_EMAIL = "bench-bp-voter-%@example.org"
log = benchdb.log


def _campaign(year, phase):
    from budget.models import Campaign, Scope
    from core.models import District

    today = datetime.date.today()
    offsets = {"vote": 2, "delivery": 4}[phase]
    starts = [today + datetime.timedelta(days=(i - offsets) * 30) for i in range(5)]
    campaign = Campaign.objects.create(
        year=year,
        submission_opens=starts[0],
        study_opens=starts[1],
        vote_opens=starts[2],
        results_on=starts[3],
        delivery_opens=starts[4],
    )
    Scope.objects.create(campaign=campaign, district=None, envelope=30_000_000, popular_share=10_000_000)
    Scope.objects.bulk_create(
        Scope(campaign=campaign, district=d, envelope=3_000_000, popular_share=1_000_000)
        for d in District.objects.all()
    )
    return campaign


def generate(voters, projects):
    from budget.models import Campaign

    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM accounts_user WHERE email LIKE %s", [VOTER_EMAIL])
        have = c.fetchone()[0]
        c.execute(
            "SELECT count(*) FROM budget_ballot b JOIN budget_campaign c ON c.id = b.campaign_id WHERE year = %s",
            [PAST],
        )
        ballots = c.fetchone()[0]
    paris_now = Campaign.objects.filter(year=CURRENT, projects__scope__district__isnull=True).exists()
    if have == voters and ballots == voters and paris_now:
        log(f"Bench data already there ({have:,} voters, {ballots:,} ballots).")
        return
    started = time.perf_counter()
    log(f"Generating 2 campaigns, {projects:,} projects, {voters:,} voters and their ballots...")
    with connection.cursor() as c:
        bench = "SELECT id FROM budget_campaign WHERE year IN (%s, %s)"
        for table, column in (
            ("budget_ballotchoice", "ballot_id IN (SELECT id FROM budget_ballot WHERE campaign_id IN ({}))"),
            ("budget_ballot", "campaign_id IN ({})"),
            (
                "strategy_contribution",
                "source = 'budget' AND source_id IN (SELECT id FROM budget_project WHERE campaign_id IN ({}))",
            ),
            ("budget_project", "campaign_id IN ({})"),
            ("budget_scope", "campaign_id IN ({})"),
            ("budget_campaign", "id IN ({})"),
        ):
            c.execute(f"DELETE FROM {table} WHERE {column.format(bench)}", [PAST, CURRENT])
        bench_users = "SELECT id FROM accounts_user WHERE email LIKE %s"
        for table in ("authtoken_token", "account_emailaddress", "budget_ballot"):
            column = "voter_id" if table == "budget_ballot" else "user_id"
            c.execute(f"DELETE FROM {table} WHERE {column} IN ({bench_users})", [VOTER_EMAIL])
        c.execute("DELETE FROM accounts_user WHERE email LIKE %s", [VOTER_EMAIL])
        c.execute(
            """
            INSERT INTO accounts_user (password, is_superuser, email, display_name, preferred_language, email_verified,
                                       is_team, is_staff, is_active, date_joined, home_district_id)
            SELECT '!', false, 'bench-bp-voter-' || i || '@example.org', 'Votant ' || i, 'fr', true, false, false, true,
                   now(), (SELECT id FROM core_district WHERE number = 1 + i %% 20)
            FROM generate_series(1, %s) i
            """,
            [voters],
        )
    log(f"  {voters:,} voters in {time.perf_counter() - started:.1f} s")
    past, current = _campaign(PAST, "vote"), _campaign(CURRENT, "vote")
    with connection.cursor() as c:
        benchdb.make_points(c, projects)
        for campaign, share in ((past, 0), (current, 1)):
            # half the projects of each campaign; one in ten of all of Paris, the others in their arrondissement
            c.execute(
                """
                INSERT INTO budget_project (campaign_id, scope_id, title, description, theme_label, address, geometry,
                  point, approximate_location, district_id, quartier_id, popular_quartier, estimated_need, cost, status,
                  status_reason, votes, winner, stage, stage_reason, external_id, source_url, created_at, updated_at)
                SELECT %(campaign)s, s.id, 'Bench projet ' || bp.i, 'Description du projet ' || bp.i, '', '', bp.p, bp.p,
                       false, bp.district_id, bp.quartier_id, bp.i %% 4 = 0, NULL,
                       20000 + (bp.i * 7919) %% 480000, 'admissible', '', 0, false, '', '', '', '', now(), now()
                FROM bench_points bp
                JOIN budget_scope s ON s.campaign_id = %(campaign)s
                  AND s.district_id IS NOT DISTINCT FROM (CASE WHEN bp.i %% 20 IN (0, 1) THEN NULL ELSE bp.district_id END)
                WHERE bp.i %% 2 = %(share)s
                """,
                {"campaign": campaign.pk, "share": share},
            )
        c.execute("DROP TABLE bench_points")
        # Every voter's ballot in the past campaign: one project of all of Paris, two of their arrondissement.
        c.execute(
            """
            INSERT INTO budget_ballot (campaign_id, voter_id, district_id, created_at, updated_at)
            SELECT %s, u.id, u.home_district_id, now(), now() FROM accounts_user u WHERE u.email LIKE %s
            """,
            [past.pk, VOTER_EMAIL],
        )
        c.execute(
            """
            WITH ranked AS (
                SELECT p.id, s.district_id, row_number() OVER (PARTITION BY s.district_id ORDER BY p.id) - 1 AS k,
                       count(*) OVER (PARTITION BY s.district_id) AS n
                FROM budget_project p JOIN budget_scope s ON s.id = p.scope_id WHERE p.campaign_id = %(c)s
            )
            INSERT INTO budget_ballotchoice (ballot_id, project_id)
            SELECT b.id, r.id FROM budget_ballot b
            JOIN LATERAL (
                SELECT r.id FROM ranked r
                WHERE (r.district_id IS NULL AND r.k = (b.id * 31) %% r.n)
                   OR (r.district_id = b.district_id AND r.k IN ((b.id * 17) %% r.n, (b.id * 17 + 1) %% r.n))
            ) r ON true
            WHERE b.campaign_id = %(c)s
            ON CONFLICT DO NOTHING
            """,
            {"c": past.pk},
        )
        for table in ("budget_project", "budget_ballot", "budget_ballotchoice", "accounts_user"):
            c.execute(f"VACUUM ANALYZE {table}")
        c.execute("SELECT count(*) FROM budget_ballotchoice")
        log(f"  {c.fetchone()[0]:,} choices; data ready in {time.perf_counter() - started:.1f} s")


def bench_results():
    from budget import services
    from budget.models import Ballot, Campaign, Project

    past = Campaign.objects.get(year=PAST)
    times = []
    for _ in range(3):
        started = time.perf_counter()
        services.count_and_select(past)
        times.append(time.perf_counter() - started)
    winners = Project.objects.filter(campaign=past, winner=True).count()
    log(
        f"\n== Results of {Ballot.objects.filter(campaign=past).count():,} ballots ({Project.objects.filter(campaign=past).count()} "
        f"projects, 21 scopes): median {statistics.median(times):.2f} s, best {min(times):.2f} s "
        f"(target ≤ {TARGETS['results_s']} s); {winners} winners"
    )
    Project.objects.filter(campaign=past, winner=True).update(stage="works")  # the realisation map shows them


def _median_ms(client, url, repeat=15):
    client.get(url)  # warm
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times), sorted(times)[int(len(times) * 0.95)], len(response.content)


def bench_pages():
    from accounts.models import User
    from budget.models import Campaign

    log("\n== Pages and the realisation map (in-process Django stack, no network) ==")
    client = Client()
    views = {
        "all of Paris (zoom 12)": "2.22,48.81,2.47,48.91",
        "an arrondissement (zoom 14)": "2.35,48.85,2.39,48.87",
        "a quartier (zoom 16)": "2.365,48.860,2.375,48.866",
    }
    for name, bbox in views.items():
        median, p95, size = _median_ms(client, f"/api/v1/budget/projects/?winner=true&bbox={bbox}")
        log(
            f"realisation map, {name}: median {median:.1f} ms, p95 {p95:.1f} ms, {size / 1024:.0f} KB "
            f"(target ≤ {TARGETS['viewport_ms']} ms)"
        )
    median, p95, size = _median_ms(client, "/api/v1/budget/projects/?winner=true")
    log(f"every winner, no viewport: median {median:.1f} ms, {size / 1024:.0f} KB")
    current = Campaign.objects.get(year=CURRENT)
    voter = User.objects.filter(email__startswith="bench-bp-voter-").order_by("pk").first()
    client.force_login(voter)
    median, p95, _size = _median_ms(client, f"/budget-participatif/{current.year}/vote/?arrondissement=11")
    log(
        f"ballot page of a resident: median {median:.1f} ms, p95 {p95:.1f} ms (target ≤ {TARGETS['ballot_page_ms']} ms)"
    )
    median, p95, _size = _median_ms(client, f"/budget-participatif/projets/?edition={current.year}")
    log(f"project list page (30 a page): median {median:.1f} ms, p95 {p95:.1f} ms")


def _tokens(n):
    from rest_framework.authtoken.models import Token

    from accounts.models import User

    users = list(User.objects.filter(email__startswith="bench-bp-voter-").order_by("pk")[:n])
    return [(u.pk, Token.objects.get_or_create(user=u)[0].key) for u in users]


def _choices(campaign):
    """{arrondissement: [(project id, cost)]} and the Paris projects, to draw ballots that fit or overflow."""
    from budget.models import Project

    rows = Project.objects.filter(campaign=campaign).values_list("id", "cost", "scope__district__number")
    by_scope = {}
    for pk, cost, number in rows:
        by_scope.setdefault(number, []).append((pk, cost))
    return by_scope


def inprocess_ballot_ms(campaign, by_scope, n=100):
    """Median time of one ballot through the Django stack in this process (no HTTP, one thread): the CPU a ballot
    costs the application, hence an upper bound of ballots/s per core."""
    _user_id, key = _tokens(1)[0]
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    paris = [pk for pk, _cost in by_scope[None]]
    times = []
    for i in range(n):
        body = {"projects": [paris[i % len(paris)]], "arrondissement": 11}
        started = time.perf_counter()
        response = client.put(f"/api/v1/budget/campaigns/{campaign.pk}/ballot/", body, content_type="application/json")
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content[:200]
    median = statistics.median(times)
    log(
        f"one ballot in-process (Django stack, no HTTP): median {median:.1f} ms → ≤ {1000 / median:.0f} ballots/s per core"
    )
    return median


def bench_ballots(port, seconds, n_voters=100):
    from load_test import Connection

    from budget.models import Ballot, BallotChoice, Campaign, Scope

    log(f"\n== Ballots through HTTP: {n_voters} concurrent voters for {seconds}s, then 50 requests from one account ==")
    current = Campaign.objects.get(year=CURRENT)
    Ballot.objects.filter(campaign=current).delete()
    by_scope = _choices(current)
    envelopes = {
        s.district.number if s.district_id else None: s.envelope for s in Scope.objects.filter(campaign=current)
    }
    with override_settings(DEBUG=False):
        inprocess_ballot_ms(current, by_scope)
    Ballot.objects.filter(campaign=current).delete()
    accounts = _tokens(n_voters + 1)
    path = f"/api/v1/budget/campaigns/{current.pk}/ballot/"
    ok, refused, errors, latencies, last = [0], [0], {}, [], {}

    def draw(rng):
        number = rng.randint(1, 20)
        paris = rng.sample(by_scope[None], min(len(by_scope[None]), rng.randint(1, 4)))
        local = rng.sample(by_scope.get(number, []), min(len(by_scope.get(number, [])), rng.randint(0, 12)))
        return [pk for pk, _ in paris + local], number

    async def voter(user_id, key, seed, stop):
        rng = random.Random(seed)
        conn = Connection("127.0.0.1", port)
        auth = [("Authorization", f"Token {key}")]
        while time.monotonic() < stop:
            ids, number = draw(rng)
            body = json.dumps({"projects": ids, "arrondissement": number}).encode()
            started = time.perf_counter()
            try:
                status, answer = await asyncio.wait_for(conn.request("PUT", path, auth, body), 30)
            except Exception as exc:  # noqa: BLE001
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                await conn.close()
                last[user_id] = "unknown"
                continue
            latencies.append((time.perf_counter() - started) * 1000)
            if status == 200:
                ok[0] += 1
                last[user_id] = sorted(json.loads(answer)["projects"])
            elif status == 400:
                refused[0] += 1  # over an envelope: refused, the previous ballot stands
            else:
                errors[status] = errors.get(status, 0) + 1
                last[user_id] = "unknown"
        await conn.close()

    async def run():
        stop = time.monotonic() + seconds
        await asyncio.gather(*(voter(uid, key, i, stop) for i, (uid, key) in enumerate(accounts[:n_voters])))

    started = time.monotonic()
    asyncio.run(run())
    elapsed = time.monotonic() - started
    lat = sorted(latencies) or [0.0]
    log(
        f"{ok[0]} ballots recorded, {refused[0]} refused over an envelope (400), errors {errors or 0} in {elapsed:.1f}s "
        f"→ {(ok[0] + refused[0]) / elapsed:.0f} ballots/s answered, {ok[0] / elapsed:.0f} recorded/s (target ≥ "
        f"{TARGETS['ballots_per_s']}); latency median {statistics.median(lat):.0f} ms, p95 {lat[int(len(lat) * 0.95)]:.0f} ms"
    )

    # 50 parallel requests from one account, all different: one ballot, equal to one of the answers.
    user_id, key = accounts[n_voters]
    rng = random.Random(7)
    bodies = [draw(rng) for _ in range(50)]

    async def burst():
        async def one(ids, number):
            conn = Connection("127.0.0.1", port)
            try:
                body = json.dumps({"projects": ids, "arrondissement": number}).encode()
                return await asyncio.wait_for(conn.request("PUT", path, [("Authorization", f"Token {key}")], body), 30)
            finally:
                await conn.close()

        return await asyncio.gather(*(one(ids, n) for ids, n in bodies))

    answers = asyncio.run(burst())
    accepted = [sorted(json.loads(a)["projects"]) for s, a in answers if s == 200]
    ballots_of_one = Ballot.objects.filter(campaign=current, voter_id=user_id).count()
    held = sorted(
        BallotChoice.objects.filter(ballot__campaign=current, ballot__voter_id=user_id).values_list(
            "project_id", flat=True
        )
    )
    log(
        f"one account, 50 parallel requests: {len(accepted)} accepted, {ballots_of_one} ballot in the database "
        f"(must be 1), holding one of the accepted sets: {held in accepted}"
    )

    # Checks: one ballot per account; last answers equal the database; no ballot over an envelope.
    rows = {}
    for ballot_voter, project in BallotChoice.objects.filter(ballot__campaign=current).values_list(
        "ballot__voter_id", "project_id"
    ):
        rows.setdefault(ballot_voter, []).append(project)
    checked = {u: v for u, v in last.items() if v != "unknown"}
    lost = sum(sorted(rows.get(u, [])) != v for u, v in checked.items())
    with connection.cursor() as c:
        c.execute(
            """
            SELECT count(*) FROM (
                SELECT b.id, s.id FROM budget_ballot b JOIN budget_ballotchoice bc ON bc.ballot_id = b.id
                JOIN budget_project p ON p.id = bc.project_id JOIN budget_scope s ON s.id = p.scope_id
                WHERE b.campaign_id = %s GROUP BY b.id, s.id, s.envelope HAVING sum(p.cost) > s.envelope) over_budget
            """,
            [current.pk],
        )
        over = c.fetchone()[0]
        c.execute("SELECT count(*) - count(DISTINCT voter_id) FROM budget_ballot WHERE campaign_id = %s", [current.pk])
        doubles = c.fetchone()[0]
    log(
        f"voters whose last answer differs from the database: {lost} of {len(checked)} (must be 0); ballots over an "
        f"envelope: {over} (must be 0); accounts with two ballots: {doubles} (must be 0); envelopes {envelopes[None]:,} € "
        f"(Paris), {envelopes[11]:,} € (an arrondissement)"
    )
    return lost + over + doubles + (ballots_of_one != 1)


def main():
    from mapvotes_bench import flush_bench_redis, start_server, stop_server

    parser = argparse.ArgumentParser()
    parser.add_argument("--size", choices=SIZES, default="full")
    parser.add_argument("--port", type=int, default=8767)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 2) + 1, help="as serve-prod: CPUs + 1")
    parser.add_argument("--seconds", type=int, default=20, help="duration of the ballots run")
    parser.add_argument("--skip", nargs="*", default=[], choices=["results", "pages", "ballots"])
    args = parser.parse_args()
    voters, projects = SIZES[args.size]
    log(f"Size {args.size}: {voters:,} voters, {projects:,} projects; load average {os.getloadavg()[0]:.1f}")
    benchdb.prepare()
    generate(voters, projects)
    if "results" not in args.skip:
        bench_results()
    if "pages" not in args.skip:
        with override_settings(DEBUG=False):
            bench_pages()
    if "ballots" not in args.skip:
        os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/13")
        flush_bench_redis()
        server = start_server(args.port, args.workers)
        try:
            failures = bench_ballots(args.port, args.seconds)
        finally:
            stop_server(server)
        raise SystemExit(1 if failures else 0)


if __name__ == "__main__":
    main()
