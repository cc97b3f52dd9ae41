"""GDPR across every app: `GET /api/v1/me/export/` holds everything about the account, `DELETE /api/v1/me/` erases it.

One resident takes part everywhere (a map proposal, a vote and a comment; an idea, a support and a comment; an
application with a CV; a comment on a strategy section; a report), then asks for the data, then deletes the account.
"""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from core.models import Report
from ideas import services as ideas_services
from ideas.models import Comment as IdeaComment
from ideas.models import Idea, Support
from mapvotes.models import Comment as MapComment
from mapvotes.models import Proposal, Vote
from strategy import services as strategy_services
from strategy.models import SectionComment
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.ideas.factories import make_idea
from tests.strategy.factories import SectionFactory
from tests.volunteering.factories import MINIMAL_PDF, MissionFactory
from volunteering.models import Application

pytestmark = pytest.mark.django_db

APPS = {"account", "map", "volunteering", "ideas", "strategy", "moderation", "terms", "budget"}
POINT = {"type": "Point", "coordinates": [2.3522, 48.8566]}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # CVs (private storage) and photos go to a throw-away directory


@pytest.fixture
def everywhere():
    """Camille takes part in every space; Dominique too, on Camille's contributions and on their own."""
    camille = UserFactory(email="camille@example.org", display_name="Camille Habitante")
    dominique = UserFactory(email="dominique@example.org", display_name="Dominique Voisine")
    client, other = client_for(camille), client_for(dominique)

    def created(response):
        assert response.status_code == 201, response.content
        return response.json()

    mine = created(
        client.post(
            "/api/v1/map/proposals/",
            {
                "title": "Un banc place Baudoyer",
                "description": "Pour se reposer.",
                "theme": "mobilite",
                "geometry": POINT,
            },
            format="json",
        )
    )
    theirs = created(
        other.post(
            "/api/v1/map/proposals/",
            {"title": "Des arceaux vélo", "description": "Devant la mairie.", "theme": "mobilite", "geometry": POINT},
            format="json",
        )
    )
    assert client.put(f"/api/v1/map/proposals/{theirs['id']}/vote/", {"value": "for"}, format="json").status_code == 200
    assert other.put(f"/api/v1/map/proposals/{mine['id']}/vote/", {"value": "for"}, format="json").status_code == 200
    created(client.post(f"/api/v1/map/proposals/{theirs['id']}/comments/", {"body": "Oui, vite !"}, format="json"))
    created(other.post(f"/api/v1/map/proposals/{mine['id']}/comments/", {"body": "Bonne idée."}, format="json"))
    created(client.post(f"/api/v1/map/proposals/{theirs['id']}/report/", {"reason": "Doublon"}, format="json"))

    my_idea = make_idea(camille, title="Toits solaires partagés")
    their_idea = make_idea(dominique, title="Jardin sur le toit du gymnase")
    ideas_services.support(camille, their_idea)
    ideas_services.support(dominique, my_idea)
    ideas_services.add_comment(camille, their_idea, "Je peux aider le samedi.")

    mission = MissionFactory()
    cv = SimpleUploadedFile("cv-camille.pdf", MINIMAL_PDF, content_type="application/pdf")
    application = client.post(
        f"/api/v1/volunteering/missions/{mission.pk}/applications/",
        {"message": "Disponible le samedi.", "cv": cv},
        format="multipart",
    )
    assert application.status_code == 201, application.content

    section = SectionFactory()
    strategy_services.add_comment(section, camille, "Il manque les rues scolaires.")
    return {
        "camille": camille,
        "dominique": dominique,
        "mine": Proposal.objects.get(pk=mine["id"]),
        "theirs": Proposal.objects.get(pk=theirs["id"]),
        "my_idea": my_idea,
        "their_idea": their_idea,
        "application": Application.objects.get(volunteer=camille),
        "section": section,
    }


def test_the_export_holds_a_section_for_every_app_with_the_account_s_own_data(everywhere):
    response = client_for(everywhere["camille"]).get("/api/v1/me/export/")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="participe-export.json"'
    data = response.json()
    assert set(data) == APPS
    assert data["account"]["email"] == "camille@example.org"
    assert [p["title"] for p in data["map"]["proposals"]] == ["Un banc place Baudoyer"]
    assert data["map"]["votes"] == [
        {"proposal": everywhere["theirs"].pk, "value": "for", "created_at": data["map"]["votes"][0]["created_at"]}
    ]
    assert [c["body"] for c in data["map"]["comments"]] == ["Oui, vite !"]  # not Dominique's comment
    assert [i["title"] for i in data["ideas"]["ideas"]] == ["Toits solaires partagés"]
    assert [s["idea"] for s in data["ideas"]["supports"]] == [everywhere["their_idea"].pk]
    assert [c["body"] for c in data["ideas"]["comments"]] == ["Je peux aider le samedi."]
    [application] = data["volunteering"]["applications"]
    assert application["message"] == "Disponible le samedi." and application["has_cv"] is True
    assert [c["body"] for c in data["strategy"]["section_comments"]] == ["Il manque les rues scolaires."]
    [report] = data["moderation"]["reports"]
    assert report["content"] == "mapvotes.proposal" and report["content_id"] == everywhere["theirs"].pk
    assert report["reason"] == "Doublon"
    assert "dominique@example.org" not in response.content.decode()


def test_another_account_s_export_holds_none_of_it(everywhere):
    data = client_for(UserFactory()).get("/api/v1/me/export/").json()
    assert set(data) == APPS
    assert data["map"] == {"proposals": [], "votes": [], "comments": []}
    assert data["moderation"]["reports"] == [] and data["volunteering"]["applications"] == []
    assert data["budget"] == {"projects": [], "ballots": []}


def test_deleting_the_account_erases_it_everywhere_and_keeps_public_contributions_unattributed(
    everywhere, django_capture_on_commit_callbacks
):
    camille, theirs, mine = everywhere["camille"], everywhere["theirs"], everywhere["mine"]
    cv_path = Path(everywhere["application"].cv.path)
    assert cv_path.exists()

    with django_capture_on_commit_callbacks(execute=True):  # files may be deleted once the erasure is committed
        response = client_for(camille).delete("/api/v1/me/")

    assert response.status_code == 204
    assert not User.objects.filter(pk=camille.pk).exists()
    # Personal data are gone: the CV file from the disk, the application, the votes and supports.
    assert not cv_path.exists()
    assert not Application.objects.filter(pk=everywhere["application"].pk).exists()
    assert not Vote.objects.filter(user_id=camille.pk).exists()
    assert not Support.objects.filter(user_id=camille.pk).exists()
    # Counters follow the rows.
    theirs.refresh_from_db()
    assert (theirs.votes_for, theirs.votes_against) == (0, 0)
    assert Idea.objects.get(pk=everywhere["their_idea"].pk).supporters_count == 0
    mine.refresh_from_db()
    assert mine.votes_for == Vote.objects.filter(proposal=mine, value="for").count() == 1  # Dominique's vote stays
    # Public contributions stay, attributed to "compte supprimé".
    assert mine.author is None
    assert MapComment.objects.get(body="Oui, vite !").author is None
    assert Idea.objects.get(pk=everywhere["my_idea"].pk).holder is None
    assert IdeaComment.objects.get(body="Je peux aider le samedi.").author is None
    assert SectionComment.objects.get(body="Il manque les rues scolaires.").author is None
    assert Report.objects.get(reason="Doublon").reporter is None
    feature = client_for(everywhere["dominique"]).get(f"/api/v1/map/proposals/{mine.pk}/").json()
    assert feature["properties"]["author"] == "compte supprimé"
    comments = client_for(everywhere["dominique"]).get(f"/api/v1/map/proposals/{theirs.pk}/comments/").json()
    assert [c["author"] for c in comments["results"]] == ["compte supprimé"]
    assert (
        "Il manque les rues scolaires."
        in client_for(everywhere["dominique"])
        .get(f"/strategie/sections/{everywhere['section'].slug}/")
        .content.decode()
    )


def test_deleting_the_account_needs_to_be_logged_in(api_client):
    assert api_client.delete("/api/v1/me/").status_code == 401
    assert api_client.get("/api/v1/me/export/").status_code == 401
