"""The third mutation sample of the ideas marketplace: the list's filters and order, the sentences of an idea's and
an offer's fields, the contact details revealed after acceptance, and the matching marketplace's two moves
(proposing and deciding a connection) with every refusal and what each party is told."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import Membership
from core.models import AuditLog, Notification, Report
from ideas import services
from ideas.models import Connection, Idea, Message, Need, PartnerProfile, TimelineEvent
from serving.rest import Conflict
from tests.conftest import client_for
from tests.factories import MembershipFactory, OrganizationFactory, UnverifiedUserFactory, UserFactory

from .factories import make_idea, make_partner

pytestmark = pytest.mark.django_db
NB = "\u00a0"
IDEA = "Toits solaires partagés"
ORG = "Énergies Citoyennes Paris"
DISTRICTS_ERROR = "Les arrondissements sont des nombres de 1 à 20."


def _titles(response):
    assert response.status_code == 200, response.json()
    return [i["title"] for i in response.json()["results"]]


# --- the list: filters and order ------------------------------------------------------------------------------


def test_the_first_and_the_twentieth_arrondissements_are_filters_the_21st_is_refused(api_client, holder):
    for number in (1, 11, 20):
        make_idea(holder, title=f"Idée de l’arrondissement {number}", districts=[number])
    assert _titles(api_client.get("/api/v1/ideas/", {"district": "1"})) == ["Idée de l’arrondissement 1"]
    assert _titles(api_client.get("/api/v1/ideas/", {"district": "20"})) == ["Idée de l’arrondissement 20"]
    refused = api_client.get("/api/v1/ideas/", {"district": "21"})
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"district": [DISTRICTS_ERROR]}


def test_every_bad_filter_is_named_with_its_own_sentence(api_client):
    response = api_client.get("/api/v1/ideas/", {"district": "0", "stage": "lune", "need": "magie", "status": "draft"})
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "district": [DISTRICTS_ERROR],
        "stage": ["Stade inconnu."],
        "need": ["Type de besoin inconnu."],
        "status": ["Statut inconnu."],
    }


def test_the_need_filter_lists_the_ideas_that_still_look_for_it(api_client, holder):
    make_idea(holder, title="Cherche un lieu", needs=[{"kind": "place", "description": "Une salle"}])
    make_idea(holder, title="Cherche des bras", needs=[{"kind": "volunteers", "description": "Dix bénévoles"}])
    assert _titles(api_client.get("/api/v1/ideas/", {"need": "place"})) == ["Cherche un lieu"]


def test_ideas_published_at_the_same_moment_list_the_last_created_first(api_client, holder):
    ideas = [make_idea(holder, title=f"Idée {n}") for n in range(5)]
    Idea.objects.update(published_at=timezone.now())
    expected = [i.title for i in reversed(ideas)]
    assert _titles(api_client.get("/api/v1/ideas/")) == expected


# --- an idea's fields, a partner's offers ---------------------------------------------------------------------


def test_an_idea_without_title_pitch_nor_stage_is_told_all_three(resident):
    with pytest.raises(ValidationError) as refused:
        services.create_idea(resident, title="  ", pitch=" \n ", stage="lune")
    assert refused.value.message_dict == {
        "title": ["Donnez un titre à votre idée."],
        "pitch": ["Résumez votre idée en une courte accroche."],
        "stage": [f"Choisissez un stade{NB}: idée, en construction, prototype ou en activité."],
    }
    assert not Idea.objects.exists()


def test_a_pitch_may_have_280_characters_not_281(resident):
    assert services.create_idea(resident, title="Ruelle", pitch="p" * 280).pitch == "p" * 280
    with pytest.raises(ValidationError) as refused:
        services.create_idea(resident, title="Ruelle", pitch="p" * 281)
    assert refused.value.message_dict == {"pitch": ["L’accroche doit faire au plus 280 caractères (elle en fait 281)."]}


def test_a_partner_profile_without_any_offer_is_refused(org_admin):
    response = client_for(org_admin).post(
        "/api/v1/partners/", {"description": "Nous aidons", "offers": []}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"offers": ["Indiquez au moins une chose que vous pouvez apporter."]}
    assert not PartnerProfile.objects.exists()


def test_every_bad_offer_is_listed_with_its_number(org_admin):
    offers = [{"description": "sans type"}, {"kind": "magie"}, {"kind": "place"}, {"kind": "place"}]
    response = client_for(org_admin).post("/api/v1/partners/", {"offers": offers}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "offers": [
            f"Offre n° 1{NB}: choisissez ce que vous proposez.",
            f"Offre n° 2{NB}: type «{NB}magie{NB}» inconnu.",
            f"Offre n° 4{NB}: ce type figure déjà dans la liste.",
        ]
    }
    assert not PartnerProfile.objects.exists()


# --- matching reasons in English ------------------------------------------------------------------------------


def test_english_reasons_write_the_arrondissements_as_english_ordinals(api_client, holder):
    numbers = [1, 2, 3, 4, 11, 12, 13, 20]
    idea = make_idea(holder, themes=["culture"], districts=numbers)
    make_partner(name="Partout", offers=("funding", "place"), themes=("energie",), districts=tuple(numbers))
    english = api_client.get(f"/api/v1/ideas/{idea.pk}/matches/", HTTP_ACCEPT_LANGUAGE="en").json()["results"]
    assert english[0]["reasons"] == [
        "covers 2 needs of 2: funding, place",
        "works in the 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 20th",
    ]
    french = api_client.get(f"/api/v1/ideas/{idea.pk}/matches/").json()["results"]
    assert french[0]["reasons"] == [
        f"couvre 2 besoins sur 2{NB}: financement, lieu",
        "intervient dans le 1er, 2e, 3e, 4e, 11e, 12e, 13e, 20e",
    ]


# --- contact details once accepted ----------------------------------------------------------------------------


def _accepted(idea, holder, partner, partner_member):
    connection = services.propose_connection(partner_member, idea, partner=partner, need=idea.needs.first())
    services.decide_connection(holder, connection, "accepted")
    return connection


@pytest.mark.parametrize(
    ("org_email", "partner_role", "expected_email"),
    [
        ("contact@energies.example", Membership.Role.ADMIN, "contact@energies.example"),
        ("", Membership.Role.ADMIN, "admin-energies@example.org"),
        ("", Membership.Role.MEMBER, ""),
    ],
    ids=["the organisation's address", "its administrator's address", "no address at all"],
)
def test_accepted_contacts_give_both_sides_in_full(holder, idea, org_email, partner_role, expected_email):
    member = UserFactory(email="admin-energies@example.org")
    partner, _member = make_partner(member=member)
    partner.organization.email = org_email
    partner.organization.website = "https://energies.example"
    partner.organization.save()
    Membership.objects.filter(user=member).update(role=partner_role)
    connection = _accepted(idea, holder, partner, member)
    response = client_for(member).get(f"/api/v1/connections/{connection.pk}/")
    assert response.json()["contacts"] == {
        "holder": {"name": "Awa Porteuse", "email": "porteuse@example.org", "organization": None},
        "partner": {"name": ORG, "email": expected_email, "website": "https://energies.example"},
    }


def test_when_the_holder_has_left_the_contacts_are_the_carrying_organisations(holder, partner, partner_member):
    org = OrganizationFactory(name="Asso des toits", email="toits@example.org")
    MembershipFactory(user=holder, organization=org)
    idea = make_idea(holder, organization=org)
    connection = _accepted(idea, holder, partner, partner_member)
    holder.delete()
    response = client_for(partner_member).get(f"/api/v1/connections/{connection.pk}/")
    assert response.json()["contacts"]["holder"] == {
        "name": "Asso des toits",
        "email": "toits@example.org",
        "organization": "Asso des toits",
    }


# --- proposing a connection -----------------------------------------------------------------------------------


@pytest.fixture
def market(holder, idea, partner, partner_member):
    return {
        "holder": holder,
        "idea": idea,
        "partner": partner,
        "member": partner_member,
        "need": idea.needs.order_by("pk").first(),
    }


def _hidden(w):
    Idea.objects.filter(pk=w["idea"].pk).update(is_hidden=True)
    w["idea"].refresh_from_db()
    return w["idea"]


def _with_status(w, status):
    Idea.objects.filter(pk=w["idea"].pk).update(status=status)
    w["idea"].refresh_from_db()
    return w["idea"]


def _propose(w, idea=None, **kwargs):
    values = {"partner": w["partner"], "need": w["need"], **kwargs}
    return services.propose_connection(w["member"], idea or w["idea"], **values)


def _own_partner(w):
    """The idea carried by the partner's own organisation."""
    org = w["partner"].organization
    MembershipFactory(user=w["holder"], organization=org)
    idea = make_idea(w["holder"], title="Idée maison", organization=org)
    return services.propose_connection(w["member"], idea, partner=w["partner"], need=idea.needs.first())


def _covered(w):
    Need.objects.filter(pk=w["need"].pk).update(covered=True)
    return _propose(w)


NOT_OPEN = {"idea": ["Cette idée n’est pas ouverte aux partenariats."]}
PROPOSAL_REFUSALS = [
    ("a draft idea", lambda w: _propose(w, idea=_with_status(w, "draft")), NOT_OPEN),
    ("a realised idea", lambda w: _propose(w, idea=_with_status(w, "realised")), NOT_OPEN),
    ("an archived idea", lambda w: _propose(w, idea=_with_status(w, "archived")), NOT_OPEN),
    ("a hidden idea", lambda w: _propose(w, idea=_hidden(w)), NOT_OPEN),
    ("a message of 5001 characters", lambda w: _propose(w, message="m" * 5001),
     {"message": ["Un message doit faire au plus 5000 caractères."]}),
    ("a need of another idea", lambda w: _propose(w, need=make_idea(UserFactory(), title="Autre").needs.first()),
     {"need": ["Ce besoin n’appartient pas à cette idée."]}),
    ("an idea of the partner's own organisation", _own_partner,
     {"partner": ["Vous ne pouvez pas proposer votre soutien à votre propre idée."]}),
    ("a covered need", _covered, {"need": ["Ce besoin est déjà couvert."]}),
]  # fmt: skip


@pytest.mark.parametrize(("what", "call", "refusal"), PROPOSAL_REFUSALS, ids=[r[0] for r in PROPOSAL_REFUSALS])
def test_each_refused_proposal_names_its_field_in_french(market, what, call, refusal):
    with pytest.raises(ValidationError) as refused:
        call(market)
    assert refused.value.message_dict == refusal
    assert not Connection.objects.exists()
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    ("who", "sentence"),
    [
        (
            lambda: UserFactory(),
            "Seul un membre de l’organisation partenaire ou le porteur de l’idée peut faire cela.",
        ),
        (
            lambda: UnverifiedUserFactory(),
            f"Confirmez d'abord votre adresse e-mail{NB}: seuls les comptes vérifiés peuvent participer.",
        ),
    ],
    ids=["a resident of neither side", "an unverified account"],
)
def test_someone_of_neither_side_may_not_propose(market, who, sentence):
    with pytest.raises(PermissionDenied) as refused:
        services.propose_connection(who(), market["idea"], partner=market["partner"], need=market["need"])
    assert str(refused.value) == sentence
    assert not Connection.objects.exists()


def test_a_second_proposal_on_the_same_need_is_a_conflict(market):
    _propose(market)
    with pytest.raises(Conflict) as refused:
        _propose(market)
    assert str(refused.value.detail) == "Une mise en relation entre ce partenaire et ce besoin est déjà ouverte."
    assert Connection.objects.count() == 1


def test_a_message_of_5000_characters_opens_the_conversation_and_the_holder_reads_its_first_500(market):
    connection = _propose(market, message=" " + "m" * 5000 + " ")
    assert Message.objects.get(connection=connection).body == "m" * 5000
    assert Notification.objects.get(recipient=market["holder"]).body == "m" * 500


def test_a_partner_offering_support_tells_the_holder_side_by_notification_and_email(
    market, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        connection = _propose(market, message="Nous pouvons financer les panneaux.")
    assert (connection.initiated_by, connection.status, connection.created_by) == (
        "partner",
        "pending",
        market["member"],
    )
    title = f"{ORG} propose son soutien à «{NB}{IDEA}{NB}»"
    note = Notification.objects.get()
    assert (note.recipient, note.kind, note.title, note.body, note.url) == (
        market["holder"],
        "ideas.connection",
        title,
        "Nous pouvons financer les panneaux.",
        f"/idees/mises-en-relation/{connection.pk}/",
    )
    assert [(m.to, m.subject) for m in mail.outbox] == [([market["holder"].email], f"[Participe] {title}")]
    assert "Nous pouvons financer les panneaux." in mail.outbox[0].body


def test_a_member_of_the_ideas_organisation_asks_a_partner_for_the_holder(holder, partner, partner_member):
    org = OrganizationFactory(name="Asso des toits")
    MembershipFactory(user=holder, organization=org)
    colleague = MembershipFactory(user=UserFactory(), organization=org, role=Membership.Role.MEMBER).user
    idea = make_idea(holder, organization=org)
    connection = services.propose_connection(colleague, idea, partner=partner, need=idea.needs.first())
    assert connection.initiated_by == "holder"
    told = {n.recipient: n.title for n in Notification.objects.filter(kind="ideas.connection")}
    asks = f"«{NB}{IDEA}{NB}» sollicite le soutien de {ORG}"
    assert told == {partner_member: asks, holder: asks}


# --- deciding a connection ------------------------------------------------------------------------------------


def test_answering_with_anything_but_accepted_or_declined_is_refused(market):
    connection = _propose(market)
    with pytest.raises(ValidationError) as refused:
        services.decide_connection(market["holder"], connection, "pending")
    assert refused.value.message_dict == {"status": ["Choisissez acceptée ou refusée."]}


def _decline_first(w, connection):
    services.decide_connection(w["holder"], connection, "declined")
    return w["holder"]


DECISION_REFUSALS = [
    ("the proposer accepting its own proposal", lambda w, c: w["member"], "accepted", 403,
     "Seule l’autre partie peut accepter cette proposition."),
    ("a connection already declined", _decline_first, "accepted", 409,
     "Cette mise en relation a déjà reçu une réponse."),
    ("a connection already declined, declined again", _decline_first, "declined", 409,
     "Cette mise en relation a déjà reçu une réponse."),
]  # fmt: skip


@pytest.mark.parametrize(
    ("what", "who", "status", "code", "detail"), DECISION_REFUSALS, ids=[r[0] for r in DECISION_REFUSALS]
)
def test_each_refused_decision_says_why_in_french(market, what, who, status, code, detail):
    connection = _propose(market)
    user = who(market, connection)
    Notification.objects.all().delete()
    response = client_for(user).patch(f"/api/v1/connections/{connection.pk}/", {"status": status}, format="json")
    assert response.status_code == code
    assert response.json()["detail"] == detail
    assert not Notification.objects.exists()


def test_someone_outside_the_connection_may_not_decide_it(market):
    connection = _propose(market)
    with pytest.raises(PermissionDenied) as refused:
        services.decide_connection(UserFactory(), connection, "declined")
    assert str(refused.value) == "Vous n'êtes pas autorisé·e à faire cela."
    assert Connection.objects.get(pk=connection.pk).status == "pending"


def test_declining_tells_the_proposer_and_records_who_declined_and_when(market, django_capture_on_commit_callbacks):
    connection = _propose(market)
    Notification.objects.all().delete()
    mail.outbox.clear()
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(market["holder"]).patch(
            f"/api/v1/connections/{connection.pk}/", {"status": "declined"}, format="json"
        )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["contacts"]) == ("declined", None)
    assert before <= parse_datetime(body["decided_at"]) <= timezone.now()
    title = f"Proposition refusée{NB}: {ORG} et «{NB}{IDEA}{NB}»"
    note = Notification.objects.get()
    assert (note.recipient, note.kind, note.title, note.url) == (
        market["member"],
        "ideas.connection_decided",
        title,
        f"/idees/mises-en-relation/{connection.pk}/",
    )
    assert [(m.to, m.subject) for m in mail.outbox] == [([market["member"].email], f"[Participe] {title}")]
    log = AuditLog.objects.get(action="ideas.connection_declined")
    assert (log.actor, log.object_id) == (market["holder"], str(connection.pk))
    assert Connection.objects.get(pk=connection.pk).decided_by == market["holder"]
    assert not Need.objects.get(pk=market["need"].pk).covered
    assert Idea.objects.get(pk=market["idea"].pk).status == "published"
    assert not TimelineEvent.objects.filter(kind="partnership").exists()


def test_the_proposer_may_withdraw_by_declining_and_the_holder_is_told(market):
    connection = _propose(market)
    Notification.objects.all().delete()
    services.decide_connection(market["member"], connection, "declined")
    note = Notification.objects.get()
    assert (note.recipient, note.title) == (market["holder"], f"Proposition refusée{NB}: {ORG} et «{NB}{IDEA}{NB}»")
    assert AuditLog.objects.get(action="ideas.connection_declined").actor == market["member"]


def test_a_partner_accepting_a_request_tells_the_holder_and_covers_the_need(market, holder):
    need = market["idea"].needs.get(kind="place")
    connection = services.propose_connection(holder, market["idea"], partner=market["partner"], need=need)
    Notification.objects.all().delete()
    before = timezone.now()
    services.decide_connection(market["member"], connection, "accepted")
    connection.refresh_from_db()
    assert (connection.status, connection.decided_by) == ("accepted", market["member"])
    assert before <= connection.decided_at <= before + timedelta(minutes=1)
    note = Notification.objects.get()
    assert (note.recipient, note.kind, note.title) == (
        holder,
        "ideas.connection_decided",
        f"Partenariat accepté{NB}: {ORG} et «{NB}{IDEA}{NB}»",
    )
    assert AuditLog.objects.get(action="ideas.connection_accepted").actor == market["member"]
    assert Need.objects.get(pk=need.pk).covered
    assert Idea.objects.get(pk=market["idea"].pk).status == "in_partnership"
    assert TimelineEvent.objects.get(kind="partnership").text == f"{ORG} couvre désormais le besoin{NB}: lieu."


# --- reports ---------------------------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_told_to_log_in_to_report(idea):
    with pytest.raises(PermissionDenied) as refused:
        services.report(AnonymousUser(), idea, "Publicité")
    assert str(refused.value) == "Vous devez vous connecter pour faire cela."
    assert not Report.objects.exists()


def test_a_report_needs_a_reason_of_at_most_1000_characters(idea, resident):
    for reason, sentence in (("  ", "Indiquez pourquoi vous signalez ce contenu."),
                             ("r" * 1001, "Le motif doit faire au plus 1000 caractères.")):  # fmt: skip
        with pytest.raises(ValidationError) as refused:
            services.report(resident, idea, reason)
        assert refused.value.message_dict == {"reason": [sentence]}
    services.report(resident, idea, "r" * 1000)
    assert list(Report.objects.values_list("reporter", "reason")) == [(resident.pk, "r" * 1000)]
