"""A withdrawal as the voters and the operator see it, the refusal of an author whose proposal the team hid or merged,
a report refused in French to a visitor, a withdrawn vote in the strategy inbox, a proposal placed in Lambert-93 and its photo
(survivors of the sixth mutation sample of mapvotes)."""

import io
import logging
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.models import Notification
from mapvotes import services
from mapvotes.models import Proposal
from tests.conftest import client_for
from tests.factories import HOTEL_DE_VILLE, MONTMARTRE, UserFactory, district

from .factories import ProposalFactory, VoteFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/map/proposals/"
NB = "\u00a0"
CLOSED_BY_TEAM = f"Cette proposition a été masquée ou fusionnée par l'équipe{NB}: elle ne peut plus être modifiée."


# --- a withdrawal: the voters, the operator's log -------------------------------------------------------------------


def test_the_voters_of_a_withdrawn_proposal_are_told_in_french_with_the_authors_reason(
    django_capture_on_commit_callbacks,
):
    proposal = ProposalFactory(title="Des bancs place Baudoyer")
    voter = UserFactory(preferred_language="fr")
    VoteFactory(user=voter, proposal=proposal, value="against")
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_proposal(proposal.author, proposal, "La mairie l'a déjà programmé.")
    note = Notification.objects.get()
    assert (note.recipient, note.kind, note.title, note.body, note.url) == (
        voter,
        "mapvotes.withdrawn",
        f"«{NB}Des bancs place Baudoyer{NB}», pour laquelle vous avez voté, a été retirée par son auteur",
        "La mairie l'a déjà programmé.",
        f"/carte/propositions/{proposal.pk}/",
    )


def test_when_the_voters_cannot_be_told_of_a_withdrawal_it_stands_and_the_log_says_which_proposal(
    monkeypatch, caplog, django_capture_on_commit_callbacks
):
    proposal = ProposalFactory(title="Des bancs place Baudoyer")
    VoteFactory(user=UserFactory(preferred_language="fr"), proposal=proposal)

    def queue_down(*args, **kwargs):
        raise ConnectionError("the task queue is down")

    monkeypatch.setattr(services, "notify_voters_of_change", SimpleNamespace(enqueue=queue_down))
    with caplog.at_level(logging.ERROR, logger="core.side_effects"), django_capture_on_commit_callbacks(execute=True):
        services.withdraw_proposal(proposal.author, proposal, "Doublon d'une autre proposition.")
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.WITHDRAWN
    assert not Notification.objects.exists()
    assert [r.getMessage() for r in caplog.records if r.name == "core.side_effects"] == [
        f"Side effect failed after commit: telling the voters of proposal {proposal.pk}"
    ]


# --- the author of a proposal the team hid or merged --------------------------------------------------------------


def test_the_author_of_a_hidden_or_merged_proposal_is_told_in_french_it_can_no_longer_be_changed(team_member):
    hidden = ProposalFactory(title="Des bancs place Baudoyer")
    services.set_hidden(team_member, hidden, True, "Hors charte")
    kept, merged = ProposalFactory(), ProposalFactory(geometry=MONTMARTRE.clone())
    services.merge_proposals(team_member, merged, kept)
    for proposal in (hidden, merged):
        author = client_for(proposal.author)
        response = author.patch(f"{URL}{proposal.pk}/", {"title": "Nouveau titre"}, format="json")
        assert (response.status_code, response.json()["detail"]) == (403, CLOSED_BY_TEAM)
        with pytest.raises(PermissionDenied) as refusal:
            services.withdraw_proposal(proposal.author, proposal, "Je retire.")
        assert str(refusal.value) == CLOSED_BY_TEAM
        assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.PUBLISHED


# --- reports ---------------------------------------------------------------------------------------------------------


def test_a_visitor_who_is_not_logged_in_cannot_report_and_is_told_why_in_french(proposal):
    with pytest.raises(PermissionDenied) as refusal:
        services.report(AnonymousUser(), proposal, "Doublon")
    assert str(refusal.value) == "Vous devez vous connecter pour faire cela."


# --- where a proposal lands, its photo ------------------------------------------------------------------------------


def test_a_proposal_placed_in_lambert_93_lands_at_the_same_place_in_the_4th_arrondissement(resident):
    lambert = HOTEL_DE_VILLE.transform(2154, clone=True)
    proposal = services.create_proposal(
        resident, title="Un banc", description="Pour se reposer.", theme="mobilite", geometry=lambert
    )
    proposal = Proposal.objects.get(pk=proposal.pk)
    assert proposal.district == district(4)
    assert proposal.geometry.srid == 4326
    assert proposal.geometry.coords == pytest.approx(HOTEL_DE_VILLE.coords, abs=1e-6)
    assert proposal.point.coords == pytest.approx(HOTEL_DE_VILLE.coords, abs=1e-6)


def _jpeg(size=(16, 16)):
    out = io.BytesIO()
    Image.new("RGB", size, "red").save(out, format="JPEG")
    return out.getvalue()


def test_a_photo_is_stored_as_photo_jpg_whatever_the_name_it_was_sent_with(resident, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("IMG_2041 (copie).PNG", _jpeg(), content_type="image/png")
    proposal = services.create_proposal(
        resident,
        title="Un banc",
        description="Pour se reposer.",
        theme="mobilite",
        geometry=HOTEL_DE_VILLE.clone(),
        photo=upload,
    )
    name = Proposal.objects.get(pk=proposal.pk).photo.name
    assert name.startswith("public/mapvotes/") and name.rsplit("/", 1)[1] == "photo.jpg"
    with Image.open(tmp_path / name) as stored:
        assert stored.format == "JPEG"


@pytest.mark.parametrize(
    "content, sentence",
    [
        (b"<?php echo 'not an image'; ?>", "Ce fichier n'est pas une image."),
        (b"\xff\xd8\xff" + b"0" * (5 * 1024 * 1024 + 1), "L'image doit peser 5 Mo au maximum."),
    ],
    ids=["not-an-image", "over-5-MB"],
)
def test_a_photo_refused_says_why_in_french_on_photo(resident, tmp_path, settings, content, sentence):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError) as error:
        services.create_proposal(
            resident,
            title="Un banc",
            description="Pour se reposer.",
            theme="mobilite",
            geometry=HOTEL_DE_VILLE.clone(),
            photo=SimpleUploadedFile("p.jpg", content, content_type="image/jpeg"),
        )
    assert error.value.message_dict == {"photo": [sentence]}
    assert not Proposal.objects.exists()
