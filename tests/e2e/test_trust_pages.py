"""The trust pages and "Mon compte" in a real browser: French, reachable from the footer, usable with the keyboard,
and no serious or critical axe-core violation."""

import re
from importlib import import_module

import pytest

from pages import services as pages_services
from tests.e2e.helpers import assert_accessible, login
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e]

PAGES = {
    "/mentions-legales/": "Mentions légales",
    "/conditions-utilisation/": "Conditions d'utilisation",
    "/confidentialite/": "Politique de confidentialité",
    "/accessibilite/": "Déclaration d'accessibilité",
    "/contact/": "Nous contacter",
}


@pytest.fixture
def trust_pages(reference_data):
    """Transactional tests flush the data migration's pages: put them back (committed, the server sees them)."""
    from django.apps import apps

    import_module("pages.migrations.0002_initial_french_texts").create_pages(apps, None)


@pytest.mark.parametrize("path,title", PAGES.items())
def test_each_trust_page_is_french_and_accessible(page, live_server_url, trust_pages, path, title):
    page.goto(live_server_url + path)
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("heading", level=1).inner_text() == title
    assert_accessible(page)


def test_the_footer_leads_to_the_accessibility_statement_by_keyboard(page, live_server_url, trust_pages):
    page.goto(live_server_url + "/")
    footer = page.get_by_role("navigation", name="Informations légales")
    for label in ["Mentions légales", "Conditions d'utilisation", "Politique de confidentialité", "Contact"]:
        assert footer.get_by_role("link", name=label).is_visible()
    footer.get_by_role("link", name="Déclaration d'accessibilité").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/accessibilite/$"))
    assert page.get_by_text("partiellement conforme").is_visible()


def test_contact_form_errors_then_sent(page, live_server_url, trust_pages, sent_emails):
    UserFactory(email="equipe.contact@paris.fr", is_team=True, is_staff=True)
    page.goto(live_server_url + "/contact/")
    page.get_by_role("button", name="Envoyer le message").click()
    assert page.get_by_text("Ce champ est obligatoire.").first.is_visible()
    assert_accessible(page)
    page.get_by_label("Votre nom").fill("Awa")
    page.get_by_label("Votre adresse e-mail").fill("awa@example.org")
    page.get_by_label("Objet").fill("Accessibilité")
    page.get_by_label("Message").fill("La carte ne se lit pas au lecteur d'écran.")
    page.get_by_role("button", name="Envoyer le message").click()
    assert page.get_by_text("Votre message a été envoyé à l'équipe. Merci.").is_visible()
    assert any("equipe.contact@paris.fr" in m["to"] for m in sent_emails())


def test_log_in_asks_for_the_terms_then_my_account_is_accessible(page, live_server_url, trust_pages):
    UserFactory(email="lea.trust@example.org", display_name="Léa")
    login(page, live_server_url, "lea.trust@example.org")
    assert "/conditions-utilisation/accepter/" in page.url
    assert_accessible(page)
    page.get_by_label("J'ai lu et j'accepte les conditions d'utilisation").check()
    page.get_by_role("button", name="Accepter", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert "/conditions-utilisation/accepter/" not in page.url

    page.goto(live_server_url + "/comptes/profil/")
    assert page.get_by_role("heading", level=1).inner_text() == "Mon compte"
    assert page.get_by_text("Vous avez accepté la version 1 des conditions d'utilisation.").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Supprimer mon compte…").click()
    page.wait_for_url(re.compile(r"/comptes/profil/supprimer/$"))
    assert_accessible(page)


def test_a_resident_with_accepted_terms_sees_no_banner(page, live_server_url, trust_pages):
    user = UserFactory(email="sam.trust@example.org", display_name="Sam")
    pages_services.accept_terms(user)
    login(page, live_server_url, "sam.trust@example.org")
    assert "/conditions-utilisation/accepter/" not in page.url
    assert page.locator(".terms-banner").count() == 0
