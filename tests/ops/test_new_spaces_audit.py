"""What the audit of the newer spaces (participatory budget, consultations, internships) found, one test per class:
numbers typed otherwise, write endpoints without a rate limit, personal data missing from the export, a refused reply
that lost its text. The sweeps (test_junk_inputs) cover every route; these tests name the examples."""

import datetime

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from budget.models import Ballot
from core.forms import whole_number
from strategy import consultations
from strategy import services as strategy_services
from strategy.models import Annotation, AnnotationReply
from tests.budget.conftest import make_campaign, make_project
from tests.conftest import client_for
from tests.factories import TeamUserFactory, UserFactory
from tests.strategy.factories import ChapterFactory, SectionFactory
from volunteering import services as volunteering_services
from volunteering.models import SavedSearch

pytestmark = pytest.mark.django_db


def voter():
    """A resident who declared the arrondissement they live in (the budget's ballot asks it)."""
    from core.models import District

    return UserFactory(home_district=District.objects.get(number=11))


TEXT = "Chaque quartier aura un parking vélo. Les pistes seront continues."


@pytest.mark.parametrize(
    ("raw", "number"),
    [("12", 12), (" 7 ", 7), ("0", 0), ("²", None), ("٣", None), ("-1", None), ("1.5", None), ("", None),
     (None, None), ("9" * 18, 10**18 - 1), ("9" * 19, None), ("9" * 5000, None)],
)  # fmt: skip
def test_whole_number_takes_ascii_digits_that_fit_a_column(raw, number):
    assert whole_number(raw) == number


@pytest.fixture
def limits(settings):
    cache.clear()
    actions = {action: {"account": "", "ip": ""} for action in settings.THROTTLE_ACTIONS}

    def set_limits(**rates):
        for action, account in rates.items():
            actions[action] = {"account": account, "ip": ""}
        settings.THROTTLE_ACTIONS = actions

    yield set_limits
    cache.clear()


@pytest.fixture
def section(db):
    team = TeamUserFactory()
    section = SectionFactory(chapter=ChapterFactory(title="Mobilité"), slug="mobilite-velo", title="Vélo")
    strategy_services.edit_section(section, team, TEXT, section.revision)
    now = timezone.now()
    consultations.open_consultation(
        team, title="Consultation", starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(days=9), sections=[section.slug],
    )  # fmt: skip
    section.refresh_from_db()
    return section


def test_a_ballot_through_the_api_uses_the_vote_allowance(limits):
    limits(vote="2/min")
    campaign = make_campaign()
    project = make_project(campaign)
    camille = client_for(voter())
    url = f"/api/v1/budget/campaigns/{campaign.pk}/ballot/"
    statuses = [camille.put(url, {"projects": ids}, format="json").status_code for ids in ([project.pk], [], [])]
    assert statuses == [200, 200, 429]
    assert not Ballot.objects.get().projects.exists()  # the second ballot holds, the refused one changed nothing


def test_the_ballot_page_uses_the_vote_allowance(limits):
    limits(vote="1/min")
    campaign = make_campaign()
    project = make_project(campaign)
    client = Client()
    client.force_login(voter())
    url = f"/budget-participatif/{campaign.year}/vote/"
    assert client.post(url, {"projects": [project.pk]}).status_code == 302
    refused = client.post(url, {"projects": []})
    assert refused.status_code == 429
    assert "Réessayez dans" in refused.content.decode()
    assert Ballot.objects.get().projects.get() == project


def test_annotations_through_the_api_use_the_comment_allowance(limits, section):
    limits(comment="2/min")
    camille = client_for(UserFactory())
    url = f"/api/v1/strategy/sections/{section.slug}/annotations/"
    body = {"paragraph": 0, "body": "D'accord", "quote": ""}
    statuses = [camille.post(url, {**body, "body": f"Avis {n}"}, format="json").status_code for n in range(3)]
    assert statuses == [201, 201, 429]
    assert Annotation.objects.count() == 2


def test_supporting_annotations_uses_the_vote_allowance(limits, section):
    limits(vote="2/min")
    annotation = consultations.annotate(section, UserFactory(), quote="", body="Oui", paragraph=0)
    client = Client()
    client.force_login(UserFactory())
    url = f"/strategie/annotations/{annotation.pk}/soutien/"
    statuses = [client.post(url, {"action": a}).status_code for a in ("", "withdraw", "")]
    assert statuses == [302, 302, 429]


def test_a_refused_reply_comes_back_in_its_open_form(section):
    annotation = consultations.annotate(section, UserFactory(), quote="", body="Oui", paragraph=0)
    client = Client()
    client.force_login(UserFactory())
    too_long = "Je réponds longuement. " * 300  # 6,900 characters: over the 5,000 allowed
    response = client.post(f"/strategie/annotations/{annotation.pk}/reponse/", {"body": too_long}, follow=True)
    page = response.content.decode()
    assert "5" in page and "000 caractères" in page  # the French refusal
    assert "Je réponds longuement." in page  # what was typed is still there
    assert not AnnotationReply.objects.exists()
    # shown once: the next visit starts afresh
    assert "Je réponds longuement." not in client.get(f"/strategie/consultation/{section.slug}/").content.decode()


def test_the_data_export_holds_the_saved_searches():
    camille = UserFactory()
    volunteering_services.save_search(camille, "internship", "q=jardin", weekly_email=True)
    data = client_for(camille).get("/api/v1/me/export/").json()
    assert data["volunteering"]["saved_searches"][0]["query"] == "q=jardin"


@pytest.mark.parametrize("participants", ["9" * 30, "0", "²", "100001"])
def test_a_workshop_with_an_impossible_head_count_is_refused_with_its_form_kept(participants):
    team = TeamUserFactory()
    client = Client()
    client.force_login(team)
    form = {"title": "Atelier mobilité", "held_on": "2026-12-01", "place": "Mairie du 11e", "organiser": "Équipe"}
    response = client.post("/strategie/equipe/ateliers/", {**form, "participants": participants})
    assert response.status_code == 400
    page = response.content.decode()
    assert "nombre entier de 1 à 100" in page
    assert "Atelier mobilité" in page and "Mairie du 11e" in page  # nothing typed is lost


def test_the_offline_contribution_form_refuses_an_overflowing_head_count():
    client = Client()
    client.force_login(TeamUserFactory())
    response = client.post(
        "/strategie/equipe/hors-ligne/",
        {"text": "Plus de bancs", "event": "Atelier", "event_date": "2026-12-01", "participants": "9" * 30},
    )
    assert response.status_code in (200, 400)
    assert "Plus de bancs" in response.content.decode()


def test_saving_a_huge_search_sends_back_to_a_bounded_address():
    client = Client()
    client.force_login(UserFactory())
    response = client.post("/benevolat/recherches/enregistrer/", {"kind": "internship", "query": "q=" + "a" * 10_000})
    assert response.status_code == 302
    assert len(response["Location"]) < 2100


def test_the_weekly_e_mail_of_a_saved_search_is_not_ticked_in_advance():
    """Opt-in: the person ticks it; a ticked box by default is no consent."""
    client = Client()
    client.force_login(UserFactory())
    page = client.get("/benevolat/stages/").content.decode()
    box = page[page.index('name="weekly_email"') - 40 : page.index('name="weekly_email"') + 40]
    assert "checked" not in box


def test_budget_amounts_are_grouped_in_the_french_way():
    campaign = make_campaign(paris=1_000_000)
    make_project(campaign, cost=150_000, title="Des fontaines")
    page = Client(HTTP_ACCEPT_LANGUAGE="fr").get(f"/budget-participatif/{campaign.year}/vote/").content.decode()
    assert "1\xa0000\xa0000" in page  # the envelope, not "1000000"
    assert "Des fontaines — 150\xa0000&nbsp;€" in page


def test_the_strategy_says_its_draft_is_open_to_annotations_and_links_each_section(section):
    strategy_services.publish_version(TeamUserFactory(), "Première version.")
    page = Client(HTTP_ACCEPT_LANGUAGE="fr").get("/strategie/").content.decode()
    assert "ouvert à vos annotations jusqu" in page
    assert f'href="/strategie/consultation/{section.slug}/">Annoter «\xa0Vélo\xa0»' in page


def test_the_home_page_dates_the_consultation_in_the_site_style(section):
    page = Client(HTTP_ACCEPT_LANGUAGE="fr").get("/").content.decode()
    end = timezone.localtime(timezone.now() + datetime.timedelta(days=9)).date()
    assert f"Consultation ouverte jusqu'au {end:%d/%m/%Y}" not in page.replace("&#x27;", "'")
    assert "Consultation ouverte jusqu" in page.replace("&#x27;", "'")


def test_demo_accounts_have_accepted_the_current_terms():
    from accounts.demo import accept_current_terms
    from pages.models import Page
    from pages.selectors import must_accept_terms

    Page.objects.get_or_create(  # seeded by a migration; a flushed database has none
        slug=Page.Slug.TERMS,
        defaults={"title": "Conditions d'utilisation", "body": "Texte", "body_html": "<p>Texte</p>"},
    )
    demo = UserFactory(email="correspondant@participe.demo")
    stranger = UserFactory()
    accept_current_terms()
    assert not must_accept_terms(demo)
    assert must_accept_terms(stranger)  # only the demo's accounts


def test_a_form_sent_without_its_csrf_token_gets_a_french_page_that_keeps_the_text(section):
    annotation = consultations.annotate(section, UserFactory(), quote="", body="Oui", paragraph=0)
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="fr")
    client.force_login(UserFactory())
    reply = "Je ne suis pas d'accord avec ce paragraphe."
    response = client.post(
        f"/strategie/annotations/{annotation.pk}/reponse/", {"body": reply}, HTTP_REFERER="https://evil.example/"
    )
    page = response.content.decode()
    assert response.status_code == 403
    assert "Ce formulaire a expiré" in page and "rien n'a été enregistré" in page.replace("&#x27;", "'")
    assert "Je ne suis pas d" in page  # to copy
    assert 'type="hidden" name="body"' not in page  # no one-click resend of a possibly forged form
    assert "evil.example" not in page
    assert not AnnotationReply.objects.exists()


def test_the_api_refuses_a_session_write_without_csrf_token_in_french(section):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="fr")
    client.force_login(UserFactory())
    response = client.post(
        f"/api/v1/strategy/sections/{section.slug}/annotations/", {"body": "x", "paragraph": 0}, "application/json"
    )
    assert response.status_code == 403
    assert response.json()["detail"].startswith("Ce formulaire a expiré")


def test_a_ballot_of_two_hundred_thousand_ids_is_refused_before_any_query(django_assert_max_num_queries):
    campaign = make_campaign()
    camille = client_for(voter())
    url = f"/api/v1/budget/campaigns/{campaign.pk}/ballot/"
    with django_assert_max_num_queries(12):  # the account, the campaign, the rules: never the 200,000 ids
        response = camille.put(url, {"projects": list(range(1, 200_001))}, format="json", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    assert response.json()["errors"]["projects"] == ["Un bulletin contient au plus 500 projets."]


@pytest.mark.parametrize("path", ["/budget-participatif/projets/", "/budget-participatif/{year}/vote/"])
def test_budget_pages_name_the_arrondissements_as_the_site_does(path):
    campaign = make_campaign()
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    client.force_login(UserFactory())
    page = client.get(path.format(year=campaign.year)).content.decode()
    assert ">1er\xa0arr.</option>" in page and ">12e\xa0arr.</option>" in page
    assert "Arrondissement 12" not in page


def test_budget_results_use_the_site_table_that_stacks_on_phones():
    campaign = make_campaign(phase="delivery")
    make_project(campaign, cost=1_500_000, title="Des fontaines")
    campaign.results_published = True
    campaign.save(update_fields=["results_published"])
    page = Client().get(f"/budget-participatif/{campaign.year}/resultats/").content.decode()
    assert "Des fontaines" in page
    assert '<table class="table">' in page  # static/js/layout.mjs stacks it into cards when it does not fit


def test_saved_searches_are_listed_and_each_account_deletes_only_its_own():
    camille, dominique = UserFactory(), UserFactory()
    mine = volunteering_services.save_search(camille, "internship", "q=jardin", weekly_email=True)
    theirs = volunteering_services.save_search(dominique, "internship", "q=bibliotheque")
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    client.force_login(camille)

    page = client.get("/benevolat/stages/").content.decode()
    assert "Mes recherches enregistrées" in page and 'href="/benevolat/stages/?q=jardin"' in page
    assert "q=bibliotheque" not in page  # not another account's
    assert client.post(f"/benevolat/recherches/{theirs.pk}/supprimer/").status_code == 404
    assert client.get(f"/benevolat/recherches/{mine.pk}/supprimer/").status_code == 405
    response = client.post(f"/benevolat/recherches/{mine.pk}/supprimer/", follow=True)
    assert "La recherche enregistrée est supprimée" in response.content.decode()
    assert list(SavedSearch.objects.all()) == [theirs]
    assert Client().post(f"/benevolat/recherches/{theirs.pk}/supprimer/").status_code == 302  # to log in


def test_a_paragraph_page_far_beyond_the_last_is_empty_not_an_error(section):
    consultations.annotate(section, UserFactory(), quote="", body="Oui", paragraph=0)
    url = f"/strategie/consultation/{section.slug}/?paragraphe=0&page={'9' * 18}"
    response = Client().get(url)
    assert response.status_code == 200  # 18 nines times 50 per page overflowed PostgreSQL's OFFSET: a 500
