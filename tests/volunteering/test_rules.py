"""Permissions as a matrix: anonymous, unverified, resident, other organisation member, owner member, team."""

import pytest
from django.contrib.auth.models import AnonymousUser

from tests.factories import MembershipFactory, OrganizationFactory, TeamUserFactory, UnverifiedUserFactory, UserFactory
from tests.volunteering.factories import ApplicationFactory, MissionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(organization):
    applicant = UserFactory(email="candidat@example.org")
    return {
        "anonymous": AnonymousUser(),
        "unverified": UnverifiedUserFactory(),
        "resident": UserFactory(),
        "applicant": applicant,
        "other_member": MembershipFactory(organization=OrganizationFactory()).user,
        "unverified_org_member": MembershipFactory(organization=OrganizationFactory(verified=False)).user,
        "owner_member": MembershipFactory(organization=organization).user,
        "team": TeamUserFactory(),
    }


MATRIX = {
    # perm: who is allowed (everyone else is refused)
    "volunteering.add_mission": {"other_member", "owner_member"},
    "volunteering.apply": {"resident", "applicant", "other_member", "unverified_org_member", "owner_member", "team"},
    "volunteering.view_draft_mission": {"owner_member", "team"},
    "volunteering.view_published_mission": {
        "anonymous",
        "unverified",
        "resident",
        "applicant",
        "other_member",
        "unverified_org_member",
        "owner_member",
        "team",
    },
    "volunteering.change_mission": {"owner_member"},
    "volunteering.view_application": {"applicant", "owner_member"},
    "volunteering.change_application": {"owner_member"},
    "volunteering.withdraw_application": {"applicant"},
    "volunteering.manage_applications": {"owner_member"},
}


@pytest.mark.parametrize("perm", MATRIX)
def test_permission_matrix(perm, people, organization):
    mission = MissionFactory(organization=organization)
    draft = MissionFactory(organization=organization, status="draft")
    application = ApplicationFactory(mission=mission, volunteer=people["applicant"])
    objects = {
        "volunteering.add_mission": None,
        "volunteering.apply": None,
        "volunteering.view_draft_mission": draft,
        "volunteering.view_published_mission": mission,
        "volunteering.change_mission": mission,
        "volunteering.view_application": application,
        "volunteering.change_application": application,
        "volunteering.withdraw_application": application,
        "volunteering.manage_applications": organization,
    }
    real_perm = perm.replace("_draft", "").replace("_published", "")
    for who, user in people.items():
        allowed = user.has_perm(real_perm, objects[perm])
        assert allowed == (who in MATRIX[perm]), f"{who} / {perm}"
