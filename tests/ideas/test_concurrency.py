"""Real parallel connections (threads + transactional_db): counters and unique rules hold under races."""

import threading

import pytest
from django.db import close_old_connections, connection

from ideas import services
from ideas.models import Connection, Idea, Support
from tests.factories import UserFactory

from .factories import make_idea, make_partner


def _run_parallel(functions):
    barrier = threading.Barrier(len(functions))
    errors = []

    def wrap(fn):
        try:
            barrier.wait()
            fn()
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=wrap, args=(fn,)) for fn in functions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    close_old_connections()
    return errors


@pytest.mark.django_db(transaction=True)
def test_parallel_supports_keep_an_exact_counter(reference_data):
    holder = UserFactory()
    idea = make_idea(holder)
    users = [UserFactory() for _ in range(6)]
    same = users[0]
    errors = _run_parallel(
        [lambda u=u: services.support(u, idea) for u in users] + [lambda: services.support(same, idea)] * 2
    )
    assert errors == []
    assert Support.objects.filter(idea=idea).count() == 6
    assert Idea.objects.get(pk=idea.pk).supporters_count == 6


@pytest.mark.django_db(transaction=True)
def test_two_partners_accepted_in_parallel_cover_the_need_once(reference_data):
    holder = UserFactory()
    idea = make_idea(holder)
    need = idea.needs.get(kind="funding")
    first, m1 = make_partner(name="Premier financeur")
    second, m2 = make_partner(name="Second financeur")
    c1 = services.propose_connection(m1, idea, partner=first, need=need)
    c2 = services.propose_connection(m2, idea, partner=second, need=need)
    errors = _run_parallel(
        [
            lambda: services.decide_connection(holder, c1, "accepted"),
            lambda: services.decide_connection(holder, c2, "accepted"),
        ]
    )
    assert len(errors) == 1
    assert Connection.objects.filter(need=need, status="accepted").count() == 1
