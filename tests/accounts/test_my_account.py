""" "Mon compte": change display name (shown on one's comments), e-mail (allauth, with verification) and password
(allauth); download all of one's data; delete the account after confirmation, public contributions staying,
attributed to "compte supprimé"."""

import json
from importlib import import_module

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from accounts.models import User
from mapvotes.models import Comment, Proposal, Vote
from mapvotes.services import cast_vote
from pages import services as pages_services
from tests.mapvotes.factories import CommentFactory, ProposalFactory, VoteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _trust_pages(db):
    """The pages come from a data migration, which a transactional test's flush empties: put them back if so."""
    from django.apps import apps

    import_module("pages.migrations.0002_initial_french_texts").create_pages(apps, None)


PASSWORD = "motdepasse-solide-42"


@pytest.fixture
def logged_in(client, resident):
    pages_services.accept_terms(resident)
    client.force_login(resident)
    return client


@pytest.mark.parametrize("path", ["/comptes/profil/", "/comptes/profil/mes-donnees/", "/comptes/profil/supprimer/"])
def test_my_account_pages_need_a_log_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].startswith("/comptes/login/")


def test_my_account_has_every_section_in_french(logged_in):
    html = logged_in.get("/comptes/profil/").content.decode()
    assert "<h1>Mon compte</h1>" in html
    for section in ["Profil", "Adresse e-mail et mot de passe", "Mes données", "Supprimer mon compte"]:
        assert section in html, section
    for href in ['href="/comptes/email/"', 'href="/comptes/password/change/"', 'href="/comptes/profil/mes-donnees/"']:
        assert href in html, href
    assert "Vous avez accepté la version 1 des conditions d&#x27;utilisation." in html or (
        "Vous avez accepté la version 1 des conditions d'utilisation." in html
    )


@pytest.mark.parametrize("path", ["/comptes/email/", "/comptes/password/change/"])
def test_allauth_e_mail_and_password_pages_open_from_my_account(logged_in, path):
    assert logged_in.get(path).status_code == 200


def test_a_new_e_mail_address_is_used_only_once_confirmed(logged_in, resident):
    response = logged_in.post("/comptes/email/", {"action_add": "", "email": "camille.nouvelle@example.org"})
    assert response.status_code == 302
    address = EmailAddress.objects.get(user=resident, email="camille.nouvelle@example.org")
    assert not address.verified
    assert any("camille.nouvelle@example.org" in m.to for m in mail.outbox)
    resident.refresh_from_db()
    assert resident.email == "resident@example.org"


def test_changing_the_display_name_shows_on_my_comments(logged_in, resident):
    comment = CommentFactory(author=resident, body="Il faut des arceaux.")
    page = f"/carte/propositions/{comment.proposal_id}/"
    assert "Camille Habitante" in logged_in.get(page).content.decode()
    response = logged_in.post("/comptes/profil/", {"display_name": "Camille du 4e", "preferred_language": "fr"})
    assert response.status_code == 302
    html = logged_in.get(page).content.decode()
    assert "Camille du 4e" in html
    assert "Camille Habitante" not in html


def test_my_data_download_holds_the_account_s_data(logged_in, resident):
    proposal = ProposalFactory(author=resident, title="Un banc place Baudoyer")
    CommentFactory(author=resident, proposal=proposal, body="Avec de l'ombre.")
    VoteFactory(user=resident)
    response = logged_in.get("/comptes/profil/mes-donnees/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["account"]["email"] == "resident@example.org"
    assert data["account"]["display_name"] == "Camille Habitante"
    assert [p["title"] for p in data["map"]["proposals"]] == ["Un banc place Baudoyer"]
    assert [c["body"] for c in data["map"]["comments"]] == ["Avec de l'ombre."]
    assert len(data["map"]["votes"]) == 1
    assert [t["version"] for t in data["terms"]["terms_accepted"]] == [1]
    assert set(data) >= {"account", "map", "volunteering", "ideas", "strategy", "moderation", "terms"}


def test_my_data_is_only_mine(logged_in, resident):
    ProposalFactory(title="Proposition d'une autre personne")
    data = json.loads(logged_in.get("/comptes/profil/mes-donnees/").content)
    assert data["map"]["proposals"] == []


def test_deletion_needs_the_password_and_the_confirmation(logged_in, resident):
    page = logged_in.get("/comptes/profil/supprimer/").content.decode()
    assert "La suppression de votre compte est définitive." in page
    response = logged_in.post("/comptes/profil/supprimer/", {"password": "faux", "confirm": "on"})
    assert response.status_code == 200
    assert "Ce n&#x27;est pas votre mot de passe." in response.content.decode()
    response = logged_in.post("/comptes/profil/supprimer/", {"password": PASSWORD})
    assert "Cochez la case pour confirmer la suppression." in response.content.decode()
    assert User.objects.filter(pk=resident.pk).exists()


def test_deletion_keeps_public_contributions_attributed_to_deleted_account(logged_in, client, resident):
    proposal = ProposalFactory(author=resident, title="Un banc place Baudoyer")
    other = ProposalFactory(title="Des arbres rue de Rivoli")
    comment = CommentFactory(author=resident, proposal=other, body="Oui, et de l'ombre.")
    cast_vote(resident, other.pk, "for")
    other.refresh_from_db()
    assert other.votes_for == 1

    response = logged_in.post("/comptes/profil/supprimer/", {"password": PASSWORD, "confirm": "on"}, follow=True)
    assert response.redirect_chain[-1] == ("/", 302)
    assert "Votre compte a été supprimé." in response.content.decode()
    assert not User.objects.filter(email="resident@example.org").exists()
    assert "_auth_user_id" not in client.session

    assert Proposal.objects.get(pk=proposal.pk).author is None
    assert Comment.objects.get(pk=comment.pk).author is None
    assert not Vote.objects.filter(proposal=other).exists()
    other.refresh_from_db()
    assert other.votes_for == 0  # the vote is personal: gone, and the counter follows
    html = client.get(f"/carte/propositions/{other.pk}/").content.decode()
    assert "Oui, et de l&#x27;ombre." in html
    assert "compte supprimé" in html
    assert "Camille Habitante" not in html


def test_my_data_holds_notification_settings_follows_comments_and_replies(logged_in, resident):
    from core import follows, notifications
    from ideas import services as ideas_services
    from mapvotes import services as map_services
    from tests.conftest import client_for
    from tests.factories import UserFactory
    from tests.ideas.factories import make_idea

    proposal = ProposalFactory(title="Un banc place Baudoyer")
    idea = make_idea(UserFactory(email="porteur@example.org"))
    follows.follow(resident, proposal)
    follows.follow(resident, idea)
    notifications.save_settings(resident, {"comments": "digest", "followed": "none"})
    other = UserFactory(email="autre@example.org")
    top = map_services.add_comment(other, proposal.pk, "Premier")
    reply = map_services.add_comment(resident, proposal.pk, "Ma réponse", parent=top.pk)
    map_services.edit_comment(resident, reply, "Ma réponse, corrigée")
    idea_top = ideas_services.add_comment(other, idea, "Sur l'idée")
    idea_reply = ideas_services.add_comment(resident, idea, "Réponse sur l'idée", parent=idea_top.pk)
    ideas_services.delete_comment(resident, idea_reply)

    for data in (
        json.loads(logged_in.get("/comptes/profil/mes-donnees/").content),
        client_for(resident).get("/api/v1/me/export/").json(),
    ):
        account = data["account"]
        assert account["notification_settings"]["comments"] == "digest"
        assert account["notification_settings"]["followed"] == "none"
        assert set(account["notification_settings"]) == {c.slug for c in notifications.CATEGORIES}
        assert [(f["kind"], f["id"]) for f in account["follows"]] == [("proposal", proposal.pk), ("idea", idea.pk)]
        [map_comment] = data["map"]["comments"]
        assert map_comment["parent"] == top.pk and map_comment["body"] == "Ma réponse, corrigée"
        assert map_comment["edited_at"] and map_comment["deleted_at"] is None
        [idea_comment] = data["ideas"]["comments"]
        assert idea_comment["parent"] == idea_top.pk and idea_comment["deleted_at"] and idea_comment["body"] == ""
