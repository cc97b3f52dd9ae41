import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.management import call_command
from rest_framework.test import APIClient

from accounts.models import Membership, Organization, User
from core.models import Notification, Theme
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_register_creates_an_unverified_account_and_sends_a_confirmation(
    api_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            "/api/v1/auth/register/",
            {"email": "Nina@Example.org", "password": "un-mot-de-passe-solide", "display_name": "Nina"},
            format="json",
        )
    assert response.status_code == 201, response.content
    user = User.objects.get(email="nina@example.org")
    assert not user.email_verified
    assert user.display_name == "Nina"
    assert any("nina@example.org" in m.to for m in mail.outbox)


def test_register_errors_are_french_json_and_save_nothing(api_client):
    response = api_client.post("/api/v1/auth/register/", {"email": "pas-un-email", "password": "court"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Certaines données sont invalides."
    assert set(body["errors"]) == {"email", "password"}
    assert not User.objects.exists()


def test_register_twice_with_the_same_email_creates_nothing(api_client, resident):
    # The answer is the one a new address gets (tests/accounts/test_credentials.py): it never tells who has an account.
    response = api_client.post(
        "/api/v1/auth/register/", {"email": resident.email.upper(), "password": "un-mot-de-passe-solide"}, format="json"
    )
    assert response.status_code == 201
    assert User.objects.filter(email__iexact=resident.email).count() == 1


def test_token_then_me(api_client, resident):
    response = api_client.post(
        "/api/v1/auth/token/", {"email": resident.email, "password": "motdepasse-solide-42"}, format="json"
    )
    assert response.status_code == 200
    client = APIClient(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    me = client.get("/api/v1/me/").json()
    assert me["email"] == resident.email
    assert me["verified"] is True


def test_wrong_password_gives_a_clear_401(api_client, resident):
    response = api_client.post("/api/v1/auth/token/", {"email": resident.email, "password": "faux"}, format="json")
    assert response.status_code in (400, 401)
    assert response.json()["detail"] == "Adresse e-mail ou mot de passe incorrect."


def test_anonymous_me_is_401_in_french_and_english(api_client):
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Vous devez vous connecter pour faire cela."}
    response = api_client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json() == {"detail": "You need to log in to do this."}


def test_export_contains_the_account_and_its_notifications(resident):
    Notification.objects.create(recipient=resident, kind="test", title="Bonjour")
    data = client_for(resident).get("/api/v1/me/export/").json()
    assert data["account"]["email"] == resident.email
    assert data["account"]["notifications"][0]["title"] == "Bonjour"


def test_delete_account_removes_it(resident):
    response = client_for(resident).delete("/api/v1/me/")
    assert response.status_code == 204
    assert not User.objects.filter(pk=resident.pk).exists()


def test_email_confirmation_marks_the_account_verified(unverified, rf):
    from allauth.account.signals import email_confirmed

    address = EmailAddress.objects.create(user=unverified, email=unverified.email, primary=True, verified=True)
    email_confirmed.send(sender=EmailAddress, request=rf.get("/"), email_address=address)
    unverified.refresh_from_db()
    assert unverified.email_verified


def test_create_account_command_creates_then_updates(capsys):
    call_command(
        "create_account",
        "asso@example.org",
        "--password",
        "secret-123456",
        "--verified",
        "--org",
        "Les Amis du Canal",
        "--org-kind",
        "association",
    )
    user_id = int(capsys.readouterr().out.strip())
    user = User.objects.get(pk=user_id)
    assert user.email_verified and user.check_password("secret-123456")
    organization = Organization.objects.get(name="Les Amis du Canal")
    assert organization.verified and organization.kind == "association"
    assert Membership.objects.filter(user=user, organization=organization).exists()
    call_command("create_account", "asso@example.org", "--password", "autre-secret-99", "--referent", "mobilite")
    assert int(capsys.readouterr().out.strip()) == user_id
    user.refresh_from_db()
    assert user.is_team and user.check_password("autre-secret-99")
    assert Theme.objects.get(slug="mobilite").referent == user


def test_create_account_with_unknown_theme_fails_cleanly():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="Thème inconnu|Unknown theme"):
        call_command("create_account", "x@example.org", "--password", "secret-123456", "--referent", "nope")


def test_register_with_the_address_of_an_account_written_in_capitals_creates_nothing(
    api_client, django_capture_on_commit_callbacks
):
    """An older account may keep capitals in its address (the column is unique as written): signing up with the same
    address in small letters is the same person, who gets the "this account exists" e-mail, not a second account."""
    older = User.objects.create_user(email="Camille.Martin@Paris.fr", password="un-mot-de-passe-solide")
    User.objects.filter(pk=older.pk).update(email="Camille.Martin@Paris.fr")
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            "/api/v1/auth/register/",
            {"email": "camille.martin@paris.fr", "password": "un-mot-de-passe-solide"},
            format="json",
        )
    assert response.status_code == 201
    assert User.objects.filter(email__iexact="camille.martin@paris.fr").count() == 1
    assert [message.subject for message in mail.outbox] == ["[Participe] Ce compte existe déjà"]


def test_an_account_signed_up_without_a_name_or_language_is_french_and_named_for_the_public():
    from accounts import services

    user = services.register("sans-nom@example.org", "un-mot-de-passe-solide")
    user.refresh_from_db()
    assert user.preferred_language == "fr"
    assert user.display_name.startswith("Participant·e ")
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.primary, address.verified) == ("sans-nom@example.org", True, False)


def test_an_account_made_by_the_command_has_its_address_primary_and_verified_as_asked():
    from accounts import services

    verified = services.create_account("verifiee@example.org", "un-mot-de-passe-solide", verified=True)
    waiting = services.create_account("en-attente@example.org", "un-mot-de-passe-solide")
    assert EmailAddress.objects.filter(user=verified, primary=True, verified=True).count() == 1
    assert EmailAddress.objects.filter(user=waiting, primary=True, verified=False).count() == 1
