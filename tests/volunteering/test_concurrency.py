"""The last place, and double submissions, under real parallel connections."""

import threading

import pytest
from django.db import connection

from serving.rest import Conflict
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.volunteering.factories import ApplicationFactory, MissionFactory
from volunteering import services
from volunteering.models import Application, Mission


def run_in_parallel(functions):
    barrier = threading.Barrier(len(functions))
    outcomes = [None] * len(functions)

    def worker(i, fn):
        try:
            barrier.wait()
            outcomes[i] = fn()
        except Exception as error:  # noqa: BLE001
            outcomes[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, fn)) for i, fn in enumerate(functions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_members_accepting_for_the_last_place_fill_it_once(reference_data):
    organization = OrganizationFactory()
    alice = MembershipFactory(organization=organization).user
    bob = MembershipFactory(organization=organization).user
    mission = MissionFactory(organization=organization, places=1)
    first, second = ApplicationFactory(mission=mission), ApplicationFactory(mission=mission)

    outcomes = run_in_parallel(
        [
            lambda: services.change_status(alice, first, "accepted"),
            lambda: services.change_status(bob, second, "accepted"),
        ]
    )
    assert sum(isinstance(o, Application) for o in outcomes) == 1
    assert sum(isinstance(o, Conflict) for o in outcomes) == 1
    mission.refresh_from_db()
    assert (mission.accepted_count, mission.status) == (1, "full")
    assert Application.objects.filter(status="accepted").count() == 1


@pytest.mark.django_db(transaction=True)
def test_double_submission_creates_one_application(reference_data):
    mission = MissionFactory()
    volunteer = UserFactory()
    outcomes = run_in_parallel([lambda: services.apply(volunteer, mission, "vite")] * 4)
    assert sum(isinstance(o, Application) for o in outcomes) == 1, outcomes
    refused = [o for o in outcomes if not isinstance(o, Application)]
    assert [str(o.detail) for o in refused] == ["Vous avez déjà candidaté à cette mission."] * 3, outcomes
    assert Application.objects.count() == 1
    assert Mission.objects.get().status == "published"
