"""An association publishes; a volunteer finds the mission by radius and theme and applies with a PDF; the
association sees it arrive live, shortlists, invites, declines the others in bulk; the volunteer follows."""

import datetime
import re

import pytest
from django.utils import timezone

from core import places
from tests.e2e.helpers import assert_accessible, login
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.volunteering.factories import MINIMAL_PDF, ApplicationFactory

pytestmark = [pytest.mark.e2e]


def test_volunteering_journey(new_page, live_server_url, transactional_db, reference_data, sent_emails, tmp_path):
    places.load()
    organization = OrganizationFactory(name="Les Jardins Partagés du 11e")
    association = MembershipFactory(organization=organization, user=UserFactory(email="asso@example.org")).user
    UserFactory(email="lea@example.org", display_name="Léa Bénévole")
    start = timezone.localdate() + datetime.timedelta(days=10)

    # The association publishes a mission.
    asso = new_page()
    asso.set_default_timeout(60000)  # the shared test machine can be very slow
    login(asso, live_server_url, association.email)
    asso.goto(live_server_url + "/benevolat/missions/nouvelle/")
    asso.fill("#id_title", "Désherbage du jardin Truillot")
    asso.fill("#id_description", "Une matinée pour désherber et pailler les carrés potagers avec les voisins.")
    asso.get_by_label("Solidarité").check()
    asso.get_by_label("Végétalisation").check()
    asso.fill("#id_address", "Place de la République")  # geocoded from the gazetteer (no address service here)
    asso.select_option("#id_schedule", "period")
    asso.fill("#id_start_date", start.isoformat())
    asso.fill("#id_end_date", (start + datetime.timedelta(days=30)).isoformat())
    asso.fill("#id_places", "3")
    asso.get_by_role("button", name="Publier", exact=True).click()
    asso.wait_for_url(re.compile(r"/benevolat/missions/\d+/$"))
    mission_id = int(re.search(r"/missions/(\d+)/", asso.url).group(1))

    # Two other volunteers have applied already; the association keeps its dashboard open.
    from volunteering.models import Mission

    mission = Mission.objects.get(pk=mission_id)
    others = [ApplicationFactory(mission=mission) for _ in range(2)]
    asso.goto(f"{live_server_url}/benevolat/organisations/{organization.slug}/tableau-de-bord/?mission={mission_id}")
    asso.wait_for_load_state("networkidle")
    assert_accessible(asso)

    # The volunteer finds it by radius and theme.
    volunteer = new_page()
    volunteer.set_default_timeout(60000)
    login(volunteer, live_server_url, "lea@example.org")
    volunteer.goto(live_server_url + "/benevolat/")
    volunteer.locator("input[name=theme][value=vegetalisation]").check()
    volunteer.fill("#f-near", "place de la republique")
    volunteer.fill("#f-radius", "1")
    volunteer.get_by_role("button", name="Rechercher").click()
    volunteer.wait_for_load_state("networkidle")
    assert "theme=vegetalisation" in volunteer.url and "radius_km=1" in volunteer.url
    assert_accessible(volunteer)
    volunteer.get_by_role("link", name="Désherbage du jardin Truillot").click()
    volunteer.wait_for_load_state("networkidle")
    assert_accessible(volunteer)

    # ... and applies with a PDF.
    cv = tmp_path / "cv-lea.pdf"
    cv.write_bytes(MINIMAL_PDF)
    volunteer.fill("#id_message", "Bonjour, j'habite à deux rues et j'adore jardiner !")
    volunteer.set_input_files("#id_cv", str(cv))
    volunteer.get_by_role("button", name="Envoyer ma candidature").click()
    volunteer.wait_for_url(re.compile(r"/benevolat/mes-candidatures/$"))

    # The association sees it arrive live, without reloading.
    live = asso.locator("#live-applications")
    live.get_by_text(re.compile("Nouvelle candidature : Léa Bénévole")).wait_for(timeout=60000)

    # Shortlist, then invite, the new application.
    asso.reload()
    row = asso.locator("tr", has_text="Léa Bénévole")
    assert row.get_by_role("link", name=re.compile("Lire le CV")).is_visible()
    row.locator("input[name=ids]").check()
    asso.select_option("#id_status", "shortlisted")
    asso.get_by_role("button", name="Appliquer à la sélection").click()
    asso.wait_for_load_state("networkidle")
    assert "présélectionnée" in asso.locator("tr", has_text="Léa Bénévole").inner_text()

    asso.locator("tr", has_text="Léa Bénévole").locator("input[name=ids]").check()
    asso.select_option("#id_status", "invited")
    asso.fill("#id_message", "Rendez-vous au jardin, {name} !")
    asso.fill("#id_convocation_at", (start - datetime.timedelta(days=3)).isoformat() + "T18:30")
    asso.fill("#id_convocation_place", "Jardin Truillot, entrée impasse")
    asso.get_by_role("button", name="Appliquer à la sélection").click()
    asso.wait_for_load_state("networkidle")
    assert "convoquée" in asso.locator("tr", has_text="Léa Bénévole").inner_text()

    # Decline the others in bulk with one kind, templated message.
    for other in others:
        asso.locator(f"tr[data-application='{other.pk}'] input[name=ids]").check()
    asso.select_option("#id_status", "declined")
    asso.fill("#id_message", "Merci {name} pour votre intérêt pour « {mission} ». Nous gardons votre contact.")
    asso.get_by_role("button", name="Appliquer à la sélection").click()
    asso.wait_for_load_state("networkidle")
    for other in others:
        assert "déclinée" in asso.locator(f"tr[data-application='{other.pk}']").inner_text()

    # The volunteer sees the status and got the e-mails.
    volunteer.goto(live_server_url + "/benevolat/mes-candidatures/")
    assert "convoquée" in volunteer.locator("table").inner_text()
    assert "Jardin Truillot, entrée impasse" in volunteer.locator("table").inner_text()
    mails = sent_emails()
    to_lea = [m for m in mails if "lea@example.org" in (m["to"] or "")]
    assert any("présélectionnée" in m["subject"] for m in to_lea)
    invitation = next(m for m in to_lea if "convoqué" in m["subject"])
    assert "Rendez-vous au jardin, Léa Bénévole !" in invitation["body"]
    declined = [m for m in mails if "n'a pas été retenue" in m["subject"]]
    assert len(declined) == 2
    assert all("Désherbage du jardin Truillot" in m["body"] for m in declined)
    assert any("asso@example.org" in (m["to"] or "") and "Nouvelle candidature" in m["subject"] for m in mails)
