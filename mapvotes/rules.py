"""Who may do what on the map. Views, API and templates ask `user.has_perm(...)`."""

import rules

from accounts.rules import is_team, is_verified


@rules.predicate
def is_visible(user, proposal):
    return proposal is None or not proposal.is_hidden or is_team(user)


rules.add_perm("mapvotes.view_proposal", is_visible)
rules.add_perm("mapvotes.add_proposal", is_verified)
rules.add_perm("mapvotes.vote_proposal", is_verified)
rules.add_perm("mapvotes.comment_proposal", is_verified)
rules.add_perm("mapvotes.report", rules.is_authenticated)
rules.add_perm("mapvotes.moderate_proposal", is_team)
