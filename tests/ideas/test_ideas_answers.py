"""What holders, partners and API clients read back from the ideas marketplace: matching scores and reasons,
French refusals word for word, notifications, live messages and the strategy's count of supports."""

from urllib.parse import parse_qs, urlsplit

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.exceptions import ValidationError

from accounts.models import Membership
from core.models import Notification
from ideas import services
from ideas.models import Connection, Message, PartnerProfile
from tests.conftest import client_for
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.polling import received

from .factories import make_idea, make_partner

pytestmark = pytest.mark.django_db

DISTRICTS_ERROR = "Les arrondissements sont des nombres de 1 \u00e0 20."


def _matches(client, idea):
    response = client.get(f"/api/v1/ideas/{idea.pk}/matches/")
    assert response.status_code == 200, response.json()
    return response.json()["results"]


# --- matching scores and reasons -----------------------------------------------------------------------------


def test_a_shared_theme_adds_20_points_and_a_shared_place_10(api_client, holder):
    """Idea in the 11th, theme Énergie, needs funding + place; every partner funds (1 need of 2: 35 points).
    A partner without theme nor place still gets its 35 points; one working all over Paris gets the place's 10."""
    idea = make_idea(holder, themes=["energie"], districts=[11])
    make_partner(name="A Thème et lieu", themes=("energie",), districts=(11,))
    make_partner(name="B Thème seul", themes=("energie",), districts=(16,))
    make_partner(name="C Lieu seul", themes=("culture",), districts=(11,))
    make_partner(name="D Ni thème ni lieu", themes=("culture",), districts=(16,))
    make_partner(name="E Tout Paris", themes=("culture",), districts=())
    results = _matches(api_client, idea)
    assert [(m["partner"]["organization"]["name"], m["score"]) for m in results] == [
        ("A Thème et lieu", 65),
        ("B Thème seul", 55),
        ("C Lieu seul", 45),
        ("E Tout Paris", 45),
        ("D Ni thème ni lieu", 35),
    ]
    reasons = {m["partner"]["organization"]["name"]: m["reasons"] for m in results}
    assert reasons["D Ni thème ni lieu"] == ["couvre 1 besoin sur 2\u00a0: financement"]
    assert reasons["E Tout Paris"] == ["couvre 1 besoin sur 2\u00a0: financement", "intervient dans tout Paris"]


def test_a_city_wide_idea_gets_the_place_points_of_a_partner_of_the_11th(holder):
    """The partner's side: an idea for all Paris is near a partner of the 11th; an idea of the 18th is not."""
    partner, member = make_partner(name="Énergies du 11e", themes=("energie",), districts=(11,))
    needs = [{"kind": "funding", "amount": 100}, {"kind": "volunteers"}]
    make_idea(holder, title="Partout", themes=["culture"], districts=[], needs=needs)
    make_idea(holder, title="Dans le 18e", themes=["culture"], districts=[18], needs=needs)
    make_idea(holder, title="Dans le 11e, même thème", themes=["energie"], districts=[11], needs=needs)
    response = client_for(member).get(f"/api/v1/partners/{partner.pk}/matches/")
    assert response.status_code == 200, response.json()
    assert [(m["idea"]["title"], m["score"]) for m in response.json()["results"]] == [
        ("Dans le 11e, même thème", 65),
        ("Partout", 45),
        ("Dans le 18e", 35),
    ]


@pytest.mark.parametrize(
    ("partner_themes", "reason"),
    [
        (("energie",), "m\u00eame th\u00e8me\u00a0: \u00c9nergie"),
        (("energie", "culture"), "m\u00eames th\u00e8mes\u00a0: \u00c9nergie, Culture"),
    ],
)
def test_the_shared_themes_are_named_singular_or_plural(api_client, holder, partner_themes, reason):
    idea = make_idea(holder, themes=["energie", "culture"], districts=[11])
    make_partner(name="Partenaire", themes=partner_themes, districts=(11,))
    assert _matches(api_client, idea)[0]["reasons"] == [
        "couvre 1 besoin sur 2\u00a0: financement",
        reason,
        "intervient dans le 11e",
    ]


# --- French refusals ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("district", ["25", "0", "abc"])
def test_a_bad_arrondissement_filter_is_refused_in_french(api_client, district):
    response = api_client.get("/api/v1/ideas/", {"district": district})
    assert response.status_code == 400
    assert response.json()["errors"] == {"district": [DISTRICTS_ERROR]}


def test_an_idea_in_the_21st_arrondissement_is_refused_in_french(resident):
    payload = {"title": "Ruelle fleurie", "pitch": "Végétaliser la ruelle.", "districts": [11, 21]}
    response = client_for(resident).post("/api/v1/ideas/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"districts": [DISTRICTS_ERROR]}


def test_a_title_may_have_150_characters_not_151(resident, idea):
    """The service's own sentence (the form and the API stop longer titles before it, with their own)."""
    assert services.create_idea(resident, title="T" * 150, pitch="Une accroche.").title == "T" * 150
    with pytest.raises(ValidationError) as refused:
        services.create_idea(resident, title="T" * 151, pitch="Une accroche.")
    assert refused.value.message_dict == {"title": ["Le titre doit faire au plus 150 caract\u00e8res."]}
    with pytest.raises(ValidationError) as refused:
        services.update_idea(idea.holder, idea, title="T" * 151, pitch="Une accroche.", stage="idea")
    assert refused.value.message_dict == {"title": ["Le titre doit faire au plus 150 caract\u00e8res."]}


def test_an_offer_detail_may_have_500_characters_not_501(org_admin):
    offers = [{"kind": "place", "description": "x" * 500}, {"kind": "skills", "description": "y" * 501}]
    response = client_for(org_admin).post("/api/v1/partners/", {"offers": offers}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "offers": ["Offre n\u00b0 2\u00a0: les pr\u00e9cisions doivent faire au plus 500 caract\u00e8res."]
    }
    assert not PartnerProfile.objects.exists()


SECOND_NEED_ERROR = "Besoin n\u00b0 2\u00a0: le montant doit \u00eatre un nombre."


@pytest.mark.parametrize(
    ("first_need", "first_error"),
    [
        ({"description": "sans type"}, "Besoin n\u00b0 1\u00a0: choisissez le type de besoin."),
        ({"kind": "magie"}, "Besoin n\u00b0 1\u00a0: type de besoin \u00ab\u00a0magie\u00a0\u00bb inconnu."),
        (
            {"kind": "place", "description": "d" * 501},
            "Besoin n\u00b0 1\u00a0: la description doit faire au plus 500 caract\u00e8res.",
        ),
        ({"kind": "place", "amount": "NaN"}, "Besoin n\u00b0 1\u00a0: le montant doit \u00eatre un nombre."),
        (
            {"kind": "place", "amount": -5},
            "Besoin n\u00b0 1\u00a0: le montant doit \u00eatre sup\u00e9rieur \u00e0 z\u00e9ro.",
        ),
        ({"kind": "place", "amount": 10**9}, "Besoin n\u00b0 1\u00a0: le montant est trop \u00e9lev\u00e9."),
        (
            {"kind": "funding"},
            "Besoin n\u00b0 1\u00a0: un besoin de financement doit indiquer un montant sup\u00e9rieur \u00e0 z\u00e9ro.",
        ),
    ],
)
def test_every_bad_need_is_listed_not_only_the_first(resident, first_need, first_error):
    """A holder fixing the form sees all the needs to correct at once, each with its number."""
    needs = [first_need, {"kind": "place", "amount": "beaucoup"}]
    payload = {"title": "Ruelle fleurie", "pitch": "Végétaliser la ruelle.", "needs": needs}
    response = client_for(resident).post("/api/v1/ideas/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"needs": [first_error, SECOND_NEED_ERROR]}


def test_a_need_that_is_not_an_object_is_listed_with_the_next_one(resident):
    with pytest.raises(ValidationError) as refused:
        services.create_idea(resident, title="Ruelle", pitch="Fleurie.", needs=["lieu", {"kind": "x"}])
    assert refused.value.message_dict == {
        "needs": [
            "Besoin n\u00b0 1\u00a0: donn\u00e9es invalides.",
            "Besoin n\u00b0 2\u00a0: type de besoin \u00ab\u00a0x\u00a0\u00bb inconnu.",
        ]
    }


# --- partner profile: which organisation ---------------------------------------------------------------------


def test_the_profile_goes_to_the_organisation_the_member_administers(db):
    """Member of two organisations and administrator of a third (joined last): the profile is the third's."""
    user = UserFactory()
    for name in ("Alpha", "Bêta"):
        MembershipFactory(user=user, organization=OrganizationFactory(name=name), role=Membership.Role.MEMBER)
    MembershipFactory(user=user, organization=OrganizationFactory(name="Gamma"), role=Membership.Role.ADMIN)
    response = client_for(user).post("/api/v1/partners/", {"offers": [{"kind": "skills"}]}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["organization"]["name"] == "Gamma"


def test_with_two_plain_memberships_the_profile_goes_to_the_first_joined(db):
    user = UserFactory()
    for name in ("Zèbre", "Alpha"):
        MembershipFactory(user=user, organization=OrganizationFactory(name=name), role=Membership.Role.MEMBER)
    response = client_for(user).post("/api/v1/partners/", {"offers": [{"kind": "skills"}]}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["organization"]["name"] == "Zèbre"


# --- connections ----------------------------------------------------------------------------------------------


def test_the_active_members_of_the_holders_organisation_are_told_of_a_proposal(holder, partner, partner_member):
    org = OrganizationFactory(name="Asso des toits")
    MembershipFactory(user=holder, organization=org, role=Membership.Role.ADMIN)
    colleague = MembershipFactory(user=UserFactory(display_name="Collègue"), organization=org).user
    gone = MembershipFactory(user=UserFactory(is_active=False), organization=org).user
    idea = make_idea(holder, organization=org)
    services.propose_connection(partner_member, idea, partner=partner, need=idea.needs.get(kind="funding"))
    told = Notification.objects.filter(kind="ideas.connection")
    assert sorted(n.recipient_id for n in told) == sorted([holder.pk, colleague.pk])
    assert gone.pk not in [n.recipient_id for n in told]


def test_a_proposal_without_a_message_opens_an_empty_conversation(idea, holder, partner, partner_member):
    response = client_for(partner_member).post(
        f"/api/v1/ideas/{idea.pk}/connections/",
        {"partner": partner.pk, "need": idea.needs.first().pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    messages = client_for(holder).get(f"/api/v1/connections/{response.json()['id']}/messages/").json()
    assert messages["count"] == 0 and messages["results"] == []
    assert not Message.objects.exists()
    assert Notification.objects.get(recipient=holder, kind="ideas.connection").body == ""


def test_accepting_tells_the_open_conversation_live(
    idea, holder, partner, partner_member, django_capture_on_commit_callbacks
):
    connection = services.propose_connection(partner_member, idea, partner=partner, need=idea.needs.first())
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(services.connection_group(connection.pk), channel)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(holder).patch(
                f"/api/v1/connections/{connection.pk}/", {"status": "accepted"}, format="json"
            )
        assert response.status_code == 200, response.json()
        event = received(layer, channel)
        assert event == {"type": "broadcast", "message": {"type": "status", "status": "accepted"}}
    finally:
        async_to_sync(layer.group_discard)(services.connection_group(connection.pk), channel)


def test_accepting_a_second_partner_on_a_covered_need_is_409_in_french(idea, holder, partner, partner_member):
    need = idea.needs.get(kind="funding")
    other, other_member = make_partner(name="Fondation Solaire")
    first = services.propose_connection(partner_member, idea, partner=partner, need=need)
    second = services.propose_connection(other_member, idea, partner=other, need=need)
    accepted = client_for(holder).patch(f"/api/v1/connections/{first.pk}/", {"status": "accepted"}, format="json")
    assert accepted.status_code == 200
    response = client_for(holder).patch(f"/api/v1/connections/{second.pk}/", {"status": "accepted"}, format="json")
    assert response.status_code == 409
    assert response.json()["detail"] == "Ce besoin est d\u00e9j\u00e0 couvert."
    assert Connection.objects.get(pk=second.pk).status == "pending"


# --- volunteering mission, strategy's count of supports ------------------------------------------------------


def test_the_mission_form_is_prefilled_with_the_way_back_to_the_idea(holder, organization):
    Membership.objects.create(user=holder, organization=organization, role="admin")
    idea = make_idea(
        holder,
        title="Jardin partagé",
        pitch="Un potager.",
        themes=["vegetalisation"],
        districts=[18, 11],
        organization=organization,
        needs=[{"kind": "volunteers", "description": "10 bénévoles"}],
    )
    need = idea.needs.get()
    response = client_for(holder).get(f"/api/v1/ideas/{idea.pk}/needs/{need.pk}/mission/")
    assert response.status_code == 200
    url = urlsplit(response.json()["url"])
    assert url.path == "/benevolat/missions/nouvelle/"
    assert parse_qs(url.query) == {
        "from_idea": [str(idea.pk)],
        "from_need": [str(need.pk)],
        "title": ["Jardin partagé"],
        "description": ["Un potager.\n\n10 bénévoles"],
        "theme": ["vegetalisation"],
        "district": ["11"],
        "organization": [str(organization.pk)],
        "return_url": [f"/idees/{idea.pk}/"],
    }


def test_a_support_raises_the_ideas_support_in_the_strategy_inbox(
    resident, team_member, holder, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        idea = make_idea(holder)
        other = make_idea(holder, title="Autre idée")

    def support_shown():
        response = client_for(team_member).get("/api/v1/strategy/contributions/", {"source": "idea"})
        return {i["source_id"]: i["support"] for i in response.json()["results"]}

    assert support_shown() == {idea.pk: 0, other.pk: 0}
    with django_capture_on_commit_callbacks(execute=True):
        services.support(resident, idea)
    assert support_shown() == {idea.pk: 1, other.pk: 0}
