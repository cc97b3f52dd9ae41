"""Annotations benchmark: 100,000 annotations on 60 sections under consultation, then median/p95 server times.

    DATABASE_URL=postgis://postgres@127.0.0.1:5432/participe_annotations_bench .venv/bin/python bench/annotations_bench.py

Runs on a `*_bench` database only (benchdb refuses any other); it creates its own 60 sections (slugs `bench-annot-…`)
and removes them, with their annotations, at the end unless `--keep`.

Targets (issue 15): a section page with its annotations ≤ 100 ms; re-anchoring 100 annotations after an edit of
their section ≤ 200 ms.
"""

import argparse
import datetime
import random
import statistics
import time

import benchdb

benchdb.setup_django()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from core.models import Theme  # noqa: E402
from strategy import consultations  # noqa: E402
from strategy.models import Annotation, Chapter, Consultation, ConsultationSection, Document, Section  # noqa: E402

PREFIX = "bench-annot-"
SECTIONS = 60
PARAGRAPHS = 12
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
]


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
    print(f"{label:<62} median {median:7.1f} ms   p95 {p95:7.1f} ms   target ≤ {target} ms   {verdict}")


def paragraph(rng, i):
    return f"Paragraphe {i}. " + " ".join(rng.choice(WORDS) for _ in range(70)).capitalize() + "."


def cleanup():
    """In SQL: the ORM's cascade collector would load the 100,000 rows first."""
    bench = "SELECT a.id FROM strategy_annotation a JOIN strategy_section s ON s.id = a.section_id WHERE s.slug LIKE %s"
    with connection.cursor() as cursor:
        for table in ("strategy_annotationsupport", "strategy_annotationreply"):
            cursor.execute(f"DELETE FROM {table} WHERE annotation_id IN ({bench})", [PREFIX + "%"])  # noqa: S608
        cursor.execute(f"DELETE FROM strategy_annotation WHERE id IN ({bench})", [PREFIX + "%"])  # noqa: S608
    Consultation.objects.filter(title__startswith="Bench").delete()
    Section.objects.filter(slug__startswith=PREFIX).delete()


def generate(total, users):
    rng = random.Random(15)
    document, _created = Document.objects.get_or_create(slug="bench-annotations", defaults={"title": "Bench"})
    theme = Theme.objects.order_by("pk").first()
    chapter = Chapter.objects.create(document=document, title="Bench annotations", theme=theme, position=99)
    sections = Section.objects.bulk_create(
        Section(
            chapter=chapter,
            slug=f"{PREFIX}{i}",
            title=f"Section de test {i}",
            theme=theme,
            body="\n\n".join(paragraph(rng, p) for p in range(PARAGRAPHS)),
            position=i,
        )
        for i in range(SECTIONS)
    )
    now = timezone.now()
    consultation = Consultation.objects.create(
        title="Bench consultation",
        starts_at=now - datetime.timedelta(days=1),
        ends_at=now + datetime.timedelta(days=30),
    )
    ConsultationSection.objects.bulk_create(ConsultationSection(consultation=consultation, section=s) for s in sections)
    batch = []
    started = time.perf_counter()
    for n in range(total):
        section = sections[n % SECTIONS]
        paras = consultations.paragraphs(section.body)
        p = paras[(n // SECTIONS) % PARAGRAPHS]
        kind = "amendment" if n % 3 == 0 else "comment"
        batch.append(
            Annotation(
                consultation=consultation,
                section=section,
                author_id=users[n % len(users)],
                kind=kind,
                stance=("for", "against", "neutral")[n % 3],
                quote=p.text if n % 2 else p.text.split(". ")[0] + ".",
                body=f"Avis numéro {n} sur ce paragraphe.",
                replacement="Une autre rédaction." if kind == "amendment" else "",
                paragraph=p.index,
                fingerprint=p.fingerprint,
                anchored_revision=section.revision,
                supporters_count=rng.randint(0, 40),
                created_at=now - datetime.timedelta(minutes=n),
            )
        )
        if len(batch) == 10_000:
            Annotation.objects.bulk_create(batch)  # no signal: the inbox copy is not what is measured here
            batch.clear()
            benchdb.log(f"  {n + 1:,} annotations")
    Annotation.objects.bulk_create(batch)
    benchdb.log(f"{total:,} annotations on {SECTIONS} sections in {time.perf_counter() - started:.1f} s")
    benchdb.vacuum("strategy_annotation")
    return sections


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", choices=["full", "small"], default="full", help="small: 10,000 annotations")
    parser.add_argument("--annotations", type=int, default=None, help="default 100,000 (full), 10,000 (small)")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if args.annotations is None:
        args.annotations = 100_000 if args.size == "full" else 10_000
    benchdb.prepare(demo=False)
    cleanup()
    users = list(User.objects.values_list("pk", flat=True)[:50])
    if len(users) < 50:
        users += [
            User.objects.create_user(
                email=f"bench-annot-{i}@example.org", password="bench-pass-42", email_verified=True
            ).pk
            for i in range(50 - len(users))
        ]
    sections = generate(args.annotations, users)
    reader = User.objects.get(pk=users[0])
    with override_settings(ALLOWED_HOSTS=["*"], DEBUG=False):
        client = Client()
        client.force_login(reader)
        url = f"/strategie/consultation/{sections[7].slug}/"
        assert client.get(url).status_code == 200
        count = Annotation.objects.filter(section=sections[7]).count()
        report(
            f"Section page with its {count:,} annotations (HTML, logged in)",
            *timed(lambda: client.get(url), args.runs),
            100,
        )
        api = f"/api/v1/strategy/sections/{sections[7].slug}/annotations/"
        report("API annotations of a section (first page)", *timed(lambda: client.get(api), args.runs), 100)

    # Re-anchoring: a section with 100 annotations; each run edits it (a paragraph inserted at the top, another
    # rewritten), then re-anchors: unchanged paragraphs' annotations move, the rewritten one's become outdated.
    section = sections[11]
    keep = list(Annotation.objects.filter(section=section).order_by("pk").values_list("pk", flat=True)[:100])
    Annotation.objects.filter(section=section).exclude(pk__in=keep).delete()
    rng = random.Random(3)
    times = []
    for run in range(args.runs):
        paras = [p.text for p in consultations.paragraphs(section.body)]
        paras.insert(0, paragraph(rng, 100 + run))
        paras[5] = paras[5].replace("Paragraphe", "Paragraphe réécrit", 1)
        Section.objects.filter(pk=section.pk).update(body="\n\n".join(paras), revision=section.revision + 1)
        section.refresh_from_db()
        start = time.perf_counter()
        moved = consultations.reanchor_section(section)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    outdated = Annotation.objects.filter(section=section, is_outdated=True).count()
    report(
        f"Re-anchor 100 annotations after an edit ({moved} moved, {outdated} outdated)",
        statistics.median(times),
        times[max(0, int(len(times) * 0.95) - 1)],
        200,
    )
    if not args.keep:
        cleanup()
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM strategy_chapter WHERE title = 'Bench annotations'")
        print("Generated rows removed (use --keep to keep them).")


if __name__ == "__main__":
    main()
