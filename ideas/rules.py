"""Who may do what in the ideas marketplace, as named predicates."""

import rules

from accounts.rules import is_team, is_verified


def _member_of(user, organization_id) -> bool:
    if not (user and user.is_authenticated) or organization_id is None:
        return False
    return user.memberships.filter(organization_id=organization_id).exists()


@rules.predicate
def is_idea_holder(user, idea):
    """The resident who carries the idea, or a member of the organisation that carries it."""
    if idea is None or not (user and user.is_authenticated):
        return False
    return idea.holder_id == user.pk or _member_of(user, idea.organization_id)


@rules.predicate
def is_idea_public(user, idea):
    return idea is not None and idea.is_public


@rules.predicate
def is_idea_open(user, idea):
    return idea is not None and idea.status in idea.OPEN_STATUSES and not idea.is_hidden


@rules.predicate
def is_org_member_anywhere(user):
    return bool(user and user.is_authenticated and user.memberships.exists())


@rules.predicate
def is_partner_member(user, partner):
    return partner is not None and _member_of(user, partner.organization_id)


@rules.predicate
def is_connection_participant(user, connection):
    if connection is None:
        return False
    return is_idea_holder(user, connection.idea) or _member_of(user, connection.partner.organization_id)


@rules.predicate
def is_comment_author(user, comment):
    return bool(comment is not None and user and user.is_authenticated and comment.author_id == user.pk)


@rules.predicate
def is_live_comment(user, comment):
    """Neither hidden by the team nor deleted by its author."""
    return bool(comment is not None and not comment.is_hidden and comment.deleted_at is None)


@rules.predicate
def is_not_deleted_comment(user, comment):
    return bool(comment is not None and comment.deleted_at is None)


rules.add_perm("ideas.view_idea", is_idea_public | is_idea_holder | is_team)
rules.add_perm("ideas.add_idea", is_verified)
rules.add_perm("ideas.change_idea", is_verified & (is_idea_holder | is_team))
rules.add_perm("ideas.support_idea", is_verified & is_idea_open)
rules.add_perm("ideas.comment_idea", is_verified & is_idea_public)
# Own words: the team hides (moderation) but never rewrites a comment; deleting one's words needs no verified address.
rules.add_perm("ideas.change_comment", is_verified & is_comment_author & is_live_comment)
rules.add_perm("ideas.delete_comment", rules.is_active & is_comment_author & is_not_deleted_comment)
rules.add_perm("ideas.post_news", is_verified & is_idea_holder)
rules.add_perm("ideas.view_matches", is_idea_public | is_idea_holder | is_team)
rules.add_perm("ideas.moderate_idea", is_team)
rules.add_perm("ideas.add_partner", is_verified & is_org_member_anywhere)
rules.add_perm("ideas.change_partner", is_verified & (is_partner_member | is_team))
rules.add_perm("ideas.view_partner_matches", is_partner_member | is_team)
rules.add_perm("ideas.connect", is_verified)
# Private conversations: only the two sides, not even the team (reports go through core.moderation).
rules.add_perm("ideas.view_connection", is_connection_participant)
rules.add_perm("ideas.message_connection", is_verified & is_connection_participant)
rules.add_perm("ideas.decide_connection", is_verified & is_connection_participant)
rules.add_perm("ideas.link_mission", is_verified & is_idea_holder)
