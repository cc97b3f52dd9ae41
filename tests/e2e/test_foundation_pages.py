import re

import pytest

from tests.e2e.helpers import assert_accessible, login
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e]


def test_home_is_french_accessible_and_lists_the_four_spaces(page, live_server_url, reference_data):
    page.goto(live_server_url + "/")
    assert page.locator("html").get_attribute("lang") == "fr"
    nav = page.get_by_role("navigation", name=re.compile("principale", re.I))
    for name in ["Carte", "Bénévolat", "Idées", "Stratégie"]:
        assert nav.get_by_role("link", name=name, exact=True).is_visible()
    assert_accessible(page)


def test_skip_link_moves_focus_to_the_content(page, live_server_url, reference_data):
    page.goto(live_server_url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert "contenu" in focused.lower()


@pytest.mark.parametrize("path", ["/comptes/signup/", "/comptes/login/"])
def test_account_pages_are_accessible(page, live_server_url, reference_data, path):
    page.goto(live_server_url + path)
    assert_accessible(page)


def test_sign_up_sends_a_confirmation_email(page, live_server_url, reference_data, sent_emails):
    page.goto(live_server_url + "/comptes/signup/")
    page.fill("input[name=email]", "nouvelle.habitante@example.org")
    page.fill("input[name=display_name]", "Nouvelle Habitante")
    page.fill("input[name=password1]", "un-mot-de-passe-solide-2026")
    page.fill("input[name=password2]", "un-mot-de-passe-solide-2026")
    page.check("input[name=accept_terms]")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    mails = [m for m in sent_emails() if "nouvelle.habitante@example.org" in (m["to"] or "")]
    assert mails, "no confirmation e-mail was sent"
    assert "/comptes/confirm-email/" in mails[0]["body"]


def test_login_then_language_switch_to_english(page, live_server_url, reference_data):
    UserFactory(email="lea@example.org", display_name="Léa")
    login(page, live_server_url, "lea@example.org")
    assert page.get_by_role("link", name="Léa").is_visible()
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert (
        page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Map", exact=True).is_visible()
    )
