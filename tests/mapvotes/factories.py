import factory
from django.contrib.gis.geos import Point

from core.geo import locate
from mapvotes.models import Comment, Proposal, Vote
from tests.factories import UserFactory, theme


class ProposalFactory(factory.django.DjangoModelFactory):
    """A published proposal placed like the service would (district/quartier computed once)."""

    class Meta:
        model = Proposal

    title = factory.Sequence(lambda n: f"Piste cyclable rue {n}")
    description = "Sécuriser le passage des vélos devant l'école."
    theme = factory.LazyFunction(lambda: theme("mobilite"))
    geometry = factory.LazyFunction(lambda: Point(2.3522, 48.8566, srid=4326))
    point = factory.LazyAttribute(
        lambda o: o.geometry if o.geometry.geom_type == "Point" else o.geometry.point_on_surface
    )
    author = factory.SubFactory(UserFactory)

    @factory.lazy_attribute
    def district(self):
        return locate(self.geometry).district

    @factory.lazy_attribute
    def quartier(self):
        return locate(self.geometry).quartier


class VoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vote

    user = factory.SubFactory(UserFactory)
    proposal = factory.SubFactory(ProposalFactory)
    value = "for"


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    proposal = factory.SubFactory(ProposalFactory)
    author = factory.SubFactory(UserFactory)
    body = "Bonne idée, la rue est dangereuse."
