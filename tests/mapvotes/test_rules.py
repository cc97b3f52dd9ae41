"""The permission matrix: anonymous, unverified, resident, organisation member, team."""

import pytest
from django.contrib.auth.models import AnonymousUser

from .factories import ProposalFactory

pytestmark = pytest.mark.django_db

PERMS = ["add_proposal", "vote_proposal", "comment_proposal", "report", "moderate_proposal"]
MATRIX = {
    "anonymous": {
        "add_proposal": False,
        "vote_proposal": False,
        "comment_proposal": False,
        "report": False,
        "moderate_proposal": False,
    },
    "unverified": {
        "add_proposal": False,
        "vote_proposal": False,
        "comment_proposal": False,
        "report": True,
        "moderate_proposal": False,
    },
    "resident": {
        "add_proposal": True,
        "vote_proposal": True,
        "comment_proposal": True,
        "report": True,
        "moderate_proposal": False,
    },
    "org_admin": {
        "add_proposal": True,
        "vote_proposal": True,
        "comment_proposal": True,
        "report": True,
        "moderate_proposal": False,
    },
    "team_member": {
        "add_proposal": True,
        "vote_proposal": True,
        "comment_proposal": True,
        "report": True,
        "moderate_proposal": True,
    },
}


@pytest.mark.parametrize("who", list(MATRIX))
@pytest.mark.parametrize("perm", PERMS)
def test_permission_matrix(request, who, perm):
    user = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    assert user.has_perm(f"mapvotes.{perm}") is MATRIX[who][perm]


@pytest.mark.parametrize(("who", "allowed"), [("anonymous", False), ("resident", False), ("team_member", True)])
def test_hidden_proposal_visible_only_to_team(request, who, allowed):
    user = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    hidden = ProposalFactory(is_hidden=True, hidden_reason="x")
    assert user.has_perm("mapvotes.view_proposal", hidden) is allowed
    assert user.has_perm("mapvotes.view_proposal", ProposalFactory())


@pytest.mark.parametrize(
    ("who", "status"), [("anonymous", 401), ("unverified", 403), ("resident", 403), ("team_member", 200)]
)
def test_team_endpoints_matrix(request, api_client, who, status, proposal):
    if who != "anonymous":
        api_client.force_authenticate(request.getfixturevalue(who))
    url = f"/api/v1/map/proposals/{proposal.pk}/"
    assert api_client.post(url + "status/", {"status": "under_study"}, format="json").status_code == status
    assert api_client.post(url + "hide/", {"hidden": True, "reason": "x"}, format="json").status_code == status
    other = ProposalFactory()
    assert (
        api_client.post(f"/api/v1/map/proposals/{other.pk}/merge/", {"into": proposal.pk}, format="json").status_code
        == status
    )
