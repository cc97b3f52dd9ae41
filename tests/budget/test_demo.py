from io import StringIO

import pytest

from budget import demo
from budget.models import Campaign, Project
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_demo_has_a_campaign_in_its_vote_phase_and_a_past_one_with_results(monkeypatch):
    monkeypatch.delenv("PARIS_BP_PROJECTS_FILE", raising=False)
    for _ in range(3):
        UserFactory()
    demo.load(StringIO())
    demo.load(StringIO())  # idempotent
    current, past = Campaign.objects.order_by("-year")
    assert current.phase == "vote" and past.results_published
    assert (
        Project.objects.filter(campaign=current, scope__district__isnull=False).values("district").distinct().count()
        == 20
    )
    assert Project.objects.filter(campaign=past, winner=True).exists()
    # anyone can try a ballot at once: the demo accounts live in Paris; a share is kept for the quartiers populaires
    from accounts.models import User
    from budget.models import Scope

    assert not User.objects.filter(email_verified=True, home_district__isnull=True).exists()
    paris = Scope.objects.get(campaign=current, district__isnull=True)
    assert paris.popular_share == paris.envelope // 3


def test_demo_puts_projects_in_the_quartiers_populaires_and_their_share_shows_in_the_results(monkeypatch):
    from budget import selectors

    monkeypatch.delenv("PARIS_BP_PROJECTS_FILE", raising=False)
    for _ in range(5):
        UserFactory()
    demo.load(StringIO())
    current, past = Campaign.objects.order_by("-year")
    for campaign in (current, past):
        popular = Project.objects.filter(campaign=campaign, popular_quartier=True)
        assert popular.filter(scope__district__isnull=True).exists()  # all of Paris
        assert popular.filter(scope__district__number=18).exists()
        assert not popular.filter(scope__district__number=1).exists()  # no quartier populaire in the 1st
        for project in popular.select_related("scope"):
            assert project.cost <= project.scope.popular_share
    reasons = {reason for _scope, ranked, _spent in selectors.results(past) for _project, reason in ranked}
    assert "popular" in reasons  # the results page shows winners on the share of the quartiers populaires
    demo.load(StringIO())  # idempotent: still one a scope
    assert Project.objects.filter(campaign=current, popular_quartier=True, scope__district__number=18).count() == 1
