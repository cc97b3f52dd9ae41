import pytest
from django.contrib.auth.models import AnonymousUser

from tests.factories import ResidentFactory, TeamUserFactory, UnverifiedUserFactory, UserFactory

from .conftest import make_campaign

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "who,phase,perm,allowed",
    [
        ("anonymous", "vote", "budget.vote", False),
        ("unverified", "vote", "budget.vote", False),
        ("resident", "vote", "budget.vote", True),
        ("undeclared", "vote", "budget.vote", False),  # verified, but no arrondissement of residence declared
        ("undeclared", "submission", "budget.submit_project", True),
        ("resident", "vote", "budget.manage_campaign", False),
        ("team", "vote", "budget.manage_campaign", True),
        ("resident", "vote", "budget.count_paper", False),
        ("team", "vote", "budget.count_paper", True),
        ("resident", "study", "budget.vote", False),
        ("resident", "submission", "budget.submit_project", True),
        ("resident", "vote", "budget.submit_project", False),
        ("unverified", "submission", "budget.submit_project", False),
        ("resident", "study", "budget.study_project", False),
        ("team", "study", "budget.study_project", True),
        ("resident", "results", "budget.publish_results", False),
        ("team", "results", "budget.publish_results", True),
        ("team", "delivery", "budget.follow_up", True),
        ("anonymous", "delivery", "budget.follow_up", False),
    ],
)
def test_permission_matrix(who, phase, perm, allowed):
    user = {
        "anonymous": AnonymousUser,
        "unverified": UnverifiedUserFactory,
        "resident": ResidentFactory,
        "undeclared": UserFactory,
        "team": TeamUserFactory,
    }[who]()
    assert user.has_perm(perm, make_campaign(phase=phase)) is allowed
