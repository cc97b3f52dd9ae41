"""Who may do what on the map. Views, API and templates ask `user.has_perm(...)`."""

import rules

from accounts.rules import is_team, is_verified


@rules.predicate
def is_visible(user, proposal):
    return proposal is None or not proposal.is_hidden or is_team(user)


@rules.predicate
def is_author(user, obj):
    """The author of a proposal or a comment (an account, never an anonymous visitor)."""
    return bool(obj is not None and user and user.is_authenticated and obj.author_id == user.pk)


@rules.predicate
def is_open_proposal(user, proposal):
    """Published and still waiting for the team: no status decided, not withdrawn, hidden or merged."""
    return bool(
        proposal is not None
        and proposal.status == "published"
        and not proposal.is_hidden
        and proposal.merged_into_id is None
    )


@rules.predicate
def is_live_comment(user, comment):
    """Neither hidden by the team nor deleted by its author."""
    return bool(comment is not None and not comment.is_hidden and comment.deleted_at is None)


@rules.predicate
def is_not_deleted_comment(user, comment):
    return bool(comment is not None and comment.deleted_at is None)


rules.add_perm("mapvotes.view_proposal", is_visible)
rules.add_perm("mapvotes.add_proposal", is_verified)
rules.add_perm("mapvotes.vote_proposal", is_verified)
rules.add_perm("mapvotes.comment_proposal", is_verified)
rules.add_perm("mapvotes.report", rules.is_authenticated)
rules.add_perm("mapvotes.moderate_proposal", is_team)
# Own content: the team moderates (hides) but does not rewrite what residents wrote.
rules.add_perm("mapvotes.change_proposal", is_verified & is_author & is_open_proposal)
rules.add_perm("mapvotes.withdraw_proposal", is_verified & is_author & is_open_proposal)
rules.add_perm("mapvotes.change_comment", is_verified & is_author & is_live_comment)
# Deleting one's words needs no verified address; the team may have hidden it, the author may still delete it.
rules.add_perm("mapvotes.delete_comment", rules.is_active & is_author & is_not_deleted_comment)
