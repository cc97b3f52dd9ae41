"""What a resident, the services and an API client read from the budget's less-watched functions: the projects
filters left empty, the ballot's rules one by one, the submission's refusals, the verdict's notification, the
services' pictures and the count of the results (issue 19: survivors of a mutation run of budget)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from budget import services
from budget.models import Campaign, PaperCount, Project, ProjectPhoto
from core import follows
from core.models import AuditLog, District, Notification
from tests.conftest import client_for
from tests.factories import (
    OrganizationFactory,
    ResidentFactory,
    TeamUserFactory,
    UnverifiedUserFactory,
    UserFactory,
)

from .conftest import make_campaign, make_project
from .test_ballot import _url
from .test_services import _submit
from .test_team import _png

pytestmark = pytest.mark.django_db
LIST = "/api/v1/budget/projects/"
NBSP = "\xa0"


# --- the projects' filters ------------------------------------------------------------------------------------


def test_an_empty_campaign_filter_lists_every_campaign_and_a_number_keeps_one(api_client, campaign):
    here = make_project(campaign, "paris", 100_000, "Un jardin")
    there = make_project(make_campaign(year=2030, phase="submission"), "paris", 100_000, "Ailleurs")
    everything = api_client.get(LIST, {"campaign": ""})
    assert everything.status_code == 200
    assert sorted(feature["id"] for feature in everything.json()["features"]) == sorted([here.pk, there.pk])
    one = api_client.get(LIST, {"campaign": str(campaign.pk)}).json()["features"]
    assert [feature["id"] for feature in one] == [here.pk]
    refused = api_client.get(LIST, {"campaign": "-1"})
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"campaign": ["campaign est l'identifiant d'une édition."]}


# --- the ballot's rules ---------------------------------------------------------------------------------------

LIST_REFUSAL = {"projects": ["Donnez une liste d'identifiants de projets."]}


@pytest.mark.parametrize("projects", ["12", None, [True], ["12"], [1.5], {"id": 12}])
def test_a_ballot_that_is_not_a_list_of_ids_is_refused_with_its_sentence(campaign, resident, projects):
    response = client_for(resident).put(_url(campaign), {"projects": projects}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == LIST_REFUSAL


def test_a_ballot_holds_at_most_500_projects(campaign, resident):
    client = client_for(resident)
    too_many = client.put(_url(campaign), {"projects": list(range(1, 502))}, format="json")
    assert too_many.json()["errors"] == {"projects": ["Un bulletin contient au plus 500 projets."]}
    just_so = client.put(_url(campaign), {"projects": list(range(1, 501))}, format="json")  # none is put to the vote
    assert just_so.json()["errors"] == {
        "projects": ["Certains de ces projets ne sont pas soumis au vote dans cette édition."]
    }


def test_each_rule_of_the_ballot_is_refused_with_its_field_and_sentence(campaign):
    paris = make_project(campaign, "paris", 100_000, "Un jardin")
    eleventh = make_project(campaign, 11, 100_000, "Des bancs")
    studied = make_project(campaign, "paris", 100_000, "À l'étude", status="submitted")
    with translation.override("fr"):
        for ids, arrondissement, errors in [
            ([paris.pk, paris.pk], None, {"projects": ["Un projet ne peut être choisi qu'une fois."]}),
            ([paris.pk, studied.pk], None,
             {"projects": ["Certains de ces projets ne sont pas soumis au vote dans cette édition."]}),
            ([eleventh.pk], None, {"arrondissement": ["Choisissez l'arrondissement dont vous votez les projets."]}),
            ([eleventh.pk], 12,
             {"projects": [f"«{NBSP}Des bancs{NBSP}» appartient à un autre arrondissement que celui que vous avez "
                           "choisi."]}),
            ([paris.pk], 21, {"arrondissement": ["Choisissez un arrondissement de 1 à 20."]}),
            ([paris.pk], 0, {"arrondissement": ["Choisissez un arrondissement de 1 à 20."]}),
            ([paris.pk], "onze", {"arrondissement": ["Choisissez un arrondissement de 1 à 20."]}),
            ([paris.pk], True, {"arrondissement": ["Choisissez un arrondissement de 1 à 20."]}),
        ]:  # fmt: skip
            with pytest.raises(ValidationError) as error:
                services.check_ballot(campaign, ids, arrondissement)
            assert error.value.message_dict == errors, (ids, arrondissement)
    projects, number = services.check_ballot(campaign, (paris.pk, eleventh.pk), "11")
    assert (sorted(p.id for p in projects), number) == (sorted([paris.pk, eleventh.pk]), 11)
    assert services.check_ballot(campaign, [paris.pk], "")[1] is None


def test_the_count_rule_names_the_scope_over_its_limit_and_ignores_the_envelopes(db):
    campaign = make_campaign(rule=Campaign.Rule.COUNT, max_per_scope=2, paris=10, arr=10)
    paris = [make_project(campaign, "paris", 500_000, f"Paris {i}").pk for i in range(3)]
    local = [make_project(campaign, 11, 500_000, f"Onzième {i}").pk for i in range(3)]
    name = District.objects.get(number=11).name
    with translation.override("fr"):
        with pytest.raises(ValidationError) as error:
            services.check_ballot(campaign, paris, None)
        assert error.value.message_dict == {"projects": ["Au plus 2 projets pour Tout Paris."]}
        with pytest.raises(ValidationError) as error:
            services.check_ballot(campaign, paris[:2] + local, 11)
        assert error.value.message_dict == {"projects": [f"Au plus 2 projets pour {name}."]}
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.check_ballot(campaign, paris, None)
    assert error.value.message_dict == {"projects": ["At most 2 projects for All of Paris."]}
    projects, number = services.check_ballot(campaign, paris[:2] + local[:2], 11)  # over every envelope: allowed
    assert (len(projects), number) == (4, 11)


def test_the_envelope_rule_allows_any_number_up_to_the_envelope_exactly(db):
    campaign = make_campaign(rule=Campaign.Rule.ENVELOPE, max_per_scope=1, paris=300_000)
    ids = [make_project(campaign, "paris", 100_000, f"Projet {i}").pk for i in range(3)]
    assert len(services.check_ballot(campaign, ids, None)[0]) == 3
    extra = make_project(campaign, "paris", 1, "Un euro de trop")
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        services.check_ballot(campaign, [*ids, extra.pk], None)
    assert error.value.message_dict == {
        "projects": [
            f"Ces projets coûtent 300{NBSP}001{NBSP}€ pour Tout Paris, plus que son enveloppe de 300{NBSP}000{NBSP}€."
        ]
    }


# --- submitting a project -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "sentence"),
    [
        (lambda: AnonymousUser(), "Vous devez vous connecter pour faire cela."),
        (lambda: UnverifiedUserFactory(),
         "Confirmez d'abord votre adresse e-mail\u00a0: seuls les comptes vérifiés peuvent participer."),
        (lambda: UserFactory(is_active=False), "Ce compte est désactivé."),
    ],
)  # fmt: skip
def test_who_may_not_submit_reads_why(who, sentence):
    campaign = make_campaign(phase="submission")
    with translation.override("fr"), pytest.raises(PermissionDenied) as error:
        _submit(who(), campaign)
    assert str(error.value) == sentence
    assert not Project.objects.exists()


def test_a_verified_resident_outside_the_submission_phase_reads_when_to_submit():
    campaign = make_campaign(phase="study")
    with translation.override("fr"), pytest.raises(PermissionDenied) as error:
        _submit(UserFactory(), campaign)
    assert str(error.value) == "Les projets ne peuvent être déposés que pendant la phase de dépôt."


def test_every_wrong_field_of_a_submission_is_named_at_once():
    campaign = make_campaign(phase="submission")
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        _submit(UserFactory(), campaign, title="x" * 201, description=" ", scope="21", geometry=None, estimated_need=-1)
    assert error.value.message_dict == {
        "title": ["Ce champ doit comporter au plus 200 caractères (il en a 201)."],
        "description": ["Ce champ est obligatoire."],
        "scope": [f"Choisissez «{NBSP}paris{NBSP}» ou un numéro d'arrondissement de 1 à 20."],
        "geometry": ["Placez le projet sur la carte."],
        "estimated_need": ["Indiquez un montant entre 0 et 100 000 000 euros."],
    }
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        _submit(UserFactory(), campaign, estimated_need=100_000_001)
    assert error.value.message_dict == {"estimated_need": ["Indiquez un montant entre 0 et 100 000 000 euros."]}
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        _submit(UserFactory(), campaign, estimated_need="vingt mille")
    assert error.value.message_dict == {"estimated_need": ["Indiquez un montant en euros entiers."]}
    assert not Project.objects.exists()


def test_an_arrondissement_project_placed_elsewhere_is_told_where_the_place_is():
    campaign = make_campaign(phase="submission")
    fourth = District.objects.get(number=4).name
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        _submit(UserFactory(), campaign, scope="11")  # the Hôtel de Ville is in the 4th
    assert error.value.message_dict == {
        "scope": [f"Un projet d'arrondissement doit être situé dans cet arrondissement (ce lieu est dans le {fourth})."]
    }
    assert not Project.objects.exists()


def test_a_submission_keeps_what_was_typed_at_its_limits_and_its_author_follows_it():
    campaign = make_campaign(phase="submission")
    author = UserFactory()
    project = _submit(
        author,
        campaign,
        title="t" * 200,
        description="d" * 5000,
        scope="4",
        estimated_need="100000000",
        address="a" * 300,
    )
    project = Project.objects.get(pk=project.pk)
    assert (len(project.title), len(project.description), project.estimated_need) == (200, 5000, 100_000_000)
    assert (project.scope.district.number, project.district.number, project.author) == (4, 4, author)
    assert (project.status, len(project.address), project.point) == ("submitted", 255, project.geometry)
    assert follows.is_following(author, project)
    assert _submit(UserFactory(), campaign, title="Des fleurs", estimated_need=0).estimated_need == 0
    assert _submit(UserFactory(), campaign, title="Des arbres", estimated_need="").estimated_need is None


# --- the verdict of the study ---------------------------------------------------------------------------------


def test_an_admissible_verdict_tells_the_author_it_goes_to_the_vote(team_member, submitted):
    services.study_verdict(team_member, submitted, admissible=True, reason="Faisable.", cost="0")
    note = Notification.objects.get(recipient__email="autrice@example.org")
    assert (
        note.title
        == f"Votre projet «{NBSP}Des bancs place Léon-Blum{NBSP}» est recevable{NBSP}: il sera soumis au vote"
    )
    assert (note.kind, note.body, note.url) == ("budget.verdict", "Faisable.", submitted.get_absolute_url())
    project = Project.objects.get(pk=submitted.pk)
    assert (project.status, project.status_reason, project.cost) == ("admissible", "Faisable.", 0)


def test_an_inadmissible_verdict_tells_the_author_why(team_member, submitted):
    services.study_verdict(team_member, submitted, admissible=False, reason="Hors compétence de la Ville.")
    note = Notification.objects.get(recipient__email="autrice@example.org")
    assert note.title == f"Votre projet «{NBSP}Des bancs place Léon-Blum{NBSP}» n'est pas recevable"
    assert (note.body, note.url) == ("Hors compétence de la Ville.", submitted.get_absolute_url())
    entry = AuditLog.objects.get(action="budget.verdict")
    assert (entry.actor, entry.reason) == (team_member, "Hors compétence de la Ville.")
    assert entry.data == {"status": "inadmissible", "cost": None, "lead_direction": None, "popular_quartier": False}


def test_a_verdict_keeps_what_it_is_not_given(team_member, submitted):
    direction = OrganizationFactory(kind="city_service", name="Direction de la Voirie")
    Project.objects.filter(pk=submitted.pk).update(cost=5_000, lead_direction=direction, popular_quartier=True)
    project = services.study_verdict(team_member, Project.objects.get(pk=submitted.pk), admissible=True, cost=None)
    project = Project.objects.get(pk=project.pk)
    assert (project.cost, project.lead_direction, project.popular_quartier) == (5_000, direction, True)
    assert project.status_reason == ""
    services.study_verdict(team_member, project, admissible=True, cost=100_000_000, popular_quartier=0)
    project = Project.objects.get(pk=project.pk)
    assert (project.cost, project.popular_quartier) == (100_000_000, False)
    assert AuditLog.objects.filter(action="budget.verdict").latest("pk").data == {
        "status": "admissible",
        "cost": 100_000_000,
        "lead_direction": direction.pk,
        "popular_quartier": False,
    }


@pytest.mark.parametrize(
    ("kwargs", "errors"),
    [
        ({"admissible": False, "reason": "  "}, {"reason": ["Ce champ est obligatoire."]}),
        ({"admissible": True, "reason": "r" * 2001},
         {"reason": ["Ce champ doit comporter au plus 2000 caractères (il en a 2001)."]}),
        ({"admissible": True, "cost": 100_000_001},
         {"cost": ["Indiquez un montant entre 0 et 100 000 000 euros."]}),
        ({"admissible": True, "cost": -1}, {"cost": ["Indiquez un montant entre 0 et 100 000 000 euros."]}),
        ({"admissible": True, "cost": "beaucoup"}, {"cost": ["Indiquez un montant en euros entiers."]}),
    ],
)  # fmt: skip
def test_a_wrong_verdict_is_refused_and_nobody_is_told(team_member, submitted, kwargs, errors):
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        services.study_verdict(team_member, submitted, **kwargs)
    assert error.value.message_dict == errors
    assert Project.objects.get(pk=submitted.pk).status == "submitted"
    assert not Notification.objects.exists() and not AuditLog.objects.exists()


def test_a_resident_may_not_give_a_verdict(submitted):
    with translation.override("fr"), pytest.raises(PermissionDenied) as error:
        services.study_verdict(ResidentFactory(), submitted, admissible=True, cost=10)
    assert str(error.value) == "Vous n'êtes pas autorisé·e à faire cela."
    assert Project.objects.get(pk=submitted.pk).status == "submitted"


# --- the services' pictures -----------------------------------------------------------------------------------


def test_a_picture_added_without_a_caption_has_none_and_a_caption_is_at_most_200_characters(team_member, submitted):
    picture = services.add_photo(team_member, submitted, _png())
    assert (picture.caption, picture.added_by, picture.project) == ("", team_member, submitted)
    assert ProjectPhoto.objects.get().image.name.endswith(".jpg")
    longest = services.add_photo(team_member, submitted, _png(), "  " + "c" * 200 + " ")
    assert ProjectPhoto.objects.get(pk=longest.pk).caption == "c" * 200
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        services.add_photo(team_member, submitted, _png(), "c" * 201)
    assert error.value.message_dict == {"caption": ["Ce champ doit comporter au plus 200 caractères (il en a 201)."]}
    with translation.override("fr"), pytest.raises(PermissionDenied) as error:
        services.add_photo(ResidentFactory(), submitted, _png(), "Les bancs")
    assert str(error.value) == "Vous n'êtes pas autorisé·e à faire cela."
    assert ProjectPhoto.objects.count() == 2


# --- counting the results -------------------------------------------------------------------------------------


def _results_queries(campaign, team_member):
    with CaptureQueriesContext(connection) as queries:
        services.compute_results(team_member, Campaign.objects.get(pk=campaign.pk))
    return len(queries)


def test_the_results_are_counted_in_the_same_queries_however_many_projects(team_member):
    few = make_campaign(year=2026)
    make_project(few, "paris", 100_000, "Seul")
    many = make_campaign(year=2027)
    for i in range(6):
        make_project(many, "paris" if i % 2 else 11, 10_000 * (i + 1), f"Projet {i}")
    for campaign in (few, many):
        services.cast_ballot(
            ResidentFactory(), campaign, [p.pk for p in campaign.projects.filter(scope__district=None)]
        )
    ContentType.objects.get_for_model(Campaign)  # the audit log's, read once and cached
    assert _results_queries(many, team_member) == _results_queries(few, team_member)


def test_the_results_add_validated_paper_ballots_and_keep_a_winners_stage(team_member):
    campaign = make_campaign(paris=300_000)
    works = make_project(campaign, "paris", 200_000, "Déjà en chantier")
    Project.objects.filter(pk=works.pk).update(winner=True, stage="works")
    paper = make_project(campaign, "paris", 100_000, "Voté sur papier")
    loser = make_project(campaign, "paris", 250_000, "Trop cher")
    Project.objects.filter(pk=loser.pk).update(winner=True, stage="study")  # a winner of an earlier count
    make_project(campaign, "paris", 1, "Refusé", status="inadmissible")
    for _i in range(3):
        services.cast_ballot(ResidentFactory(), campaign, [works.pk])
    services.cast_ballot(ResidentFactory(), campaign, [loser.pk])
    second = TeamUserFactory(email="second@paris.fr")
    counted = services.enter_paper_count(team_member, paper, "Mairie du 4e", 2)
    services.validate_paper_count(second, counted)
    services.enter_paper_count(team_member, loser, "Mairie du 4e", 50)  # awaiting its second agent: not counted
    outcome = services.compute_results(team_member, campaign)
    [(scope, rows)] = [(scope, rows) for scope, rows in outcome.items() if rows]
    assert scope.district_id is None
    assert [(p.title, p.votes, selected) for p, selected in rows] == [
        ("Déjà en chantier", 3, True),
        ("Voté sur papier", 2, True),
        ("Trop cher", 1, False),
    ]
    saved = dict(Project.objects.values_list("title", "votes"))
    assert saved == {"Déjà en chantier": 3, "Voté sur papier": 2, "Trop cher": 1, "Refusé": 0}
    stages = dict(Project.objects.values_list("title", "stage"))
    assert stages == {"Déjà en chantier": "works", "Voté sur papier": "study", "Trop cher": "", "Refusé": ""}
    assert set(Project.objects.filter(winner=True).values_list("title", flat=True)) == {
        "Déjà en chantier",
        "Voté sur papier",
    }
    assert Campaign.objects.get(pk=campaign.pk).results_published
    assert PaperCount.objects.filter(validated_by__isnull=True).get().count == 50
