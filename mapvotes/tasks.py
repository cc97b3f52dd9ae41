from django.utils.translation import gettext_lazy as _
from django_tasks import task

from core.notifications import notify


@task()
def notify_voters(proposal_id: int, status: str, reason: str = "") -> int:
    """Tell everyone who voted on a proposal that its status changed (may be thousands: out of the request)."""
    from .models import Proposal, Vote
    from .services import lazy_format

    proposal = Proposal.objects.filter(pk=proposal_id).first()
    if proposal is None:
        return 0
    label = Proposal.Status(status).label
    title = lazy_format(_("“%(title)s”, which you voted on, is now: %(status)s"), title=proposal.title, status=label)
    sent = 0
    voters = Vote.objects.filter(proposal_id=proposal_id).exclude(user_id=proposal.author_id).select_related("user")
    for vote in voters.iterator(chunk_size=500):
        if notify(vote.user, "mapvotes.status", title, reason, url=proposal.get_absolute_url()):
            sent += 1
    return sent
