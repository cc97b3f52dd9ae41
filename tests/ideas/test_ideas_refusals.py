"""Every refusal of the ideas marketplace's services a client can meet, as a table: the field it names and its
French sentence, word for word (issue 19: the second mutation sample of ideas found them tested as "it raises"),
and the notice a partner gets when a holder asks for support."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import Notification
from ideas import services
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

from .factories import make_idea, make_partner

pytestmark = pytest.mark.django_db
NB = "\u00a0"


def _capacity(value):
    member = UserFactory()
    organization = OrganizationFactory()
    MembershipFactory(organization=organization, user=member)
    return services.create_partner(
        member,
        organization=organization,
        description="Aide",
        offers=[{"kind": "funding", "description": "Un peu d'argent"}],
        capacity=value,
    )


REFUSALS = [
    ("needs that are not a list", lambda w: services.clean_needs("de l'argent"),
     {"needs": ["Les besoins doivent être une liste."]}),
    ("thirteen needs", lambda w: services.clean_needs([{"kind": "funding", "description": "x"}] * 13),
     {"needs": ["Une idée peut lister au plus 12 besoins."]}),
    ("a capacity of 1001", lambda w: _capacity(1001),
     {"capacity": ["La capacité est un nombre entier entre 0 et 1000."]}),
    ("a capacity of -1", lambda w: _capacity(-1),
     {"capacity": ["La capacité est un nombre entier entre 0 et 1000."]}),
    ("a capacity in words", lambda w: _capacity("beaucoup"),
     {"capacity": ["La capacité est un nombre entier."]}),
    ("a reply to a comment of another idea", lambda w: services.add_comment(
        w["holder"], w["idea"], "Ici", parent=w["comment_elsewhere"].pk),
     {"parent": ["Ce commentaire n'existe pas sur cette idée."]}),
    ("an unknown partner", lambda w: services.propose_connection(
        w["holder"], w["idea"], partner=999_999, need=w["need"]),
     {"partner": ["Ce partenaire n’existe pas."]}),
    ("a need of another idea", lambda w: services.propose_connection(
        w["holder"], w["idea"], partner=w["partner"], need=w["other_need"].pk),
     {"need": ["Ce besoin n’appartient pas à cette idée."]}),
]  # fmt: skip


@pytest.fixture
def world(holder, idea, partner):
    other = make_idea(UserFactory(), title="Un jardin partagé")
    return {
        "holder": holder,
        "idea": idea,
        "partner": partner,
        "need": idea.needs.order_by("pk").first(),
        "other_need": other.needs.order_by("pk").first(),
        "comment_elsewhere": services.add_comment(holder, other, "Ailleurs"),
    }


@pytest.mark.parametrize(("what", "call", "refusal"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_each_refusal_names_its_field_in_french(world, what, call, refusal):
    with pytest.raises(ValidationError) as refused:
        call(world)
    assert refused.value.message_dict == refusal


def test_capacities_at_the_edges_are_kept():
    assert _capacity(0).capacity == 0
    assert _capacity("1000").capacity == 1000
    assert _capacity("").capacity is None


def test_someone_of_no_organisation_is_told_how_to_become_a_partner():
    with pytest.raises(PermissionDenied) as refused:
        services.create_partner(UserFactory(), description="Je veux aider")
    assert str(refused.value) == "Seuls les membres d’une organisation peuvent devenir partenaires."


def test_a_partner_asked_by_a_holder_reads_which_idea_asks(world):
    partner, member = make_partner(name="Fondation Lumière", member=UserFactory(preferred_language="fr"))
    services.propose_connection(world["holder"], world["idea"], partner=partner.pk, need=world["need"].pk)
    note = Notification.objects.filter(recipient=member).latest("pk")
    assert note.title == f"«{NB}Toits solaires partagés{NB}» sollicite le soutien de Fondation Lumière"


def test_an_unknown_stage_filter_is_refused_in_french(api_client):
    response = api_client.get("/api/v1/ideas/", {"stage": "lune"})
    assert response.status_code == 400
    assert response.json()["errors"]["stage"] == ["Stade inconnu."]
