"""What the team's co-construction note tells the author, and what the results page says went to the quartiers
populaires when their projects are selected beyond the share reserved for them."""

import pytest
from django.test import Client

from budget import services
from budget.models import Project, Scope
from core.models import Notification
from tests.factories import ResidentFactory

from .conftest import make_campaign, make_project

pytestmark = pytest.mark.django_db

NBSP = "\xa0"


def test_the_author_reads_in_french_that_a_co_construction_note_was_added(team_member):
    campaign = make_campaign(phase="study")
    author = ResidentFactory(email="porteuse@example.org")
    project = make_project(campaign, "paris", 300_000, "Des arbres rue de Rivoli")
    Project.objects.filter(pk=project.pk).update(author=author)
    project = Project.objects.get(pk=project.pk)

    answer = services.project_action(team_member, project, "note", {"text": "  Trois arbres, pas quatre.  "})

    assert str(answer) == "La note est publiée sur la page du projet."
    notice = Notification.objects.get(recipient=author)
    assert notice.title.replace(NBSP, " ") == (
        "Une note de co-construction a été ajoutée à votre projet « Des arbres rue de Rivoli »"
    )
    assert (notice.kind, notice.body, notice.url) == (
        "budget.verdict",
        "Trois arbres, pas quatre.",
        project.get_absolute_url(),
    )


def _vote(campaign, projects_by_votes):
    for project, n in projects_by_votes:
        for _ in range(n):
            services.cast_ballot(ResidentFactory(), campaign, [project.pk])


def test_the_results_page_adds_up_every_winner_of_the_quartiers_populaires(team_member):
    campaign = make_campaign(paris=1_000_000)
    Scope.objects.filter(campaign=campaign, district__isnull=True).update(popular_share=100_000)
    on_share = make_project(campaign, "paris", 100_000, "Un jardin à la Goutte-d'Or")
    beyond_share = make_project(campaign, "paris", 300_000, "Un gymnase à la Chapelle")
    beyond_too = make_project(campaign, "paris", 200_000, "Une fontaine à Belleville")
    elsewhere = make_project(campaign, "paris", 250_000, "Des bancs au Marais")
    Project.objects.filter(pk__in=[on_share.pk, beyond_share.pk, beyond_too.pk]).update(popular_quartier=True)
    _vote(campaign, [(on_share, 1), (beyond_share, 4), (elsewhere, 3), (beyond_too, 2)])

    services.compute_results(team_member, campaign)

    winners = set(Project.objects.filter(campaign=campaign, winner=True).values_list("title", flat=True))
    assert winners == {
        "Un jardin à la Goutte-d'Or",
        "Un gymnase à la Chapelle",
        "Une fontaine à Belleville",
        "Des bancs au Marais",
    }
    page = Client().get(f"/budget-participatif/{campaign.year}/resultats/").content.decode().replace(NBSP, " ")
    # 100 000 on the share, then 300 000 and 200 000 in the rest of the envelope
    assert "réservés aux quartiers populaires : 100 000 €, 600 000 € sont allés à leurs projets" in page
