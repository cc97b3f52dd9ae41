import factory
from django.utils import timezone

from strategy.models import Chapter, Contribution, Document, Section
from tests.factories import theme


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document
        django_get_or_create = ["slug"]

    slug = "paris-intelligente-et-durable"
    title = "Paris intelligente et durable — perspectives 2020 et au-delà"


class ChapterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chapter

    document = factory.SubFactory(DocumentFactory)
    title = factory.Sequence(lambda n: f"Chapitre {n}")
    theme = factory.LazyFunction(lambda: theme("mobilite"))


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    chapter = factory.SubFactory(ChapterFactory)
    slug = factory.Sequence(lambda n: f"section-{n}")
    title = factory.Sequence(lambda n: f"Section {n}")
    theme = factory.LazyAttribute(lambda o: o.chapter.theme)
    body = "Le Plan vélo prévoit un réseau continu de pistes cyclables."


class ContributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contribution

    source = "offline"
    source_id = None
    title = factory.Sequence(lambda n: f"Contribution hors ligne {n}")
    text = "Des arceaux vélo devant les écoles."
    theme = factory.LazyFunction(lambda: theme("mobilite"))
    event = "Atelier mobilité"
    event_date = factory.LazyFunction(timezone.localdate)
    created_at = factory.LazyFunction(timezone.now)
