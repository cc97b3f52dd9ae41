"""Every refusal of the team's budget services, as a table: the field it names, its French sentence, and nothing
saved. Then the boundaries and the side of each action a user would notice (issue 19: a wrong answer stays red)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from budget import services
from budget.models import Campaign, PaperCount, Project, ProjectNote, ProjectPhoto, Scope
from core.models import Notification
from tests.factories import ResidentFactory, TeamUserFactory

from .conftest import make_campaign, make_project

NBSP = "\xa0"
DAY = datetime.timedelta(days=1)


@pytest.fixture
def world(team_member):
    campaign = make_campaign(phase="vote")
    author = ResidentFactory(email="porteuse@example.org")
    voted = make_project(campaign, "paris", 300_000, "Des arbres rue de Rivoli")
    Project.objects.filter(pk=voted.pk).update(author=author)
    studied = make_project(campaign, 11, None, "Des bancs place Léon-Blum", status="submitted")
    winner = make_project(campaign, "paris", 200_000, "Un jardin partagé")
    Project.objects.filter(pk=winner.pk).update(winner=True)
    other = make_campaign(year=2030, phase="submission")
    elsewhere = make_project(other, "paris", 100_000, "Ailleurs")
    return {
        "agent": team_member,
        "campaign": campaign,
        "voted": Project.objects.get(pk=voted.pk),
        "studied": studied,
        "winner": Project.objects.get(pk=winner.pk),
        "elsewhere": elsewhere,
        "paris": Scope.objects.get(campaign=campaign, district__isnull=True),
    }


def _state():
    return (
        list(Project.objects.order_by("pk").values_list("status", "stage", "progress", "merged_into", "winner")),
        list(PaperCount.objects.order_by("pk").values_list("count", "polling_place", "validated_by")),
        ProjectNote.objects.count(),
        ProjectPhoto.objects.count(),
        list(Scope.objects.order_by("pk").values_list("envelope", "popular_share")),
        list(Campaign.objects.order_by("pk").values_list("vote_opens", "results_on", "results_published")),
    )


REFUSALS = [
    # (what is tried, the call, the refusal as the page shows it)
    ("paper count of a project not put to the vote",
     lambda w: services.enter_paper_count(w["agent"], w["studied"], "Mairie du 11e", 3),
     {"project": ["Ce projet n'est pas soumis au vote."]}),
    ("paper count in words",
     lambda w: services.enter_paper_count(w["agent"], w["voted"], "Mairie du 11e", "trois"),
     {"count": ["Indiquez un nombre entier de bulletins."]}),
    ("paper count of -1",
     lambda w: services.enter_paper_count(w["agent"], w["voted"], "Mairie du 11e", -1),
     {"count": [f"Indiquez un nombre de bulletins entre 0 et 1{NBSP}000{NBSP}000."]}),
    ("paper count of 1,000,001",
     lambda w: services.enter_paper_count(w["agent"], w["voted"], "Mairie du 11e", 1_000_001),
     {"count": [f"Indiquez un nombre de bulletins entre 0 et 1{NBSP}000{NBSP}000."]}),
    ("paper count without a polling place",
     lambda w: services.enter_paper_count(w["agent"], w["voted"], "  ", 3),
     {"polling_place": ["Ce champ est obligatoire."]}),
    ("dates out of order",
     lambda w: services.set_phase_dates(w["agent"], w["campaign"], {"results_on": w["campaign"].vote_opens}),
     {"__all__": [f"Les phases doivent se suivre{NBSP}: dépôt, instruction, vote, résultats, réalisation."]}),
    ("a date that is not one",
     lambda w: services.set_phase_dates(w["agent"], w["campaign"], {"vote_opens": "demain"}),
     {"vote_opens": ["Indiquez une date."]}),
    ("an envelope in words",
     lambda w: services.set_envelope(w["agent"], w["paris"], "beaucoup", 0),
     {"envelope": ["Indiquez un montant en euros entiers."]}),
    ("no envelope",
     lambda w: services.set_envelope(w["agent"], w["paris"], None, 0),
     {"envelope": ["Indiquez un montant en euros entiers."]}),
    ("a share larger than the envelope",
     lambda w: services.set_envelope(w["agent"], w["paris"], 1_000_000, 1_000_001),
     {"popular_share": ["La part des quartiers populaires fait partie de l'enveloppe."]}),
    ("following a project that did not win",
     lambda w: services.follow_up(w["agent"], w["voted"], stage="works"),
     {"stage": ["Seuls les projets lauréats sont suivis étape par étape."]}),
    ("an unknown stage",
     lambda w: services.follow_up(w["agent"], w["winner"], stage="demolished"),
     {"stage": ["Étape inconnue."]}),
    ("abandoned without a reason",
     lambda w: services.follow_up(w["agent"], w["winner"], stage="abandoned", reason=" "),
     {"reason": ["Ce champ est obligatoire."]}),
    ("progress in words",
     lambda w: services.follow_up(w["agent"], w["winner"], stage="works", progress="moitié"),
     {"progress": ["Indiquez l'avancement en pourcentage entier."]}),
    ("a photo without a picture",
     lambda w: services.add_photo(w["agent"], w["winner"], None),
     {"photo": ["Choisissez une photo."]}),
    ("a note of an unknown kind",
     lambda w: services.add_note(w["agent"], w["voted"], "Texte", kind="secret"),
     {"kind": ["Type de note inconnu."]}),
    ("an empty note",
     lambda w: services.add_note(w["agent"], w["voted"], ""),
     {"text": ["Ce champ est obligatoire."]}),
    ("merging a project into itself",
     lambda w: services.merge_projects(w["agent"], w["voted"], w["voted"]),
     {"into": ["Regroupez avec un autre projet de la même édition."]}),
    ("merging into another campaign's project",
     lambda w: services.merge_projects(w["agent"], w["voted"], w["elsewhere"]),
     {"into": ["Regroupez avec un autre projet de la même édition."]}),
    ("a merge whose target is not a number",
     lambda w: services.project_action(w["agent"], w["voted"], "merge", {"into": "le projet des arbres"}),
     {"into": ["Choisissez le projet qu'il rejoint."]}),
    ("a scope that is neither Paris nor an arrondissement",
     lambda w: services.scope_for(w["campaign"], "21"),
     {"scope": [f"Choisissez «{NBSP}paris{NBSP}» ou un numéro d'arrondissement de 1 à 20."]}),
    ("a scope in words",
     lambda w: services.scope_for(w["campaign"], "onzième"),
     {"scope": [f"Choisissez «{NBSP}paris{NBSP}» ou un numéro d'arrondissement de 1 à 20."]}),
    ("a paper count entered for a project of the wrong campaign",
     lambda w: services.paper_action(w["agent"], w["campaign"], "enter",
                                     {}, {"project": w["elsewhere"].pk, "polling_place": "Mairie", "count": 2}),
     {"project": ["Ce projet n'est pas soumis au vote."]}),
]  # fmt: skip


@pytest.mark.parametrize(("what", "call", "refusal"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_each_refusal_names_its_field_in_french_and_saves_nothing(world, what, call, refusal):
    before = _state()
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        call(world)
    with translation.override("fr"):
        assert error.value.message_dict == refusal
    assert _state() == before


@pytest.mark.parametrize(
    ("call", "sentence"),
    [
        (lambda w: services.paper_action(w["agent"], w["campaign"], "validate", {"count": "12345"}),
         "Ce dépouillement n'existe pas."),
        (lambda w: services.paper_action(w["agent"], w["campaign"], "validate", {"count": "douze"}),
         "Ce dépouillement n'existe pas."),
        (lambda w: services.paper_action(w["agent"], w["campaign"], "enter", {}, None), "Vérifiez le dépouillement."),
        (lambda w: services.campaign_action(w["agent"], w["campaign"], "dates", {}, None), "Vérifiez les dates."),
        (lambda w: services.campaign_action(w["agent"], w["campaign"], "explode", {}), "Action inconnue."),
        (lambda w: services.project_action(w["agent"], w["voted"], "explode", {}), "Action inconnue."),
    ],
)  # fmt: skip
def test_the_team_pages_refuse_what_their_forms_cannot_send_with_a_sentence(world, call, sentence):
    before = _state()
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        call(world)
    with translation.override("fr"):
        assert error.value.messages == [sentence]
    assert _state() == before


TEAM_CALLS = [
    lambda w, u: services.enter_paper_count(u, w["voted"], "Mairie du 11e", 3),
    lambda w, u: services.set_phase_dates(u, w["campaign"], {}),
    lambda w, u: services.start_next_phase(u, w["campaign"]),
    lambda w, u: services.set_envelope(u, w["paris"], 5, 0),
    lambda w, u: services.follow_up(u, w["winner"], stage="works"),
    lambda w, u: services.add_note(u, w["voted"], "Une note"),
    lambda w, u: services.merge_projects(u, w["studied"], w["voted"]),
    lambda w, u: services.project_action(u, w["voted"], "note", {"text": "Une note"}),
    lambda w, u: services.campaign_action(u, w["campaign"], "next", {}),
    lambda w, u: services.paper_action(u, w["campaign"], "validate", {"count": "1"}),
    lambda w, u: services.compute_results(u, w["campaign"]),
]


@pytest.mark.parametrize("call", TEAM_CALLS)
def test_a_resident_is_refused_every_team_action_with_a_sentence_and_nothing_saved(world, call):
    resident = ResidentFactory(email="curieuse@example.org")
    before = _state()
    with translation.override("fr"), pytest.raises(PermissionDenied) as error:
        call(world, resident)
    assert str(error.value)  # a sentence, not an empty 403
    assert _state() == before


# --- boundaries and what each action does -------------------------------------------------------------------


@pytest.mark.parametrize("count", [0, 1_000_000])
def test_paper_counts_at_both_ends_are_accepted(world, count):
    paper = services.enter_paper_count(world["agent"], world["voted"], "Mairie du 11e", str(count))
    assert (paper.count, paper.polling_place, paper.entered_by) == (count, "Mairie du 11e", world["agent"])


def test_a_paper_count_entered_again_replaces_the_first_until_validated(world):
    agent, second = world["agent"], TeamUserFactory(email="agent2@paris.fr")
    first = services.enter_paper_count(agent, world["voted"], "Mairie du 11e", 3)
    again = services.enter_paper_count(second, world["voted"], "Mairie du 11e", 4)
    assert again.pk == first.pk and PaperCount.objects.get().count == 4 and again.entered_by == second
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        services.validate_paper_count(second, again)
    assert error.value.message_dict == {"count": ["Un second agent doit valider le dépouillement que vous avez saisi."]}
    services.validate_paper_count(agent, again)
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        services.validate_paper_count(TeamUserFactory(email="agent3@paris.fr"), again)
    assert error.value.message_dict == {"count": ["Ce dépouillement est déjà validé."]}
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        services.enter_paper_count(agent, world["voted"], "Mairie du 11e", 9)
    assert error.value.message_dict == {
        "polling_place": ["Ce dépouillement est validé\xa0: il ne peut plus être modifié."]
    }
    assert PaperCount.objects.get().count == 4


def test_no_paper_count_once_the_results_are_published(world):
    Campaign.objects.filter(pk=world["campaign"].pk).update(results_published=True)
    voted = Project.objects.select_related("campaign").get(pk=world["voted"].pk)
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        services.enter_paper_count(world["agent"], voted, "Mairie du 11e", 3)
    assert error.value.message_dict == {
        "project": ["Les résultats de cette édition sont publiés\xa0: la saisie des bulletins papier est close."]
    }


@pytest.mark.parametrize(("typed", "kept"), [(-5, 0), (0, 0), (40, 40), (100, 100), (150, 100), ("60", 60)])
def test_progress_is_kept_between_0_and_100(world, typed, kept):
    services.follow_up(world["agent"], world["winner"], stage="works", progress=typed)
    assert Project.objects.get(pk=world["winner"].pk).progress == kept


def test_a_new_stage_is_logged_once_with_its_reason_and_the_followers_told(world):
    from core import follows

    follower = ResidentFactory(email="voisine@example.org")
    follows.follow(follower, world["winner"])
    services.follow_up(world["agent"], world["winner"], stage="works", progress=10, reason="Le chantier commence.")
    services.follow_up(world["agent"], world["winner"], stage="works", progress=30)  # same stage: no new entry
    services.follow_up(world["agent"], world["winner"], stage="delivered")
    log = list(ProjectNote.objects.filter(project=world["winner"], kind="delivery").order_by("pk"))
    with translation.override("fr"):
        assert [n.text for n in log] == ["Le chantier commence.", str(Project.Stage.DELIVERED.label)]
    assert all(n.author == world["agent"] for n in log)
    project = Project.objects.get(pk=world["winner"].pk)
    assert (project.stage, project.progress) == ("delivered", 30)
    assert Notification.objects.filter(recipient=follower).count() == 2


def test_a_co_construction_note_tells_the_author_and_a_log_entry_does_not(world):
    author = world["voted"].author
    note = services.add_note(world["agent"], world["voted"], "  Trois bancs, pas quatre.  ")
    assert (note.text, note.kind, note.author) == ("Trois bancs, pas quatre.", "coconstruction", world["agent"])
    assert Notification.objects.filter(recipient=author).count() == 1
    services.add_note(world["agent"], world["voted"], "Une précision.", kind="delivery")
    assert Notification.objects.filter(recipient=author).count() == 1


def test_merging_credits_the_target_and_tells_the_author(world):
    author = ResidentFactory(email="auteur2@example.org")
    Project.objects.filter(pk=world["studied"].pk).update(author=author)
    studied = Project.objects.get(pk=world["studied"].pk)
    merged = services.merge_projects(world["agent"], studied, world["voted"], "  Le même lieu.  ")
    stored = Project.objects.get(pk=merged.pk)
    assert (stored.status, stored.merged_into_id, stored.status_reason) == (
        "merged",
        world["voted"].pk,
        "Le même lieu.",
    )
    assert Notification.objects.filter(recipient=author).count() == 1


@pytest.mark.parametrize("phase", ["submission", "study", "vote", "results"])
def test_the_next_phase_opens_today_and_the_phases_stay_in_order(team_member, phase):
    campaign = make_campaign(phase=phase)
    names = ["submission", "study", "vote", "results", "delivery"]
    services.start_next_phase(team_member, campaign)
    campaign = Campaign.objects.get(pk=campaign.pk)
    today = timezone.localdate()
    assert campaign.phase == names[names.index(phase) + 1]
    fields = ["submission_opens", "study_opens", "vote_opens", "results_on", "delivery_opens"]
    assert getattr(campaign, fields[names.index(phase) + 1]) == today
    dates = [getattr(campaign, f) for f in fields]
    assert dates[0] <= dates[1] <= dates[2] < dates[3] <= dates[4]
    for earlier in fields[: names.index(phase) + 1]:
        assert getattr(campaign, earlier) < today


def test_the_last_phase_has_no_next(team_member):
    campaign = make_campaign(phase="delivery")
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        services.start_next_phase(team_member, campaign)
    assert error.value.message_dict == {"__all__": ["L'édition est déjà dans sa dernière phase."]}


def test_dates_in_order_are_saved_and_the_vote_may_open_the_day_study_does(world):
    campaign = world["campaign"]
    start = timezone.localdate() + 10 * DAY
    dates = {"submission_opens": start, "study_opens": start, "vote_opens": start,
             "results_on": start + DAY, "delivery_opens": start + DAY}  # fmt: skip
    services.set_phase_dates(world["agent"], campaign, dates)
    stored = Campaign.objects.get(pk=campaign.pk)
    assert {f: getattr(stored, f) for f in dates} == dates
    with translation.override("fr"), pytest.raises(ValidationError):
        services.set_phase_dates(world["agent"], campaign, {**dates, "results_on": start})  # results the vote's day


def test_an_envelope_equal_to_its_share_is_accepted(world):
    scope = services.set_envelope(world["agent"], world["paris"], "2000000", "2000000")
    assert (scope.envelope, scope.popular_share) == (2_000_000, 2_000_000)
    scope = services.set_envelope(world["agent"], world["paris"], 3_000_000, None)
    assert Scope.objects.filter(pk=scope.pk).values_list("envelope", "popular_share").get() == (3_000_000, 0)


@pytest.mark.parametrize(("code", "district"), [("paris", None), (" PARIS ", None), ("1", 1), ("20", 20), ("11", 11)])
def test_scopes_are_found_by_paris_or_number(world, code, district):
    scope = services.scope_for(world["campaign"], code)
    assert scope.campaign == world["campaign"]
    assert (scope.district.number if scope.district_id else None) == district
