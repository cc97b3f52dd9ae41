"""A "volunteers" need of an idea becomes a volunteering mission, prefilled, and the two are linked both ways."""

import datetime

import pytest
from django.test import Client

from ideas import services as idea_services
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.ideas.factories import make_idea
from volunteering.models import Mission

pytestmark = pytest.mark.django_db


def test_volunteers_need_opens_a_prefilled_mission_form_and_links_back(django_capture_on_commit_callbacks):
    organization = OrganizationFactory(name="Collectif Rue Vivante", kind="collective")
    holder = MembershipFactory(organization=organization, user=UserFactory(email="porteur@example.org")).user
    idea = make_idea(
        holder,
        title="Rue aux enfants rue de la Roquette",
        organization=organization,
        needs=[{"kind": "volunteers", "description": "Dix bénévoles pour animer la rue le samedi"}],
    )
    need = idea.needs.get()
    url = idea_services.mission_prefill_url(need)
    browser = Client()
    browser.force_login(holder)

    page = browser.get(url)
    assert page.status_code == 200
    assert "Rue aux enfants rue de la Roquette" in page.content.decode()

    start = datetime.date.today() + datetime.timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(
            url,
            {
                "title": "Animer la rue aux enfants",
                "description": "Dix bénévoles pour animer la rue le samedi",
                "themes": ["energie"],
                "remote": "",
                "address": "Rue de la Roquette, Paris",
                "longitude": "2.3760",
                "latitude": "48.8560",
                "schedule": "one_off",
                "start_date": start.isoformat(),
                "commitment": "total_hours",
                "commitment_hours": "4",
                "places": "10",
            },
        )
    assert response.status_code == 302, page.content.decode()[:2000]
    mission = Mission.objects.get(title="Animer la rue aux enfants")
    need.refresh_from_db()
    assert need.mission_id == mission.pk
    mission_page = browser.get(mission.get_absolute_url()).content.decode()
    assert "Rue aux enfants rue de la Roquette" in mission_page
    assert f"/idees/{idea.pk}/" in mission_page
