"""What each form of the team's budget pages does and says: the French sentence the agent reads after the action,
and every posted field reaching the project, the campaign or the count (issue 19: the survivors of a mutation run
were the pages' dispatch, whose sentences and fields nothing checked)."""

import datetime

import pytest
from django.utils import timezone

from budget import services
from budget.models import Campaign, PaperCount, Project, ProjectNote, ProjectPhoto, Scope
from core.models import AuditLog, Notification
from tests.factories import OrganizationFactory, ResidentFactory, UserFactory

from .conftest import make_campaign, make_project
from .test_team import _png

pytestmark = pytest.mark.django_db


def test_the_verdict_form_records_every_field_and_says_so(team_member, submitted):
    direction = OrganizationFactory(kind="city_service", name="Direction de la Voirie")
    said = services.project_action(
        team_member,
        submitted,
        "verdict",
        {
            "admissible": "yes",
            "reason": "Faisable sur le trottoir.",
            "cost": "12000",
            "lead_direction": str(direction.pk),
            "popular_quartier": "on",
        },
    )
    assert said == "L'avis est enregistré\u00a0; l'auteur ou l'autrice est prévenu·e."
    project = Project.objects.get(pk=submitted.pk)
    assert (project.status, project.status_reason, project.cost) == ("admissible", "Faisable sur le trottoir.", 12000)
    assert (project.lead_direction, project.popular_quartier) == (direction, True)
    assert Notification.objects.filter(recipient__email="autrice@example.org", kind="budget.verdict").count() == 1
    entry = AuditLog.objects.get(action="budget.verdict")
    assert (entry.actor, entry.reason, entry.data["status"]) == (team_member, "Faisable sur le trottoir.", "admissible")


def test_a_verdict_form_without_yes_is_not_admissible_and_an_empty_box_is_no_quartier(team_member, submitted):
    Project.objects.filter(pk=submitted.pk).update(popular_quartier=True)
    submitted.refresh_from_db()
    services.project_action(
        team_member, submitted, "verdict", {"admissible": "no", "reason": "Hors compétence de la Ville.", "cost": ""}
    )
    project = Project.objects.get(pk=submitted.pk)
    assert (project.status, project.status_reason, project.cost) == (
        "inadmissible",
        "Hors compétence de la Ville.",
        None,
    )
    assert project.popular_quartier is False and project.lead_direction is None


def test_the_merge_form_joins_the_project_chosen(team_member, submitted):
    into = make_project(submitted.campaign, 11, 50_000, "Des bancs et des arbres")
    said = services.project_action(team_member, submitted, "merge", {"into": str(into.pk), "reason": "Même lieu."})
    assert said == "Les projets sont regroupés\u00a0; leurs auteurs et autrices sont prévenus."
    project = Project.objects.get(pk=submitted.pk)
    assert (project.status, project.merged_into, project.status_reason) == ("merged", into, "Même lieu.")


def test_the_note_form_publishes_the_text(team_member, submitted):
    said = services.project_action(team_member, submitted, "note", {"text": "Nous proposons des bancs en bois."})
    assert said == "La note est publiée sur la page du projet."
    note = ProjectNote.objects.get(project=submitted)
    assert (note.text, note.kind, note.author) == ("Nous proposons des bancs en bois.", "coconstruction", team_member)


def test_the_follow_up_form_moves_a_winner_and_tells_its_followers(team_member, submitted):
    Project.objects.filter(pk=submitted.pk).update(status="admissible", winner=True, stage="study")
    winner = Project.objects.get(pk=submitted.pk)
    said = services.project_action(
        team_member, winner, "follow_up", {"stage": "works", "progress": "40", "reason": "Chantier ouvert."}
    )
    assert said == "Le suivi est publié\u00a0; les personnes qui suivent le projet sont prévenues."
    project = Project.objects.get(pk=submitted.pk)
    assert (project.stage, project.progress) == ("works", 40)
    assert ProjectNote.objects.get(project=project, kind="delivery").text == "Chantier ouvert."


def test_the_photo_form_adds_the_picture_with_its_caption(team_member, submitted):
    Project.objects.filter(pk=submitted.pk).update(status="admissible", winner=True, stage="works")
    winner = Project.objects.get(pk=submitted.pk)
    said = services.project_action(
        team_member, winner, "photo", {"caption": "Les bancs posés"}, files={"photo": _png()}
    )
    assert said == "La photo est ajoutée."
    photo = ProjectPhoto.objects.get(project=winner)
    assert (photo.caption, photo.added_by) == ("Les bancs posés", team_member)


def test_the_next_phase_button_opens_it_today(team_member):
    campaign = make_campaign(phase="study")
    said = services.campaign_action(team_member, campaign, "next", {})
    assert said == "La phase suivante est ouverte à partir d'aujourd'hui."
    campaign = Campaign.objects.get(pk=campaign.pk)
    assert campaign.vote_opens == timezone.localdate() and campaign.phase == "vote"


def test_the_dates_form_saves_the_dates_given(team_member):
    campaign = make_campaign(phase="study")
    later = campaign.results_on + datetime.timedelta(days=10)
    said = services.campaign_action(team_member, campaign, "dates", {}, dates={"results_on": later})
    assert said == "Les dates des phases sont enregistrées."
    assert Campaign.objects.get(pk=campaign.pk).results_on == later


def test_the_envelopes_form_saves_each_scope_its_own_amounts(team_member):
    campaign = make_campaign(phase="study")
    paris = Scope.objects.get(campaign=campaign, district__isnull=True)
    eleventh = Scope.objects.get(campaign=campaign, district__number=11)
    data = {f"envelope-{scope.pk}": str(scope.envelope) for scope in Scope.objects.filter(campaign=campaign)}
    data |= {f"envelope-{paris.pk}": "2000000", f"share-{paris.pk}": "500000", f"envelope-{eleventh.pk}": "450000"}
    said = services.campaign_action(team_member, campaign, "envelopes", data)
    assert said == "Les enveloppes sont enregistrées."
    amounts = dict(Scope.objects.filter(pk__in=[paris.pk, eleventh.pk]).values_list("pk", "envelope"))
    assert amounts == {paris.pk: 2_000_000, eleventh.pk: 450_000}
    assert Scope.objects.get(pk=paris.pk).popular_share == 500_000
    assert Scope.objects.get(pk=eleventh.pk).popular_share == 0


def test_the_publish_button_publishes_the_results(team_member):
    campaign = make_campaign(phase="vote")
    project = make_project(campaign, "paris", 100_000, "Un jardin")
    services.cast_ballot(ResidentFactory(), campaign, [project.pk])
    today = timezone.localdate()
    Campaign.objects.filter(pk=campaign.pk).update(vote_opens=today - datetime.timedelta(days=10), results_on=today)
    campaign = Campaign.objects.get(pk=campaign.pk)
    said = services.campaign_action(team_member, campaign, "publish", {})
    assert said == "Résultats publiés."
    assert Campaign.objects.get(pk=campaign.pk).results_published
    assert Project.objects.get(pk=project.pk).winner


def test_the_paper_forms_enter_then_validate_a_count(team_member):
    campaign = make_campaign(phase="vote")
    project = make_project(campaign, "paris", 100_000, "Un jardin")
    entry = {"project": project.pk, "polling_place": "Mairie du 11e", "count": 12}
    said = services.paper_action(team_member, campaign, "enter", {}, entry)
    assert said == "Le dépouillement est saisi\u00a0; un second agent doit le valider."
    count = PaperCount.objects.get(project=project)
    assert (count.polling_place, count.count, count.entered_by, count.validated_by) == (
        "Mairie du 11e",
        12,
        team_member,
        None,
    )
    second = UserFactory(email="second-agent@paris.fr", is_team=True)
    said = services.paper_action(second, campaign, "validate", {"count": str(count.pk)})
    assert said == "Le dépouillement est validé\u00a0: il s'ajoute aux résultats."
    assert PaperCount.objects.get(pk=count.pk).validated_by == second


# Opening the next phase with the phases one day apart: (phase running, the dates as days from today) -> the dates
# after, exactly — the earlier phases move back a day each, the next one opens today, the later ones keep theirs.
NEXT_PHASE = [
    ("submission", (0, 1, 2, 3, 4), (-1, 0, 2, 3, 4)),
    ("study", (-1, 0, 1, 2, 3), (-2, -1, 0, 2, 3)),
    ("vote", (-2, -1, 0, 1, 1), (-3, -2, -1, 0, 1)),
    ("results", (-3, -2, -1, 0, 5), (-4, -3, -2, -1, 0)),
    ("study", (-40, -20, 10, 40, 70), (-40, -20, 0, 40, 70)),
    # later phases sharing a day, or the results the day after the vote: they keep their order as they are
    ("submission", (0, 5, 5, 6, 6), (-1, 0, 5, 6, 6)),
    ("vote", (-9, -8, 0, 1, 1), (-9, -8, -1, 0, 1)),
]


@pytest.mark.parametrize(("phase", "before", "after"), NEXT_PHASE)
def test_the_next_phase_moves_the_dates_by_the_day(team_member, phase, before, after):
    fields = ["submission_opens", "study_opens", "vote_opens", "results_on", "delivery_opens"]
    today = timezone.localdate()
    campaign = make_campaign(phase=phase)
    Campaign.objects.filter(pk=campaign.pk).update(
        **{field: today + datetime.timedelta(days=days) for field, days in zip(fields, before, strict=True)}
    )
    campaign = Campaign.objects.get(pk=campaign.pk)
    assert campaign.phase == phase
    services.start_next_phase(team_member, campaign)
    campaign = Campaign.objects.get(pk=campaign.pk)
    assert [(getattr(campaign, field) - today).days for field in fields] == list(after)


def test_a_merged_projects_author_reads_that_it_joined_a_similar_one(team_member, submitted):
    into = make_project(submitted.campaign, 11, 50_000, "Des bancs et des arbres")
    services.project_action(team_member, submitted, "merge", {"into": str(into.pk)})
    note = Notification.objects.get(recipient__email="autrice@example.org")
    assert note.title == "Votre projet «\u00a0Des bancs place Léon-Blum\u00a0» a été regroupé avec un projet similaire"
    assert note.url == into.get_absolute_url()


def test_a_lead_direction_that_is_not_a_city_service_is_refused_in_french(team_member, submitted):
    from django.core.exceptions import ValidationError

    association = OrganizationFactory(kind="association", name="Les Amis du 11e")
    with pytest.raises(ValidationError) as refused:
        services.project_action(
            team_member,
            submitted,
            "verdict",
            {"admissible": "yes", "cost": "1000", "lead_direction": str(association.pk)},
        )
    assert refused.value.message_dict == {"lead_direction": ["La direction pilote doit être un service de la Ville."]}
    assert Project.objects.get(pk=submitted.pk).status == "submitted"


def test_a_photo_without_a_caption_has_none(team_member, submitted):
    Project.objects.filter(pk=submitted.pk).update(status="admissible", winner=True, stage="works")
    winner = Project.objects.get(pk=submitted.pk)
    services.project_action(team_member, winner, "photo", {}, files={"photo": _png()})
    assert ProjectPhoto.objects.get(project=winner).caption == ""
