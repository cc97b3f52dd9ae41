import pytest

from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.volunteering.factories import MissionFactory


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
