"""A referent triages contributions, links two to a section, edits it and publishes v2; the author sees it."""

import re

import pytest

from strategy import services
from strategy.models import Contribution
from tests.e2e.helpers import assert_accessible, login, resize_and_assert_fits
from tests.factories import TeamUserFactory, UserFactory, theme
from tests.strategy.factories import ChapterFactory, SectionFactory

pytestmark = [pytest.mark.e2e]


@pytest.fixture
def journey(transactional_db, reference_data):
    referent = TeamUserFactory(email="referente@paris.fr", display_name="Nadia Haddad")
    mobility = theme("mobilite")
    mobility.referent = referent
    mobility.save(update_fields=["referent"])
    author = UserFactory(email="camille@example.org", display_name="Camille Martin")
    chapter = ChapterFactory(title="Mobilité : une ville apaisée et accessible", theme=mobility)
    SectionFactory(
        chapter=chapter,
        slug="mobilite-velo",
        title="Une ville 100 % cyclable",
        body="Le Plan vélo prévoit un réseau continu de pistes cyclables.",
    )
    SectionFactory(chapter=chapter, slug="mobilite-rues-enfants", title="Des rues aux écoles", position=1)
    services.publish_version(referent, "Première version de la stratégie.")
    # One contribution per source, created by the sources' own services: the registry fills the inbox.
    from django.contrib.gis.geos import Point

    from mapvotes import services as mapvotes_services
    from tests.ideas.factories import make_idea
    from tests.volunteering.factories import MissionFactory

    proposal = mapvotes_services.create_proposal(
        author,
        title="Arceaux vélo devant l'école Voltaire",
        description="Les parents n'ont nulle part où attacher les vélos.",
        theme="mobilite",
        geometry=Point(2.3805, 48.8575, srid=4326),
    )
    idea = make_idea(UserFactory(), title="Vélo-bus pour les écoliers", themes=("mobilite",), districts=(20,))
    mission = MissionFactory(title="Ateliers de remise en selle", themes=["mobilite"])
    sources = {"map": proposal.pk, "idea": idea.pk, "mission": mission.pk}
    contributions = {key: Contribution.objects.get(source=key, source_id=pk) for key, pk in sources.items()}
    assert {c.assigned_to_id for c in contributions.values()} == {referent.pk}  # each went to the theme's referent
    return referent, author, contributions


def test_referent_integrates_contributions_and_the_author_sees_it(
    journey, page, new_page, live_server_url, sent_emails
):
    referent, author, contributions = journey
    login(page, live_server_url, referent.email)

    # Triage: the mission goes to review, the map proposal and the idea feed the cycling section.
    page.goto(f"{live_server_url}/strategie/equipe/")
    assert page.get_by_role("heading", name="Boîte de réception des contributions").is_visible()
    assert_accessible(page)
    page.check(f"#sel-{contributions['mission'].pk}")
    page.select_option("#bulk-status", "reviewing")
    page.get_by_role("button", name="Appliquer à la sélection").click()
    page.wait_for_load_state("networkidle")
    assert "1 contribution mise à jour." in page.content()
    page.check(f"#sel-{contributions['map'].pk}")
    page.check(f"#sel-{contributions['idea'].pk}")
    page.select_option("#bulk-section", "mobilite-velo")
    page.get_by_role("button", name="Appliquer à la sélection").click()
    page.wait_for_load_state("networkidle")
    statuses = dict(Contribution.objects.values_list("source", "status"))
    assert statuses == {"map": "retained", "idea": "retained", "mission": "reviewing"}

    # Edit the section.
    page.goto(f"{live_server_url}/strategie/equipe/sections/mobilite-velo/")
    assert_accessible(page)
    page.fill(
        "textarea[name=body]",
        "Le Plan vélo prévoit un réseau continu de pistes cyclables et des arceaux devant chaque école.",
    )
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_load_state("networkidle")
    assert "Section enregistrée (révision 2)." in page.content()

    # The mission is linked to a section that will not change: the publish page says so and ticks nothing.
    services.triage(contributions["mission"], referent, status="retained", sections=["mobilite-rues-enfants"])

    # Publish v2.
    page.goto(f"{live_server_url}/strategie/equipe/brouillon/")
    assert page.get_by_role("heading", name="2 contributions seront marquées comme intégrées").is_visible()
    assert page.get_by_text(re.compile(r"section modifiée\s: Une ville 100 % cyclable")).first.is_visible()
    waiting = page.get_by_label(re.compile(r"Ateliers de remise en selle — section inchangée\s: Des rues aux écoles"))
    assert waiting.is_visible() and not waiting.is_checked()
    assert_accessible(page)
    resize_and_assert_fits(page, 375)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.fill("textarea[name=summary]", "Arceaux vélo devant les écoles, à la demande des habitants.")
    page.get_by_role("button", name="Publier", exact=True).click()
    page.wait_for_url(re.compile(r"/strategie/versions/2/$"))
    assert "La version 2 est publiée." in page.content()
    assert_accessible(page)

    statuses = dict(Contribution.objects.values_list("source", "status"))
    assert statuses == {"map": "integrated", "idea": "integrated", "mission": "retained"}

    # The author sees "intégré dans la version 2" with the link to the version and section.
    author_page = new_page()
    login(author_page, live_server_url, author.email)
    author_page.goto(f"{live_server_url}/strategie/contributions/{contributions['map'].pk}/")
    assert author_page.get_by_role("link", name="intégré dans la version 2").is_visible()
    assert_accessible(author_page)
    # ... and on the map proposal's own page, with the link to the section that used it.
    author_page.goto(f"{live_server_url}/carte/propositions/{contributions['map'].source_id}/")
    assert author_page.locator(".strategy-outcome").get_by_role("link", name="intégré dans la version 2").is_visible()
    # The mission, linked to an unchanged section, does not say integrated.
    author_page.goto(f"{live_server_url}/strategie/contributions/{contributions['mission'].pk}/")
    outcome = author_page.locator(".strategy-outcome").inner_text()
    assert "retenu" in outcome and "intégré" not in outcome
    author_page.goto(f"{live_server_url}/strategie/contributions/{contributions['map'].pk}/")
    author_page.locator(".strategy-outcome").get_by_role("link", name=re.compile("Une ville 100 % cyclable")).click()
    author_page.wait_for_url(re.compile(r"/strategie/versions/2/#mobilite-velo$"))
    assert author_page.locator("#mobilite-velo").get_by_text("arceaux devant chaque école").is_visible()
    assert any(m["to"] == author.email and "version 2" in m["subject"] for m in sent_emails()), sent_emails()

    # The diff v1 → v2 shows the change, not by colour alone.
    author_page.goto(f"{live_server_url}/strategie/comparer/?from=1&to=2")
    inserted = author_page.locator("#diff-mobilite-velo ~ .diff-body ins").first
    assert "arceaux devant chaque école" in inserted.inner_text()
    assert "ajouté" in inserted.inner_text()
    assert "mots ajoutés" in author_page.locator("#diff-mobilite-velo ~ .meta").inner_text()
    assert_accessible(author_page)
    resize_and_assert_fits(author_page, 375)

    # The team's similar page on a phone: suggestions only, nothing ticked.
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server_url}/strategie/equipe/similaires/")
    assert page.locator("input:checked").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)

    # The PDF export opens.
    response = author_page.request.get(f"{live_server_url}/strategie/versions/2/strategie.pdf")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")
