"""Flash messages (serving.middleware.LazyMessageMiddleware: Django's, with the storage built on first use)."""

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_message_left_before_a_redirect_is_shown_once_on_the_next_page(client):
    client.force_login(UserFactory(display_name="Awa", preferred_language="fr"))

    response = client.post("/comptes/profil/", {"display_name": "Awa D.", "preferred_language": "fr"}, follow=True)

    assert response.redirect_chain == [("/comptes/profil/", 302)]
    assert "Votre profil a été enregistré." in response.content.decode()
    again = client.get("/comptes/profil/").content.decode()
    assert "Votre profil a été enregistré." not in again  # read once, then gone


def test_a_request_that_leaves_no_message_sets_no_message_cookie(client):
    client.force_login(UserFactory())

    response = client.get("/comptes/profil/")

    assert response.status_code == 200
    assert "messages" not in response.cookies
