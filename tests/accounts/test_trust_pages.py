"""The pages every French public platform has: mentions légales, terms of use (accepted at sign-up, version recorded,
asked again after a substantial change), privacy policy, accessibility statement and contact — public, in French,
linked from every page's footer, edited by the mission team only, with their Markdown sanitised."""

from importlib import import_module

import pytest
from django.core import mail
from django.core.cache import cache

from accounts.models import User
from core.models import AuditLog
from pages import selectors, services
from pages.models import Page, TermsAcceptance
from tests.factories import TeamUserFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _trust_pages(db):
    """The pages come from a data migration, which a transactional test's flush empties: put them back if so."""
    from django.apps import apps

    import_module("pages.migrations.0002_initial_french_texts").create_pages(apps, None)


PAGES = {
    "/mentions-legales/": "Mentions légales",
    "/conditions-utilisation/": "Conditions d'utilisation",
    "/confidentialite/": "Politique de confidentialité",
    "/accessibilite/": "Déclaration d'accessibilité",
    "/contact/": "Nous contacter",
}
FOOTER_LINKS = [
    ('href="/mentions-legales/"', "Mentions légales"),
    ('href="/conditions-utilisation/"', "Conditions d&#x27;utilisation"),
    ('href="/confidentialite/"', "Politique de confidentialité"),
    ('href="/accessibilite/"', "Déclaration d&#x27;accessibilité"),
    ('href="/contact/"', "Contact"),
]


def footer(html: str) -> str:
    return html[html.index('<footer class="site-footer"') :]


def terms() -> Page:
    return Page.objects.get(slug=Page.Slug.TERMS)


def signup_data(**extra):
    return {
        "email": "nouvelle@example.org",
        "display_name": "Nouvelle Habitante",
        "password1": "un-mot-de-passe-solide-2026",
        "password2": "un-mot-de-passe-solide-2026",
        **extra,
    }


@pytest.mark.parametrize("path,title", PAGES.items())
def test_each_page_is_public_and_french(client, path, title):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1>{title.replace(chr(39), '&#x27;')}</h1>" in html or f"<h1>{title}</h1>" in html
    assert '<html lang="fr">' in html


@pytest.mark.parametrize(
    "path", [*PAGES, "/", "/carte/liste/", "/benevolat/", "/idees/", "/comptes/login/", "/comptes/signup/"]
)
def test_every_page_links_the_trust_pages_in_its_footer(client, path):
    html = footer(client.get(path).content.decode())
    for href, label in FOOTER_LINKS:
        assert href in html, href
        assert label in html, label


def test_the_footer_links_are_also_on_the_pages_of_a_logged_in_resident(client, resident):
    services.accept_terms(resident)
    client.force_login(resident)
    html = footer(client.get("/comptes/profil/").content.decode())
    assert all(href in html for href, _label in FOOTER_LINKS)


def test_privacy_policy_says_what_the_code_keeps_and_for_how_long(client):
    html = client.get("/confidentialite/").content.decode()
    for fact in [
        "six mois après la fin de la mission",  # volunteering.services.CV_RETENTION
        "compte supprimé",  # accounts.services.delete_account
        "Vos <strong>votes</strong> ne sont pas publics",
        "pas encore purgées automatiquement",  # queued e-mails, sessions
        "télécharger toutes vos données",
        "position GPS",  # core.images.reencode strips EXIF
    ]:
        assert fact in html, fact


def test_accessibility_statement_has_what_rgaa_requires(client):
    html = client.get("/accessibilite/").content.decode()
    for fact in [
        "partiellement conforme",
        "axe-core",
        "parcours au clavier",
        "Contenus non accessibles",
        'href="/contact/"',
        "Défenseur des droits",
        "Libre réponse 71120",
    ]:
        assert fact in html, fact


# --- terms of use at sign-up -------------------------------------------------------------------------------------


def test_sign_up_without_accepting_the_terms_is_refused_in_french(client):
    response = client.post("/comptes/signup/", signup_data())
    assert response.status_code == 200
    assert "Vous devez accepter les conditions d&#x27;utilisation pour créer un compte." in response.content.decode()
    assert not User.objects.filter(email="nouvelle@example.org").exists()


def test_sign_up_records_the_accepted_version_of_the_terms(client):
    response = client.post("/comptes/signup/", signup_data(accept_terms="on"))
    assert response.status_code == 302
    user = User.objects.get(email="nouvelle@example.org")
    assert list(user.terms_acceptances.values_list("version", flat=True)) == [terms().version]
    assert not selectors.must_accept_terms(user)


def test_the_sign_up_form_links_the_terms(client):
    html = client.get("/comptes/signup/").content.decode()
    assert 'name="accept_terms"' in html
    assert 'href="/conditions-utilisation/"' in html


def test_api_register_records_the_terms_when_accepted(api_client):
    response = api_client.post(
        "/api/v1/auth/register/",
        {"email": "api@example.org", "password": "un-mot-de-passe-solide", "accept_terms": True},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert TermsAcceptance.objects.filter(user__email="api@example.org", version=terms().version).exists()


def test_api_register_refusing_the_terms_is_a_french_400_and_saves_nothing(api_client):
    response = api_client.post(
        "/api/v1/auth/register/",
        {"email": "api@example.org", "password": "un-mot-de-passe-solide", "accept_terms": False},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["accept_terms"] == [
        "Vous devez accepter les conditions d'utilisation pour créer un compte."
    ]
    assert not User.objects.filter(email="api@example.org").exists()


def test_api_register_without_the_field_keeps_the_v1_contract_and_asks_at_first_log_in(api_client, client):
    response = api_client.post(
        "/api/v1/auth/register/", {"email": "api@example.org", "password": "un-mot-de-passe-solide"}, format="json"
    )
    assert response.status_code == 201
    user = User.objects.get(email="api@example.org")
    assert selectors.must_accept_terms(user)
    logged_in = client.post("/comptes/login/", {"login": "api@example.org", "password": "un-mot-de-passe-solide"})
    assert logged_in.status_code == 302
    assert logged_in["Location"].startswith("/conditions-utilisation/accepter/?next=")


# --- new terms: asked again ---------------------------------------------------------------------------------------


@pytest.fixture
def accepted_v1(resident):
    services.accept_terms(resident)
    return resident


def test_a_substantial_change_shows_a_banner_until_the_new_terms_are_accepted(client, accepted_v1, team_member):
    client.force_login(accepted_v1)
    assert "terms-banner" not in client.get("/carte/liste/").content.decode()

    services.publish_page(
        terms(), title="Conditions d'utilisation", body="Nouvelles règles.", actor=team_member, requires_acceptance=True
    )
    page = client.get("/carte/liste/").content.decode()
    assert "Les conditions d'utilisation ont changé." in page
    assert 'href="/conditions-utilisation/accepter/?next=/carte/liste/"' in page

    asked = client.get("/conditions-utilisation/accepter/").content.decode()
    assert "Nouvelles règles." in asked
    assert "version que vous avez acceptée (version 1)" in asked
    refused = client.post("/conditions-utilisation/accepter/", {"next": "/carte/liste/"})
    assert "Vous devez accepter les conditions d&#x27;utilisation pour continuer." in refused.content.decode()

    accepted = client.post("/conditions-utilisation/accepter/", {"accept": "on", "next": "/carte/liste/"})
    assert accepted.status_code == 302 and accepted["Location"] == "/carte/liste/"
    assert sorted(accepted_v1.terms_acceptances.values_list("version", flat=True)) == [1, 2]
    assert "terms-banner" not in client.get("/carte/liste/").content.decode()


def test_accepting_never_redirects_to_another_site(client, resident):
    client.force_login(resident)
    response = client.post("/conditions-utilisation/accepter/", {"accept": "on", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_a_minor_edit_does_not_ask_again(client, accepted_v1, team_member):
    services.publish_page(terms(), title="Conditions d'utilisation", body="Coquille corrigée.", actor=team_member)
    assert not selectors.must_accept_terms(accepted_v1)


def test_after_a_substantial_change_the_next_log_in_asks_for_the_new_terms(client, accepted_v1, team_member):
    services.publish_page(terms(), title="CGU", body="v2", actor=team_member, requires_acceptance=True)
    response = client.post(
        "/comptes/login/?next=/idees/", {"login": accepted_v1.email, "password": "motdepasse-solide-42"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/conditions-utilisation/accepter/?next=%2Fidees%2F"


def test_an_account_up_to_date_logs_in_where_it_wanted(client, accepted_v1):
    response = client.post(
        "/comptes/login/?next=/idees/", {"login": accepted_v1.email, "password": "motdepasse-solide-42"}
    )
    assert response["Location"] == "/idees/"


# --- editing -------------------------------------------------------------------------------------------------------


def test_the_team_edits_a_page_which_keeps_its_history_and_is_audited(client, team_member):
    client.force_login(team_member)
    assert client.get("/accessibilite/").content.decode().count('href="/pages/accessibilite/modifier/"') == 1
    form = client.get("/pages/accessibilite/modifier/")
    assert form.status_code == 200
    assert 'name="requires_acceptance"' not in form.content.decode()  # only the terms are accepted
    response = client.post(
        "/pages/accessibilite/modifier/",
        {"title": "Déclaration d'accessibilité", "body": "## État\n\nTotalement conforme.", "summary": "Audit fait"},
    )
    assert response.status_code == 302 and response["Location"] == "/accessibilite/"
    html = client.get("/accessibilite/").content.decode()
    assert "<h2>État</h2>" in html and "Totalement conforme." in html
    assert "Version 2" in html
    history = client.get("/pages/accessibilite/versions/").content.decode()
    assert "Audit fait" in history and "Première version" in history
    assert AuditLog.objects.filter(action="pages.page_published", actor=team_member).exists()


def test_a_resident_cannot_edit_a_page(client, resident):
    client.force_login(resident)
    assert 'href="/pages/mentions-legales/modifier/"' not in client.get("/mentions-legales/").content.decode()
    assert client.get("/pages/mentions-legales/modifier/").status_code == 403
    response = client.post("/pages/mentions-legales/modifier/", {"title": "Piraté", "body": "Piraté"})
    assert response.status_code == 403
    assert "Seule l&#x27;équipe de la mission peut modifier cette page." in response.content.decode()
    assert Page.objects.get(slug="mentions-legales").version == 1


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get("/pages/mentions-legales/modifier/")
    assert response.status_code == 302 and response["Location"].startswith("/comptes/login/")


def test_unknown_page_is_a_404(client, team_member):
    client.force_login(team_member)
    assert client.get("/pages/inconnue/modifier/").status_code == 404


def test_markdown_is_sanitised(client, team_member):
    client.force_login(team_member)
    body = (
        "Texte <script>alert('xss')</script>\n\n[clic](javascript:alert(1)) <img src=x onerror=alert(2)>\n\n"
        '<a href="https://exemple.fr" onclick="alert(3)">lien</a>'
    )
    client.post("/pages/mentions-legales/modifier/", {"title": "Mentions légales", "body": body})
    html = client.get("/mentions-legales/").content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    assert "<script>alert" not in main
    assert "javascript:" not in main
    assert "onerror" not in main and "onclick" not in main
    assert 'href="https://exemple.fr"' in main


def test_the_team_edits_a_page_in_the_admin_as_a_new_version(client, team_member):
    client.force_login(team_member)
    page = terms()
    url = f"/admin/pages/page/{page.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "title": "Conditions d'utilisation",
            "body": "Version révisée dans l'admin.",
            "summary": "Révision",
            "requires_acceptance": "on",
            "versions-TOTAL_FORMS": "1",
            "versions-INITIAL_FORMS": "1",
            "versions-MIN_NUM_FORMS": "0",
            "versions-MAX_NUM_FORMS": "1000",
            "versions-0-id": str(page.versions.get().pk),
            "versions-0-page": str(page.pk),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page.refresh_from_db()
    assert (page.version, page.acceptance_version) == (2, 2)
    assert page.body_html == "<p>Version révisée dans l'admin.</p>"
    assert page.versions.count() == 2


def test_a_resident_has_no_access_to_the_pages_admin(client, resident):
    resident.is_staff = True  # even with the admin site open to them
    resident.save()
    client.force_login(resident)
    assert client.get(f"/admin/pages/page/{terms().pk}/change/").status_code == 403


# --- contact -------------------------------------------------------------------------------------------------------


def test_the_contact_form_e_mails_the_team(client):
    TeamUserFactory(email="equipe1@paris.fr")
    TeamUserFactory(email="equipe2@paris.fr")
    UserFactory(email="habitant@example.org")
    response = client.post(
        "/contact/",
        {
            "name": "Awa",
            "email": "awa@example.org",
            "subject": "Accessibilité de la carte",
            "message": "Je n'arrive pas à tracer une ligne au clavier.",
        },
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sorted(sent.to) == ["equipe1@paris.fr", "equipe2@paris.fr"]
    assert sent.reply_to == ["awa@example.org"]
    assert "Accessibilité de la carte" in sent.subject
    assert "Je n'arrive pas à tracer une ligne au clavier." in sent.body
    assert "Votre message a été envoyé à l&#x27;équipe." in client.get("/contact/").content.decode()


def test_the_contact_address_setting_wins(client, settings):
    settings.CONTACT_EMAIL = "participe@paris.fr"
    TeamUserFactory(email="equipe1@paris.fr")
    client.post("/contact/", {"name": "A", "email": "a@example.org", "subject": "S", "message": "M"})
    assert mail.outbox[0].to == ["participe@paris.fr"]


def test_an_incomplete_contact_form_says_what_is_missing_and_sends_nothing(client):
    response = client.post("/contact/", {"name": "Awa", "email": "pas-un-email", "subject": "", "message": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ce champ est obligatoire." in html
    assert "Saisissez une adresse e-mail valide." in html or "adresse électronique valide" in html
    assert not mail.outbox


def test_the_contact_form_is_prefilled_for_a_resident(client, resident):
    client.force_login(resident)
    html = client.get("/contact/").content.decode()
    assert 'value="resident@example.org"' in html and 'value="Camille Habitante"' in html


def test_the_contact_form_is_rate_limited(client, settings):
    cache.clear()
    settings.THROTTLE_ACTIONS = {**settings.THROTTLE_ACTIONS, "message": {"account": "", "ip": "2/min"}}
    data = {"name": "A", "email": "a@example.org", "subject": "S", "message": "M"}
    codes = [client.post("/contact/", data, REMOTE_ADDR="203.0.113.9").status_code for _ in range(3)]
    cache.clear()
    assert codes == [302, 302, 429]
    assert len(mail.outbox) == 2


def test_the_team_reads_who_wrote_and_from_which_account(client, resident):
    client.force_login(resident)
    client.post(
        "/contact/", {"name": "Camille", "email": "camille@example.org", "subject": "Bancs", "message": "Merci."}
    )
    sent = mail.outbox[0]
    assert sent.subject == "[Participe — Contact] Bancs"
    assert (
        sent.body
        == f"De\xa0: Camille <camille@example.org>\nCompte\xa0: resident@example.org (#{resident.pk})\n\nMerci."
    )


def test_an_anonymous_message_names_no_account(client):
    TeamUserFactory(email="equipe1@paris.fr")
    client.post("/contact/", {"name": "Awa", "email": "awa@example.org", "subject": "S", "message": "Bonjour."})
    assert mail.outbox[0].body == "De\xa0: Awa <awa@example.org>\n\nBonjour."


def test_former_team_members_are_not_written_to_and_without_a_team_the_server_address_is(client, settings):
    TeamUserFactory(email="partie@paris.fr", is_active=False)
    UserFactory(email="habitant@example.org")
    client.post("/contact/", {"name": "A", "email": "a@example.org", "subject": "S", "message": "M"})
    assert mail.outbox[0].to == [settings.SERVER_EMAIL]
    TeamUserFactory(email="equipe1@paris.fr")
    client.post("/contact/", {"name": "A", "email": "a@example.org", "subject": "S", "message": "M"})
    assert mail.outbox[1].to == ["equipe1@paris.fr"]


def test_the_history_of_a_page_costs_one_query_whatever_its_length(django_assert_num_queries):
    page = Page.objects.get(slug="accessibilite")
    for n in range(3):
        services.publish_page(page, title=page.title, body=f"Texte {n}", actor=UserFactory(), summary=f"v{n}")
    with django_assert_num_queries(1):
        assert len([v.created_by.email for v in selectors.versions(page) if v.created_by]) == 3


def test_without_an_account_nothing_is_to_accept_and_nothing_was_accepted():
    """No account (a request the authentication middleware never saw, or an anonymous visitor): no banner, no
    version, even with terms published."""
    from django.contrib.auth.models import AnonymousUser

    assert terms().acceptance_version is not None
    for nobody in (None, AnonymousUser()):
        assert selectors.must_accept_terms(nobody) is False
        assert selectors.accepted_terms_version(nobody) is None


def test_the_versions_of_the_terms_are_the_published_ones(team_member):
    page = terms()
    Page.objects.filter(pk=page.pk).update(version=7, acceptance_version=5)
    assert selectors.current_terms_version() == 7
    assert selectors.required_terms_version() == 5
    Page.objects.filter(pk=page.pk).delete()
    assert selectors.current_terms_version() is None and selectors.required_terms_version() is None
