"""Volunteering benchmark: combined search and recommendations on a city-sized marketplace.

    .venv/bin/python bench/volunteering_bench.py [--size full|small] [--runs 40] [--clean]

Runs on the participe_bench database only (DATABASE_URL defaults to it; a database whose name does not end in
`_bench` is refused). Generates (bulk SQL, idempotent) 50,000 missions and 200,000 volunteers with profiles
("full"), or 5,000 / 20,000 ("small"), places and homes drawn inside the real quartiers of Paris, then measures
the server time of the API (in-process, no network):
- combined search: text + theme + radius + dates   target: median <= 50 ms
- recommendations for one volunteer                target: median <= 100 ms
"""

import argparse
import statistics
import time

import benchdb

benchdb.setup_django()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

SIZES = {"small": (5_000, 20_000), "full": (50_000, 200_000)}
PREFIX = "bench-vol-"
TARGETS = {"search": 50.0, "recommendations": 100.0}

WORDS = [
    "jardin partagé",
    "aide aux devoirs",
    "atelier vélo",
    "distribution alimentaire",
    "numérique seniors",
    "nettoyage berges",
    "lecture enfants",
    "maraude solidaire",
    "compostage quartier",
    "repair café",
    "collecte vêtements",
    "visite aînés",
    "cuisine anti-gaspi",
    "plantation arbres",
    "festival quartier",
]


def generate(missions: int, volunteers: int):
    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM volunteering_mission WHERE title LIKE %s", [PREFIX + "%"])
        have = c.fetchone()[0]
        if have == missions:
            print(f"Bench data already there ({have} missions).")
            return
    if have:
        clean()  # another size was generated before
    with connection.cursor() as c:
        print(f"Generating {missions} missions and {volunteers} volunteers…", flush=True)
        started = time.perf_counter()
        c.execute(
            """
            INSERT INTO accounts_organization (name, slug, kind, description, website, email, verified, created_at)
            SELECT %s || g, %s || g, 'association', '', '', '', true, now() FROM generate_series(1, 500) g
            ON CONFLICT DO NOTHING
            """,
            [PREFIX + "org ", PREFIX + "org-"],
        )
        c.execute("SELECT array_agg(id) FROM accounts_organization WHERE slug LIKE %s", [PREFIX + "org-%"])
        org_ids = c.fetchone()[0]
        c.execute("SELECT array_agg(id ORDER BY id) FROM core_theme")
        theme_ids = c.fetchone()[0]
        words = list(WORDS)
        benchdb.make_points(c, missions, "bench_places")
        c.execute(
            """
            INSERT INTO volunteering_mission (
                organization_id, title, description, address, location, remote, schedule, start_date, end_date,
                weekdays, time_slots, commitment, commitment_hours, places, accepted_count, skills, accessible,
                contact_name, contact_email, contact_phone, status, views_count, published_at, created_at, updated_at,
                district_id, kind, trade, level, paid, tasks, tutor_name, tutor_email)
            SELECT (%(orgs)s::int[])[1 + (g %% array_length(%(orgs)s::int[], 1))],
                   %(prefix)s || (%(words)s::text[])[1 + (g %% 15)] || ' n°' || g,
                   'Mission de bénévolat : ' || (%(words)s::text[])[1 + ((g / 15) %% 15)] || ' et '
                       || (%(words)s::text[])[1 + ((g / 7) %% 15)] || ', ambiance conviviale, débutants bienvenus.',
                   '', CASE WHEN g %% 20 = 0 THEN NULL ELSE bp.p::geography END,
                   g %% 20 = 0, 'period',
                   current_date + (g %% 120) - 30, current_date + (g %% 120) + (g %% 60),
                   ARRAY[g %% 7, (g + 3) %% 7]::smallint[], ARRAY['morning']::varchar[],
                   'hours_per_week', 1 + g %% 6, 1 + g %% 10, 0, ARRAY[]::varchar[], g %% 3 = 0,
                   '', '', '', CASE WHEN g %% 10 = 0 THEN 'closed' ELSE 'published' END, 0,
                   now() - (g %% 60) * interval '1 day', now(), now(), CASE WHEN g %% 20 <> 0 THEN bp.district_id END,
                   'volunteering', '', '', false, '', '', ''
            FROM generate_series(1, %(n)s) g JOIN bench_places bp ON bp.i = g
            """,
            {"orgs": org_ids, "prefix": PREFIX, "words": words, "n": missions},
        )
        c.execute(
            """
            INSERT INTO volunteering_mission_themes (mission_id, theme_id)
            SELECT DISTINCT m.id, (%(themes)s::int[])[1 + ((m.id + k * 5) %% array_length(%(themes)s::int[], 1))]
            FROM volunteering_mission m, generate_series(0, 1 + m.id %% 2) k WHERE m.title LIKE %(prefix)s
            """,
            {"themes": theme_ids, "prefix": PREFIX + "%"},
        )
        print(f"  missions: {time.perf_counter() - started:.1f} s", flush=True)
        c.execute(
            """
            INSERT INTO accounts_user (email, password, display_name, preferred_language, email_verified, is_team,
                                       is_active, is_staff, is_superuser, date_joined)
            SELECT %s || g || '@example.org', '!', 'Bénévole ' || g, 'fr', true, false, true, false, false, now()
            FROM generate_series(1, %s) g ON CONFLICT DO NOTHING
            """,
            [PREFIX, volunteers],
        )
        benchdb.make_points(c, volunteers, "bench_homes", seed=2)
        benchdb.make_points(c, volunteers, "bench_works", seed=3)
        c.execute(
            """
            INSERT INTO volunteering_volunteerprofile (user_id, skills, availability, home_location, work_location,
                                                       radius_km, languages, weekly_email, phone, updated_at)
            SELECT u.id, ARRAY[]::varchar[], ARRAY[(u.id %% 7) || '-morning']::varchar[], h.p::geography,
                   CASE WHEN u.id %% 3 = 0 THEN w.p::geography END,
                   1 + u.id %% 5, ARRAY['français']::varchar[], u.id %% 4 = 0, '', now()
            FROM (SELECT id, row_number() OVER (ORDER BY id)::int AS k FROM accounts_user WHERE email LIKE %s) u
            JOIN bench_homes h ON h.i = u.k JOIN bench_works w ON w.i = u.k
            ON CONFLICT DO NOTHING
            """,
            [PREFIX + "%"],
        )
        c.execute(
            """
            INSERT INTO volunteering_volunteerprofile_themes (volunteerprofile_id, theme_id)
            SELECT DISTINCT p.id, (%(themes)s::int[])[1 + ((p.id + k * 3) %% array_length(%(themes)s::int[], 1))]
            FROM volunteering_volunteerprofile p JOIN accounts_user u ON u.id = p.user_id,
                 generate_series(0, 2) k WHERE u.email LIKE %(prefix)s
            """,
            {"themes": theme_ids, "prefix": PREFIX + "%"},
        )
        for table in ("volunteering_mission", "volunteering_mission_themes", "volunteering_volunteerprofile",
                      "volunteering_volunteerprofile_themes", "accounts_user"):  # fmt: skip
            c.execute(f"VACUUM ANALYZE {table}")  # the rows of a previous size are dead tuples until vacuumed
        print(f"  done in {time.perf_counter() - started:.1f} s", flush=True)


def clean():
    """Delete the generated rows only (children first: the foreign keys have no ON DELETE CASCADE)."""
    missions = "SELECT id FROM volunteering_mission WHERE title LIKE %s"
    users = "SELECT id FROM accounts_user WHERE email LIKE %s"
    with connection.cursor() as c:
        for table in ("volunteering_application", "volunteering_mission_themes"):
            c.execute(f"DELETE FROM {table} WHERE mission_id IN ({missions})", [PREFIX + "%"])
        c.execute("DELETE FROM volunteering_mission WHERE title LIKE %s", [PREFIX + "%"])
        c.execute(
            "DELETE FROM volunteering_volunteerprofile_themes WHERE volunteerprofile_id IN "
            f"(SELECT id FROM volunteering_volunteerprofile WHERE user_id IN ({users}))",
            [PREFIX + "%"],
        )
        c.execute(f"DELETE FROM volunteering_volunteerprofile WHERE user_id IN ({users})", [PREFIX + "%"])
        c.execute(f"DELETE FROM volunteering_application WHERE volunteer_id IN ({users})", [PREFIX + "%"])
        c.execute("DELETE FROM accounts_user WHERE email LIKE %s", [PREFIX + "%"])
        c.execute("DELETE FROM accounts_organization WHERE slug LIKE %s", [PREFIX + "%"])
    print("Bench data deleted.", flush=True)


def measure(label, calls, runs):
    times = []
    for i in range(runs):
        started = time.perf_counter()
        response = calls(i)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content[:500]
    times = times[2:]  # warm-up
    median = statistics.median(times)
    p95 = sorted(times)[int(len(times) * 0.95) - 1]
    verdict = "OK" if median <= TARGETS[label] else "OVER TARGET"
    print(f"{label:<16} median {median:7.1f} ms   p95 {p95:7.1f} ms   target ≤ {TARGETS[label]:.0f} ms   {verdict}")
    return median


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", choices=SIZES, default="full")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--clean", action="store_true")
    args = parser.parse_args()
    if args.clean:
        benchdb.prepare()
        clean()
        return
    n_missions, n_volunteers = SIZES[args.size]
    benchdb.prepare()
    generate(n_missions, n_volunteers)

    from core.models import Theme
    from volunteering.models import VolunteerProfile

    slugs = list(Theme.objects.values_list("slug", flat=True))
    client = Client()
    centres = [(2.3522, 48.8566), (2.3631, 48.8675), (2.3431, 48.8867), (2.3200, 48.8400), (2.3800, 48.8500)]

    def search(i):
        lon, lat = centres[i % len(centres)]
        return client.get(
            "/api/v1/volunteering/missions/",
            {
                "q": WORDS[i % len(WORDS)].split()[0],
                "theme": slugs[i % len(slugs)],
                "near": f"{lon},{lat}",
                "radius_km": 2,
                "date_from": "2026-12-01",
                "date_to": "2027-02-28",
            },
        )

    profiles = list(
        VolunteerProfile.objects.filter(user__email__startswith=PREFIX)
        .select_related("user")
        .order_by("?")[: args.runs]
    )
    from rest_framework.test import APIClient

    api = APIClient()

    def recommend(i):
        api.force_authenticate(profiles[i % len(profiles)].user)
        return api.get("/api/v1/volunteering/recommendations/")

    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM volunteering_mission")
        missions = c.fetchone()[0]
        c.execute("SELECT count(*) FROM volunteering_volunteerprofile")
        volunteers = c.fetchone()[0]
    print(f"\nVolunteering bench — {missions} missions, {volunteers} volunteer profiles, {args.runs} runs each")
    s = measure("search", search, args.runs)
    r = measure("recommendations", recommend, args.runs)
    ok = s <= TARGETS["search"] and r <= TARGETS["recommendations"]
    print("All targets met." if ok else "Some targets missed.")


if __name__ == "__main__":
    main()
