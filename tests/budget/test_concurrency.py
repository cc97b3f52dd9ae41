"""Ballots on real parallel PostgreSQL connections: one ballot per account, totals equal rows."""

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
