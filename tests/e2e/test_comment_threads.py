"""Comments on an idea in a real phone browser: comment, reply in the thread, edit, delete; axe on each page."""

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import assert_accessible, login
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def cast(reference_data):
    from tests.ideas.factories import make_idea

    holder = UserFactory(email="porteuse@example.org", display_name="Awa Porteuse")
    author = UserFactory(email="ines@example.org", display_name="Inès Commentatrice")
    replier = UserFactory(email="camille@example.org", display_name="Camille Martin")
    return make_idea(holder), author, replier


def test_comment_reply_edit_and_delete_on_a_phone(new_page, live_server_url, cast):
    idea, author, replier = cast
    url = f"{live_server_url}/idees/{idea.pk}/"

    page = new_page(**PHONE)
    page.set_default_timeout(60000)
    login(page, live_server_url, author.email)
    page.goto(url)
    page.fill("#comment_body", "Je peux aider à monter les panneaux.")
    page.get_by_role("button", name="Publier mon commentaire").click()
    expect(page.locator(".comment").first).to_contain_text("Je peux aider à monter les panneaux.")

    other = new_page(**PHONE)
    other.set_default_timeout(60000)
    login(other, live_server_url, replier.email)
    other.goto(url)
    other.locator("details.reply summary").first.click()
    other.locator("textarea[id^=reply-c]").first.fill("Moi aussi, le samedi.")
    other.get_by_role("button", name="Publier ma réponse").click()
    expect(other.locator(".comments.replies")).to_contain_text("Moi aussi, le samedi.")
    assert_accessible(other)

    page.goto(url)
    page.get_by_role("link", name="Modifier mon commentaire").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Modifier mon commentaire")
    assert_accessible(page)
    page.fill("#id_body", "Je peux aider à monter les panneaux, le dimanche.")
    page.get_by_role("button", name="Enregistrer mes modifications").click()
    expect(page.locator(".comment").first).to_contain_text("le dimanche")
    expect(page.locator(".comment").first).to_contain_text("modifié")
    page.get_by_role("button", name="Supprimer mon commentaire").first.click()
    expect(page.locator(".comment").first).to_contain_text("Commentaire supprimé par son auteur")
    expect(page.locator(".comments.replies")).to_contain_text("Moi aussi, le samedi.")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)
