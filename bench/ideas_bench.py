"""Benchmark of Paris Idée: matching both ways and list/search, on generated data (bulk SQL).

    .venv/bin/python bench/ideas_bench.py [--size full|small] [--keep]

Runs on the participe_bench database only (DATABASE_URL defaults to it; a database whose name does not end in
`_bench` is refused); only the rows it generated (titles and names starting with "[bench] ") are replaced.

Full size: 20,000 ideas, 5,000 partners, 60,000 needs. Targets (median server time): matches ≤ 100 ms,
list/search ≤ 50 ms. Times are measured in-process around the Django request handler (no network).
"""

import argparse
import random
import statistics
import time

import benchdb

benchdb.setup_django()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from ideas.sql import IDEA_MATCH_FIELDS, PARTNER_MATCH_FIELDS  # noqa: E402

SIZES = {"full": (20_000, 5_000, 3), "small": (2_000, 500, 3)}
PREFIX = "[bench] "
KINDS = ["funding", "skills", "place", "equipment", "volunteers", "communication", "institutional"]
SUBJECTS = [
    "Jardin partagé",
    "Atelier vélo",
    "Composteur collectif",
    "Toits solaires",
    "Ressourcerie",
    "Outilthèque",
    "Fresque participative",
    "Cantine solidaire",
    "Capteurs de qualité de l'air",
    "Rue aux écoles",
    "Boîte à livres",
    "Repair café",
    "Coopérative d'énergie",
    "Potager sur le toit",
    "Chorale de quartier",
]
PLACES = [
    "rue de Belleville",
    "square du Temple",
    "place des Fêtes",
    "rue Oberkampf",
    "canal Saint-Martin",
    "Goutte d'Or",
    "Butte-aux-Cailles",
    "rue Mouffetard",
    "Batignolles",
    "place de la Réunion",
]


def generate(n_ideas, n_partners, needs_per_idea, out):
    started = time.perf_counter()
    with connection.cursor() as cur:
        out("Cleaning previous bench data…")
        # Django's foreign keys have no ON DELETE CASCADE in the database: children first.
        bench_ideas = "SELECT id FROM ideas_idea WHERE title LIKE %s"
        for table in ("ideas_connection", "ideas_need", "ideas_idea_themes", "ideas_idea_districts", "ideas_support"):
            if table == "ideas_connection":
                cur.execute(
                    f"DELETE FROM ideas_message WHERE connection_id IN "
                    f"(SELECT id FROM ideas_connection WHERE idea_id IN ({bench_ideas}))",
                    [PREFIX + "%"],
                )
            cur.execute(f"DELETE FROM {table} WHERE idea_id IN ({bench_ideas})", [PREFIX + "%"])
        cur.execute("DELETE FROM ideas_idea WHERE title LIKE %s", [PREFIX + "%"])
        bench_partners = (
            "SELECT p.id FROM ideas_partnerprofile p JOIN accounts_organization o ON o.id = p.organization_id "
            "WHERE o.name LIKE %s"
        )
        for table in ("ideas_offer", "ideas_partnerprofile_themes", "ideas_partnerprofile_districts"):
            column = "partner_id" if table == "ideas_offer" else "partnerprofile_id"
            cur.execute(f"DELETE FROM {table} WHERE {column} IN ({bench_partners})", [PREFIX + "%"])
        cur.execute(f"DELETE FROM ideas_partnerprofile WHERE id IN ({bench_partners})", [PREFIX + "%"])
        cur.execute("DELETE FROM accounts_organization WHERE name LIKE %s", [PREFIX + "%"])
        cur.execute(
            "INSERT INTO accounts_user (password, email, display_name, preferred_language, email_verified, is_team,"
            " is_active, is_staff, is_superuser, date_joined) VALUES ('!', 'bench@participe.demo', 'Bench', 'fr',"
            " true, false, true, false, false, now()) ON CONFLICT (email) DO NOTHING"
        )
        cur.execute("SELECT id FROM accounts_user WHERE email = 'bench@participe.demo'")
        holder = cur.fetchone()[0]
        cur.execute("SELECT id FROM core_theme ORDER BY id")
        theme_ids = [r[0] for r in cur.fetchall()]
        cur.execute("SELECT id FROM core_district ORDER BY number")
        district_ids = [r[0] for r in cur.fetchall()]
        out(f"Inserting {n_ideas} ideas…")
        # Older schemas kept the image on the idea itself (two text columns): fill them when they exist.
        cur.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = 'ideas_idea' AND column_name = 'image'"
        )
        image_columns, image_values = (", image, image_alt", ", '', ''") if cur.fetchone()[0] else ("", "")
        cur.execute(
            f"""
            INSERT INTO ideas_idea (is_hidden, hidden_reason, holder_id, title, pitch, description, description_html,
              stage, status, team, supporters_count, created_at, updated_at, published_at,
              district_numbers, open_need_kinds, theme_ids{image_columns})
            SELECT false, '', %(holder)s,
              %(prefix)s || (%(subjects)s::text[])[1 + (g * 7) %% %(ns)s] || ' ' || (%(places)s::text[])[1 + (g * 3) %% %(np)s] || ' n°' || g,
              'Un projet citoyen ' || (%(places)s::text[])[1 + g %% %(np)s] || ' pour le quartier.',
              'Description du projet ' || g || ' : habitants, associations et commerçants réunis.', '',
              (ARRAY['idea','building','prototype','running'])[1 + g %% 4],
              CASE WHEN g %% 10 = 0 THEN 'in_partnership' WHEN g %% 23 = 0 THEN 'realised' ELSE 'published' END,
              '', (g * 13) %% 200, now(), now(), now() - (g || ' minutes')::interval,
              '{{}}', '{{}}', '{{}}'{image_values}
            FROM generate_series(1, %(n)s) AS g
            """,
            {
                "holder": holder,
                "prefix": PREFIX,
                "subjects": SUBJECTS,
                "places": PLACES,
                "ns": len(SUBJECTS),
                "np": len(PLACES),
                "n": n_ideas,
            },
        )
        cur.execute(
            """
            UPDATE ideas_idea SET search =
              setweight(to_tsvector('french_unaccent', title), 'A') || setweight(to_tsvector('french_unaccent', pitch), 'B')
              || setweight(to_tsvector('french_unaccent', description), 'C')
            WHERE title LIKE %s
            """,
            [PREFIX + "%"],
        )
        out(f"Inserting {n_ideas * needs_per_idea} needs, themes and districts…")
        cur.execute(
            """
            INSERT INTO ideas_need (idea_id, kind, description, amount, covered, position)
            SELECT i.id, (%(kinds)s::text[])[1 + ((i.id * 31 + k * 17 + (random() * 3)::int) %% 7)],
              'Besoin ' || k, NULL, random() < 0.2, k
            FROM ideas_idea i, generate_series(0, %(per)s - 1) AS k WHERE i.title LIKE %(prefix)s
            """,
            {"kinds": KINDS, "per": needs_per_idea, "prefix": PREFIX + "%"},
        )
        cur.execute("UPDATE ideas_need SET amount = 1000 + (id % 50) * 500 WHERE kind = 'funding' AND amount IS NULL")
        cur.execute(
            """
            INSERT INTO ideas_idea_themes (idea_id, theme_id)
            SELECT DISTINCT i.id, (%(themes)s::int[])[1 + ((i.id * s) %% %(nt)s)]
            FROM ideas_idea i, generate_series(1, 2) s WHERE i.title LIKE %(prefix)s
            """,
            {"themes": theme_ids, "nt": len(theme_ids), "prefix": PREFIX + "%"},
        )
        cur.execute(
            """
            INSERT INTO ideas_idea_districts (idea_id, district_id)
            SELECT DISTINCT i.id, (%(d)s::int[])[1 + ((i.id * s * 7) %% 20)]
            FROM ideas_idea i, generate_series(1, 2) s WHERE i.title LIKE %(prefix)s AND i.id %% 5 <> 0
            """,
            {"d": district_ids, "prefix": PREFIX + "%"},
        )
        out(f"Inserting {n_partners} organisations and partner profiles…")
        cur.execute(
            """
            INSERT INTO accounts_organization (name, slug, kind, description, website, email, verified, created_at)
            SELECT %(prefix)s || 'Partenaire ' || g, 'bench-partenaire-' || g,
              (ARRAY['association','company','city_service','foundation','incubator'])[1 + g %% 5],
              '', '', 'contact' || g || '@bench.example', true, now()
            FROM generate_series(1, %(n)s) g
            """,
            {"prefix": PREFIX, "n": n_partners},
        )
        cur.execute(
            """
            INSERT INTO ideas_partnerprofile (organization_id, description, capacity, created_at, search,
              district_numbers, offer_kinds, theme_ids)
            SELECT o.id, 'Nous accompagnons les projets ' || (%(places)s::text[])[1 + o.id %% %(np)s], 3, now(),
              to_tsvector('french_unaccent', o.name || ' accompagnement projets'), '{}', '{}', '{}'
            FROM accounts_organization o WHERE o.name LIKE %(prefix)s
            """,
            {"places": PLACES, "np": len(PLACES), "prefix": PREFIX + "%"},
        )
        cur.execute(
            """
            INSERT INTO ideas_offer (partner_id, kind, description)
            SELECT DISTINCT ON (p.id, (%(kinds)s::text[])[1 + ((p.id * s * 5) %% 7)])
              p.id, (%(kinds)s::text[])[1 + ((p.id * s * 5) %% 7)], 'Offre'
            FROM ideas_partnerprofile p JOIN accounts_organization o ON o.id = p.organization_id,
              generate_series(1, 3) s WHERE o.name LIKE %(prefix)s
            """,
            {"kinds": KINDS, "prefix": PREFIX + "%"},
        )
        cur.execute(
            """
            INSERT INTO ideas_partnerprofile_themes (partnerprofile_id, theme_id)
            SELECT DISTINCT p.id, (%(themes)s::int[])[1 + ((p.id * s * 3) %% %(nt)s)]
            FROM ideas_partnerprofile p JOIN accounts_organization o ON o.id = p.organization_id,
              generate_series(1, 2) s WHERE o.name LIKE %(prefix)s
            """,
            {"themes": theme_ids, "nt": len(theme_ids), "prefix": PREFIX + "%"},
        )
        cur.execute(
            """
            INSERT INTO ideas_partnerprofile_districts (partnerprofile_id, district_id)
            SELECT DISTINCT p.id, (%(d)s::int[])[1 + ((p.id * s * 11) %% 20)]
            FROM ideas_partnerprofile p JOIN accounts_organization o ON o.id = p.organization_id,
              generate_series(1, 3) s WHERE o.name LIKE %(prefix)s AND p.id %% 3 <> 0
            """,
            {"d": district_ids, "prefix": PREFIX + "%"},
        )
        out("Filling the matching copies (same SQL as ideas.services.sync_match_fields)…")
        cur.execute(IDEA_MATCH_FIELDS + " WHERE i.title LIKE %s", [PREFIX + "%"])
        cur.execute(
            PARTNER_MATCH_FIELDS
            + " WHERE p.organization_id IN (SELECT id FROM accounts_organization WHERE name LIKE %s)",
            [PREFIX + "%"],
        )
        # Rows of a previous run are dead tuples until vacuumed (they doubled the scans' cost).
        for table in ("ideas_idea", "ideas_need", "ideas_idea_themes", "ideas_idea_districts", "ideas_partnerprofile",
                      "ideas_offer", "ideas_partnerprofile_themes", "ideas_partnerprofile_districts",
                      "accounts_organization"):  # fmt: skip
            cur.execute(f"VACUUM ANALYZE {table}")
    out(f"Generated in {time.perf_counter() - started:.1f} s.")


def measure(client, urls, repeat):
    times = []
    for i in range(repeat):
        url = urls[i % len(urls)]
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} → {response.status_code}: {response.content[:300]!r}")
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=SIZES, default="full")
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--keep", action="store_true", help="reuse data generated by a previous run")
    args = parser.parse_args()
    n_ideas, n_partners, per = SIZES[args.size]
    out = benchdb.log
    benchdb.prepare()
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM ideas_idea WHERE title LIKE %s", [PREFIX + "%"])
        existing = cur.fetchone()[0]
    if not (args.keep and existing == n_ideas):
        generate(n_ideas, n_partners, per, out)
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM ideas_idea")
        ideas = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM ideas_need")
        needs = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM ideas_partnerprofile")
        partners = cur.fetchone()[0]
        cur.execute(
            "SELECT id FROM ideas_idea WHERE title LIKE %s AND status = 'published' ORDER BY id LIMIT 200",
            [PREFIX + "%"],
        )
        idea_ids = [r[0] for r in cur.fetchall()]
        cur.execute("SELECT id FROM ideas_partnerprofile ORDER BY id DESC LIMIT 200")
        partner_ids = [r[0] for r in cur.fetchall()]
    out(f"Data: {ideas} ideas, {needs} needs, {partners} partner profiles.")
    rnd = random.Random(42)
    rnd.shuffle(idea_ids)
    rnd.shuffle(partner_ids)
    client = Client()
    # A partner's matches are for its members and the mission team only (issue 13): read them as the team.
    from accounts.models import User

    team, _ = User.objects.get_or_create(
        email="bench-team@example.org", defaults={"is_team": True, "email_verified": True, "display_name": "Équipe"}
    )
    client.force_login(team)
    with override_settings(DEBUG=False):
        client.get("/api/v1/ideas/")  # warm-up
        cases = [
            ("matches for one idea", [f"/api/v1/ideas/{i}/matches/" for i in idea_ids], 100),
            ("matches for one partner", [f"/api/v1/partners/{p}/matches/" for p in partner_ids], 100),
            ("ideas list", ["/api/v1/ideas/", "/api/v1/ideas/?page=3"], 50),
            (
                "ideas search",
                [f"/api/v1/ideas/?q={w}" for w in ("composteur", "velo", "jardin partage", "solaire")],
                50,
            ),
            (
                "ideas filters",
                ["/api/v1/ideas/?theme=energie&district=11", "/api/v1/ideas/?need=funding&stage=idea"],
                50,
            ),
            ("partners list + search", ["/api/v1/partners/", "/api/v1/partners/?q=partenaire&need=place"], 50),
        ]
        failures = 0
        out(f"{'case':<28}{'median ms':>10}{'p95 ms':>10}{'target':>9}")
        for label, urls, target in cases:
            median, p95 = measure(client, urls, args.repeat)
            ok = median <= target
            failures += not ok
            out(f"{label:<28}{median:>10.1f}{p95:>10.1f}{target:>8} {'OK' if ok else 'SLOW'}")
    out("All targets met." if not failures else f"{failures} case(s) above target.")


if __name__ == "__main__":
    main()
