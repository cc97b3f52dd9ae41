"""What the comment threads of ideas and map proposals share: which comment a reply joins, why its author may not
change it, and the locked read before an edit or a deletion. Each space keeps its model, its permissions and what a
change does to its counters."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.rules import refusal_reason


def reply_target(comments, parent, missing_message):
    """The top-level comment a reply joins (threads stay one level deep), from `comments` — the comments of the
    idea or proposal answered; `parent` is a comment or its number as typed. None when no parent is given."""
    if parent in (None, ""):
        return None
    try:
        parent_id = parent.pk if isinstance(parent, comments.model) else int(parent)
    except (TypeError, ValueError):
        raise ValidationError({"parent": [_("Give the number of the comment you reply to.")]}) from None
    target = comments.filter(pk=parent_id).only("pk", "parent_id").first()
    if target is None:
        raise ValidationError({"parent": [missing_message]})
    target = (
        comments.model.objects.select_related("author")
        .only("pk", "is_hidden", "deleted_at", "author")
        .get(pk=target.parent_id or target.pk)
    )
    if target.is_hidden or target.is_deleted:
        raise ValidationError({"parent": [_("This comment was hidden or deleted: it cannot be answered.")]})
    return target


def own_comment_refusal(user, comment) -> str:
    """Why `user` may not edit or delete `comment` (what remains is why the account may not take part)."""
    if not user.is_authenticated:
        return refusal_reason(user)
    if comment.author_id != user.pk:
        return str(_("Only the author of a comment can change or delete it."))
    if comment.is_deleted:
        return str(_("This comment was deleted."))
    if comment.is_hidden:
        return str(_("This comment was hidden by the team: it can no longer be changed."))
    return refusal_reason(user)


def locked_own_comment(user, comment, perm):
    """The comment re-read under a row lock (inside the caller's transaction), once `user` holds `perm` on it."""
    comment = type(comment).objects.select_for_update().get(pk=comment.pk)
    if not user.has_perm(perm, comment):
        raise PermissionDenied(own_comment_refusal(user, comment))
    return comment
