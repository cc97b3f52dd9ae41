"""Many voters and supporters at once, on real parallel connections: the inbox's support ends up equal to the source."""

import random

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
