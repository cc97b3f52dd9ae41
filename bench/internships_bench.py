"""Internships benchmark (issue 17): the internship search among mixed offers, the office's figures, a service's list.

    .venv/bin/python bench/internships_bench.py [--size full|small] [--runs 30] [--clean]

Runs on a `*_bench` database only (DATABASE_URL defaults to participe_bench). Generates (bulk SQL, idempotent)
50,000 missions of both kinds — 40,000 volunteering missions and 10,000 internship offers of 30 City directions —,
200,000 candidates and 500,000 internship applications (one in ten spontaneous, most answered) at full size, ten
times fewer with `--size small`; places drawn inside the real quartiers. Then measures the server time, in process:
- internship search (API): words + level + paid + near a place, among the 50,000   target: median <= 50 ms
- the same search, the /benevolat/stages/ page (cards, facets, map data)          printed
- the internship office's figures page (the whole City)                          target: median <= 200 ms
- a direction's own figures page                                                 printed
- a service's application list of one offer (the direction's dashboard)          target: median <= 100 ms
- the direction's dashboard (a page of its offers, its latest applications)       printed
"""

import argparse
import statistics
import time

import benchdb

benchdb.setup_django()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

# (volunteering missions, internship offers, candidates, applications)
SIZES = {"small": (4_000, 1_000, 20_000, 50_000), "full": (40_000, 10_000, 200_000, 500_000)}
PREFIX = "bench-stage-"
DIRECTIONS = 30
TARGETS = {"search": 50.0, "figures": 200.0, "service list": 100.0}
TRADES = [
    "Jardinier paysagiste", "Médiation culturelle", "Travail social", "Comptabilité publique", "Aménagement urbain",
    "Analyses de l'eau", "Communication", "Informatique", "Ressources humaines", "Animation socioculturelle",
    "Architecture", "Droit public", "Régie de spectacle", "Écologie", "Petite enfance",
]  # fmt: skip
LEVELS = ["observation_3e", "cap_bac", "bac_2", "bac_3", "bac_5"]


def generate(volunteering: int, internships: int, candidates: int, applications: int):
    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM volunteering_mission WHERE title LIKE %s", [PREFIX + "%"])
        have = c.fetchone()[0]
        c.execute(
            "SELECT EXISTS (SELECT 1 FROM volunteering_application a JOIN accounts_user u ON u.id = a.volunteer_id "
            "WHERE u.email LIKE %s)",
            [PREFIX + "%"],
        )
        if have == volunteering + internships and c.fetchone()[0]:
            print(f"Bench data already there ({have} missions).")
            return
    if have:
        clean()  # another size was generated before
    missions = volunteering + internships
    with connection.cursor() as c:
        print(f"Generating {missions} missions ({internships} internships), {candidates} candidates and "
              f"{applications} applications…", flush=True)  # fmt: skip
        started = time.perf_counter()
        c.execute(
            """
            INSERT INTO accounts_organization (name, slug, kind, description, website, email, verified, created_at)
            SELECT %(prefix)s || 'direction ' || g, %(prefix)s || 'direction-' || g,
                   CASE WHEN g <= %(directions)s THEN 'city_service' ELSE 'association' END, '', '', '', true, now()
            FROM generate_series(1, %(directions)s + 300) g
            ON CONFLICT DO NOTHING
            """,
            {"prefix": PREFIX, "directions": DIRECTIONS},
        )
        c.execute(
            "SELECT array_agg(id ORDER BY id) FILTER (WHERE kind = 'city_service'), "
            "array_agg(id ORDER BY id) FILTER (WHERE kind <> 'city_service') "
            "FROM accounts_organization WHERE slug LIKE %s",
            [PREFIX + "%"],
        )
        direction_ids, association_ids = c.fetchone()
        c.execute("SELECT array_agg(id ORDER BY id) FROM core_theme")
        theme_ids = c.fetchone()[0]
        benchdb.make_points(c, missions, "bench_stage_places")
        # g <= internships: an internship offer of a direction; otherwise a volunteering mission of an association.
        c.execute(
            """
            INSERT INTO volunteering_mission (
                organization_id, kind, title, description, tasks, trade, level, paid, weekly_hours, duration_weeks,
                tutor_name, tutor_email, publication_start, publication_end,
                address, location, remote, schedule, start_date, end_date,
                weekdays, time_slots, commitment, commitment_hours, places, accepted_count, skills, accessible,
                contact_name, contact_email, contact_phone, status, views_count, published_at, created_at, updated_at,
                district_id)
            SELECT CASE WHEN g <= %(n_int)s THEN (%(dirs)s::int[])[1 + (g %% array_length(%(dirs)s::int[], 1))]
                        ELSE (%(assocs)s::int[])[1 + (g %% array_length(%(assocs)s::int[], 1))] END,
                   CASE WHEN g <= %(n_int)s THEN 'internship' ELSE 'volunteering' END,
                   %(prefix)s || CASE WHEN g <= %(n_int)s THEN 'stage ' || (%(trades)s::text[])[1 + g %% 15]
                                      ELSE 'mission solidaire' END || ' n°' || g,
                   'Rejoindre une équipe de la Ville : ' || (%(trades)s::text[])[1 + (g / 15) %% 15]
                       || ', accueil, projets, découverte du service public.',
                   CASE WHEN g <= %(n_int)s THEN 'Participer aux missions du service, préparer les dossiers.' ELSE '' END,
                   CASE WHEN g <= %(n_int)s THEN (%(trades)s::text[])[1 + g %% 15] ELSE '' END,
                   CASE WHEN g <= %(n_int)s THEN (%(levels)s::text[])[1 + g %% 5] ELSE '' END,
                   g %% 3 <> 0,
                   CASE WHEN g <= %(n_int)s THEN 35 END,
                   CASE WHEN g <= %(n_int)s THEN CASE WHEN g %% 3 <> 0 THEN 4 + g %% 21 ELSE 1 + g %% 8 END END,
                   '', '', NULL, NULL,
                   '', CASE WHEN g %% 20 = 0 THEN NULL ELSE bp.p::geography END,
                   g %% 20 = 0, 'period',
                   current_date + (g %% 200) - 20, current_date + (g %% 200) + 30 + (g %% 60),
                   ARRAY[g %% 7]::smallint[], ARRAY['morning']::varchar[],
                   'hours_per_week', 1 + g %% 6, 1 + g %% 4, 0, ARRAY[]::varchar[], g %% 3 = 0,
                   '', '', '', CASE WHEN g %% 10 = 0 THEN 'closed' ELSE 'published' END, 0,
                   now() - (g %% 330) * interval '1 day', now(), now(), CASE WHEN g %% 20 <> 0 THEN bp.district_id END
            FROM generate_series(1, %(n)s) g JOIN bench_stage_places bp ON bp.i = g
            """,
            {
                "dirs": direction_ids, "assocs": association_ids, "prefix": PREFIX, "trades": TRADES,
                "levels": LEVELS, "n": missions, "n_int": internships,
            },
        )  # fmt: skip
        c.execute(
            """
            INSERT INTO volunteering_mission_themes (mission_id, theme_id)
            SELECT m.id, (%(themes)s::int[])[1 + (m.id %% array_length(%(themes)s::int[], 1))]
            FROM volunteering_mission m WHERE m.title LIKE %(prefix)s AND m.kind = 'volunteering'
            """,
            {"themes": theme_ids, "prefix": PREFIX + "%"},
        )
        print(f"  missions: {time.perf_counter() - started:.1f} s", flush=True)
        c.execute(
            """
            INSERT INTO accounts_user (email, password, display_name, preferred_language, email_verified, is_team,
                                       is_active, is_staff, is_superuser, date_joined)
            SELECT %s || g || '@example.org', '!', 'Candidat ' || g, 'fr', true, false, true, false, false, now()
            FROM generate_series(1, %s) g ON CONFLICT DO NOTHING
            """,
            [PREFIX, candidates],
        )
        # Applications: candidate k applies to offers spread over all of them; one in ten is spontaneous (to a
        # direction, with a wished trade, level and period). Answered (first_response_at) for 70 %, in 1 to 700 hours.
        c.execute(
            """
            WITH offers AS (
                SELECT id, organization_id, row_number() OVER (ORDER BY id)::int AS k
                FROM volunteering_mission WHERE title LIKE %(prefix)s AND kind = 'internship'
            ), people AS (
                SELECT id, row_number() OVER (ORDER BY id)::int AS k FROM accounts_user WHERE email LIKE %(prefix)s
            ), a AS (
                SELECT g, p.id AS volunteer_id, o.id AS mission_id, o.organization_id,
                       now() - (g %% 330) * interval '1 day' - (g %% 24) * interval '1 hour' AS created_at
                FROM generate_series(1, %(n)s) g
                JOIN people p ON p.k = 1 + (g %% %(candidates)s)
                JOIN offers o ON o.k = 1 + ((g::bigint * 7919 + g / %(candidates)s) %% %(internships)s)
            )
            INSERT INTO volunteering_application (
                volunteer_id, mission_id, organization_id, kind, message, wished_trade, wished_level, available_from,
                available_weeks, cv, status, convocation_place, convocation_message, created_at, updated_at,
                first_response_at)
            SELECT volunteer_id, CASE WHEN g %% 10 = 0 THEN NULL ELSE mission_id END, organization_id, 'internship',
                   'Madame, Monsieur, votre offre correspond à ma formation.',
                   CASE WHEN g %% 10 = 0 THEN (%(trades)s::text[])[1 + g %% 15] ELSE '' END,
                   CASE WHEN g %% 10 = 0 THEN (%(levels)s::text[])[1 + g %% 5] ELSE '' END,
                   CASE WHEN g %% 10 = 0 THEN current_date + (g %% 300) END,
                   CASE WHEN g %% 10 = 0 THEN 4 + g %% 20 END,
                   '', CASE WHEN g %% 10 < 3 THEN 'submitted' WHEN g %% 10 < 6 THEN 'shortlisted'
                            WHEN g %% 10 < 8 THEN 'declined' WHEN g %% 10 = 8 THEN 'invited' ELSE 'accepted' END,
                   '', '', created_at, created_at,
                   CASE WHEN g %% 10 >= 3 THEN created_at + (1 + g %% 700) * interval '1 hour' END
            FROM a
            ON CONFLICT DO NOTHING
            """,
            {
                "prefix": PREFIX + "%", "n": applications, "candidates": candidates, "internships": internships,
                "trades": TRADES, "levels": LEVELS,
            },
        )  # fmt: skip
        print(f"  applications: {time.perf_counter() - started:.1f} s", flush=True)
    benchdb.vacuum("volunteering_mission", "volunteering_mission_themes", "volunteering_application", "accounts_user")
    print(f"  done in {time.perf_counter() - started:.1f} s", flush=True)


def clean():
    """Delete the generated rows only (children first: the foreign keys have no ON DELETE CASCADE)."""
    missions = "SELECT id FROM volunteering_mission WHERE title LIKE %s"
    users = "SELECT id FROM accounts_user WHERE email LIKE %s"
    orgs = "SELECT id FROM accounts_organization WHERE slug LIKE %s"
    like = [PREFIX + "%"]
    with connection.cursor() as c:
        c.execute(f"DELETE FROM volunteering_applicationevent WHERE application_id IN "
                  f"(SELECT id FROM volunteering_application WHERE organization_id IN ({orgs}))", like)  # fmt: skip
        c.execute(f"DELETE FROM volunteering_application WHERE organization_id IN ({orgs})", like)
        c.execute(f"DELETE FROM volunteering_application WHERE volunteer_id IN ({users})", like)
        c.execute(f"DELETE FROM volunteering_mission_themes WHERE mission_id IN ({missions})", like)
        c.execute("DELETE FROM volunteering_mission WHERE title LIKE %s", like)
        c.execute(f"DELETE FROM accounts_membership WHERE organization_id IN ({orgs})", like)
        for table in ("accounts_user_user_permissions", "accounts_user_groups"):
            c.execute(f"DELETE FROM {table} WHERE user_id IN ({users})", like)
        c.execute("DELETE FROM accounts_user WHERE email LIKE %s", like)
        c.execute("DELETE FROM accounts_organization WHERE slug LIKE %s", like)
    print("Bench data deleted.", flush=True)


def measure(label, calls, runs, target=None):
    times = []
    for i in range(runs):
        started = time.perf_counter()
        response = calls(i)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content[:500]
    times = times[2:]  # warm-up
    median = statistics.median(times)
    p95 = sorted(times)[max(0, int(len(times) * 0.95) - 1)]
    verdict = f"target ≤ {target:.0f} ms   {'OK' if median <= target else 'OVER TARGET'}" if target else ""
    print(f"{label:<34} median {median:7.1f} ms   p95 {p95:7.1f} ms   {verdict}", flush=True)
    return median


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", choices=SIZES, default="full")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--clean", action="store_true")
    args = parser.parse_args()
    benchdb.prepare(demo=False)
    if args.clean:
        clean()
        return
    generate(*SIZES[args.size])

    from django.contrib.auth.models import Permission

    from accounts.models import Membership, User
    from volunteering.models import Application, Mission

    office, _ = User.objects.get_or_create(
        email=PREFIX + "bureau@example.org", defaults={"is_team": True, "email_verified": True}
    )
    office.user_permissions.add(Permission.objects.get(codename="internship_office"))
    busiest = (
        Mission.objects.filter(kind="internship", title__startswith=PREFIX)
        .order_by("-pk")
        .select_related("organization")
        .first()
    )
    direction = busiest.organization
    correspondent, _ = User.objects.get_or_create(email=PREFIX + "correspondant@example.org",
                                                  defaults={"email_verified": True})  # fmt: skip
    Membership.objects.get_or_create(user=correspondent, organization=direction, defaults={"role": "correspondent"})
    centres = [(2.3522, 48.8566), (2.3631, 48.8675), (2.3431, 48.8867), (2.3200, 48.8400), (2.3800, 48.8500)]

    def query(i):
        lon, lat = centres[i % len(centres)]
        return {
            "kind": "internship",
            "q": TRADES[i % len(TRADES)].split()[0],
            "level": LEVELS[i % len(LEVELS)],
            "paid": "true",
            "near": f"{lon},{lat}",
            "radius_km": 3,
        }

    anonymous, desk, service = Client(), Client(), Client()
    desk.force_login(office)
    service.force_login(correspondent)
    counts = {
        "missions": Mission.objects.count(),
        "internships": Mission.objects.filter(kind="internship").count(),
        "applications": Application.objects.filter(kind="internship").count(),
        "offer": Application.objects.filter(mission=busiest).count(),
    }
    print(
        f"\nInternships bench — {counts['missions']} missions ({counts['internships']} internship offers), "
        f"{counts['applications']} internship applications, {args.runs} runs each"
    )
    results = {
        "search": measure(
            "search (API, kind=internship)",
            lambda i: anonymous.get("/api/v1/volunteering/missions/", query(i)),
            args.runs,
            TARGETS["search"],
        ),
    }
    page = {k: v for k, v in query(0).items() if k != "kind"}
    measure("search page /benevolat/stages/", lambda i: anonymous.get("/benevolat/stages/", page), args.runs)
    from volunteering import selectors

    started = time.perf_counter()
    selectors.cached_internship_figures(refresh=True)  # what the periodic job does every four minutes
    cold = (time.perf_counter() - started) * 1000
    print(f"{'figures computed (periodic job)':<34} {cold:7.1f} ms, then served from the cache:", flush=True)
    results["figures"] = measure(
        "office's figures (whole City)",
        lambda i: desk.get("/benevolat/stages/bureau-des-stages/"),
        max(8, args.runs // 3),
        TARGETS["figures"],
    )
    measure(
        "a direction's own figures",
        lambda i: service.get("/benevolat/stages/bureau-des-stages/", {"direction": direction.slug}),
        max(8, args.runs // 3),
    )
    dashboard = f"/benevolat/organisations/{direction.slug}/tableau-de-bord/"
    results["service list"] = measure(
        f"service's list ({counts['offer']} applications)",
        lambda i: service.get(dashboard, {"mission": busiest.pk}),
        args.runs,
        TARGETS["service list"],
    )
    offers = Mission.objects.filter(organization=direction).count()
    measure(f"service's dashboard ({offers} offers)", lambda i: service.get(dashboard), args.runs)
    ok = all(results[k] <= TARGETS[k] for k in results)
    print("All targets met." if ok else "Some targets missed.")


if __name__ == "__main__":
    main()
