from django.utils.translation import gettext_noop
from django_tasks import task

from core.notifications import Message, notify

from .models import Proposal, Vote


@task()
def notify_voters(proposal_id: int, status: str, reason: str = "") -> int:
    """Tell everyone who voted on a proposal that its status changed (may be thousands: out of the request)."""
    proposal = Proposal.objects.filter(pk=proposal_id).first()
    if proposal is None:
        return 0
    label = Proposal.Status(status).label
    title = Message(
        gettext_noop("“%(title)s”, which you voted on, is now: %(status)s"), title=proposal.title, status=label
    )
    sent = 0
    voters = Vote.objects.filter(proposal_id=proposal_id).exclude(user_id=proposal.author_id).select_related("user")
    for vote in voters.iterator(chunk_size=500):
        if notify(vote.user, "mapvotes.status", title, reason, url=proposal.get_absolute_url()):
            sent += 1
    return sent


@task()
def notify_voters_of_change(proposal_id: int, change: str, reason: str = "") -> int:
    """Tell the voters that the author substantially changed ("edited") or withdrew ("withdrawn") the proposal they
    voted on (out of the request: there may be thousands)."""
    proposal = Proposal.objects.filter(pk=proposal_id).first()
    if proposal is None:
        return 0
    if change == "withdrawn":
        key = gettext_noop("“%(title)s”, which you voted on, was withdrawn by its author")
    else:
        key = gettext_noop("“%(title)s”, which you voted on, was changed by its author")
    title = Message(key, title=proposal.title)
    sent = 0
    voters = Vote.objects.filter(proposal_id=proposal_id).exclude(user_id=proposal.author_id).select_related("user")
    for vote in voters.iterator(chunk_size=500):
        if notify(vote.user, f"mapvotes.{change}", title, reason, url=proposal.get_absolute_url()):
            sent += 1
    return sent
