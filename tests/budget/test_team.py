"""The team's pages: phases and envelopes of a campaign, and the services' work on a project from its page;
pictures, duplicate warning and followers (issue 16)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from budget import services
from budget.models import Campaign, Project, ProjectNote, Scope
from core import follows
from core.models import Notification
from tests.factories import OrganizationFactory, ResidentFactory, UserFactory

from .conftest import make_campaign, make_project

pytestmark = pytest.mark.django_db


def _png(name="photo.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (40, 120, 60)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _team_client(team_member):
    client = Client()
    client.force_login(team_member)
    return client


def test_the_team_opens_the_next_phase_from_the_site(team_member):
    campaign = make_campaign(phase="study")
    client = _team_client(team_member)
    url = f"/budget-participatif/{campaign.year}/equipe/"
    assert "Phase en cours" in client.get(url).content.decode()
    assert client.post(url, {"action": "next"}).status_code == 302
    campaign.refresh_from_db()
    assert campaign.phase == "vote" and campaign.vote_opens == timezone.localdate()
    for expected in ("results", "delivery"):
        client.post(url, {"action": "next"})
        campaign.refresh_from_db()
        assert campaign.phase == expected
    last = client.post(url, {"action": "next"})
    assert last.status_code == 400 and "dernière phase" in last.content.decode()


def test_dates_out_of_order_are_refused_and_kept_in_the_form(team_member):
    campaign = make_campaign(phase="vote")
    before = Campaign.objects.values().get(pk=campaign.pk)
    data = {
        "action": "dates",
        "submission_opens": "2026-05-01",
        "study_opens": "2026-04-01",
        "vote_opens": "2026-06-01",
        "results_on": "2026-07-01",
        "delivery_opens": "2026-08-01",
    }
    response = _team_client(team_member).post(f"/budget-participatif/{campaign.year}/equipe/", data)
    page = response.content.decode()
    assert response.status_code == 400 and "Les phases doivent se suivre" in page
    assert 'value="2026-04-01"' in page
    assert Campaign.objects.values().get(pk=campaign.pk) == before
    junk = _team_client(team_member).post(
        f"/budget-participatif/{campaign.year}/equipe/", {**data, "study_opens": "demain"}
    )
    assert junk.status_code == 400


def test_the_team_sets_envelopes_and_shares_and_publishes(team_member):
    campaign = make_campaign(phase="results")
    project = make_project(campaign, "paris", 1000)
    client = _team_client(team_member)
    url = f"/budget-participatif/{campaign.year}/equipe/"
    scopes = list(Scope.objects.filter(campaign=campaign))
    data = {"action": "envelopes"}
    for scope in scopes:
        data[f"envelope-{scope.pk}"], data[f"share-{scope.pk}"] = "500000", "100000"
    wrong = {**data, f"share-{scopes[0].pk}": "900000"}
    refused = client.post(url, wrong)
    assert refused.status_code == 400
    assert Scope.objects.get(pk=scopes[1].pk).envelope != 500000  # nothing half-saved
    assert 'value="900000"' in refused.content.decode()  # what the agent typed is kept, to be corrected
    assert client.post(url, data).status_code == 302
    assert set(Scope.objects.filter(campaign=campaign).values_list("envelope", "popular_share")) == {(500000, 100000)}
    assert client.post(url, {"action": "publish"}).status_code == 302
    campaign.refresh_from_db()
    assert campaign.results_published
    assert Project.objects.get(pk=project.pk).votes == 0


def test_residents_and_visitors_cannot_reach_the_team_pages(campaign):
    resident = Client()
    resident.force_login(ResidentFactory())
    for path in ("equipe/", "bulletins-papier/"):
        assert resident.get(f"/budget-participatif/{campaign.year}/{path}").status_code == 403
        assert resident.post(f"/budget-participatif/{campaign.year}/{path}", {"action": "next"}).status_code == 403
    project = make_project(campaign, "paris", 10, status="submitted")
    response = resident.post(
        f"/budget-participatif/projets/{project.pk}/equipe/", {"action": "verdict", "admissible": "yes"}
    )
    assert response.status_code == 403
    assert Project.objects.get(pk=project.pk).status == "submitted"


def test_the_services_study_merge_and_note_from_the_project_page(team_member):
    campaign = make_campaign(phase="study")
    author, other_author = UserFactory(), UserFactory()
    kept = make_project(campaign, "paris", None, "Des arbres rue de Rivoli", status="submitted")
    similar = make_project(campaign, "paris", None, "Planter des arbres rue de Rivoli", status="submitted")
    Project.objects.filter(pk=kept.pk).update(author=author)
    Project.objects.filter(pk=similar.pk).update(author=other_author)
    direction = OrganizationFactory(name="Direction des espaces verts", kind="city_service")
    client = _team_client(team_member)
    url = f"/budget-participatif/projets/{kept.pk}/equipe/"

    refused = client.post(url, {"action": "verdict", "admissible": "no", "reason": ""})
    assert refused.status_code == 400 and Project.objects.get(pk=kept.pk).status == "submitted"
    data = {"action": "verdict", "admissible": "yes", "cost": "250000", "lead_direction": direction.pk}
    assert client.post(url, {**data, "popular_quartier": "on"}).status_code == 302
    kept.refresh_from_db()
    assert (kept.status, kept.cost, kept.lead_direction, kept.popular_quartier) == (
        "admissible",
        250000,
        direction,
        True,
    )

    merged = client.post(f"/budget-participatif/projets/{similar.pk}/equipe/", {"action": "merge", "into": kept.pk})
    assert merged.status_code == 302
    assert Project.objects.get(pk=similar.pk).merged_into == kept
    note = client.post(url, {"action": "note", "text": "Atelier avec les porteurs le 12 mars."})
    assert note.status_code == 302
    empty = client.post(url, {"action": "note", "text": "  "})
    assert empty.status_code == 400

    page = Client().get(kept.get_absolute_url()).content.decode()
    assert "Projets regroupés dans celui-ci" in page and other_author.public_name in page  # the authors credited
    assert "Atelier avec les porteurs le 12 mars." in page
    assert "Pour les services de la Ville" not in page
    assert Notification.objects.filter(recipient=author, kind="budget.verdict").count() == 2  # verdict + note
    assert Notification.objects.filter(recipient=other_author, kind="budget.verdict").exists()


def test_verdicts_merges_and_published_results_are_in_the_audit_log(team_member):
    from core.models import AuditLog

    campaign = make_campaign(phase="vote")  # the services may still study a project during the vote
    kept = make_project(campaign, "paris", None, "Des arbres rue de Rivoli", status="submitted")
    similar = make_project(campaign, "paris", None, "Planter des arbres rue de Rivoli", status="submitted")
    refused = make_project(campaign, 11, None, "Un téléphérique", status="submitted")
    services.study_verdict(team_member, kept, admissible=True, cost=250_000)
    services.study_verdict(team_member, refused, admissible=False, reason="Hors des compétences de la Ville.")
    services.merge_projects(team_member, similar, kept, "Le même projet.")
    services.cast_ballot(ResidentFactory(), campaign, [kept.pk])
    services.compute_results(team_member, campaign)

    records = list(AuditLog.objects.order_by("pk").values_list("actor", "action", "object_id", "reason", "data"))
    assert records == [
        (
            team_member.pk,
            "budget.verdict",
            str(kept.pk),
            "",
            {"status": "admissible", "cost": 250_000, "lead_direction": None, "popular_quartier": False},
        ),
        (
            team_member.pk,
            "budget.verdict",
            str(refused.pk),
            "Hors des compétences de la Ville.",
            {"status": "inadmissible", "cost": None, "lead_direction": None, "popular_quartier": False},
        ),
        (team_member.pk, "budget.merge", str(similar.pk), "Le même projet.", {"into": kept.pk}),
        (team_member.pk, "budget.publish_results", str(campaign.pk), "", {"winners": [kept.pk], "ballots": 1}),
    ]
    page = _team_client(team_member).get("/equipe/journal/").content.decode()
    for label in (
        "Budget participatif\u00a0: avis de l'instruction",
        "Budget participatif\u00a0: projets regroupés",
        "Budget participatif\u00a0: résultats publiés",
    ):
        assert label in page.replace("&#x27;", "'")


def test_followers_are_told_when_a_winner_changes_stage(team_member, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    campaign = make_campaign(phase="vote")
    project = make_project(campaign, "paris", 1000, "Une fontaine")
    services.cast_ballot(ResidentFactory(), campaign, [project.pk])
    services.compute_results(team_member, campaign)
    follower = UserFactory()
    follows.follow(follower, Project.objects.get(pk=project.pk))
    client = _team_client(team_member)
    url = f"/budget-participatif/projets/{project.pk}/equipe/"

    assert client.post(url, {"action": "follow_up", "stage": "abandoned", "reason": ""}).status_code == 400
    answer = client.post(url, {"action": "follow_up", "stage": "works", "progress": "40", "reason": "Chantier ouvert."})
    assert answer.status_code == 302
    assert client.post(url, {"action": "photo", "photo": _png(), "caption": "Le chantier"}).status_code == 302
    assert (
        client.post(url, {"action": "photo", "photo": SimpleUploadedFile("x.png", b"not an image")}).status_code == 400
    )

    told = Notification.objects.get(recipient=follower)
    assert "Une fontaine" in told.title and "Travaux" in told.title
    assert ProjectNote.objects.filter(project=project, kind="delivery", text="Chantier ouvert.").exists()
    page = Client().get(project.get_absolute_url()).content.decode()
    assert "Chantier ouvert." in page and "Le chantier" in page and "40" in page
    reader = Client()
    reader.force_login(UserFactory())
    assert "Suivre" in reader.get(project.get_absolute_url()).content.decode()


def test_submission_with_a_picture_and_the_duplicate_warning(settings, tmp_path):
    from core import places

    settings.MEDIA_ROOT = tmp_path
    places.load()
    campaign = make_campaign(phase="submission")
    first = make_project(campaign, "paris", None, "Des bancs place de la République", status="submitted")
    from tests.factories import REPUBLIQUE

    Project.objects.filter(pk=first.pk).update(geometry=REPUBLIQUE, point=REPUBLIQUE)
    client = Client()
    author = UserFactory()
    client.force_login(author)
    url = f"/budget-participatif/{campaign.year}/deposer/"
    data = {
        "title": "Des bancs sur la place de la République",
        "description": "Pour s'asseoir à l'ombre",
        "scope": "paris",
        "address": "place de la République",
        "estimated_need": "20000",
    }
    warned = client.post(url, {**data, "photo": _png()})
    page = warned.content.decode()
    assert warned.status_code == 200 and "Des projets semblables existent déjà tout près" in page
    assert first.title in page and 'value="Des bancs sur la place de la République"' in page
    assert Project.objects.count() == 1
    done = client.post(url, {**data, "photo": _png(), "confirm": "on"})
    assert done.status_code == 302
    project = Project.objects.get(title=data["title"])
    assert project.photos.count() == 1 and project.address
    assert follows.is_following(author, project)  # the author follows their project


def test_the_team_actions_refuse_residents_and_unknown_actions(team_member, campaign):
    from django.core.exceptions import PermissionDenied, ValidationError

    project = make_project(campaign, "paris", 10, status="submitted")
    resident = ResidentFactory()
    for call in (
        lambda user, action: services.project_action(user, project, action, {}),
        lambda user, action: services.campaign_action(user, campaign, action, {}),
        lambda user, action: services.paper_action(user, campaign, action, {}),
    ):
        with pytest.raises(PermissionDenied):
            call(resident, "publish")
        with pytest.raises(ValidationError):
            call(team_member, "nonsense")
    assert not Campaign.objects.get(pk=campaign.pk).results_published


def test_paper_counts_are_entered_and_validated_from_the_page(team_member):
    from budget.models import PaperCount
    from tests.factories import TeamUserFactory

    campaign = make_campaign(phase="vote")
    project = make_project(campaign, "paris", 1000, "Une piscine")
    other = make_project(make_campaign(2027), "paris", 1000, "D'une autre édition")
    url = f"/budget-participatif/{campaign.year}/bulletins-papier/"
    client = _team_client(team_member)
    entry = {"action": "enter", "project": project.pk, "polling_place": "Mairie du 11e", "count": "12"}
    assert client.post(url, {**entry, "project": other.pk}).status_code == 400  # not a choice of this page
    assert client.post(url, entry).status_code == 302
    count = PaperCount.objects.get()
    assert (count.project, count.count, count.validated_by) == (project, 12, None)
    assert client.post(url, {"action": "validate", "count": count.pk}).status_code == 400  # a second agent must
    second = _team_client(TeamUserFactory(email="agent2@paris.fr"))
    assert second.post(url, {"action": "validate", "count": 999999}).status_code == 400
    assert second.post(url, {"action": "validate", "count": count.pk}).status_code == 302
    assert PaperCount.objects.get().validated_by is not None
