"""Many voters and supporters at once, on real parallel connections: the inbox's support ends up equal to the source."""

import random
import time

from ideas import services as ideas_services
from mapvotes import services as map_services
from mapvotes.models import Proposal
from strategy.models import Contribution
from tests.factories import UserFactory
from tests.ideas.factories import make_idea
from tests.mapvotes.factories import ProposalFactory
from tests.mapvotes.test_concurrency import _run_in_threads

VOTERS = 30


def test_concurrent_votes_leave_the_inbox_support_equal_to_the_votes_for(reference_data, settings):
    settings.MAPVOTES_BROADCAST_INTERVAL = 0
    proposal = ProposalFactory()
    rng = random.Random(11)
    plans = [(UserFactory(), rng.choice(["for", "for", "against"])) for _ in range(VOTERS)]

    def vote(user, value):
        map_services.cast_vote(user, proposal.pk, value)
        if user.pk % 4 == 0:
            map_services.withdraw_vote(user, proposal.pk)

    assert _run_in_threads(vote, plans) == []
    votes_for = Proposal.objects.values_list("votes_for", flat=True).get(pk=proposal.pk)
    assert votes_for > 0
    assert Contribution.objects.get(source="map", source_id=proposal.pk).support == votes_for


def test_concurrent_supports_leave_the_inbox_support_equal_to_the_supporters(reference_data):
    idea = make_idea(UserFactory())
    supporters = [(UserFactory(),) for _ in range(20)]

    def support(user):
        ideas_services.support(user, idea)
        if user.pk % 3 == 0:
            ideas_services.unsupport(user, idea)

    assert _run_in_threads(support, supporters) == []
    idea.refresh_from_db()
    assert Contribution.objects.get(source="idea", source_id=idea.pk).support == idea.supporters_count > 0


def _inbox_support_when_settled(source, pk, expected, seconds=5.0):
    """The inbox's support once the background copy has run (it runs within CONTRIBUTION_SUPPORT_DELAY)."""
    deadline = time.monotonic() + seconds
    while True:
        support = Contribution.objects.get(source=source, source_id=pk).support
        if support == expected or time.monotonic() > deadline:
            return support
        time.sleep(0.05)


def test_in_production_the_copy_comes_half_a_second_later_once_for_a_burst_of_votes(reference_data, settings):
    """As outside tests (CONTRIBUTION_SUPPORT_DELAY > 0): the requests do not copy the figure, a background thread
    copies it once for the whole burst, and it ends up equal to the votes for, for each proposal."""
    settings.MAPVOTES_BROADCAST_INTERVAL = 0
    settings.CONTRIBUTION_SUPPORT_DELAY = 0.3
    proposals = [ProposalFactory(), ProposalFactory()]
    plans = [(UserFactory(), proposals[i % 2], "for" if i % 3 else "against") for i in range(VOTERS)]

    def vote(user, proposal, value):
        map_services.cast_vote(user, proposal.pk, value)

    started = time.monotonic()
    assert _run_in_threads(vote, plans) == []
    for proposal in proposals:
        votes_for = Proposal.objects.values_list("votes_for", flat=True).get(pk=proposal.pk)
        assert votes_for > 0
        assert _inbox_support_when_settled("map", proposal.pk, votes_for) == votes_for
    assert time.monotonic() - started < 5
