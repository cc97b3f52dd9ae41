"""Ideas pass 9's survivors: a partner is found by the words of its description (accents and plurals aside) and of
each of its offers, and deciding on a connection costs a fixed number of queries."""

import pytest
from django.contrib.contenttypes.models import ContentType

from ideas import services
from tests.ideas.factories import make_partner

pytestmark = pytest.mark.django_db
PARTNERS = "/api/v1/partners/"
DECIDE_QUERIES = 18


def _found(q, api_client):
    response = api_client.get(PARTNERS, {"q": q})
    assert response.status_code == 200, response.content
    return [row["organization"]["name"] for row in response.json()["results"]]


@pytest.mark.parametrize("q", ["energie", "énergies", "Énergie"])
def test_a_partner_is_found_by_a_word_of_its_description_with_or_without_accents(api_client, q):
    make_partner(name="Atelier Lumière", description="Nous posons des panneaux d'énergie solaire sur les toits.")
    make_partner(name="Jardins du Nord", description="Nous plantons des arbres.")
    assert _found(q, api_client) == ["Atelier Lumière"]


@pytest.mark.parametrize("q", ["broyeur", "formation"])
def test_a_partner_is_found_by_the_last_word_of_one_offer_and_the_first_of_the_next(api_client, q):
    make_partner(
        name="Compost Paris",
        description="Nous aidons les quartiers.",
        offers=[("equipment", "Prêt d'un broyeur"), ("skills", "Formation au compostage")],
    )
    assert _found(q, api_client) == ["Compost Paris"]


def test_deciding_on_a_connection_costs_a_fixed_number_of_queries(
    idea, holder, partner, partner_member, django_assert_num_queries
):
    connection = services.propose_connection(partner_member, idea, partner=partner, need=idea.needs.first())
    connection = type(connection).objects.get(pk=connection.pk)  # as a view loads it: nothing related in hand
    ContentType.objects.clear_cache()  # as in a fresh process: whether an earlier test warmed it does not count
    with django_assert_num_queries(DECIDE_QUERIES):
        services.decide_connection(holder, connection, "accepted")
