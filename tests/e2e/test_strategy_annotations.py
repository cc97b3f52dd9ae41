"""A resident annotates a paragraph with the keyboard, the referent accepts the amendment, the team publishes, and
the resident's contribution says it is integrated, with the diff, while one linked to an unchanged section does not;
a sentence is chosen by selecting it (mouse, touch) or from the form's list (keyboard)."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from strategy import consultations, services
from strategy.models import Annotation, Contribution, Version
from tests.e2e.helpers import assert_accessible, login
from tests.factories import TeamUserFactory, UserFactory, theme
from tests.strategy.factories import ChapterFactory, ContributionFactory, SectionFactory

pytestmark = [pytest.mark.e2e]


@pytest.fixture
def consultation(transactional_db, reference_data):
    referent = TeamUserFactory(email="referente@paris.fr", display_name="Nadia Haddad")
    mobility = theme("mobilite")
    mobility.referent = referent
    mobility.save(update_fields=["referent"])
    resident = UserFactory(email="camille@example.org", display_name="Camille Martin")
    chapter = ChapterFactory(title="Mobilité", theme=mobility)
    section = SectionFactory(
        chapter=chapter,
        slug="mobilite-velo",
        title="Une ville 100 % cyclable",
        body=(
            "Le Plan vélo prévoit un réseau continu de pistes cyclables. Il relie *tous* les arrondissements.\n\n"
            "Chaque arrondissement aura un parking vélo sécurisé.\n\n"
            "Les rues scolaires sont fermées aux voitures."
        ),
    )
    SectionFactory(
        chapter=chapter,
        slug="mobilite-rues",
        title="Des rues apaisées",
        body="Les rues aux écoles deviennent piétonnes.",
        position=1,
    )
    services.publish_version(referent, "Première version.")
    now = timezone.now()
    consultations.open_consultation(
        referent,
        title="Consultation d'automne",
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(days=20),
        sections=[section.slug],
        questions={section.slug: "Que faut-il ajouter ?"},
    )
    return referent, resident, section


def test_resident_amends_a_paragraph_with_the_keyboard_and_sees_it_integrated(
    consultation, page, new_page, live_server_url
):
    referent, resident, section = consultation
    login(page, live_server_url, resident.email)
    page.goto(f"{live_server_url}/")
    assert page.get_by_role("link", name="Consultation ouverte jusqu", exact=False).first.is_visible()
    page.goto(f"{live_server_url}/strategie/consultation/mobilite-velo/")
    assert page.get_by_text("Que faut-il ajouter ?").is_visible()
    assert_accessible(page)

    # Keyboard only: reach the second paragraph's "Annoter ce paragraphe", open it, fill the form, send it.
    summary = page.locator("#paragraphe-1 summary")
    summary.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # the passage: left empty, the whole paragraph
    page.keyboard.press("Tab")  # the kind: a radio group
    page.keyboard.press("ArrowRight")  # amendment
    page.keyboard.press("Tab")  # stance
    page.keyboard.press("Tab")
    page.keyboard.type("Un parking par quartier serait plus utile.")
    page.keyboard.press("Tab")
    page.keyboard.type("Chaque quartier aura un parking vélo sécurisé.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#annotation-\d+$"))
    assert "votre annotation est publiée" in page.content()
    annotation = Annotation.objects.get()
    assert (annotation.kind, annotation.paragraph) == ("amendment", 1)
    listed = page.locator(f"#paragraphe-1 #annotation-{annotation.pk}")
    assert listed.get_by_text("Chaque quartier aura un parking vélo sécurisé.").is_visible()
    assert_accessible(page)

    # The referent accepts it: the draft changes in one click.
    team = new_page()
    login(team, live_server_url, referent.email)
    team.goto(f"{live_server_url}/strategie/consultation/mobilite-velo/")
    assert_accessible(team)
    team.get_by_role("button", name="Accepter et appliquer au brouillon").click()
    team.wait_for_url(re.compile(r"#annotation-\d+$"))
    assert "L'amendement est appliqué au brouillon" in team.content()
    section.refresh_from_db()
    assert "Chaque quartier aura un parking vélo sécurisé." in section.body

    # Another contribution is linked to a section this version does not change.
    elsewhere = ContributionFactory(title="Des bancs devant les écoles")
    services.triage(elsewhere, referent, sections=["mobilite-rues"])

    # The team publishes from its page: it lists both groups, and nothing is ticked for the unchanged section.
    team.goto(f"{live_server_url}/strategie/equipe/brouillon/")
    assert team.locator(".publish-list").first.get_by_text("Chaque quartier aura un parking").is_visible()
    unchanged = team.get_by_role("checkbox", name="Des bancs devant les écoles", exact=False)
    assert unchanged.is_visible() and not unchanged.is_checked()
    assert_accessible(team)
    team.get_by_label("Résumé des changements", exact=False).fill("Amendements de la consultation d'automne.")
    team.get_by_role("button", name="Publier").click()
    team.wait_for_load_state("networkidle")
    assert Version.objects.filter(number=2).exists()

    # The resident's page: integrated in v2, with the section's title and what v2 changed in it.
    contribution = Contribution.objects.get(source="annotation", source_id=annotation.pk)
    page.goto(f"{live_server_url}/strategie/contributions/{contribution.pk}/")
    assert page.get_by_text("intégré dans la version 2, section « Une ville 100 % cyclable »").first.is_visible()
    added = page.locator(".diff-body ins").filter(has_text="quartier").first
    assert added.is_visible() and "ajouté" in added.inner_text()
    assert page.get_by_role("link", name="Comparer tout le texte, v1 → v2").is_visible()
    assert_accessible(page)
    # …while the contribution linked to the unchanged section is not integrated, and shows no diff.
    page.goto(f"{live_server_url}/strategie/contributions/{elsewhere.pk}/")
    assert page.get_by_text("retenu par l'équipe de la mission", exact=False).is_visible()
    assert "intégré dans la version" not in page.content() and not page.locator(".diff-body").count()
    # The version's notes credit the amendment and its author.
    page.goto(f"{live_server_url}/strategie/versions/2/")
    assert page.locator(".credits").get_by_text("proposé par Camille Martin", exact=False).is_visible()
    assert_accessible(page)


def test_resident_chooses_a_sentence_by_selecting_it_or_from_the_list(consultation, page, live_server_url):
    _referent, resident, _section = consultation
    login(page, live_server_url, resident.email)
    page.goto(f"{live_server_url}/strategie/consultation/mobilite-velo/")
    # Mouse (or touch): selecting a word of the second sentence chooses that whole sentence, highlighted.
    page.locator("#paragraphe-0 .section-body em").dblclick()
    passage = page.locator("#quote-0")
    passage.wait_for(state="visible")
    assert passage.input_value() == "Il relie *tous* les arrondissements."
    assert page.locator("#chosen-0").inner_text().startswith("Passage choisi")
    assert page.evaluate("CSS.highlights.has('annotation-choice')")
    assert page.evaluate("CSS.highlights.get('annotation-choice').values().next().value.toString()") == (
        "Il relie tous les arrondissements."
    )
    # A selection across both sentences chooses both.
    box = page.locator("#paragraphe-0 .section-body p").bounding_box()
    page.mouse.move(box["x"] + 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] - 2, box["y"] + box["height"] - 2)
    page.mouse.up()
    expect(passage).to_have_value(
        "Le Plan vélo prévoit un réseau continu de pistes cyclables. Il relie *tous* les arrondissements."
    )
    page.locator("#body-0").fill("Et les communes voisines ?")
    page.locator("#paragraphe-0").get_by_role("button", name="Publier mon annotation").click()
    page.wait_for_url(re.compile(r"#annotation-\d+$"))
    assert Annotation.objects.get().quote.startswith("Le Plan vélo prévoit")

    # Keyboard: the form's list of sentences, reached with Tab, chosen with the arrows.
    page.goto(f"{live_server_url}/strategie/consultation/mobilite-velo/")
    page.locator("#paragraphe-0 details.annotate summary").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "sentence-0"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.locator("#sentence-0").input_value() == "1"
    page.locator("#body-0").fill("Oui, tous.")
    page.locator("#paragraphe-0").get_by_role("button", name="Publier mon annotation").click()
    page.wait_for_url(re.compile(r"#annotation-\d+$"))
    assert Annotation.objects.order_by("-pk").first().quote == "Il relie *tous* les arrondissements."
    assert_accessible(page)


def test_phone_layout_has_no_horizontal_overflow(consultation, new_page, live_server_url):
    _referent, resident, _section = consultation
    phone = new_page(viewport={"width": 360, "height": 740})
    login(phone, live_server_url, resident.email)
    phone.goto(f"{live_server_url}/strategie/consultation/mobilite-velo/")
    phone.locator("#paragraphe-0 summary").click()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(phone)
