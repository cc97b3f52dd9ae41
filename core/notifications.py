"""Tell someone something: in-app (stored + live over ws/notifications/), by e-mail through the task queue, or in a
weekly digest e-mail, as the recipient chose for that category of notifications (page "Mon compte > Notifications").

A notification is a side effect (core.side_effects): `notify()` never raises, and what it stores is sized by
construction, so that an application, a message or a periodic job never fails because of it.

Titles and bodies are stored as message keys (the English msgid) and parameters, and rendered in the reader's
language: the page and the API in the language of the request, the live push and the e-mail in the recipient's
preferred language. Call sites write

    notify(user, "volunteering.accepted",
           Message(gettext_noop("Your application for “{target}” has been accepted"), target=mission.title),
           application_message_typed_by_a_person, url=...)

A plain `gettext_lazy` string works too (kept as its msgid); any other string is the person's own text, stored as is.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_noop, ngettext
from django.utils.translation import gettext_lazy as _

from serving.realtime import publish, user_group

from .models import Notification, NotificationSetting
from .outbox import subject_line
from .side_effects import after_commit, each, side_effect

logger = logging.getLogger(__name__)

Channel = NotificationSetting.Channel


# --- Messages stored as keys ----------------------------------------------------------------------------------------


class Message:
    """A sentence kept as its English msgid and parameters; `str()` renders it in the active language.

    The msgid uses `{name}` or `%(name)s` placeholders; parameters are strings, numbers, `gettext_lazy` strings (a
    status label), Messages, or dates and datetimes (stored as ISO, written in the reader's date style in Paris time).
    Wrap the msgid in `gettext_noop()` so that makemessages finds it."""

    __slots__ = ("key", "params")

    def __init__(self, key: str, **params):
        self.key = key
        self.params = params

    def as_json(self) -> dict:
        return {"key": self.key, "params": {name: _param_json(value) for name, value in self.params.items()}}

    def __str__(self):
        return render_json(self.as_json())


def _promise_json(value: Promise):
    """A `gettext_lazy` string is kept as its msgid when it is one (checked by translating the msgid again: a
    format_lazy or another lazy object is not); otherwise its text in the active language."""
    args = getattr(value, "_args", None)
    text = str(value)
    if args and len(args) == 1 and isinstance(args[0], str) and args[0] and gettext(args[0]) == text:
        return {"key": args[0], "params": {}}
    return text


def _param_json(value):
    if isinstance(value, datetime.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"date": value.isoformat()}
    if isinstance(value, Message):
        return value.as_json()
    if isinstance(value, Promise):
        return _promise_json(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return "" if value is None else str(value)


def _text_json(value):
    """What is stored for a title or a body: a {"key", "params"} dict, or the person's own text."""
    if isinstance(value, Message):
        return value.as_json()
    if isinstance(value, Promise):
        return _promise_json(value)
    return "" if value is None else str(value)


def render_json(data, fallback: str = "") -> str:
    """Render a stored message in the active language; `fallback` when it cannot be (a broken row)."""
    if isinstance(data, str):
        return data
    if not isinstance(data, dict) or not isinstance(data.get("key"), str) or not data["key"]:
        return fallback
    raw_params = data.get("params") or {}
    if not isinstance(raw_params, dict):
        return fallback
    params = {name: _render_param(value) if isinstance(value, dict) else value for name, value in raw_params.items()}
    key = data["key"]
    for text in (gettext(key), key):  # a translation that lost a placeholder: the English sentence is right
        if not params:
            return text
        try:
            return text % params if "%(" in text else text.format(**params)
        except (KeyError, ValueError, TypeError, IndexError, AttributeError):
            continue
    return fallback


def _render_param(value: dict) -> str:
    """A nested message, or a date or a datetime in the active language's date style (Paris time)."""
    for kind, parse, style in (("datetime", parse_datetime, "DATETIME_FORMAT"), ("date", parse_date, "DATE_FORMAT")):
        raw = value.get(kind)
        if not isinstance(raw, str):
            continue
        try:
            moment = parse(raw)
        except ValueError:
            moment = None
        if moment is None:
            return raw
        if kind == "datetime":
            moment = timezone.localtime(
                moment if timezone.is_aware(moment) else timezone.make_aware(moment, datetime.UTC)
            )
        return date_format(moment, style)
    return render_json(value)


def render(notification: Notification, part: str) -> str:
    """The notification's title or body in the active language (its stored text for older rows)."""
    stored = getattr(notification, part)
    message = notification.message if isinstance(notification.message, dict) else {}
    if part not in message:
        return stored
    return render_json(message[part], stored)


def language_of(user) -> str:
    return getattr(user, "preferred_language", None) or settings.LANGUAGE_CODE


# --- Categories and settings ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Category:
    slug: str
    label: Promise
    kinds: tuple[str, ...]
    default: str = Channel.EMAIL


# One list for every space, in the order of the settings page: a person chooses by what the notifications are about,
# not by the app that sends them. A kind listed nowhere falls in "other".
CATEGORIES = (
    Category(
        "proposal_status",
        _("The proposals I made or voted on change status or are merged"),
        ("mapvotes.status", "mapvotes.merged", "mapvotes.edited", "mapvotes.withdrawn"),
    ),
    Category("moderation", _("My contributions are hidden or restored by the team"), ("mapvotes.moderation",)),
    Category(
        "comments",
        _("Comments on my ideas and replies to my comments"),
        ("ideas.comment", "comment.reply"),
        Channel.IN_APP,
    ),
    Category(
        "applications_received",
        _("Applications to my organisation (new, withdrawn, waiting list)"),
        ("volunteering.application", "volunteering.withdrawn", "volunteering.waiting_list"),
    ),
    Category(
        "application_status",
        _("Answers to my applications and mission reminders"),
        (
            "volunteering.shortlisted",
            "volunteering.invited",
            "volunteering.accepted",
            "volunteering.declined",
            "volunteering.upcoming",
        ),
    ),
    Category(
        "application_messages",
        _("Messages and attestations about applications"),
        ("volunteering.message", "volunteering.attestation"),
    ),
    Category(
        "mission_reminders",
        _("Reminders about my organisation's missions"),
        ("volunteering.expired", "volunteering.unanswered", "volunteering.untouched"),
    ),
    Category(
        "mission_matches",
        _("New missions that match my volunteer profile"),
        ("volunteering.matches", "volunteering.saved_search"),
    ),
    Category("idea_news", _("News of the ideas I support"), ("ideas.news",)),
    Category(
        "connections",
        _("Connections and messages between project holders and partners"),
        ("ideas.connection", "ideas.connection_decided", "ideas.message"),
    ),
    Category(
        "strategy",
        _("The strategy: contributions I made or follow are integrated in a new version"),
        ("strategy.integrated",),
    ),
    Category(
        "followed",
        _("What I follow: proposals, ideas, missions and strategy sections"),
        ("follow.status", "follow.comment", "follow.news", "follow.version"),
    ),
    Category("other", _("Other notifications"), ()),
)
_BY_SLUG = {category.slug: category for category in CATEGORIES}
_BY_KIND = {kind: category for category in CATEGORIES for kind in category.kinds}


def category_of(kind: str) -> Category:
    return _BY_KIND.get(kind, _BY_SLUG["other"])


def default_channel(category: Category, email: bool = True) -> str:
    # A call site that sends no e-mail by default (email=False) keeps doing so unless the person asked for it.
    if not email and category.default == Channel.EMAIL:
        return Channel.IN_APP
    return category.default


def settings_of(user) -> dict[str, str]:
    """{category slug: channel} for every category, defaults included (the settings page)."""
    chosen = dict(NotificationSetting.objects.filter(user=user).values_list("category", "channel"))
    return {c.slug: chosen.get(c.slug) or c.default for c in CATEGORIES}


def channel_for(user, kind: str, email: bool = True) -> str:
    category = category_of(kind)
    chosen = (
        NotificationSetting.objects.filter(user=user, category=category.slug).values_list("channel", flat=True).first()
    )
    return chosen if chosen in Channel.values else default_channel(category, email)


def save_settings(user, choices: dict[str, str]) -> None:
    """Record the person's choice for each category given (unknown categories and channels are ignored)."""
    for slug, channel in choices.items():
        if slug in _BY_SLUG and channel in Channel.values:
            NotificationSetting.objects.update_or_create(user=user, category=slug, defaults={"channel": channel})


# --- Sending --------------------------------------------------------------------------------------------------------


def notify(recipient, kind: str, title, body="", url: str = "", email: bool = True) -> Notification | None:
    """Tell `recipient`, on the channel they chose for this kind. Never raises: a failure is logged and the
    caller's action goes on (the notification is written in a savepoint; the push and the e-mail after commit)."""
    if recipient is None or not getattr(recipient, "is_active", False):
        return None
    notification = None
    with side_effect("notification %s to account %s", kind, getattr(recipient, "pk", None)):
        notification = _notify(recipient, kind, title, body, url, email)
    return notification


def notify_reply(recipient, replier, title: str, body: str, url: str) -> Notification | None:
    """Tell the author of a comment that `replier` answered it (on a proposal or an idea titled `title`)."""
    return notify(
        recipient,
        "comment.reply",
        Message(gettext_noop("{name} replied to your comment on “{title}”"), name=replier.public_name, title=title),
        body[:300],
        url=url,
    )


def _notify(recipient, kind, title, body, url, email):
    channel = channel_for(recipient, kind, email)
    if channel == Channel.NONE:
        return None
    with translation.override(language_of(recipient)):
        title_json, body_json = _text_json(title), _text_json(body)
        title_text, body_text = render_json(title_json), render_json(body_json)
    message = {part: data for part, data in (("title", title_json), ("body", body_json)) if isinstance(data, dict)}
    notification = Notification.objects.create(
        recipient=recipient,
        kind=kind[:60],
        title=title_text,
        body=body_text,
        message=message,
        url=url or "",
        digest_pending=channel == Channel.DIGEST,
    )
    payload = {
        "type": "notification",
        "id": notification.pk,
        "kind": notification.kind,
        "title": title_text,
        "body": body_text,
        "url": notification.url,
        "created_at": notification.created_at.isoformat(),
    }
    after_commit(lambda: publish(user_group(recipient.pk), payload), "live notification %s", notification.pk)
    if channel == Channel.EMAIL and recipient.email:
        after_commit(lambda: send_email(notification), "e-mail of notification %s", notification.pk)
    return notification


def _settings_line() -> str:
    url = settings.SITE_URL + reverse("notification-settings")
    return gettext("Choose which notifications you receive, and how: %(url)s") % {"url": url}


def send_email(notification: Notification) -> None:
    """The notification by e-mail, in the recipient's language."""
    recipient = notification.recipient
    with translation.override(language_of(recipient)):
        title, body = render(notification, "title"), render(notification, "body")
        link = f"{settings.SITE_URL}{notification.url}" if notification.url else ""
        text = "\n\n".join(part for part in (body, link, "-- \n" + _settings_line()) if part)
        send_mail(subject_line(f"[Participe] {title}"), text, None, [recipient.email])


# --- Weekly digest --------------------------------------------------------------------------------------------------


def send_weekly_digests() -> int:
    """The periodic job: one e-mail per account with the notifications that wait for its digest; an account whose
    e-mail fails keeps them for the next run (logged) and the others get theirs."""
    recipients = list(
        Notification.objects.filter(digest_pending=True).values_list("recipient_id", flat=True).distinct()
    )
    sent = []
    each(recipients, lambda pk: sent.append(pk) if _send_digest(pk) else None, "Weekly digest")
    return len(sent)


def _send_digest(recipient_id) -> bool:
    pending = list(
        Notification.objects.select_for_update(skip_locked=True)
        .filter(recipient_id=recipient_id, digest_pending=True)
        .select_related("recipient")
        .order_by("created_at")
    )
    if not pending:
        return False
    Notification.objects.filter(pk__in=[n.pk for n in pending]).update(digest_pending=False)
    recipient = pending[0].recipient
    unread = [n for n in pending if n.read_at is None]  # what was read on the site needs no e-mail
    if not unread or not recipient.is_active or not recipient.email:
        return False
    with translation.override(language_of(recipient)):
        count = len(unread)
        subject = ngettext(
            "Your week on Participe: %(count)d notification", "Your week on Participe: %(count)d notifications", count
        ) % {"count": count}
        items = []
        for notification in unread:
            lines = [f"• {render(notification, 'title')}"]
            if body := render(notification, "body"):
                lines.append(f"  {body[:300]}")
            if notification.url:
                lines.append(f"  {settings.SITE_URL}{notification.url}")
            items.append("\n".join(lines))
        all_url = settings.SITE_URL + reverse("notifications")
        text = "\n\n".join(
            [*items, gettext("All your notifications: %(url)s") % {"url": all_url}, "-- \n" + _settings_line()]
        )
        send_mail(subject_line(subject), text, None, [recipient.email])
    return True
