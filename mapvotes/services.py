"""Everything that changes the state of the map: proposals, votes, comments, status, merges, moderation."""

import difflib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from accounts.rules import refusal_reason
from core import comments, follows, images, moderation
from core.contributions import contribution_changed, support_changed
from core.forms import clean_text
from core.geo import GeometryValidator, locate
from core.models import Theme
from core.notifications import Message, notify, notify_reply
from core.search import vector
from core.side_effects import after_commit
from serving.db import prepared_cursor
from serving.realtime import publish_on_commit

from . import broadcast
from .models import (
    COMMENT_MAX,
    DESCRIPTION_MAX,
    TITLE_MAX,
    Comment,
    Proposal,
    ProposalRevision,
    TimelineEvent,
    Vote,
)
from .tasks import notify_voters, notify_voters_of_change

MAP_GROUP = "map"
PUBLIC_STATUSES_NEEDING_REASON = {Proposal.Status.NOT_RETAINED}


# --- text ---------------------------------------------------------------------------------------------


def clean_photo(upload):
    """A real image, at most 5 MB, re-encoded so that EXIF data is dropped (core.images, shared by every space)."""
    return images.reencode(upload, field="photo", name="photo.jpg")


def _theme(value) -> Theme:
    if isinstance(value, Theme):
        return value
    theme = Theme.objects.filter(slug=str(value or "")).first()
    if theme is None:
        raise ValidationError({"theme": [_("Unknown theme “%(theme)s”.") % {"theme": value}]})
    return theme


def _check_geometry(geometry):
    if geometry is None:
        raise ValidationError({"geometry": [_("Place the proposal on the map.")]})
    try:
        GeometryValidator()(geometry)
    except ValidationError as error:
        raise ValidationError({"geometry": error.messages}) from None


def representative_point(geometry):
    return geometry if geometry.geom_type == "Point" else geometry.point_on_surface


def _actor_label(user) -> str:
    return getattr(user, "public_name", "") or str(_("Participe team"))


# --- proposals ----------------------------------------------------------------------------------------


def create_proposal(author, *, title, description, theme, geometry, photo=None) -> Proposal:
    if not author.has_perm("mapvotes.add_proposal"):
        raise PermissionDenied(refusal_reason(author))
    errors = {}
    values = {}
    for name, check in (
        ("title", lambda: clean_text(title, "title", TITLE_MAX)),
        ("description", lambda: clean_text(description, "description", DESCRIPTION_MAX)),
        ("theme", lambda: _theme(theme)),
        ("geometry", lambda: _check_geometry(geometry)),
        ("photo", lambda: clean_photo(photo)),
    ):
        try:
            values[name] = check()
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    if geometry.srid is None:
        geometry.srid = 4326
    location = locate(geometry)
    with transaction.atomic():
        proposal = Proposal(
            title=values["title"],
            description=values["description"],
            theme=values["theme"],
            geometry=geometry,
            point=representative_point(geometry),
            district=location.district,
            quartier=location.quartier,
            author=author,
        )
        if values["photo"] is not None:
            proposal.photo.save(values["photo"].name, values["photo"], save=False)
        proposal.save()
        refresh_search(proposal.pk)
        TimelineEvent.objects.create(proposal=proposal, kind=TimelineEvent.Kind.CREATED, actor=author)
        after_commit(lambda: broadcast.proposal_created(proposal.pk), "broadcast of new proposal %s", proposal.pk)
    return proposal


def refresh_search(proposal_id):
    Proposal.objects.filter(pk=proposal_id).update(search=vector("title", "description", weights=["A", "B"]))


def _lock_public(proposal_id) -> Proposal:
    proposal = (
        Proposal.objects.select_for_update(no_key=True)
        .only("id", "is_hidden", "merged_into_id")
        .filter(pk=proposal_id)
        .first()
    )
    if proposal is None:
        raise ValidationError({"proposal": [_("This proposal does not exist.")]})
    if proposal.is_hidden:
        raise ValidationError(
            {"proposal": [_("This proposal has been hidden by the team: it cannot be voted on or commented.")]}
        )
    if proposal.merged_into_id:
        raise ValidationError({"proposal": [_("This proposal was merged into another one: vote on that one instead.")]})
    return proposal


# --- votes --------------------------------------------------------------------------------------------

_DELTA = {"for": (1, 0), "against": (0, 1)}
_OTHER = {"for": "against", "against": "for"}

# A vote is one round trip: a call of mapvotes_cast_vote() or mapvotes_withdraw_vote(), PL/pgSQL functions of
# migration 0003 (PostgreSQL keeps their plans: parsing and planning the statement sent as text was 40 % of its CPU
# per vote). Each runs two statements in one transaction: the first locks the proposal row (FOR NO KEY UPDATE: a
# merge, a hiding or another vote on it waits, or is waited for); the second, whose snapshot is taken once the lock is
# held, sees the latest proposal and vote rows: it upserts the vote (nothing when the value is the same; a value that
# changes can only come from the other one, so the delta follows from "inserted or not") — or deletes it — and moves
# the counters by database-side arithmetic. All of it happens or none of it does. The row: is_hidden, merged_into_id,
# withdrawn (migration 0007: votes are frozen on a withdrawn proposal), then inserted (None: nothing changed) or the withdrawn value (None: there was none), votes_for, votes_against; no
# row when there is no such proposal.
_CAST_SQL = (
    "SELECT * FROM mapvotes_cast_vote(%(proposal)s, %(user)s, %(value)s, "
    "%(new_for)s, %(new_against)s, %(change_for)s, %(change_against)s)"
)
_WITHDRAW_SQL = "SELECT * FROM mapvotes_withdraw_vote(%(proposal)s, %(user)s)"


def _refuse_unless_public(row) -> None:
    """`row` starts with (is_hidden, merged_into_id, withdrawn) of the proposal, or is None when there is none."""
    if row is None:
        raise ValidationError({"proposal": [_("This proposal does not exist.")]})
    if row[0]:
        raise ValidationError(
            {"proposal": [_("This proposal has been hidden by the team: it cannot be voted on or commented.")]}
        )
    if row[1]:
        raise ValidationError({"proposal": [_("This proposal was merged into another one: vote on that one instead.")]})
    if row[2]:
        raise ValidationError({"proposal": [WITHDRAWN_REFUSAL]})


def _vote_statement(sql, params):
    """The function's row, None if there is no such proposal. Prepared on each pooled connection (serving/db.py): the
    functions keep their own plans, and the call itself is then not parsed and planned again at every vote."""
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def cast_vote(user, proposal_id, value) -> dict:
    """Record `user`'s vote; repeating it changes nothing. Returns the fresh counts and the user's vote.

    One round trip (_CAST_SQL): the vote row and the counters change together or not at all; the unique
    (user, proposal) constraint backs the one-vote rule.
    """
    if not isinstance(value, str) or value not in _DELTA:  # JSON may send an object: a 400, not a TypeError
        raise ValidationError({"value": [_("A vote is “for” or “against”.")]})
    if not user.has_perm("mapvotes.vote_proposal"):
        raise PermissionDenied(refusal_reason(user))
    new_for, new_against = _DELTA[value]
    old_for, old_against = _DELTA[_OTHER[value]]
    row = _vote_statement(
        _CAST_SQL,
        {
            "proposal": proposal_id,
            "user": user.pk,
            "value": value,
            "new_for": new_for,
            "new_against": new_against,
            "change_for": new_for - old_for,
            "change_against": new_against - old_against,
        },
    )
    _refuse_unless_public(row)
    _hidden, _merged, _withdrawn, inserted, votes_for, votes_against = row
    counts = {"votes_for": votes_for, "votes_against": votes_against}
    if inserted is not None:  # None: the same vote again, nothing changed
        # "for" counts are the support figure: a new "against" leaves it as it was
        _counts_changed(proposal_id, counts, support=value == "for" or not inserted)
    return {**counts, "my_vote": value}


def withdraw_vote(user, proposal_id) -> dict:
    if not user.has_perm("mapvotes.vote_proposal"):
        raise PermissionDenied(refusal_reason(user))
    row = _vote_statement(_WITHDRAW_SQL, {"proposal": proposal_id, "user": user.pk})
    _refuse_unless_public(row)
    _hidden, _merged, _withdrawn, previous, votes_for, votes_against = row
    counts = {"votes_for": votes_for, "votes_against": votes_against}
    if previous is not None:
        _counts_changed(proposal_id, counts, support=previous == "for")
    return {**counts, "my_vote": None}


def _counts_changed(proposal_id, counts, support: bool) -> None:
    if support:
        support_changed("map", proposal_id)  # the strategy inbox copies the "for" count, after commit
    broadcast.votes_changed(proposal_id, counts)


def recount(proposal_id) -> None:
    """Counters from the rows (after a merge or an account deletion)."""
    votes = Vote.objects.filter(proposal_id=proposal_id).aggregate(
        f=Count("pk", filter=Q(value="for")), a=Count("pk", filter=Q(value="against"))
    )
    visible = Comment.objects.filter(proposal_id=proposal_id, is_hidden=False, deleted_at__isnull=True).count()
    Proposal.objects.filter(pk=proposal_id).update(
        votes_for=votes["f"], votes_against=votes["a"], comments_count=visible
    )
    support_changed("map", proposal_id)


# --- comments -----------------------------------------------------------------------------------------


def add_comment(author, proposal_id, body, stance="", parent=None) -> Comment:
    """A comment, or a reply when `parent` (a comment id) is given: a reply to a reply joins its top-level comment,
    so that threads stay one level deep."""
    if not author.has_perm("mapvotes.comment_proposal"):
        raise PermissionDenied(refusal_reason(author))
    body = clean_text(body, "body", COMMENT_MAX)
    stance = stance or ""
    if stance not in Comment.Stance.values:
        raise ValidationError({"stance": [_("The stance is “for”, “against” or “question”.")]})
    with transaction.atomic():
        _lock_public(proposal_id)
        parent = _reply_target(proposal_id, parent)
        comment = Comment.objects.create(
            proposal_id=proposal_id, author=author, body=body, stance=stance, parent=parent
        )
        Proposal.objects.filter(pk=proposal_id).update(comments_count=F("comments_count") + 1)
        proposal = Proposal.objects.only("pk", "title").get(pk=proposal_id)
        replied_to = parent.author if parent is not None and parent.author_id not in (None, author.pk) else None
        follows.notify_followers(
            proposal,
            "follow.comment",
            Message(gettext_noop("New comment on “%(title)s”"), title=proposal.title),
            body[:300],
            exclude=[author.pk, replied_to.pk if replied_to else None],
        )
        if replied_to is not None:
            notify_reply(
                replied_to, author, proposal.title, body, f"{proposal.get_absolute_url()}#commentaire-{comment.pk}"
            )
    return comment


def _reply_target(proposal_id, parent) -> Comment | None:
    return comments.reply_target(
        Comment.objects.filter(proposal_id=proposal_id), parent, _("This comment does not exist on this proposal.")
    )


# --- own content: the author edits or withdraws a proposal, edits or deletes a comment --------------------

# A description whose similarity to the previous one (difflib's ratio, 0–1) falls below this is a substantial
# change, as is any change of title: the voters are told, since they voted on something else. Small fixes
# (a typo, a sentence added to a long text) are not worth a notification.
SUBSTANTIAL_SIMILARITY = 0.8
WITHDRAWN_REFUSAL = _("This proposal was withdrawn by its author: its votes are frozen.")


def is_substantial_change(old_title, old_description, new_title, new_description) -> bool:
    if old_title.strip().casefold() != new_title.strip().casefold():
        return True
    if old_description == new_description:
        return False
    return difflib.SequenceMatcher(None, old_description, new_description).ratio() < SUBSTANTIAL_SIMILARITY


def own_proposal_refusal(user, proposal) -> str:
    if not user.is_authenticated:
        return refusal_reason(user)
    if proposal.author_id != user.pk:
        return _("Only the author of a proposal can change or withdraw it.")
    if proposal.status == Proposal.Status.WITHDRAWN:
        return _("This proposal was withdrawn: it can no longer be changed.")
    if proposal.is_hidden or proposal.merged_into_id:
        return _("This proposal was hidden or merged by the team: it can no longer be changed.")
    if proposal.status != Proposal.Status.PUBLISHED:
        return _("The team has already given this proposal a status: it can no longer be changed.")
    return refusal_reason(user)


def edit_proposal(editor, proposal: Proposal, *, title=None, description=None, theme=None) -> Proposal:
    """The author changes the title, description or theme of an open proposal. The previous text is kept as a
    revision shown in the history; a substantial change notifies the voters. Fields left as None are unchanged."""
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if not editor.has_perm("mapvotes.change_proposal", proposal):
            raise PermissionDenied(own_proposal_refusal(editor, proposal))
        errors, values = {}, {}
        for name, value, check in (
            ("title", title, lambda v: clean_text(v, "title", TITLE_MAX)),
            ("description", description, lambda v: clean_text(v, "description", DESCRIPTION_MAX)),
            ("theme", theme, _theme),
        ):
            if value is None:
                continue
            try:
                values[name] = check(value)
            except ValidationError as error:
                errors.update(error.message_dict)
        if errors:
            raise ValidationError(errors)
        new_title = values.get("title", proposal.title)
        new_description = values.get("description", proposal.description)
        new_theme = values.get("theme", proposal.theme)
        if (new_title, new_description, new_theme.pk) == (proposal.title, proposal.description, proposal.theme_id):
            return proposal  # nothing changed: no revision, nobody told
        substantial = is_substantial_change(proposal.title, proposal.description, new_title, new_description)
        revision = ProposalRevision.objects.create(
            proposal=proposal,
            editor=editor,
            title=proposal.title,
            description=proposal.description,
            theme_id=proposal.theme_id,
            substantial=substantial,
        )
        proposal.title, proposal.description, proposal.theme = new_title, new_description, new_theme
        proposal.save(update_fields=["title", "description", "theme", "updated_at"])
        refresh_search(proposal.pk)
        TimelineEvent.objects.create(
            proposal=proposal,
            kind=TimelineEvent.Kind.EDITED,
            actor=editor,
            actor_label=_actor_label(editor),
            revision=revision,
        )
        contribution_changed("map", proposal.pk)
        if substantial:
            _notify_voters_later(proposal.pk, "edited")
    return proposal


def withdraw_proposal(author, proposal: Proposal, reason) -> Proposal:
    """The author withdraws an open proposal, saying why: it stays visible as "withdrawn", its votes are frozen."""
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if not author.has_perm("mapvotes.withdraw_proposal", proposal):
            raise PermissionDenied(own_proposal_refusal(author, proposal))
        reason = clean_text(reason, "reason", 2000)
        proposal.status = Proposal.Status.WITHDRAWN
        proposal.status_reason = reason
        proposal.save(update_fields=["status", "status_reason", "updated_at"])
        TimelineEvent.objects.create(
            proposal=proposal,
            kind=TimelineEvent.Kind.WITHDRAWN,
            status=Proposal.Status.WITHDRAWN,
            reason=reason,
            actor=author,
            actor_label=_actor_label(author),
        )
        contribution_changed("map", proposal.pk)
        _notify_voters_later(proposal.pk, "withdrawn", reason)
    return proposal


def _notify_voters_later(proposal_id, change, reason=""):
    after_commit(
        lambda: notify_voters_of_change.enqueue(proposal_id, change, reason),
        "telling the voters of proposal %s",
        proposal_id,
    )


def edit_comment(editor, comment: Comment, body) -> Comment:
    with transaction.atomic():
        comment = comments.locked_own_comment(editor, comment, "mapvotes.change_comment")
        body = clean_text(body, "body", COMMENT_MAX)
        if body != comment.body:
            comment.body = body
            comment.edited_at = timezone.now()
            comment.save(update_fields=["body", "edited_at"])
    return comment


def delete_comment(author, comment: Comment) -> Comment:
    """The text goes; the row stays ("deleted by its author") so that the replies keep their place."""
    with transaction.atomic():
        comment = comments.locked_own_comment(author, comment, "mapvotes.delete_comment")
        comment.body = ""
        comment.stance = ""
        comment.deleted_at = timezone.now()
        comment.save(update_fields=["body", "stance", "deleted_at"])
        if not comment.is_hidden:  # a hidden comment is already out of the count
            Proposal.objects.filter(pk=comment.proposal_id).update(comments_count=F("comments_count") - 1)
    return comment


# --- the team -----------------------------------------------------------------------------------------


def change_status(actor, proposal: Proposal, status: str, reason: str = "") -> Proposal:
    if not actor.has_perm("mapvotes.moderate_proposal", proposal):
        raise PermissionDenied(_("Only the Participe team can change the status of a proposal."))
    if status not in Proposal.Status.values:
        raise ValidationError({"status": [_("Unknown status “%(status)s”.") % {"status": status}]})
    reason = clean_text(reason, "reason", 2000, required=status in PUBLIC_STATUSES_NEEDING_REASON)
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.status == status and proposal.status_reason == reason:
            return proposal
        proposal.status = status
        proposal.status_reason = reason
        proposal.save(update_fields=["status", "status_reason", "updated_at"])
        TimelineEvent.objects.create(
            proposal=proposal,
            kind=TimelineEvent.Kind.STATUS,
            status=status,
            reason=reason,
            actor=actor,
            actor_label=_actor_label(actor),
        )
        moderation.record(actor, "mapvotes.status", proposal, reason, status=status)
        _notify_followers(proposal, status, reason)
    return proposal


def _notify_followers(proposal, status, reason):
    label = Proposal.Status(status).label
    title = Message(gettext_noop("“%(title)s” is now: %(status)s"), title=proposal.title, status=label)
    if proposal.author_id:
        notify(proposal.author, "mapvotes.status", title, reason, url=proposal.get_absolute_url())
    # Followers who voted hear it from notify_voters.
    voters = Vote.objects.filter(proposal=proposal).values("user_id")
    follows.notify_followers(
        proposal,
        "follow.status",
        Message(gettext_noop("“%(title)s”, which you follow, is now: %(status)s"), title=proposal.title, status=label),
        reason,
        exclude=[proposal.author_id],
        exclude_query=voters,
    )
    pk = proposal.pk
    after_commit(lambda: notify_voters.enqueue(pk, status, reason), "telling the voters of proposal %s", pk)


def merge_proposals(actor, duplicate: Proposal, kept: Proposal, reason: str = "") -> Proposal:
    """Move the votes and comments of `duplicate` to `kept`; nobody is counted twice (their vote on `kept` wins)."""
    if not actor.has_perm("mapvotes.moderate_proposal", kept):
        raise PermissionDenied(_("Only the Participe team can merge proposals."))
    if duplicate.pk == kept.pk:
        raise ValidationError({"into": [_("A proposal cannot be merged into itself.")]})
    reason = clean_text(reason, "reason", 2000, required=False)
    with transaction.atomic():
        # Lock both rows in id order so that two merges never deadlock, and votes wait for the merge.
        locked = {
            p.pk: p for p in Proposal.objects.select_for_update().filter(pk__in=[duplicate.pk, kept.pk]).order_by("pk")
        }
        duplicate, kept = locked[duplicate.pk], locked[kept.pk]
        if duplicate.merged_into_id:
            raise ValidationError({"proposal": [_("This proposal has already been merged.")]})
        if kept.merged_into_id:
            raise ValidationError({"into": [_("The kept proposal has itself been merged into another one.")]})
        already = Vote.objects.filter(proposal=kept).values("user_id")
        Vote.objects.filter(proposal=duplicate).exclude(user_id__in=already).update(proposal=kept)
        Vote.objects.filter(proposal=duplicate).delete()  # those voters already had a vote on the kept proposal
        Comment.objects.filter(proposal=duplicate).update(proposal=kept)
        duplicate.merged_into = kept
        duplicate.save(update_fields=["merged_into", "updated_at"])
        recount(duplicate.pk)
        recount(kept.pk)
        label = _actor_label(actor)
        TimelineEvent.objects.create(
            proposal=duplicate,
            kind=TimelineEvent.Kind.MERGED_INTO,
            other=kept,
            reason=reason,
            actor=actor,
            actor_label=label,
        )
        TimelineEvent.objects.create(
            proposal=kept,
            kind=TimelineEvent.Kind.MERGED_FROM,
            other=duplicate,
            reason=reason,
            actor=actor,
            actor_label=label,
        )
        moderation.record(actor, "mapvotes.merge", duplicate, reason, into=kept.pk)
        if duplicate.author_id:
            notify(
                duplicate.author,
                "mapvotes.merged",
                Message(
                    gettext_noop("Your proposal “%(title)s” was merged into “%(kept)s”"),
                    title=duplicate.title,
                    kept=kept.title,
                ),
                reason,
                url=kept.get_absolute_url(),
            )
        kept.refresh_from_db()
        counts = {"votes_for": kept.votes_for, "votes_against": kept.votes_against}
    broadcast.votes_changed(kept.pk, counts)
    return kept


def set_hidden(actor, target, hidden: bool, reason: str = ""):
    """Hide or restore a proposal or a comment (audited by core.moderation); the author is told."""
    if not actor.has_perm("mapvotes.moderate_proposal"):
        raise PermissionDenied(_("Only the Participe team can hide or restore content."))
    with transaction.atomic():
        if isinstance(target, Comment):  # lock it and read its state now: its author may have deleted it meanwhile
            current = Comment.objects.select_for_update().only("is_hidden", "deleted_at").get(pk=target.pk)
            target.is_hidden, target.deleted_at = current.is_hidden, current.deleted_at
        was_hidden = target.is_hidden
        moderation.set_hidden(target, actor, hidden, reason)
        proposal = target if isinstance(target, Proposal) else target.proposal
        # a comment its author deleted is already out of the count
        if isinstance(target, Comment) and was_hidden != hidden and not target.is_deleted:
            Proposal.objects.filter(pk=proposal.pk).update(comments_count=F("comments_count") + (-1 if hidden else 1))
        if isinstance(target, Proposal) and was_hidden != hidden:
            TimelineEvent.objects.create(
                proposal=proposal,
                kind=TimelineEvent.Kind.HIDDEN if hidden else TimelineEvent.Kind.RESTORED,
                reason=target.hidden_reason if hidden else (reason or "").strip(),
                actor=actor,
                actor_label=_actor_label(actor),
            )
        if target.author_id and was_hidden != hidden:
            if hidden:
                title = _("Your contribution was hidden by the team")
            else:
                title = _("Your contribution was restored by the team")
            notify(target.author, "mapvotes.moderation", title, reason, url=proposal.get_absolute_url())
    return target


def report(reporter, target, reason):
    if not reporter.has_perm("mapvotes.report"):
        raise PermissionDenied(refusal_reason(reporter))
    return moderation.report(target, reporter, reason)


def erase_votes(user) -> None:
    """GDPR erasure: the account's votes go, and the counters follow the rows."""
    with transaction.atomic():
        ids = list(Vote.objects.filter(user=user).values_list("proposal_id", flat=True))
        for proposal in Proposal.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk"):
            Vote.objects.filter(user=user, proposal=proposal).delete()
            recount(proposal.pk)


__all__ = [
    "MAP_GROUP",
    "add_comment",
    "cast_vote",
    "change_status",
    "create_proposal",
    "delete_comment",
    "edit_comment",
    "edit_proposal",
    "merge_proposals",
    "publish_on_commit",
    "report",
    "set_hidden",
    "withdraw_proposal",
    "withdraw_vote",
]
