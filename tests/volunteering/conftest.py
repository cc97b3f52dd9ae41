import pytest
from django.contrib.auth.models import Permission

from tests.factories import MembershipFactory, OrganizationFactory, TeamUserFactory, UserFactory
from tests.volunteering.factories import DirectionFactory, MissionFactory


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    # PrivateStorage follows MEDIA_ROOT through Django's setting_changed signal.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def mission(organization):
    return MissionFactory(organization=organization)


@pytest.fixture
def other_org_member(db):
    return MembershipFactory(
        organization=OrganizationFactory(name="Autre association"), user=UserFactory(email="autre@example.org")
    ).user


@pytest.fixture
def volunteer(db):
    return UserFactory(email="benevole@example.org", display_name="Léa Bénévole")


# --- internships: a City direction, its correspondent and a plain member, the internship office -------------


@pytest.fixture
def direction(db):
    return DirectionFactory(name="Direction des Espaces Verts et de l'Environnement")


@pytest.fixture
def correspondent(direction):
    return MembershipFactory(
        organization=direction, user=UserFactory(email="correspondant@paris.fr"), role="correspondent"
    ).user


@pytest.fixture
def plain_member(direction):
    return MembershipFactory(organization=direction, user=UserFactory(email="agent@paris.fr"), role="member").user


@pytest.fixture
def office(db):
    user = TeamUserFactory(email="bureau-des-stages@paris.fr")
    user.user_permissions.add(Permission.objects.get(codename="internship_office"))
    return user
