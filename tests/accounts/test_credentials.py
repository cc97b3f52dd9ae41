"""Credentials and identities: tokens die with the password or e-mail they were issued for, the public name never
comes from the e-mail address, the API sign-up does not tell who has an account, and every link says SITE_URL."""

import re
from importlib import import_module
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.sites.models import Site
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from accounts import services
from accounts.models import User
from accounts.signals import sync_site_with_site_url
from ideas import services as idea_services
from mapvotes.models import Comment
from tests.factories import UserFactory
from tests.ideas.factories import make_idea, make_partner
from tests.mapvotes.factories import CommentFactory, ProposalFactory

pytestmark = pytest.mark.django_db

PASSWORD = "motdepasse-solide-42"
NEW_PASSWORD = "un-tout-nouveau-secret-77"


def token_for(user, password=PASSWORD):
    response = APIClient().post("/api/v1/auth/token/", {"email": user.email, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def me_status(token):
    return APIClient(HTTP_AUTHORIZATION=f"Token {token}").get("/api/v1/me/").status_code


def web_client(user):
    client = Client()
    client.force_login(user)
    return client


def links_in(message):
    return re.findall(r"https?://\S+", message.body)


def run_on_commit(django_capture_on_commit_callbacks, call):
    with django_capture_on_commit_callbacks(execute=True):
        return call()


# --- Tokens -------------------------------------------------------------------------------------------------------


def test_log_in_again_returns_the_same_token_while_the_credentials_hold(resident):
    token = token_for(resident)
    assert token_for(resident) == token
    assert me_status(token) == 200


def test_allauth_password_change_revokes_the_token_and_a_new_log_in_gives_a_new_one(resident):
    token = token_for(resident)
    response = web_client(resident).post(
        "/comptes/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302, response.content
    assert me_status(token) == 401
    fresh = token_for(resident, NEW_PASSWORD)
    assert fresh != token and me_status(fresh) == 200


def test_allauth_password_reset_revokes_the_token(resident):
    token = token_for(resident)
    client = Client()
    assert client.post("/comptes/password/reset/", {"email": resident.email}).status_code == 302
    (link,) = [url for url in links_in(mail.outbox[-1]) if "/password/reset/key/" in url]
    set_password_page = client.get(urlsplit(link).path)
    assert set_password_page.status_code == 302
    response = client.post(set_password_page.url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302, response.content
    assert me_status(token) == 401


def test_allauth_password_set_revokes_the_token(resident):
    token = token_for(resident)
    resident.set_unusable_password()
    resident.save()  # no new password: the token still holds
    assert me_status(token) == 200
    response = web_client(resident).post(
        "/comptes/password/set/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302, response.content
    assert me_status(token) == 401


def test_password_changed_in_the_admin_revokes_the_token(resident):
    token = token_for(resident)
    admin = UserFactory(is_staff=True, is_superuser=True, is_team=True)
    response = web_client(admin).post(
        f"/admin/accounts/user/{resident.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content
    assert me_status(token) == 401


def test_django_set_password_and_create_account_revoke_the_token(resident):
    token = token_for(resident)
    resident.set_password(NEW_PASSWORD)
    resident.save()  # as `manage.py changepassword` does
    assert me_status(token) == 401
    token = token_for(resident, NEW_PASSWORD)
    services.create_account(resident.email, PASSWORD)  # the create_account command on an existing account
    assert me_status(token) == 401


def test_email_change_through_allauth_revokes_the_token(resident):
    EmailAddress.objects.create(user=resident, email=resident.email, primary=True, verified=True)
    token = token_for(resident)
    client = web_client(resident)
    new_email = "nouvelle-adresse@example.org"
    assert client.post("/comptes/email/", {"email": new_email, "action_add": ""}).status_code == 302
    (link,) = [url for url in links_in(mail.outbox[-1]) if "/confirm-email/" in url]
    assert client.post(urlsplit(link).path).status_code == 302
    assert me_status(token) == 200  # a second address, not yet the account's
    assert client.post("/comptes/email/", {"email": new_email, "action_primary": ""}).status_code == 302
    resident.refresh_from_db()
    assert resident.email == new_email
    assert me_status(token) == 401


def test_email_change_in_the_admin_revokes_the_token(resident):
    token = token_for(resident)
    resident.email = "autre@example.org"
    resident.save()
    assert me_status(token) == 401


def test_other_changes_keep_the_token(resident):
    token = token_for(resident)
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.patch("/api/v1/me/", {"display_name": "Camille"}, format="json").status_code == 200
    resident.email_verified = False
    resident.save(update_fields=["email_verified"])
    assert me_status(token) == 200


def test_the_api_docs_say_when_a_token_is_revoked(api_client):
    schema = api_client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    description = schema["paths"]["/api/v1/auth/token/"]["post"]["description"]
    assert "revokes" in description and "password" in description and "e-mail" in description


# --- Public name --------------------------------------------------------------------------------------------------


def test_api_sign_up_without_a_name_gets_a_neutral_one(api_client, django_capture_on_commit_callbacks):
    body = {"email": "zorglub.martin@example.org", "password": PASSWORD}
    run_on_commit(django_capture_on_commit_callbacks, lambda: api_client.post("/api/v1/auth/register/", body))
    user = User.objects.get(email="zorglub.martin@example.org")
    assert re.fullmatch(r"Participant·e \d{4}", user.display_name)
    assert "zorglub" not in user.public_name.lower()


def test_web_sign_up_asks_for_a_public_name_and_defaults_to_a_neutral_one(client):
    form = client.get("/comptes/signup/").content.decode()
    assert 'name="display_name"' in form and "Nom public" in form
    for email, name in [("zorglub.martin@example.org", ""), ("nina.k@example.org", "Nina du 20e")]:
        response = Client().post(
            "/comptes/signup/",
            {"email": email, "display_name": name, "password1": PASSWORD, "password2": PASSWORD, "accept_terms": "on"},
        )
        assert response.status_code == 302, response.content
    assert re.fullmatch(r"Participant·e \d{4}", User.objects.get(email="zorglub.martin@example.org").display_name)
    assert User.objects.get(email="nina.k@example.org").display_name == "Nina du 20e"


def test_an_account_without_a_name_is_never_shown_by_its_email(db):
    user = UserFactory(email="zorglub.secret@example.org", display_name="")
    assert "zorglub" not in user.public_name.lower() and "zorglub" not in str(user).lower()
    assert user.public_name == str(user) == User.objects.get(pk=user.pk).public_name  # stable


def test_migration_gives_a_neutral_name_to_accounts_named_after_their_email(db):
    migration = import_module("accounts.migrations.0003_neutral_display_names")
    empty = UserFactory(email="zorglub@example.org", display_name="")
    local_part = UserFactory(email="lea.dubois@example.org", display_name="lea.dubois")
    derived = UserFactory(email="Jean-Marc.Roux+asso@example.org", display_name="Jean Marc Roux")
    address = UserFactory(email="sami@example.org", display_name="sami@example.org")
    chosen = UserFactory(email="k.n@example.org", display_name="Karim du 18e")
    migration.neutral_display_names(apps, None)
    for user in (empty, local_part, derived, address):
        user.refresh_from_db()
        assert re.fullmatch(r"Participant·e \d{4}", user.display_name), user.display_name
    chosen.refresh_from_db()
    assert chosen.display_name == "Karim du 18e"


def test_no_page_or_api_response_shows_another_users_email_local_part(db):
    """Someone who never chose a name contributes everywhere: nobody else ever reads their e-mail's local part."""
    author = UserFactory(email="zorglub.secret@example.org", display_name="")
    proposal = ProposalFactory(author=author)
    CommentFactory(proposal=ProposalFactory(author=UserFactory()), author=author, body="Oui.")
    idea = make_idea(author)
    idea_services.add_comment(author, idea, "Merci à tous.")
    partner, partner_member = make_partner()
    connection = idea_services.propose_connection(partner_member, idea, partner=partner, need=idea.needs.first())
    assert Comment.objects.filter(author=author).exists()

    reader = UserFactory()
    assert (
        author.public_name in Client().get(f"/carte/propositions/{proposal.pk}/").content.decode()
    )  # named, neutrally
    pages = [
        "/carte/liste/",
        f"/carte/propositions/{proposal.pk}/",
        f"/carte/propositions/{Comment.objects.get(author=author).proposal_id}/",
        "/idees/",
        f"/idees/{idea.pk}/",
        "/api/v1/map/proposals/",
        f"/api/v1/map/proposals/{proposal.pk}/",
        f"/api/v1/map/proposals/{Comment.objects.get(author=author).proposal_id}/comments/",
        "/api/v1/ideas/",
        f"/api/v1/ideas/{idea.pk}/",
        f"/api/v1/ideas/{idea.pk}/comments/",
    ]
    seen_by = [(Client(), pages), (web_client(reader), pages)]
    # The partner before the connection is accepted.
    seen_by.append(
        (
            web_client(partner_member),
            [
                f"/idees/mises-en-relation/{connection.pk}/",
                "/api/v1/connections/",
                f"/api/v1/connections/{connection.pk}/",
            ],
        )
    )
    for client, urls in seen_by:
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            assert "zorglub" not in response.content.decode().lower(), url


# --- Sign-up through the API does not tell who has an account ---------------------------------------------------


def test_api_sign_up_answers_alike_for_a_new_and_a_registered_address(
    api_client, resident, django_capture_on_commit_callbacks
):
    def sign_up(email):
        body = {"email": email, "password": "un-mot-de-passe-solide", "display_name": "Dominique"}
        return run_on_commit(
            django_capture_on_commit_callbacks, lambda: api_client.post("/api/v1/auth/register/", body, format="json")
        )

    new = sign_up("nouvelle@example.org")
    existing = sign_up(resident.email.upper())
    assert (new.status_code, new.json()) == (existing.status_code, existing.json())
    assert new.status_code == 201
    assert "e-mail" in new.json()["detail"]

    assert User.objects.filter(email__iexact=resident.email).count() == 1
    resident.refresh_from_db()
    assert resident.display_name == "Camille Habitante" and resident.check_password(PASSWORD)  # untouched
    (confirmation,) = [m for m in mail.outbox if m.to == ["nouvelle@example.org"]]
    assert any("/confirm-email/" in url for url in links_in(confirmation))
    (warning,) = [m for m in mail.outbox if m.to == [resident.email]]
    assert any("/password/reset/" in url for url in links_in(warning))  # how to get back in
    assert "/confirm-email/" not in warning.body


def test_api_sign_up_refuses_a_weak_password_alike_for_a_new_and_a_registered_address(api_client, resident):
    def sign_up(email):
        return api_client.post("/api/v1/auth/register/", {"email": email, "password": "12345678"}, format="json")

    new, existing = sign_up("nouvelle@example.org"), sign_up(resident.email)
    assert (new.status_code, new.json()) == (existing.status_code, existing.json())
    assert new.status_code == 400 and "password" in new.json()["errors"]
    assert not mail.outbox


# --- SITE_URL everywhere ------------------------------------------------------------------------------------------


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = "https://participe.paris.fr"
    sync_site_with_site_url()  # what `migrate` does
    yield "participe.paris.fr"
    Site.objects.clear_cache()


def test_migrate_sets_the_site_from_site_url(settings):
    assert Site.objects.get_current().domain == urlsplit(settings.SITE_URL).netloc
    assert Site.objects.get_current().name == "Participe"


def test_allauth_emails_say_site_url_and_never_example_com(site_url, resident):
    Client().post(
        "/comptes/signup/",
        {"email": "nouvelle@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "accept_terms": "on"},
    )
    Client().post("/comptes/password/reset/", {"email": resident.email})
    Client().post("/comptes/password/reset/", {"email": "inconnue@example.org"})
    assert len(mail.outbox) == 3  # confirmation, reset, unknown account
    for message in mail.outbox:
        text = message.subject + message.body
        assert "example.com" not in text and "testserver" not in text
        assert site_url in text
        assert links_in(message) and all(url.startswith(f"https://{site_url}/") for url in links_in(message))


def test_api_sign_up_emails_say_site_url(site_url, api_client, resident, django_capture_on_commit_callbacks):
    for email in ("nouvelle@example.org", resident.email):
        body = {"email": email, "password": "un-mot-de-passe-solide"}
        run_on_commit(django_capture_on_commit_callbacks, lambda b=body: api_client.post("/api/v1/auth/register/", b))
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert "example.com" not in message.body and "testserver" not in message.body
        assert all(url.startswith(f"https://{site_url}/") for url in links_in(message))


def test_atom_feed_says_site_url_and_never_example_com(site_url, team_member):
    from strategy import services as strategy_services
    from tests.strategy.factories import ChapterFactory, SectionFactory

    SectionFactory(chapter=ChapterFactory(), slug="mobilite-velo", title="Une ville cyclable", position=0)
    strategy_services.publish_version(team_member, "Première version.")
    feed = Client().get("/strategie/flux.atom").content.decode()
    assert "example.com" not in feed
    assert f"{site_url}/strategie/" in feed
