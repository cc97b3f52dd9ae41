import pytest

from tests.factories import UserFactory

from .factories import make_idea, make_partner


@pytest.fixture
def holder(db):
    return UserFactory(email="porteuse@example.org", display_name="Awa Porteuse")


@pytest.fixture
def idea(holder):
    return make_idea(holder)


@pytest.fixture
def partner_and_member(db):
    return make_partner()


@pytest.fixture
def partner(partner_and_member):
    return partner_and_member[0]


@pytest.fixture
def partner_member(partner_and_member):
    return partner_and_member[1]
