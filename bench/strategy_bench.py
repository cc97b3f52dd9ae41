"""Strategy benchmark: 200,000 contributions generated in SQL, then median/p95 server times.

    .venv/bin/python bench/strategy_bench.py [--size full|small] [--keep] [--reuse]

`--keep --reuse` keeps the generated rows and, on the next run, measures them again without regenerating.

Runs on the participe_bench database only (DATABASE_URL defaults to it; a database whose name does not end in
`_bench` is refused); only the rows it generated (source_id ≥ 900,000,000) are deleted. Places are drawn inside
the real quartiers of Paris, and a contribution's arrondissement is the one of its place (one in ten has none).

Targets (issue 6): filtered inbox page ≤ 100 ms median, dashboard aggregates ≤ 200 ms, diff of two versions
of the whole document ≤ 200 ms (computed once, then cached per pair of texts); issue 15: publishing with 5,000 linked contributions ≤ 2 s. The stored diff uses the demo's v1 and v2 (benchdb.prepare loads them).
"""

import argparse
import statistics
import time

import benchdb

benchdb.setup_django()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from accounts.models import User  # noqa: E402
from strategy import selectors  # noqa: E402
from strategy.diff import _pair_key, document_diff  # noqa: E402

BENCH_OFFSET = 900_000_000  # source_id of generated rows, so they can be removed

WORDS = [
    "vélo",
    "piste",
    "école",
    "arbre",
    "jardin",
    "toit",
    "solaire",
    "données",
    "capteur",
    "rue",
    "place",
    "parc",
    "bus",
    "métro",
    "trottoir",
    "banc",
    "fontaine",
    "compost",
    "bibliothèque",
    "atelier",
    "quartier",
    "marché",
    "cour",
    "oasis",
    "chaleur",
    "énergie",
    "rénovation",
    "logement",
    "numérique",
    "accueil",
    "propreté",
    "bruit",
    "sécurité",
    "carrefour",
    "stationnement",
    "végétalisation",
]

GENERATE = f"""
WITH w AS (SELECT %(words)s::text[] AS words),
     t AS (SELECT array_agg(id) AS ids FROM core_theme)
INSERT INTO strategy_contribution
    (source, source_id, title, text, theme_id, district_id, location, support, url, created_at, is_public,
     status, public_reason, event, participants)
SELECT (ARRAY['map','idea','mission','comment'])[1 + (g %% 4)],
       {BENCH_OFFSET} + g,
       initcap(w.words[1 + (g * 7) %% array_length(w.words, 1)]) || ' ' || w.words[1 + (g * 13) %% array_length(w.words, 1)]
           || ' ' || w.words[1 + (g * 31) %% array_length(w.words, 1)] || ' n°' || g,
       'Proposition : ' || w.words[1 + (g * 3) %% array_length(w.words, 1)] || ' et '
           || w.words[1 + (g * 17) %% array_length(w.words, 1)] || ' près de la ' || w.words[1 + (g * 5) %% array_length(w.words, 1)],
       t.ids[1 + (g %% array_length(t.ids, 1))],
       CASE WHEN g %% 10 = 0 THEN NULL ELSE bp.district_id END,
       CASE WHEN g %% 3 = 0 OR g %% 10 = 0 THEN NULL ELSE bp.p END,
       (random() * random() * 300)::int,
       '/bench/' || g,
       now() - (random() * interval '720 days'),
       true,
       (ARRAY['new','new','new','reviewing','retained','new','reviewing','new'])[1 + (g %% 8)],
       '', '', NULL
FROM generate_series(1, %(n)s) AS g JOIN bench_points bp ON bp.i = g, w, t
"""


def timed(fn, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]


def report(label, median, p95, target):
    verdict = "OK" if median <= target else "SLOWER THAN TARGET"
    print(f"{label:<58} median {median:7.1f} ms   p95 {p95:7.1f} ms   target ≤ {target} ms   {verdict}")


def generate(n):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM strategy_contribution WHERE source_id >= %s", [BENCH_OFFSET])
        start = time.perf_counter()
        benchdb.make_points(cursor, n)
        cursor.execute(GENERATE, {"words": WORDS, "n": n})
        print(f"Generated {n:,} contributions in {time.perf_counter() - start:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE strategy_contribution")  # the rows of the previous run are dead tuples


def synthetic_document(sections=60, sentences=30, change_every=8):
    """60 sections of 30 sentences (~15 words each, ~27,000 words); one sentence in 8 reworded, a few added."""
    import random

    rng = random.Random(42)

    class S:
        def __init__(self, slug, body):
            self.slug, self.title, self.body = slug, slug, body

    def sentence():
        return " ".join(rng.choice(WORDS) for _ in range(15)).capitalize() + "."

    old, new = [], []
    for i in range(sections):
        paragraph = [sentence() for _ in range(sentences)]
        changed = []
        for j, text in enumerate(paragraph):
            if j % change_every == 0:
                words = text.split()
                words[rng.randrange(len(words))] = rng.choice(WORDS)
                words.insert(rng.randrange(len(words)), "notamment")
                text = " ".join(words)
            changed.append(text)
            if j % 13 == 5:
                changed.append(sentence())
        old.append(S(f"s{i}", " ".join(paragraph)))
        new.append(S(f"s{i}", " ".join(changed)))
    return old, new


def measure_publish(team, links=5_000):
    """Publish with `links` linked contributions (half on a changed section, half waiting), rolled back each run."""
    from strategy import services
    from strategy.models import Contribution, ContributionSection, Section

    sections = list(Section.objects.order_by("pk")[:2])
    if len(sections) < 2:
        print("Publish: skipped (the document needs two sections)")
        return
    times = []
    for _ in range(5):
        with transaction.atomic():
            ids = list(
                Contribution.objects.filter(source_id__gte=BENCH_OFFSET).order_by("pk").values_list("pk", flat=True)
            )[:links]
            ContributionSection.objects.filter(contribution_id__in=ids).delete()
            ContributionSection.objects.bulk_create(
                ContributionSection(contribution_id=pk, section=sections[i % 2]) for i, pk in enumerate(ids)
            )
            Contribution.objects.filter(pk__in=ids).update(status="retained")
            changed = sections[0]
            Section.objects.filter(pk=changed.pk).update(body=changed.body + " (bench)")
            start = time.perf_counter()
            version = services.publish_version(team, "Bench: publication.")
            times.append((time.perf_counter() - start) * 1000)
            integrated = Contribution.objects.filter(pk__in=ids, status="integrated").count()
            transaction.set_rollback(True)
    times.sort()
    report(
        f"Publish v{version.number} with {len(ids):,} linked contributions ({integrated:,} integrated)",
        statistics.median(times),
        times[-1],
        2000,
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", choices=["small", "full"], default="full")
    parser.add_argument("--keep", action="store_true", help="keep the generated rows")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--reuse", action="store_true", help="measure the rows kept by a previous --keep run")
    args = parser.parse_args()
    n = 200_000 if args.size == "full" else 20_000
    benchdb.prepare()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM strategy_contribution WHERE source_id >= %s", [BENCH_OFFSET])
        kept = cursor.fetchone()[0]
    if args.reuse and kept == n:
        print(f"Reusing the {kept:,} contributions kept by a previous run.")
    else:
        generate(n)
    team = User.objects.filter(is_team=True).first() or User.objects.create_user(
        email="bench-equipe@paris.fr", password="bench-pass-42", is_team=True, email_verified=True
    )
    total = selectors.Contribution.objects.count()
    print(f"Inbox size: {total:,} contributions")
    with override_settings(ALLOWED_HOSTS=["*"], DEBUG=False):
        client = Client()
        client.force_login(team)
        pages = [
            ("Inbox page: theme + status (HTML)", "/strategie/equipe/?theme=mobilite&status=new"),
            (
                "Inbox page: district + min support, by support (HTML)",
                "/strategie/equipe/?district=11&min_support=50&sort=support",
            ),
            ("Inbox page: full-text search (HTML)", "/strategie/equipe/?q=v%C3%A9lo+%C3%A9cole"),
            (
                "Inbox page: source + period (HTML)",
                "/strategie/equipe/?source=idea&date_from=2026-01-01&date_to=2026-06-30",
            ),
            ("API contributions: theme + district", "/api/v1/strategy/contributions/?theme=energie&district=20"),
        ]
        for label, url in pages:
            assert client.get(url).status_code == 200, url
            report(label, *timed(lambda u=url: client.get(u), args.runs), 100)
        report("Dashboard aggregates (GROUPING SETS, one scan)", *timed(selectors.dashboard_figures, args.runs), 200)
        assert client.get("/strategie/tableau-de-bord/").status_code == 200
        report(
            "Dashboard page (HTML, SVG charts + choropleth)",
            *timed(lambda: client.get("/strategie/tableau-de-bord/"), args.runs),
            200,
        )
    versions = list(selectors.Version.objects.order_by("number").values_list("number", flat=True))
    if len(versions) >= 2:
        report(
            f"Diff v{versions[0]} → v{versions[-1]} of the stored document",
            *timed(lambda: [s.html for s in selectors.diff_versions(versions[0], versions[-1])[2]], args.runs),
            200,
        )
    measure_publish(team)
    old, new = synthetic_document()
    words = sum(len(s.body.split()) for s in old)
    report(
        f"Diff of a {len(old)}-section, {words:,}-word document (rendered)",
        *timed(lambda: [str(s.html) for s in document_diff(old, new)], args.runs),
        200,
    )
    report(
        "Same diff rendered from Markdown, computed (first reader)",
        *timed(lambda: [str(s.rendered) for s in document_diff(old, new)], args.runs),
        200,
    )
    from django.core.cache import cache

    [str(s.rendered) for s in document_diff(old, new, cached=True)]  # as publication does (services.warm_diff)
    report(
        "Same diff rendered from Markdown, cached per pair of texts (the public page)",
        *timed(lambda: [str(s.rendered) for s in document_diff(old, new, cached=True)], args.runs),
        200,
    )
    cache.delete_many([_pair_key(a, b) for a, b in zip(old, new, strict=True)])
    if not args.keep:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM strategy_contribution WHERE source_id >= %s", [BENCH_OFFSET])
        print("Generated rows removed (use --keep to keep them).")


if __name__ == "__main__":
    main()
