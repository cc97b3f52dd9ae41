"""Many voters at once on real parallel PostgreSQL connections: counters always equal the rows."""

import random
import threading

from django.db import connection

from mapvotes import services
from mapvotes.models import Proposal, Vote
from tests.factories import UserFactory

from .factories import ProposalFactory

VOTERS = 50


def _run_in_threads(target, args_list):
    barrier = threading.Barrier(len(args_list))
    errors = []

    def worker(*args):
        try:
            for attempt in range(5):  # open the connection before the start line: the machine is slow to accept
                try:
                    connection.ensure_connection()
                    break
                except Exception:  # noqa: BLE001
                    if attempt == 4:
                        raise
            barrier.wait()
            target(*args)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=args) for args in args_list]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return errors


def _assert_counters_match_rows(proposal_id):
    p = Proposal.objects.get(pk=proposal_id)
    rows_for = Vote.objects.filter(proposal_id=proposal_id, value="for").count()
    rows_against = Vote.objects.filter(proposal_id=proposal_id, value="against").count()
    assert (p.votes_for, p.votes_against) == (rows_for, rows_against)
    return p


def test_concurrent_voters_never_lose_or_double_a_vote(reference_data, settings):
    settings.MAPVOTES_BROADCAST_INTERVAL = 0
    proposal = ProposalFactory()
    users = [UserFactory() for _ in range(VOTERS)]
    rng = random.Random(7)
    plans = [(u, rng.choice(["for", "against"])) for u in users]

    def vote_many(user, value):
        # each voter votes, repeats the same vote, and a third change their mind
        services.cast_vote(user, proposal.pk, value)
        services.cast_vote(user, proposal.pk, value)
        if user.pk % 3 == 0:
            services.cast_vote(user, proposal.pk, "against" if value == "for" else "for")

    errors = _run_in_threads(vote_many, plans)
    assert errors == []
    p = _assert_counters_match_rows(proposal.pk)
    assert p.votes_for + p.votes_against == VOTERS
    assert Vote.objects.filter(proposal=proposal).count() == VOTERS


def test_concurrent_vote_withdraw_and_double_click(reference_data, settings):
    settings.MAPVOTES_BROADCAST_INTERVAL = 0
    proposal = ProposalFactory()
    users = [UserFactory() for _ in range(25)]
    for u in users[:10]:
        services.cast_vote(u, proposal.pk, "for")
    # the same account fires several requests at once (double clicks on two tabs), others withdraw
    args = [(u, "for") for u in users] + [(u, "against") for u in users[10:]] + [(u, "withdraw") for u in users[:10]]

    def act(user, value):
        if value == "withdraw":
            services.withdraw_vote(user, proposal.pk)
        else:
            services.cast_vote(user, proposal.pk, value)

    errors = _run_in_threads(act, args)
    assert errors == []
    _assert_counters_match_rows(proposal.pk)
    assert (
        Vote.objects.filter(proposal=proposal).values("user").distinct().count()
        == Vote.objects.filter(proposal=proposal).count()
    )


def test_concurrent_votes_and_merge_keep_counters_true(reference_data, settings):
    settings.MAPVOTES_BROADCAST_INTERVAL = 0
    team = UserFactory(is_team=True)
    kept, duplicate = ProposalFactory(), ProposalFactory()
    users = [UserFactory() for _ in range(30)]

    def act(user, target):
        if user is None:
            services.merge_proposals(team, duplicate, kept)
            return
        try:
            services.cast_vote(user, target, "for")
        except Exception as error:  # a vote arriving after the merge is refused with a 4xx, never lost silently
            assert "merged" in str(error) or "fusionn" in str(error)

    args = [(u, duplicate.pk if i % 2 else kept.pk) for i, u in enumerate(users)] + [(None, None)]
    errors = _run_in_threads(act, args)
    assert errors == []
    _assert_counters_match_rows(kept.pk)
    _assert_counters_match_rows(duplicate.pk)
    assert not Vote.objects.filter(proposal=duplicate).exists()
