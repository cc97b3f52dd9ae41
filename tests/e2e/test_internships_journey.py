"""A direction publishes a paid internship; a student finds it by level, paid and place, applies with a CV and a
cover letter; the direction's correspondent invites them and declines the others at once; the office reads its figures."""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from core import places
from tests.e2e.helpers import assert_accessible, login
from tests.factories import MembershipFactory, TeamUserFactory, UserFactory
from tests.volunteering.factories import MINIMAL_PDF, ApplicationFactory, DirectionFactory

pytestmark = [pytest.mark.e2e]


def test_internship_journey(new_page, live_server_url, transactional_db, reference_data, sent_emails, tmp_path):
    places.load()
    direction = DirectionFactory(name="Direction des Espaces Verts et de l'Environnement")
    correspondent = MembershipFactory(
        organization=direction, user=UserFactory(email="correspondant@paris.fr"), role="correspondent"
    ).user
    UserFactory(email="ines@example.org", display_name="Inès Étudiante")
    office = TeamUserFactory(email="bureau@paris.fr")
    office.user_permissions.add(Permission.objects.get(codename="internship_office"))
    start = timezone.localdate() + datetime.timedelta(days=20)

    # The direction's correspondent publishes a paid internship of 12 weeks.
    service = new_page()
    service.set_default_timeout(60000)
    login(service, live_server_url, correspondent.email)
    service.goto(live_server_url + "/benevolat/stages/nouveau/")
    assert_accessible(service)
    service.fill("#id_title", "Stage jardinier au parc Monceau")
    service.fill("#id_description", "Rejoindre l'équipe des jardiniers du parc Monceau.")
    service.fill("#id_address", "Place de la République")
    service.fill("#id_start_date", start.isoformat())
    service.fill("#id_end_date", (start + datetime.timedelta(weeks=12)).isoformat())
    service.fill("#id_places", "2")
    service.fill("#id_trade", "Jardinier paysagiste")
    service.select_option("#id_level", "cap_bac")
    service.fill("#id_tasks", "Tailler, planter, arroser les massifs.")
    service.fill("#id_duration_weeks", "12")
    service.fill("#id_weekly_hours", "35")
    # Unpaid over 8 weeks: refused, in French, on the "paid" box.
    service.get_by_role("button", name="Publier", exact=True).click()
    service.wait_for_load_state("networkidle")
    assert "doit être rémunéré" in service.locator("main").inner_text()
    assert_accessible(service)
    service.get_by_label("Stage gratifié").check()
    service.get_by_role("button", name="Publier", exact=True).click()
    service.wait_for_url(re.compile(r"/benevolat/missions/\d+/$"))
    offer_id = int(re.search(r"/missions/(\d+)/", service.url).group(1))

    from volunteering.models import Mission

    offer = Mission.objects.get(pk=offer_id)
    assert (offer.kind, offer.paid, offer.duration_weeks) == ("internship", True, 12)
    others = [ApplicationFactory(mission=offer) for _ in range(2)]

    # The student finds it by level, paid and place, and applies with a CV and a cover letter.
    student = new_page(viewport={"width": 390, "height": 844})
    student.set_default_timeout(60000)
    login(student, live_server_url, "ines@example.org")
    student.goto(live_server_url + "/benevolat/stages/")
    student.locator("summary", has_text="Filtres").click()
    student.locator("input[name=level][value=cap_bac]").check()
    student.select_option("#f-direction", str(direction.pk))  # the offers of the Direction des Espaces Verts
    student.select_option("#f-paid", "true")
    student.fill("#f-near", "place de la republique")
    student.get_by_role("button", name="Rechercher").click()
    student.wait_for_load_state("networkidle")
    assert (
        "level=cap_bac" in student.url and "paid=true" in student.url and f"organization={direction.pk}" in student.url
    )
    assert_accessible(student)
    student.get_by_role("link", name="Stage jardinier au parc Monceau").click()
    student.wait_for_load_state("networkidle")
    assert "Bac" in student.locator("main").inner_text() or "CAP" in student.locator("main").inner_text()
    assert_accessible(student)
    cv = tmp_path / "cv-ines.pdf"
    cv.write_bytes(MINIMAL_PDF)
    student.fill("#id_message", "Je prépare un CAP jardinier paysagiste et le parc Monceau me tient à cœur.")
    student.set_input_files("#id_cv", str(cv))
    student.get_by_role("button", name="Envoyer ma candidature").click()
    student.wait_for_url(re.compile(r"/benevolat/mes-candidatures/$"))

    # The service invites the student and declines the two others in one action.
    service.goto(f"{live_server_url}/benevolat/organisations/{direction.slug}/tableau-de-bord/?mission={offer_id}")
    service.wait_for_load_state("networkidle")
    row = service.locator("tr", has_text="Inès Étudiante")
    assert row.get_by_role("link", name=re.compile("Lire le CV")).is_visible()
    row.locator("input[name=ids]").check()
    service.select_option("#id_status", "invited")
    service.fill("#id_message", "Rendez-vous à la maison du jardinier, {name}.")
    service.fill("#id_convocation_at", (start - datetime.timedelta(days=5)).isoformat() + "T10:00")
    service.fill("#id_convocation_place", "Parc Monceau, maison du jardinier")
    service.get_by_role("button", name="Appliquer à la sélection").click()
    service.wait_for_load_state("networkidle")
    assert "convoqué" in service.locator("tr", has_text="Inès Étudiante").inner_text()
    for other in others:
        service.locator(f"tr[data-application='{other.pk}'] input[name=ids]").check()
    service.select_option("#id_status", "declined")
    service.fill("#id_message", "Merci {name} pour votre candidature à « {mission} ».")
    service.get_by_role("button", name="Appliquer à la sélection").click()
    service.wait_for_load_state("networkidle")
    for other in others:
        assert "déclinée" in service.locator(f"tr[data-application='{other.pk}']").inner_text()
    assert_accessible(service)
    mails = sent_emails()
    assert any("ines@example.org" in (m["to"] or "") and "convoqué" in m["subject"] for m in mails)

    # The internship office reads the figures (tables become cards on a phone).
    desk = new_page(viewport={"width": 390, "height": 844})
    desk.set_default_timeout(60000)
    login(desk, live_server_url, office.email)
    desk.goto(live_server_url + "/benevolat/stages/bureau-des-stages/")
    desk.wait_for_load_state("networkidle")
    text = desk.locator("main").inner_text()
    assert "Direction des Espaces Verts" in text and "Délai médian" in text
    # The answer times: every application of the offer was answered (invited, declined), in under an hour.
    row = desk.locator("section[aria-labelledby=by-direction] tbody tr", has_text="Direction des Espaces Verts")
    cells = row.locator("td").all_inner_texts()
    assert cells[-2].replace("\u00a0", " ") == "100 %", cells
    assert re.fullmatch(r"\d+\u00a0min", cells[-1]), cells  # answered within the hour: minutes, not "0,0 h"
    assert desk.locator("svg[role=img] title", has_text="Délai médian de première réponse par direction").count() == 1
    assert_accessible(desk)
    # and the same figures in a spreadsheet
    with desk.expect_download() as download:
        desk.get_by_role("link", name="Télécharger ces chiffres (CSV)").click()
    assert download.value.suggested_filename == "stages-ville-de-paris.csv"
