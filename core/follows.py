"""Follow a proposal, an idea, a mission or a strategy section, and unfollow; followers are told of status changes,
answers and new versions through `notify()` (kinds "follow.*": one line of the notification settings).

The spaces call `notify_followers()` where the event happens; core only knows the four models by label, so that no
app imports another.
"""

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Follow
from .notifications import notify
from .side_effects import side_effect

# kind in URLs -> (model label, what a person may follow: public objects only)
FOLLOWABLE = {
    "proposal": ("mapvotes.Proposal", Q(is_hidden=False, merged_into__isnull=True)),
    "idea": ("ideas.Idea", Q(is_hidden=False, status__in=["published", "in_partnership", "realised", "archived"])),
    "mission": ("volunteering.Mission", Q(status__in=["published", "full", "expired", "closed"])),
    "section": ("strategy.Section", Q()),
    "budget": ("budget.Project", ~Q(status="merged")),
}


def kind_of(obj) -> str | None:
    label = obj._meta.label
    return next((kind for kind, (model, _q) in FOLLOWABLE.items() if model == label), None)


def followable(kind: str, pk):
    """The public object of that kind, or None."""
    if kind not in FOLLOWABLE:
        return None
    label, public = FOLLOWABLE[kind]
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return apps.get_model(label)._default_manager.filter(public, pk=pk).first()


def _where(obj) -> dict:
    return {"content_type": ContentType.objects.get_for_model(obj), "object_id": obj.pk}


def follow(user, obj) -> Follow:
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied(_("You need to log in to do this."))
    follow, _created = Follow.objects.get_or_create(user=user, **_where(obj))
    return follow


def unfollow(user, obj) -> bool:
    if not user.is_authenticated:
        return False
    deleted, _rows = Follow.objects.filter(user=user, **_where(obj)).delete()
    return bool(deleted)


def is_following(user, obj) -> bool:
    return bool(user.is_authenticated) and Follow.objects.filter(user=user, **_where(obj)).exists()


def followers(obj):
    from accounts.models import User

    return User.objects.filter(is_active=True, follows__in=Follow.objects.filter(**_where(obj)))


def notify_followers(obj, kind: str, title, body="", url: str = "", exclude=(), exclude_query=None) -> int:
    """Tell every follower of `obj` except the user ids in `exclude` and `exclude_query` (a values() queryset: the
    voters, the supporters, who are told otherwise). A side effect: nothing here raises — a failure (of the followers'
    query as of one notice) is logged and rolled back to its savepoint, and the action that called it goes on."""
    sent = 0
    with side_effect("telling the followers of %s %s", obj._meta.label, obj.pk):
        url = url or obj.get_absolute_url()
        recipients = followers(obj).exclude(pk__in=[pk for pk in exclude if pk is not None])
        if exclude_query is not None:
            recipients = recipients.exclude(pk__in=exclude_query)
        for user in recipients.iterator(chunk_size=500):
            if notify(user, kind, title, body, url=url):
                sent += 1
    return sent
