"""A referent triages contributions, links two to a section, edits it and publishes v2; the author sees it."""

import re

import pytest

from strategy import services
from strategy.models import Contribution
from tests.e2e.helpers import assert_accessible, login
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
    page.get_by_role("button", name="Appliquer").nth(1).click()
    page.wait_for_load_state("networkidle")
    assert "1 contributions mises à jour." in page.content()
    page.check(f"#sel-{contributions['map'].pk}")
    page.check(f"#sel-{contributions['idea'].pk}")
    page.select_option("#bulk-section", "mobilite-velo")
    page.get_by_role("button", name="Appliquer").nth(1).click()
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

    # Publish v2.
    page.goto(f"{live_server_url}/strategie/equipe/brouillon/")
    assert_accessible(page)
    page.fill("textarea[name=summary]", "Arceaux vélo devant les écoles, à la demande des habitants.")
    page.get_by_role("button", name="Publier", exact=True).click()
    page.wait_for_url(re.compile(r"/strategie/versions/2/$"))
    assert "La version 2 est publiée." in page.content()
    assert_accessible(page)

    # The author sees "intégré dans v2" with the link to the version and section.
    author_page = new_page()
    login(author_page, live_server_url, author.email)
    author_page.goto(f"{live_server_url}/strategie/contributions/{contributions['map'].pk}/")
    assert author_page.get_by_text("intégré dans v2").is_visible()
    assert_accessible(author_page)
    # ... and on the map proposal's own page, with the link to the section that used it.
    author_page.goto(f"{live_server_url}/carte/propositions/{contributions['map'].source_id}/")
    assert author_page.locator(".strategy-outcome").get_by_text("intégré dans v2").is_visible()
    author_page.goto(f"{live_server_url}/strategie/contributions/{contributions['map'].pk}/")
    author_page.get_by_role("link", name=re.compile("Une ville 100 % cyclable")).click()
    author_page.wait_for_url(re.compile(r"/strategie/versions/2/#mobilite-velo$"))
    assert author_page.locator("#mobilite-velo").get_by_text("arceaux devant chaque école").is_visible()
    assert any(m["to"] == author.email and "version 2" in m["subject"] for m in sent_emails()), sent_emails()

    # The diff v1 → v2 shows the change, not by colour alone.
    author_page.goto(f"{live_server_url}/strategie/comparer/?from=1&to=2")
    inserted = author_page.locator("#diff-mobilite-velo ~ .diff-body ins").first
    assert "arceaux devant chaque école" in inserted.inner_text()
    assert "ajouté" in inserted.inner_text()
    assert_accessible(author_page)

    # The PDF export opens.
    response = author_page.request.get(f"{live_server_url}/strategie/versions/2/strategie.pdf")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")
