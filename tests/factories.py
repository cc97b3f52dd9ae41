import factory
from django.contrib.gis.geos import Point

from accounts.models import Membership, Organization, User
from core.models import District, Theme


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"habitant{n}@example.org")
    display_name = factory.Faker("name", locale="fr_FR")
    email_verified = True
    password = factory.PostGenerationMethodCall("set_password", "motdepasse-solide-42")


class ResidentFactory(UserFactory):
    """A verified account with its arrondissement of residence declared (the 11th): may vote in the budget."""

    home_district = factory.LazyFunction(lambda: District.objects.get(number=11))


class UnverifiedUserFactory(UserFactory):
    email_verified = False


class TeamUserFactory(UserFactory):
    is_team = True
    is_staff = True


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Association des Amis du Quartier {n}")
    kind = Organization.Kind.ASSOCIATION
    verified = True


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Membership.Role.ADMIN


def theme(slug="mobilite"):
    return Theme.objects.get(slug=slug)


def district(number=4):
    return District.objects.get(number=number)


# Well-known places inside Paris (lon, lat) and one outside.
HOTEL_DE_VILLE = Point(2.3522, 48.8566, srid=4326)
REPUBLIQUE = Point(2.3631, 48.8675, srid=4326)
MONTMARTRE = Point(2.3431, 48.8867, srid=4326)
BOULOGNE = Point(2.2400, 48.8350, srid=4326)  # outside the outline, in the suburbs
VERSAILLES = Point(2.1204, 48.8049, srid=4326)
