"""The role permissions, as a matrix: each row is a permission, each column a kind of account."""

import pytest
from django.contrib.auth.models import AnonymousUser

from tests.factories import MembershipFactory, OrganizationFactory, TeamUserFactory, UnverifiedUserFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    organization = OrganizationFactory()
    other = OrganizationFactory()
    admin = MembershipFactory(organization=organization, role="admin").user
    member = MembershipFactory(organization=organization, role="member").user
    outsider = MembershipFactory(organization=other, role="admin").user
    return {
        "anonymous": AnonymousUser(),
        "unverified": UnverifiedUserFactory(),
        "resident": UserFactory(),
        "other_org_admin": outsider,
        "org_member": member,
        "org_admin": admin,
        "team": TeamUserFactory(),
    }, organization


MATRIX = {
    # permission: set of accounts allowed (object = the organisation when relevant)
    "accounts.change_organization": {"org_admin", "team"},
    "accounts.manage_members": {"org_admin", "team"},
    "accounts.verify_organization": {"team"},
    "core.view_auditlog": {"team"},
}


@pytest.mark.parametrize("perm", sorted(MATRIX))
def test_permission_matrix(people, perm):
    accounts, organization = people
    for name, user in accounts.items():
        allowed = user.has_perm(perm, organization)
        assert allowed == (name in MATRIX[perm]), f"{perm} for {name}: expected {name in MATRIX[perm]}"
