"""Who may do what in the participatory budget. Views, API and templates ask `user.has_perm(...)`."""

import rules

from accounts.rules import is_team, is_verified


@rules.predicate
def in_submission(user, campaign):
    return campaign is None or campaign.phase == "submission"


@rules.predicate
def in_vote(user, campaign):
    return campaign is None or campaign.phase == "vote"


rules.add_perm("budget.submit_project", is_verified & in_submission)


@rules.predicate
def is_resident(user):
    """A resident of Paris: the arrondissement of residence is declared on the account (stronger proof later)."""
    return bool(user and user.is_authenticated and user.home_district_id)


rules.add_perm("budget.vote", is_verified & is_resident & in_vote)
rules.add_perm("budget.manage_campaign", is_team)
rules.add_perm("budget.count_paper", is_team)
rules.add_perm("budget.study_project", is_team)
rules.add_perm("budget.publish_results", is_team)
rules.add_perm("budget.follow_up", is_team)
