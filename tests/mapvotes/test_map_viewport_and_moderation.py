"""The viewport's bbox and zoom at their limits and their refusals in French, the home page's newest proposals, the
detail's queries, a comment's stance refused, and what a change of status, an edit and a hiding tell and record
(survivors of the fifth mutation sample of mapvotes)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.models import Notification
from mapvotes import selectors, services
from mapvotes.models import Proposal, TimelineEvent
from tests.factories import UserFactory

from .factories import ProposalFactory, VoteFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/map/proposals/"
PARIS = "2.22,48.81,2.47,48.91"
NB = "\u00a0"
INVALID = "Certaines données sont invalides."
BBOX = f"bbox est formé de quatre nombres{NB}: ouest,sud,est,nord (longitudes et latitudes)."
ZOOM = "zoom est un nombre entier de 0 à 22."


# --- the viewport's bbox and zoom ---------------------------------------------------------------------------------


@pytest.mark.parametrize("bbox", ["a,b,c,d", "1,2,3", "2.3,48.8,2.4,nan", "2.3,48.8,inf,48.9"])
def test_a_bbox_that_is_not_four_numbers_is_refused_on_bbox_in_french(api_client, bbox):
    response = api_client.get(URL, {"bbox": bbox, "zoom": 12})
    assert response.status_code == 400
    assert response.json() == {"detail": INVALID, "errors": {"bbox": [BBOX]}}


@pytest.mark.parametrize("zoom", ["x", "12.5", "-1", "23", "40"])
def test_a_zoom_outside_0_to_22_or_not_whole_is_refused_on_zoom_in_french(api_client, zoom):
    response = api_client.get(URL, {"bbox": PARIS, "zoom": zoom})
    assert response.status_code == 400
    assert response.json() == {"detail": INVALID, "errors": {"zoom": [ZOOM]}}


@pytest.mark.parametrize(("zoom", "clustered"), [("0", True), ("22", False)])
def test_the_zooms_0_and_22_are_read(api_client, proposal, zoom, clustered):
    response = api_client.get(URL, {"bbox": PARIS, "zoom": zoom})
    assert response.status_code == 200
    assert response.json()["clustered"] is clustered


# --- the home page's newest proposals -----------------------------------------------------------------------------


def test_the_home_page_lists_the_newest_proposals_by_date_not_by_number():
    older, newer = ProposalFactory(title="Des bancs"), ProposalFactory(title="Des arbres")
    now = timezone.now()
    Proposal.objects.filter(pk=older.pk).update(created_at=now)
    Proposal.objects.filter(pk=newer.pk).update(created_at=now - dt.timedelta(days=1))
    assert [f["id"] for f in selectors.latest_proposals()] == [older.pk, newer.pk]
    assert [f["id"] for f in selectors.latest_proposals(limit=1)] == [older.pk]


# --- the detail of a proposal -------------------------------------------------------------------------------------


def test_the_detail_of_a_proposal_is_read_in_one_query(api_client, proposal, django_assert_num_queries):
    """The proposal, its theme, arrondissement, quartier, author and merge target come in a single query."""
    with django_assert_num_queries(1):
        shown = selectors.proposal_for_display(proposal.pk)
        assert (shown.theme.slug, shown.district.number, shown.quartier.name, shown.merged_into) == (
            "mobilite",
            4,
            "Saint-Merri",
            None,
        )
        assert shown.author.public_name == proposal.author.public_name
    with django_assert_num_queries(2):  # the proposal, and what became of it in the strategy
        props = api_client.get(f"{URL}{proposal.pk}/").json()["properties"]
    assert (props["district"], props["quartier"]) == (4, "Saint-Merri")


# --- a comment's stance -------------------------------------------------------------------------------------------


def test_an_unknown_stance_is_refused_on_stance_in_french(resident, proposal):
    with pytest.raises(ValidationError) as refused:
        services.add_comment(resident, proposal.pk, "Bonne idée.", stance="peut-être")
    assert refused.value.message_dict == {
        "stance": [f"La position vaut «{NB}for{NB}», «{NB}against{NB}» ou «{NB}question{NB}»."]
    }
    proposal.refresh_from_db()
    assert proposal.comments_count == 0


# --- a change of status and an edit without reason ----------------------------------------------------------------


def test_a_change_of_status_without_reason_records_and_tells_no_reason(team_member, django_capture_on_commit_callbacks):
    proposal = ProposalFactory(title="Des bancs place Baudoyer")
    voter = UserFactory(preferred_language="fr")
    VoteFactory(user=voter, proposal=proposal)
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(team_member, proposal, "under_study")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.status_reason) == ("under_study", "")
    assert proposal.timeline.get(kind=TimelineEvent.Kind.STATUS).reason == ""
    assert set(Notification.objects.values_list("recipient", "kind", "body")) == {
        (proposal.author_id, "mapvotes.status", ""),
        (voter.pk, "mapvotes.status", ""),
    }


def test_the_voters_of_a_rewritten_proposal_are_told_without_a_reason(django_capture_on_commit_callbacks):
    proposal = ProposalFactory(title="Des bancs place Baudoyer")
    voter = UserFactory(preferred_language="fr")
    VoteFactory(user=voter, proposal=proposal)
    with django_capture_on_commit_callbacks(execute=True):
        services.edit_proposal(proposal.author, proposal, title="Une fontaine à boire")
    note = Notification.objects.get(kind="mapvotes.edited")
    assert (note.recipient, note.title, note.body, note.url) == (
        voter,
        f"«{NB}Une fontaine à boire{NB}», pour laquelle vous avez voté, a été modifiée par son auteur",
        "",
        f"/carte/propositions/{proposal.pk}/",
    )


# --- hiding and restoring -----------------------------------------------------------------------------------------


def test_the_author_is_told_in_french_when_the_team_hides_then_restores_the_proposal(team_member):
    proposal = ProposalFactory(title="Des bancs place Baudoyer")
    services.set_hidden(team_member, proposal, True, "Hors charte")
    services.set_hidden(team_member, proposal, False, "Corrigée")
    url = f"/carte/propositions/{proposal.pk}/"
    notes = Notification.objects.filter(recipient=proposal.author, kind="mapvotes.moderation").order_by("pk")
    assert [(n.title, n.body, n.url) for n in notes] == [
        ("Votre contribution a été masquée par l'équipe", "Hors charte", url),
        ("Votre contribution a été rétablie par l'équipe", "Corrigée", url),
    ]
    events = proposal.timeline.filter(kind__in=["hidden", "restored"]).order_by("pk")
    assert [(e.kind, e.reason, e.actor) for e in events] == [
        ("hidden", "Hors charte", team_member),
        ("restored", "Corrigée", team_member),
    ]
