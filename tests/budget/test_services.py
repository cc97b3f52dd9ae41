import pytest
from django.contrib.gis.geos import LineString, Point
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Organization
from budget import services
from budget.models import Project
from core.models import Notification
from tests.factories import (
    BOULOGNE,
    HOTEL_DE_VILLE,
    OrganizationFactory,
    ResidentFactory,
    UnverifiedUserFactory,
    UserFactory,
)

from .conftest import make_campaign, make_project

pytestmark = pytest.mark.django_db


def _submit(user, campaign, **kwargs):
    values = {
        "title": "Des bancs",
        "description": "Pour s'asseoir",
        "scope": "paris",
        "geometry": Point(HOTEL_DE_VILLE.x, HOTEL_DE_VILLE.y, srid=4326),
        "estimated_need": 20000,
    }
    values.update(kwargs)
    return services.submit_project(user, campaign, **values)


def test_a_verified_resident_submits_in_the_submission_phase():
    campaign = make_campaign(phase="submission")
    project = _submit(UserFactory(), campaign)
    assert project.status == "submitted" and project.district.number == 4


def test_a_line_in_its_arrondissement_is_accepted():
    campaign = make_campaign(phase="submission")
    line = LineString((2.3522, 48.8566), (2.3530, 48.8570), srid=4326)
    assert _submit(UserFactory(), campaign, geometry=line).point is not None


def test_submission_outside_the_phase_or_unverified_is_refused():
    with pytest.raises(PermissionDenied):
        _submit(UserFactory(), make_campaign(2027, phase="vote"))
    with pytest.raises(PermissionDenied):
        _submit(UnverifiedUserFactory(), make_campaign(2028, phase="submission"))


def test_submission_outside_paris_or_in_another_arrondissement_is_refused():
    campaign = make_campaign(phase="submission")
    with pytest.raises(ValidationError) as error:
        _submit(UserFactory(), campaign, geometry=Point(BOULOGNE.x, BOULOGNE.y, srid=4326))
    assert "geometry" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _submit(UserFactory(), campaign, scope="18")
    assert "scope" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _submit(UserFactory(), campaign, title="", estimated_need="beaucoup", scope="x")
    assert {"title", "estimated_need", "scope"} <= set(error.value.message_dict)


def test_verdicts_notify_the_author_and_need_a_reason_when_refused(team_member):
    campaign = make_campaign(phase="submission")
    author = UserFactory()
    project = _submit(author, campaign)
    with pytest.raises(ValidationError):
        services.study_verdict(team_member, project, admissible=False, reason="")
    direction = OrganizationFactory(name="Direction de la Voirie", kind=Organization.Kind.CITY_SERVICE)
    services.study_verdict(team_member, project, admissible=True, cost=30000, lead_direction=direction)
    project.refresh_from_db()
    assert project.status == "admissible" and project.cost == 30000 and project.lead_direction == direction
    assert Notification.objects.filter(recipient=author, kind="budget.verdict").count() == 1
    with pytest.raises(PermissionDenied):
        services.study_verdict(author, project, admissible=True)


def test_merge_credits_both_projects(team_member):
    campaign = make_campaign(phase="study")
    a, b = make_project(campaign, "paris"), make_project(campaign, "paris")
    services.merge_projects(team_member, b, a)
    b.refresh_from_db()
    assert b.status == Project.Status.MERGED and b.merged_into == a


def test_follow_up_only_for_winners_and_abandon_needs_a_reason(team_member):
    campaign = make_campaign(phase="vote")
    project = make_project(campaign, "paris", 10)
    with pytest.raises(ValidationError):
        services.follow_up(team_member, project, stage="works")
    services.cast_ballot(ResidentFactory(), campaign, [project.pk])
    services.compute_results(team_member, campaign)
    project.refresh_from_db()
    with pytest.raises(ValidationError):
        services.follow_up(team_member, project, stage="abandoned")
    services.follow_up(team_member, project, stage="works", progress=40)
    assert project.stage == "works" and project.progress == 40


def test_side_effects_that_fail_never_fail_the_action(monkeypatch, team_member, caplog):
    """Following, notifications, e-mails: a failure is logged, the submission, verdict or follow-up is saved."""
    from core import follows, notifications

    def broken(*args, **kwargs):
        raise RuntimeError("the side effect fails")

    monkeypatch.setattr(follows, "follow", broken)
    monkeypatch.setattr(follows, "followers", broken)
    monkeypatch.setattr(notifications, "_notify", broken)
    project = _submit(UserFactory(), make_campaign(phase="submission"))
    assert Project.objects.filter(pk=project.pk).exists()
    services.study_verdict(team_member, project, admissible=True, cost=1000)
    assert Project.objects.get(pk=project.pk).status == "admissible"
    Project.objects.filter(pk=project.pk).update(winner=True, stage="study")
    services.follow_up(team_member, Project.objects.get(pk=project.pk), stage="works", reason="Chantier ouvert.")
    assert Project.objects.get(pk=project.pk).stage == "works"
    assert "Side effect failed" in caplog.text
