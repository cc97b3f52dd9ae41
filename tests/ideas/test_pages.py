"""Pages: list with filters in the URL, idea page, form with needs formset (no JS), partner pages, queries."""

import pytest
from django.test import Client

from ideas.models import Idea, PartnerProfile
from tests.factories import UserFactory

from .factories import idea_form_data, make_idea, make_partner

pytestmark = pytest.mark.django_db


def _client(user=None):
    client = Client()
    if user:
        client.force_login(user)
    return client


def test_list_page_filters_from_url(holder):
    make_idea(holder, title="Toits solaires")
    make_idea(holder, title="Jardin partagé", pitch="Potager", themes=["vegetalisation"], districts=[18])
    page = _client().get("/idees/", {"theme": "vegetalisation"})
    assert page.status_code == 200
    content = page.content.decode()
    assert "Jardin partagé" in content and "Toits solaires" not in content
    assert _client().get("/idees/", {"district": "99"}).status_code == 200


def test_idea_page_shows_needs_with_covered_state_and_matches_for_holder(idea, holder, partner):
    content = _client(holder).get(f"/idees/{idea.pk}/").content.decode()
    assert "Encore recherché" in content
    assert "Partenaires qui pourraient aider" in content
    assert "Énergies Citoyennes Paris" in content
    public = _client().get(f"/idees/{idea.pk}/").content.decode()
    assert "Partenaires qui pourraient aider" not in public


def test_create_form_with_needs_formset_without_js(db):
    user = UserFactory()
    data = idea_form_data(
        **{"needs-TOTAL_FORMS": "3", "needs-1-kind": "funding", "needs-1-amount": "300", "needs-2-kind": ""}
    )
    response = _client(user).post("/idees/nouvelle/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    idea = Idea.objects.get(title="Boîte à livres")
    assert sorted(idea.needs.values_list("kind", flat=True)) == ["equipment", "funding"]
    assert idea.status == "published"


def test_create_form_shows_need_errors_and_saves_nothing(db):
    user = UserFactory()
    data = {
        "title": "Boîte à livres",
        "pitch": "Une boîte.",
        "stage": "idea",
        "needs-TOTAL_FORMS": "1",
        "needs-INITIAL_FORMS": "0",
        "needs-MIN_NUM_FORMS": "0",
        "needs-MAX_NUM_FORMS": "12",
        "needs-0-kind": "funding",
        "needs-0-description": "sans montant",
    }
    response = _client(user).post("/idees/nouvelle/", data)
    assert response.status_code == 200
    assert "un besoin de financement doit indiquer un montant" in response.content.decode()
    assert not Idea.objects.exists()


def test_partner_form_and_suggestions_page(holder, organization, org_admin):
    make_idea(holder)
    data = {
        "description": "Nous prêtons des salles",
        "themes": ["energie"],
        "districts": ["11"],
        "offer_place": "Salle de 40 places",
    }
    response = _client(org_admin).post("/idees/partenaire/", data)
    assert response.status_code == 302
    assert PartnerProfile.objects.get(organization=organization).offers.get().kind == "place"
    page = _client(org_admin).get("/idees/partenaire/suggestions/").content.decode()
    assert "Toits solaires partagés" in page
    assert "couvre 1 besoin sur 2 : lieu" in page


def test_conversation_page_is_404_for_outsiders(idea, partner, partner_member, resident):
    from ideas import services

    connection = services.propose_connection(
        partner_member, idea, partner=partner, need=idea.needs.first(), message="Bonjour"
    )
    assert _client(partner_member).get(f"/idees/mises-en-relation/{connection.pk}/").status_code == 200
    assert _client(resident).get(f"/idees/mises-en-relation/{connection.pk}/").status_code == 404
    assert "Bonjour" not in _client(resident).get(f"/idees/mises-en-relation/{connection.pk}/").content.decode()
    assert _client(partner_member).get("/idees/mises-en-relation/").status_code == 200


def test_support_button_posts_and_redirects(idea, resident):
    response = _client(resident).post(f"/idees/{idea.pk}/soutien/")
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.supporters_count == 1


def test_list_queries_do_not_grow_with_items(holder, team_member, django_assert_max_num_queries, api_client):
    for n in range(15):
        make_idea(holder, title=f"Idée {n}")
    for n in range(5):
        make_partner(name=f"Partenaire {n}", offers=("funding", "place"))
    with django_assert_max_num_queries(12):
        assert _client().get("/idees/").status_code == 200
    with django_assert_max_num_queries(10):
        assert api_client.get("/api/v1/ideas/").status_code == 200
    with django_assert_max_num_queries(10):
        assert api_client.get("/api/v1/partners/").status_code == 200
    idea = Idea.objects.first()
    with django_assert_max_num_queries(14):
        assert api_client.get(f"/api/v1/ideas/{idea.pk}/matches/").status_code == 200
    partner = PartnerProfile.objects.first()
    # One prefetch per related list (themes, districts, needs, images…), and holder and organisation of the page
    # read apart so that the ranking keeps only the best rows (top-N sort) instead of sorting every candidate.
    api_client.force_authenticate(team_member)  # a partner's matches are for its members and the team
    with django_assert_max_num_queries(17):
        assert api_client.get(f"/api/v1/partners/{partner.pk}/matches/").status_code == 200
