"""The fourth mutation sample of the ideas marketplace: the directory of partners and its filters, the ranking of
partners for a city-wide idea, who may create a partner profile, the arrondissements and comments a service refuses
in French, taking back one's support, the prefilled mission form and the mission page's way back to its idea."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from core.models import Notification
from ideas import services
from ideas.models import Comment, Idea, PartnerProfile, Support
from tests.conftest import client_for
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.volunteering.factories import MissionFactory

from .factories import make_idea, make_partner

pytestmark = pytest.mark.django_db
NB = "\u00a0"
DISTRICTS_ERROR = "Les arrondissements sont des nombres de 1 à 20."


def _names(response):
    assert response.status_code == 200, response.json()
    return [p["organization"]["name"] for p in response.json()["results"]]


# --- the directory of partners --------------------------------------------------------------------------------


@pytest.fixture
def directory(db):
    """Three partners, created in the reverse of the alphabetical order."""
    zebre, _ = make_partner(name="Zèbre Solaire", offers=("funding",), themes=("energie",), districts=(11,))
    bureau, _ = make_partner(name="Bureau Culture", offers=("place",), themes=("culture",), districts=(18,))
    atelier, _ = make_partner(
        name="Atelier Vélo", kind="collective", offers=("skills", "equipment"), themes=("mobilite",), districts=()
    )
    return {"zebre": zebre, "bureau": bureau, "atelier": atelier}


def test_the_directory_lists_partners_by_name_with_every_field(api_client, directory):
    response = api_client.get("/api/v1/partners/")
    assert _names(response) == ["Atelier Vélo", "Bureau Culture", "Zèbre Solaire"]
    atelier = directory["atelier"]
    assert response.json()["results"][0] == {
        "id": atelier.pk,
        "organization": {"id": atelier.organization_id, "name": "Atelier Vélo", "kind": "collective", "verified": True},
        "description": "Atelier Vélo accompagne les projets citoyens.",
        "themes": ["mobilite"],
        "districts": [],
        "capacity": None,
        "offers": [
            {"kind": "equipment", "kind_label": "matériel", "description": "Offre equipment"},
            {"kind": "skills", "kind_label": "compétences", "description": "Offre skills"},
        ],
    }


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"theme": "energie"}, ["Zèbre Solaire"]),
        ({"theme": "culture"}, ["Bureau Culture"]),
        ({"theme": "sport-de-glisse"}, []),
        ({"district": "11"}, ["Atelier Vélo", "Zèbre Solaire"]),
        ({"district": "18"}, ["Atelier Vélo", "Bureau Culture"]),
        ({"need": "equipment"}, ["Atelier Vélo"]),
        ({"need": "funding"}, ["Zèbre Solaire"]),
        ({"theme": "mobilite", "district": "18", "need": "skills"}, ["Atelier Vélo"]),
        ({"theme": "energie", "district": "18"}, []),
    ],
    ids=lambda v: "&".join(f"{k}={x}" for k, x in v.items()) if isinstance(v, dict) else None,
)
def test_the_directory_filters_by_theme_arrondissement_and_offer(api_client, directory, params, names):
    """A partner working across Paris is in every arrondissement."""
    assert _names(api_client.get("/api/v1/partners/", params)) == names


def test_the_directory_refuses_a_bad_filter_in_french(api_client, directory):
    response = api_client.get("/api/v1/partners/", {"district": "21", "need": "magie"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"district": [DISTRICTS_ERROR], "need": ["Type de besoin inconnu."]}


def test_editing_a_profile_replaces_its_offers_with_the_details_trimmed(partner, partner_member):
    offers = [{"kind": "place", "description": "  Une salle de 40 places  "}, {"kind": "skills"}]
    services.update_partner(partner_member, partner, description=" Nouveau ", offers=offers, capacity="12")
    partner.refresh_from_db()
    assert (partner.description, partner.capacity) == ("Nouveau", 12)
    assert list(partner.offers.values_list("kind", "description")) == [
        ("place", "Une salle de 40 places"),
        ("skills", ""),
    ]
    assert sorted(partner.offer_kinds) == ["place", "skills"]


@pytest.mark.parametrize("offers", ["skills", {"kind": "skills"}, 3])
def test_offers_that_are_not_a_list_are_refused_as_such(org_admin, partner, partner_member, offers):
    response = client_for(org_admin).post("/api/v1/partners/", {"offers": offers}, format="json")
    assert response.status_code == 400 and list(response.json()["errors"]) == ["offers"]  # the serializer's list
    with pytest.raises(ValidationError) as refused:
        services.update_partner(partner_member, partner, offers=offers)
    assert refused.value.message_dict == {"offers": ["Les offres doivent être une liste."]}
    assert partner.offers.count() == 1


# --- partners for a city-wide idea ----------------------------------------------------------------------------


def test_a_city_wide_idea_gives_every_partner_the_place_points_and_equal_scores_go_by_name(api_client, holder):
    """Idea for all Paris needing funding + a place: every funder covers 1 need of 2 (35 points) and is near it
    (10 points), wherever it works; the theme adds 20. Equal scores are listed by name, not by age."""
    idea = make_idea(holder, themes=["energie"], districts=[])
    make_partner(name="Zèbre du 16e", themes=("culture",), districts=(16,))
    make_partner(name="Mutuelle Tout Paris", themes=("culture",), districts=())
    make_partner(name="Alpha du 11e", themes=("culture",), districts=(11,))
    make_partner(name="Watt Énergie", themes=("energie",), districts=(20,))
    response = api_client.get(f"/api/v1/ideas/{idea.pk}/matches/")
    assert response.status_code == 200, response.json()
    results = response.json()["results"]
    assert [(m["partner"]["organization"]["name"], m["score"], m["reasons"]) for m in results] == [
        (
            "Watt Énergie",
            65,
            [f"couvre 1 besoin sur 2{NB}: financement", f"même thème{NB}: Énergie", "idée à l’échelle de Paris"],
        ),
        ("Alpha du 11e", 45, [f"couvre 1 besoin sur 2{NB}: financement", "idée à l’échelle de Paris"]),
        ("Mutuelle Tout Paris", 45, [f"couvre 1 besoin sur 2{NB}: financement", "intervient dans tout Paris"]),
        ("Zèbre du 16e", 45, [f"couvre 1 besoin sur 2{NB}: financement", "idée à l’échelle de Paris"]),
    ]


# --- who may create a partner profile -------------------------------------------------------------------------


def test_a_superuser_of_no_organisation_is_told_only_members_become_partners(db):
    admin = UserFactory(is_superuser=True, is_staff=True)
    response = client_for(admin).post("/api/v1/partners/", {"offers": [{"kind": "skills"}]}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "Seuls les membres d’une organisation peuvent devenir partenaires."
    assert not PartnerProfile.objects.exists()


def test_a_profile_only_for_an_organisation_one_belongs_to(org_admin, organization):
    stranger = OrganizationFactory(name="Fondation Voisine")
    for org_id in (stranger.pk, 999_999):
        response = client_for(org_admin).post(
            "/api/v1/partners/", {"organization": org_id, "offers": [{"kind": "skills"}]}, format="json"
        )
        assert response.status_code == 400
        assert response.json()["errors"] == {
            "organization": ["Vous ne pouvez créer le profil que d’une organisation dont vous êtes membre."]
        }
    assert not PartnerProfile.objects.exists()
    response = client_for(org_admin).post(
        "/api/v1/partners/", {"organization": organization.pk, "offers": [{"kind": "skills"}]}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["organization"]["name"] == "Les Jardins Partagés du 11e"


# --- arrondissements a service refuses ------------------------------------------------------------------------


@pytest.mark.parametrize("districts", [["onze"], [11, None], ["0"], [21]])
def test_an_arrondissement_that_is_not_a_number_from_1_to_20_is_refused(resident, org_admin, partner, districts):
    with pytest.raises(ValidationError) as refused:
        services.create_idea(resident, title="Ruelle fleurie", pitch="Végétaliser la ruelle.", districts=districts)
    assert refused.value.message_dict == {"districts": [DISTRICTS_ERROR]}
    with pytest.raises(ValidationError) as refused:
        services.create_partner(org_admin, districts=districts, offers=[{"kind": "skills"}])
    assert refused.value.message_dict == {"districts": [DISTRICTS_ERROR]}
    assert not Idea.objects.exists()
    assert list(PartnerProfile.objects.all()) == [partner]


def test_arrondissements_given_as_text_or_twice_are_kept_once_in_order(resident):
    idea = services.create_idea(resident, title="Ruelle", pitch="Fleurie.", districts=["20", 1, "1", 20])
    assert [d.number for d in idea.districts.order_by("number")] == [1, 20]


# --- comments a service refuses -------------------------------------------------------------------------------


def test_an_empty_or_too_long_comment_is_refused_in_french_and_3000_characters_pass(idea, holder, resident):
    url = f"/api/v1/ideas/{idea.pk}/comments/"
    refusals = [
        ("   ", "Écrivez d’abord un commentaire."),
        ("c" * 3001, "Un commentaire doit faire au plus 3000 caractères."),
    ]
    for body, sentence in refusals:
        response = client_for(resident).post(url, {"body": body}, format="json")
        assert response.status_code == 400
        assert response.json()["errors"] == {"body": [sentence]}
    assert not Comment.objects.exists()
    assert not Notification.objects.exists()
    response = client_for(resident).post(url, {"body": "c" * 3000}, format="json")
    assert response.status_code == 201, response.json()
    comment = Comment.objects.get()
    assert comment.body == "c" * 3000
    for body, sentence in refusals + [(42, "Ce champ doit être du texte.")]:
        with pytest.raises(ValidationError) as refused:
            services.edit_comment(resident, comment, body)
        assert refused.value.message_dict == {"body": [sentence]}
    assert Comment.objects.get().body == "c" * 3000


def test_a_comment_that_is_not_text_is_refused(idea, resident):
    with pytest.raises(ValidationError) as refused:
        services.add_comment(resident, idea, ["Bravo"])
    assert refused.value.message_dict == {"body": ["Ce champ doit être du texte."]}
    assert not Comment.objects.exists()


# --- taking back one's support --------------------------------------------------------------------------------


def test_taking_back_a_support_leaves_ones_other_supports_and_others_support(holder, resident):
    garden = make_idea(holder, title="Jardin partagé")
    roofs = make_idea(holder, title="Toits solaires")
    neighbour = UserFactory()
    services.support(resident, garden)
    services.support(resident, roofs)
    services.support(neighbour, roofs)
    response = client_for(resident).delete(f"/api/v1/ideas/{roofs.pk}/support/")
    assert response.status_code == 200
    assert response.json() == {"supporters_count": 1}
    assert sorted(Support.objects.values_list("user__email", "idea__title")) == [
        (neighbour.email, "Toits solaires"),
        (resident.email, "Jardin partagé"),
    ]
    assert Idea.objects.get(pk=garden.pk).supporters_count == 1
    again = client_for(resident).delete(f"/api/v1/ideas/{roofs.pk}/support/")
    assert again.json() == {"supporters_count": 1}
    assert Idea.objects.get(pk=garden.pk).supporters_count == 1


def test_the_idea_page_confirms_the_support_is_taken_back(holder, resident):
    idea = make_idea(holder)
    other = make_idea(holder, title="Autre idée")
    services.support(resident, idea)
    services.support(resident, other)
    browser = Client()
    browser.force_login(resident)
    page = browser.post(f"/idees/{idea.pk}/soutien/", {"action": "remove"}, follow=True)
    assert "Vous ne soutenez plus cette idée." in page.content.decode()
    assert list(Support.objects.values_list("idea_id", flat=True)) == [other.pk]
    assert Idea.objects.get(pk=other.pk).supporters_count == 1


# --- the volunteering mission of a "volunteers" need ----------------------------------------------------------


def test_the_mission_form_of_an_idea_without_theme_nor_place_asks_for_neither(api_client, holder):
    idea = make_idea(
        holder,
        title="Fresque collective",
        pitch="Une fresque peinte par les voisins.",
        themes=[],
        districts=[],
        needs=[{"kind": "volunteers"}],
    )
    need = idea.needs.get()
    response = client_for(holder).get(f"/api/v1/ideas/{idea.pk}/needs/{need.pk}/mission/")
    assert response.status_code == 200
    assert response.json()["mission_id"] is None
    url = urlsplit(response.json()["url"])
    assert url.path == "/benevolat/missions/nouvelle/"
    assert parse_qs(url.query, keep_blank_values=True) == {
        "from_idea": [str(idea.pk)],
        "from_need": [str(need.pk)],
        "title": ["Fresque collective"],
        "description": ["Une fresque peinte par les voisins."],
        "return_url": [f"/idees/{idea.pk}/"],
    }


@pytest.fixture
def mission_from_idea(holder, organization):
    MembershipFactory(user=holder, organization=organization)
    idea = make_idea(
        holder, title="Rue aux enfants", organization=organization, needs=[{"kind": "volunteers"}, {"kind": "place"}]
    )
    mission = MissionFactory(organization=organization, title="Animer la rue")
    services.link_need_to_mission(holder, idea.needs.get(kind="volunteers"), mission.pk)
    return idea, mission


def _mission_page(mission):
    response = Client().get(mission.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("status", ["published", "in_partnership", "realised", "archived"])
def test_the_mission_page_leads_back_to_the_public_idea_it_came_from(mission_from_idea, status):
    idea, mission = mission_from_idea
    Idea.objects.filter(pk=idea.pk).update(status=status)
    page = _mission_page(mission)
    assert "Cette mission est née de l" in page
    assert f'<a href="/idees/{idea.pk}/">Rue aux enfants</a>' in page


@pytest.mark.parametrize(("status", "hidden"), [("published", True), ("realised", True), ("draft", False)])
def test_the_mission_page_does_not_lead_to_a_hidden_or_draft_idea(mission_from_idea, status, hidden):
    idea, mission = mission_from_idea
    Idea.objects.filter(pk=idea.pk).update(status=status, is_hidden=hidden)
    page = _mission_page(mission)
    assert "Cette mission est née de l" not in page
    assert "Rue aux enfants" not in page
    assert f"/idees/{idea.pk}/" not in page
