"""Ballots on real parallel PostgreSQL connections: one ballot per account, totals equal rows."""

from django.db.models import Count

from budget import services
from budget.models import Ballot, BallotChoice
from tests.factories import ResidentFactory
from tests.mapvotes.test_concurrency import _run_in_threads

from .conftest import make_campaign, make_project


def test_parallel_puts_from_one_account_give_one_ballot(reference_data):
    campaign = make_campaign()
    projects = [make_project(campaign, "paris", 1000) for _ in range(3)]
    voter = ResidentFactory()
    plans = [([projects[i % 3].pk],) for i in range(50)]

    errors = _run_in_threads(lambda ids: services.cast_ballot(voter, campaign, ids), plans)
    assert errors == []
    assert Ballot.objects.filter(voter=voter).count() == 1
    assert BallotChoice.objects.count() == 1


def test_parallel_voters_totals_equal_rows(reference_data):
    campaign = make_campaign()
    project = make_project(campaign, "paris", 1000)
    voters = [ResidentFactory() for _ in range(30)]

    errors = _run_in_threads(lambda v: services.cast_ballot(v, campaign, [project.pk]), [(v,) for v in voters])
    assert errors == []
    assert Ballot.objects.count() == 30
    assert BallotChoice.objects.filter(project=project).count() == 30


def test_parallel_ballots_of_one_account_never_exceed_the_envelope(reference_data):
    """50 requests at once from one account, mixing sets within and over the envelope of all of Paris: one ballot,
    equal to one of the sets that fit, never a mixture of two; the refused sets leave nothing behind."""
    campaign = make_campaign(paris=1_000_000)
    projects = [make_project(campaign, "paris", 400_000, f"Projet {i}") for i in range(5)]
    voter = ResidentFactory()
    fitting = [[projects[i].pk, projects[(i + 1) % 5].pk] for i in range(5)]  # 800 000 €
    over = [[p.pk for p in projects[:3]]]  # 1 200 000 €
    plans = [((fitting + over)[i % 6],) for i in range(50)]

    errors = _run_in_threads(lambda ids: services.cast_ballot(voter, campaign, ids), plans)

    assert len(errors) == sum(1 for (ids,) in plans if ids in over)
    assert all("enveloppe" in " ".join(e.messages) or "envelope" in " ".join(e.messages) for e in errors)
    assert Ballot.objects.filter(voter=voter).count() == 1
    chosen = sorted(BallotChoice.objects.values_list("project_id", flat=True))
    assert chosen in [sorted(ids) for ids in fitting]


def test_two_hundred_accounts_voting_at_once_give_totals_equal_to_rows(reference_data):
    """200 residents cast and change their ballots at the same moment, over 50 parallel PostgreSQL connections (4
    residents each, their requests interleaved with everyone else's): one ballot each, each project's count of
    choices equal to the rows, as the results will count them."""
    import threading

    from django.db import connection

    campaign = make_campaign(paris=1_000_000)
    projects = [make_project(campaign, "paris", 300_000, f"Projet {i}") for i in range(3)]
    voters = [ResidentFactory() for _ in range(200)]
    # every resident first picks two projects, then changes to one: the last answer is what counts
    first = {v.pk: [projects[i % 3].pk, projects[(i + 1) % 3].pk] for i, v in enumerate(voters)}
    last = {v.pk: [projects[i % 3].pk] for i, v in enumerate(voters)}
    barrier, errors = threading.Barrier(50), []

    def worker(group):
        try:
            connection.ensure_connection()
            barrier.wait()
            for voter in group:
                services.cast_ballot(voter, campaign, first[voter.pk])
            for voter in group:
                services.cast_ballot(voter, campaign, last[voter.pk])
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(voters[i::50],)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert errors == []
    assert Ballot.objects.filter(campaign=campaign).count() == 200
    rows = dict(BallotChoice.objects.values_list("project_id").annotate(n=Count("pk")))
    expected = {p.pk: sum(1 for ids in last.values() if ids == [p.pk]) for p in projects}
    assert rows == expected and sum(rows.values()) == 200
    for voter in voters[:10]:
        assert (
            list(BallotChoice.objects.filter(ballot__voter=voter).values_list("project_id", flat=True))
            == last[voter.pk]
        )
