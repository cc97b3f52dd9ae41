"""Tell someone something: in-app (stored + live over ws/notifications/) and by e-mail through the task queue."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation

from .models import Notification
from .realtime import publish, user_group


def notify(recipient, kind: str, title: str, body: str = "", url: str = "", email: bool = True) -> Notification | None:
    """`title` and `body` may be lazy translations: they are rendered in the recipient's language."""
    if recipient is None or not recipient.is_active:
        return None
    language = getattr(recipient, "preferred_language", None) or settings.LANGUAGE_CODE
    with translation.override(language):
        title, body = str(title), str(body)
    notification = Notification.objects.create(recipient=recipient, kind=kind, title=title, body=body, url=url)
    payload = {
        "type": "notification",
        "id": notification.pk,
        "kind": kind,
        "title": title,
        "body": body,
        "url": url,
        "created_at": notification.created_at.isoformat(),
    }
    transaction.on_commit(lambda: publish(user_group(recipient.pk), payload))
    if email and recipient.email:
        link = f"\n\n{settings.SITE_URL}{url}" if url else ""
        transaction.on_commit(
            lambda: send_mail(f"[Participe] {title}", f"{body}{link}", None, [recipient.email], fail_silently=True)
        )
    return notification
