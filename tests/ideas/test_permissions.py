"""Named permissions, as a matrix of users: anonymous, unverified, resident, other org member, owner, team."""

import pytest
from django.contrib.auth.models import AnonymousUser

from ideas import services
from tests.factories import MembershipFactory, OrganizationFactory, TeamUserFactory, UnverifiedUserFactory, UserFactory

from .factories import make_idea, make_partner

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(db):
    org = OrganizationFactory(name="Collectif Porteur")
    owner = UserFactory(email="owner@example.org")
    org_member = MembershipFactory(organization=org, user=UserFactory(email="orgmember@example.org")).user
    MembershipFactory(organization=org, user=owner)
    idea = make_idea(owner, organization=org)
    partner, partner_member = make_partner(name="Partenaire Solaire", offers=("funding", "place"))
    other_org_member = MembershipFactory(user=UserFactory(email="other@example.org")).user
    users = {
        "anonymous": AnonymousUser(),
        "unverified": UnverifiedUserFactory(email="unverified@example.org"),
        "resident": UserFactory(email="res@example.org"),
        "other_org_member": other_org_member,
        "owner": owner,
        "owner_org_member": org_member,
        "partner_member": partner_member,
        "team": TeamUserFactory(email="team@example.org"),
    }
    connection = services.propose_connection(partner_member, idea, partner=partner, need=idea.needs.first())
    return users, idea, partner, connection


MATRIX = {
    # perm: users who have it
    "ideas.view_idea": {
        "anonymous",
        "unverified",
        "resident",
        "other_org_member",
        "owner",
        "owner_org_member",
        "partner_member",
        "team",
    },
    "ideas.add_idea": {"resident", "other_org_member", "owner", "owner_org_member", "partner_member", "team"},
    "ideas.change_idea": {"owner", "owner_org_member", "team"},
    "ideas.support_idea": {"resident", "other_org_member", "owner", "owner_org_member", "partner_member", "team"},
    "ideas.comment_idea": {"resident", "other_org_member", "owner", "owner_org_member", "partner_member", "team"},
    "ideas.post_news": {"owner", "owner_org_member"},
    "ideas.moderate_idea": {"team"},
    "ideas.link_mission": {"owner", "owner_org_member"},
}
CONNECTION_MATRIX = {
    "ideas.view_connection": {"owner", "owner_org_member", "partner_member"},
    "ideas.message_connection": {"owner", "owner_org_member", "partner_member"},
    "ideas.decide_connection": {"owner", "owner_org_member", "partner_member"},
}
PARTNER_MATRIX = {
    "ideas.change_partner": {"partner_member", "team"},
    "ideas.add_partner": {"other_org_member", "owner", "owner_org_member", "partner_member"},
}


@pytest.mark.parametrize("perm", sorted(MATRIX))
def test_idea_permission_matrix(cast, perm):
    users, idea, _partner, _connection = cast
    allowed = {name for name, user in users.items() if user.has_perm(perm, idea)}
    assert allowed == MATRIX[perm]


@pytest.mark.parametrize("perm", sorted(CONNECTION_MATRIX))
def test_connection_permission_matrix(cast, perm):
    users, _idea, _partner, connection = cast
    allowed = {name for name, user in users.items() if user.has_perm(perm, connection)}
    assert allowed == CONNECTION_MATRIX[perm]


@pytest.mark.parametrize("perm", sorted(PARTNER_MATRIX))
def test_partner_permission_matrix(cast, perm):
    users, _idea, partner, _connection = cast
    obj = partner if perm == "ideas.change_partner" else None
    allowed = {name for name, user in users.items() if user.has_perm(perm, obj)}
    assert allowed == PARTNER_MATRIX[perm]


def test_draft_is_visible_only_to_its_holder_and_team(cast):
    users, idea, _partner, _connection = cast
    draft = make_idea(users["owner"], title="Brouillon", publish=False)
    allowed = {name for name, user in users.items() if user.has_perm("ideas.view_idea", draft)}
    assert allowed == {"owner", "team"}
