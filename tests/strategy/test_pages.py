"""Public pages, exports, team pages and their permissions, query counts of the inbox."""

import re

import pytest
from django.test import Client

from strategy import services
from strategy.models import Contribution, Version
from tests.factories import MembershipFactory, UnverifiedUserFactory, UserFactory, district
from tests.strategy.factories import ContributionFactory


def browser_for(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def v2(v1, sections, team_member):
    services.edit_section(
        sections[0], team_member, "Le Plan vélo prévoit un réseau continu et sécurisé.", sections[0].revision
    )
    return services.publish_version(team_member, "Réseau sécurisé.")


def test_public_pages_of_the_document(v2, client):
    current = client.get("/strategie/")
    assert current.status_code == 200
    assert "version en vigueur" in current.content.decode()
    past = client.get("/strategie/versions/1/").content.decode()
    assert "Ceci est une version antérieure." in past
    assert client.get("/strategie/versions/").status_code == 200
    history = client.get("/strategie/sections/mobilite-velo/").content.decode()
    assert "Version 2" in history and "Version 1" in history
    assert client.get("/strategie/sections/inconnue/").status_code == 404
    assert client.get("/strategie/versions/7/").status_code == 404


def test_diff_page_shows_insertions_and_deletions_with_words(v2, client):
    html = client.get("/strategie/comparer/?from=1&to=2").content.decode()
    assert "<ins>" in html and "[ajouté\u00a0:]" in html
    assert "sécurisé" in html
    assert 'id="diff-mobilite-velo"' in html
    assert 'id="diff-mobilite-rues-enfants"' not in html  # unchanged sections are left out
    assert re.search(r"\d+ mots? ajoutés?, \d+ mots? supprimés?", html)
    assert "1 mots" not in html and "0 mots" not in html
    assert client.get("/strategie/comparer/?from=1&to=99").status_code == 400


def test_pdf_export_is_a_real_pdf(v2, client):
    response = client.get("/strategie/versions/2/strategie.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert len(response.content) > 2000


def test_markdown_export_contains_the_version_text(v2, client):
    text = client.get("/strategie/versions/1/strategie.md").content.decode()
    assert text.startswith("# Paris intelligente et durable")
    assert "### Une ville 100 % cyclable" in text
    assert "Le Plan vélo prévoit un réseau continu de pistes cyclables." in text


def test_atom_feed_lists_versions(v2, client):
    response = client.get("/strategie/flux.atom")
    assert response["Content-Type"].startswith("application/atom+xml")
    body = response.content.decode()
    assert "<feed" in body and "Réseau sécurisé." in body and "/strategie/versions/2/" in body


def test_contribution_page_says_integrated_in_v2_with_the_link(v1, sections, team_member, resident, client):
    c = ContributionFactory(author=resident, title="Arceaux devant les écoles")
    services.triage(c, team_member, sections=["mobilite-velo"])
    services.edit_section(sections[0], team_member, "Arceaux.", sections[0].revision)
    services.publish_version(team_member, "v2")
    html = client.get(f"/strategie/contributions/{c.pk}/").content.decode()
    assert "intégré dans la version 2" in html
    assert "«\u00a0Une ville 100 % cyclable\u00a0»" in html
    assert 'href="/strategie/versions/2/#mobilite-velo"' in html
    assert "Tri (équipe)" not in html


@pytest.mark.parametrize(
    "url",
    [
        "/strategie/equipe/",
        "/strategie/equipe/similaires/",
        "/strategie/equipe/hors-ligne/",
        "/strategie/equipe/brouillon/",
        "/strategie/equipe/sections/mobilite-velo/",
    ],
)
def test_team_pages_refuse_everyone_else(url, sections):
    for user in (UnverifiedUserFactory(), UserFactory(), MembershipFactory().user):
        assert browser_for(user).get(url).status_code == 403
    assert browser_for().get(url).status_code == 302  # to the login page


def test_team_pages_render_for_the_team(sections, team_member):
    client = browser_for(team_member)
    for url in [
        "/strategie/equipe/",
        "/strategie/equipe/?q=vélo&sort=relevance",
        "/strategie/equipe/similaires/",
        "/strategie/equipe/hors-ligne/",
        "/strategie/equipe/brouillon/",
        "/strategie/equipe/sections/mobilite-velo/",
        "/strategie/tableau-de-bord/",
    ]:
        assert client.get(url).status_code == 200, url
    assert client.get("/strategie/equipe/?district=99").status_code == 400


def test_inbox_query_count_does_not_grow_with_rows(sections, team_member, django_assert_max_num_queries):
    for i in range(30):
        c = ContributionFactory(district=district(1 + i % 20), assigned_to=team_member)
        services.triage(c, team_member, sections=["mobilite-velo"])
    client = browser_for(team_member)
    client.get("/strategie/equipe/")  # warm the session
    with django_assert_max_num_queries(14):
        response = client.get("/strategie/equipe/?theme=mobilite&sort=support")
    assert response.content.decode().count('name="ids"') == 25


def test_bulk_form_and_triage_form(sections, team_member):
    a, b = ContributionFactory(), ContributionFactory()
    client = browser_for(team_member)
    client.post("/strategie/equipe/actions/", {"ids": [a.pk, b.pk], "status": "reviewing", "sections": ""})
    assert set(Contribution.objects.values_list("status", flat=True)) == {"reviewing"}
    response = client.post(f"/strategie/equipe/contributions/{a.pk}/", {"status": "rejected", "public_reason": ""})
    assert response.status_code == 400
    assert "Indiquez publiquement pourquoi" in response.content.decode()
    client.post(
        f"/strategie/equipe/contributions/{a.pk}/",
        {"status": "retained", "sections": ["mobilite-velo"], "public_reason": ""},
    )
    a.refresh_from_db()
    assert a.status == "retained" and a.links.get().section.slug == "mobilite-velo"


def test_section_editor_conflict_page_keeps_both_texts(sections, team_member):
    client = browser_for(team_member)
    services.edit_section(sections[0], team_member, "Texte de Léa", 1)
    response = client.post(
        "/strategie/equipe/sections/mobilite-velo/",
        {"title": "Une ville 100 % cyclable", "body": "Texte de Marc", "revision": 1},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Conflit de modification" in html and "Texte de Marc" in html and "Texte de Léa" in html
    sections[0].refresh_from_db()
    assert sections[0].body == "Texte de Léa"


def test_publish_form(sections, team_member):
    client = browser_for(team_member)
    assert client.post("/strategie/equipe/brouillon/", {"summary": ""}).status_code == 400
    response = client.post("/strategie/equipe/brouillon/", {"summary": "Première version."})
    assert response.status_code == 302 and response["Location"] == "/strategie/versions/1/"
    assert client.post("/strategie/equipe/brouillon/", {"summary": "Rien"}).status_code == 400
    assert Version.objects.count() == 1


def test_offline_form_creates_an_inbox_entry(team_member):
    client = browser_for(team_member)
    response = client.post(
        "/strategie/equipe/hors-ligne/",
        {
            "title": "Plus de bancs",
            "text": "Demande d'un atelier seniors.",
            "event": "Atelier seniors, 15e",
            "event_date": "2026-10-01",
            "participants": "12",
            "theme": "mobilite",
            "district": "15",
        },
    )
    assert response.status_code == 302
    c = Contribution.objects.get(title="Plus de bancs")
    assert (c.source, c.district.number, c.participants) == ("offline", 15, 12)


def test_residents_comment_on_a_section(sections, resident, unverified):
    response = browser_for(resident).post(
        "/strategie/sections/mobilite-velo/", {"body": "Et près des écoles !", "quote": "près des gares"}
    )
    assert response.status_code == 302
    assert Contribution.objects.filter(source="comment").count() == 1
    browser_for(unverified).post("/strategie/sections/mobilite-velo/", {"body": "Spam"})
    assert Contribution.objects.filter(source="comment").count() == 1


def test_public_dashboard_has_charts_with_tables_and_no_personal_data(v1, resident, client):
    ContributionFactory(author=resident, district=district(11))
    html = client.get("/strategie/tableau-de-bord/").content.decode()
    assert html.count("<svg") >= 5 and html.count("<table") >= 5
    assert 'data-district="11"' in html
    assert resident.display_name not in html and resident.email not in html
