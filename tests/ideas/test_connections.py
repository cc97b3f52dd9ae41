"""Connections: contact details only after acceptance, e-mails and live notifications, need covered."""

import pytest
from django.core import mail
from django.test import Client

from core.models import Notification
from ideas import selectors, services
from ideas.models import Idea, TimelineEvent
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_contact_details_hidden_until_accepted(idea, holder, partner, partner_member):
    connection = services.propose_connection(partner_member, idea, partner=partner, need=idea.needs.first())
    assert selectors.contacts(connection) is None
    pending = client_for(holder).get(f"/api/v1/connections/{connection.pk}/").json()
    assert pending["contacts"] is None
    assert holder.email not in str(client_for(partner_member).get(f"/api/v1/connections/{connection.pk}/").json())
    browser = Client()
    browser.force_login(partner_member)
    page = browser.get(f"/idees/mises-en-relation/{connection.pk}/")
    assert page.status_code == 200
    assert holder.email not in page.content.decode()

    services.decide_connection(holder, connection, "accepted")
    connection.refresh_from_db()
    contacts = selectors.contacts(connection)
    assert contacts["holder"]["email"] == holder.email
    assert contacts["partner"]["name"] == "Énergies Citoyennes Paris"
    assert holder.email in browser.get(f"/idees/mises-en-relation/{connection.pk}/").content.decode()


def test_declined_connection_reveals_nothing_and_can_be_proposed_again(idea, holder, partner, partner_member):
    need = idea.needs.first()
    connection = services.propose_connection(partner_member, idea, partner=partner, need=need)
    services.decide_connection(holder, connection, "declined")
    connection.refresh_from_db()
    assert selectors.contacts(connection) is None
    need.refresh_from_db()
    assert not need.covered
    again = services.propose_connection(partner_member, idea, partner=partner, need=need)
    assert again.pk != connection.pk


def test_messages_send_email_and_notification_to_other_side(
    idea, holder, partner, partner_member, django_capture_on_commit_callbacks
):
    connection = services.propose_connection(partner_member, idea, partner=partner, need=idea.needs.first())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.post_message(holder, connection, "Pouvons-nous nous voir jeudi ?")
    assert [m.to for m in mail.outbox] == [[partner_member.email]]
    assert "Pouvons-nous nous voir jeudi ?" in mail.outbox[0].body
    assert Notification.objects.filter(recipient=partner_member, kind="ideas.message").exists()
    assert not Notification.objects.filter(recipient=holder, kind="ideas.message").exists()


def test_acceptance_covers_need_moves_status_and_writes_timeline(
    idea, holder, partner, partner_member, django_capture_on_commit_callbacks
):
    need = idea.needs.get(kind="funding")
    connection = services.propose_connection(partner_member, idea, partner=partner, need=need)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_connection(holder, connection, "accepted")
    need.refresh_from_db()
    assert need.covered
    assert Idea.objects.get(pk=idea.pk).status == "in_partnership"
    assert TimelineEvent.objects.filter(idea=idea, kind="partnership").exists()
    assert any("Partenariat accepté" in m.subject for m in mail.outbox)


def test_holder_asks_partner_and_partner_accepts(idea, holder, partner, partner_member):
    connection = services.propose_connection(
        holder, idea, partner=partner, need=idea.needs.first(), message="Aidez-nous"
    )
    assert connection.initiated_by == "holder"
    services.decide_connection(partner_member, connection, "accepted")
    connection.refresh_from_db()
    assert connection.status == "accepted"


def test_news_reaches_supporters_by_email(idea, holder, resident, django_capture_on_commit_callbacks):
    services.support(resident, idea)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.post_news(holder, idea, "Inauguration", "Rendez-vous samedi à 11 h.")
    assert [m.to for m in mail.outbox] == [[resident.email]]
    assert "Inauguration" in mail.outbox[0].subject


def test_support_counter_with_f_and_unique(idea, resident):
    assert services.support(resident, idea) == 1
    assert services.support(resident, idea) == 1
    assert services.unsupport(resident, idea) == 0
    assert services.unsupport(resident, idea) == 0


def test_mission_prefill_and_link_back(holder, organization):
    from accounts.models import Membership

    Membership.objects.create(user=holder, organization=organization, role="admin")
    from .factories import make_idea

    idea = make_idea(holder, organization=organization, needs=[{"kind": "volunteers", "description": "10 bénévoles"}])
    need = idea.needs.get()
    url = services.mission_prefill_url(need)
    assert url.startswith("/benevolat/missions/nouvelle/?")
    assert f"from_idea={idea.pk}" in url and f"from_need={need.pk}" in url and "title=" in url
    from tests.volunteering.factories import MissionFactory

    mission = MissionFactory(organization=organization)
    response = client_for(holder).put(
        f"/api/v1/ideas/{idea.pk}/needs/{need.pk}/mission/", {"mission_id": mission.pk}, format="json"
    )
    assert response.status_code == 200
    need.refresh_from_db()
    assert need.mission_id == mission.pk
    linked = client_for(holder).get(f"/api/v1/ideas/{idea.pk}/needs/{need.pk}/mission/").json()
    assert linked["mission_id"] == mission.pk


def test_mission_link_refused_for_non_volunteers_need(idea, holder):
    need = idea.needs.get(kind="funding")
    response = client_for(holder).put(
        f"/api/v1/ideas/{idea.pk}/needs/{need.pk}/mission/", {"mission_id": 3}, format="json"
    )
    assert response.status_code == 400


def test_gdpr_export_contains_ideas_and_supports(idea, holder, resident):
    from core import gdpr

    services.support(resident, idea)
    assert gdpr.export(holder)["ideas"]["ideas"][0]["title"] == idea.title
    assert gdpr.export(resident)["ideas"]["supports"] == [
        {"idea": idea.pk, "created_at": resident.idea_supports.get().created_at.isoformat()}
    ]
