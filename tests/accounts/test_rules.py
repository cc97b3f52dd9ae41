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


# --- the role predicates every app builds on, one account state at a time ----------------------------------------


def test_refusal_reason_tells_each_account_why_in_french():
    from accounts.rules import refusal_reason

    deactivated = UserFactory(is_active=False)
    cases = [
        (AnonymousUser(), "Vous devez vous connecter pour faire cela."),
        (deactivated, "Ce compte est désactivé."),
        (UnverifiedUserFactory(is_active=False), "Ce compte est désactivé."),  # deactivation is said first
        (
            UnverifiedUserFactory(),
            "Confirmez d'abord votre adresse e-mail\u00a0: seuls les comptes vérifiés peuvent participer.",
        ),
        (UserFactory(), "Vous n'êtes pas autorisé·e à faire cela."),
    ]
    for user, sentence in cases:
        assert refusal_reason(user) == sentence


def test_member_of_a_verified_organisation_is_only_that():
    from accounts.rules import is_member_of_verified_org

    verified = MembershipFactory(organization=OrganizationFactory(verified=True), role="member").user
    waiting = MembershipFactory(organization=OrganizationFactory(verified=False), role="admin").user
    both = MembershipFactory(organization=OrganizationFactory(verified=False)).user
    MembershipFactory(user=both, organization=OrganizationFactory(verified=True))
    assert is_member_of_verified_org(verified) is True
    assert is_member_of_verified_org(both) is True
    assert is_member_of_verified_org(waiting) is False
    assert is_member_of_verified_org(UserFactory()) is False
    assert is_member_of_verified_org(AnonymousUser()) is False


def test_a_referent_is_a_team_member_who_holds_that_theme():
    from accounts.rules import is_referent
    from tests.factories import theme

    mobility, other = theme("mobilite"), theme("environnement")
    referent = TeamUserFactory()
    mobility.referent = referent
    mobility.save(update_fields=["referent"])
    former = UserFactory()  # left the team but still named on a theme
    other.referent = former
    other.save(update_fields=["referent"])
    colleague = TeamUserFactory()
    assert is_referent(referent) is True  # of some theme
    assert is_referent(referent, mobility) is True
    assert is_referent(referent, other) is False
    assert is_referent(colleague) is False
    assert is_referent(colleague, mobility) is False
    assert is_referent(former, other) is False and is_referent(former) is False
    assert is_referent(AnonymousUser(), mobility) is False
    assert is_referent(referent, object()) is False  # something that is not a theme
