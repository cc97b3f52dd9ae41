"""Many supporters at once, on real parallel connections: the counter equals the rows, one per account."""

import datetime

from django.utils import timezone

from strategy import consultations
from strategy.models import Annotation, AnnotationSupport
from tests.factories import TeamUserFactory, UserFactory
from tests.mapvotes.test_concurrency import _run_in_threads
from tests.strategy.factories import SectionFactory


def test_concurrent_supports_are_counted_exactly(reference_data):
    section = SectionFactory(body="Un paragraphe.\n\nUn autre.")
    now = timezone.now()
    consultations.open_consultation(
        TeamUserFactory(),
        title="c",
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(days=1),
    )
    annotation = consultations.annotate(section, UserFactory(), quote="Un autre.", body="Avis")
    users = [UserFactory() for _ in range(12)]
    # each account tries twice at once: only one support each may count
    plans = [(u,) for u in users] + [(u,) for u in users]

    def support(user):
        consultations.support(user, annotation)

    assert _run_in_threads(support, plans) == []
    annotation.refresh_from_db()
    assert AnnotationSupport.objects.filter(annotation=annotation).count() == 12
    assert Annotation.objects.get(pk=annotation.pk).supporters_count == 12
