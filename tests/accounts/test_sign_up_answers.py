"""What signing up through the API keeps and refuses: the account speaks the language it signed up in, and a password
that repeats the address is refused in French like on the web form."""

import threading

import pytest
from django.core import mail

from accounts.models import User

pytestmark = pytest.mark.django_db
REGISTER = "/api/v1/auth/register/"


@pytest.mark.parametrize(("accept", "language"), [("en", "en"), ("fr-FR,fr;q=0.9", "fr"), ("en-GB,en;q=0.8", "en")])
def test_the_account_speaks_the_language_it_signed_up_in(api_client, accept, language):
    response = api_client.post(
        REGISTER,
        {"email": "lou@example.org", "password": "un-mot-de-passe-solide"},
        format="json",
        HTTP_ACCEPT_LANGUAGE=accept,
    )
    assert response.status_code == 201, response.content
    assert User.objects.get(email="lou@example.org").preferred_language == language


@pytest.mark.parametrize("password", ["camille.durand", "CamilleDurand", "camille.durand@example.org"])
def test_a_password_like_the_address_is_refused_in_french(api_client, password):
    response = api_client.post(
        REGISTER,
        {"email": "camille.durand@example.org", "password": password, "display_name": "Camille Durand-Leroy"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "password": ["Le mot de passe est trop semblable au champ «\u00a0adresse e-mail\u00a0»."]
    }
    assert not User.objects.exists()


def test_a_sign_up_overtaken_by_another_with_the_same_address_answers_as_for_a_registered_one(
    transactional_db, monkeypatch
):
    """Two sign-ups with one address: the other one commits between our check and our save (on its own connection).
    Ours creates nothing, returns nothing and e-mails the owner that the account exists, as for any registered one."""
    from django.db import connection
    from django.db.models import QuerySet

    from accounts import services

    exists = QuerySet.exists

    def overtaken(queryset):
        if queryset.model is User and not overtaken.done:
            overtaken.done = True

            def other_sign_up():
                services.create_account("lea@example.org", "un-autre-mot-de-passe")
                connection.close()

            thread = threading.Thread(target=other_sign_up)
            thread.start()
            thread.join()
            return False
        return exists(queryset)

    overtaken.done = False
    monkeypatch.setattr(QuerySet, "exists", overtaken)
    mail.outbox.clear()
    assert services.register("Lea@example.org", "un-mot-de-passe-solide") is None
    assert overtaken.done and User.objects.filter(email__iexact="lea@example.org").count() == 1
    assert [(m.to, m.subject) for m in mail.outbox] == [(["lea@example.org"], "[Participe] Ce compte existe déjà")]
