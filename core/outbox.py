"""An e-mail on its way out: a subject line every mail server accepts, the message as task data, and its delivery.

Shared by the backend that queues messages (core.mail), the task that sends them (core.tasks) and the notifications
that write them (core.notifications); it imports none of them.
"""

import re

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils.text import Truncator

SUBJECT_MAX = 150


def subject_line(text) -> str:
    """A subject that every mail server accepts: one line (a newline would be refused as header injection), at most
    SUBJECT_MAX characters, an ellipsis when shortened."""
    # Only line breaks go: the non-breaking spaces of French typography stay.
    return Truncator(re.sub(r"\s*[\r\n\u2028\u2029]+\s*", " ", str(text)).strip()).chars(SUBJECT_MAX)


def serialise(message) -> dict:
    """The message as JSON-able task data (core.tasks.send_email)."""
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "alternatives": [[str(content), mimetype] for content, mimetype in getattr(message, "alternatives", [])],
    }


def deliver(data: dict) -> int:
    """Send the message of serialise() through settings.EMAIL_DELIVERY_BACKEND (SMTP in production)."""
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
    )
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    connection = get_connection(settings.EMAIL_DELIVERY_BACKEND)
    return connection.send_messages([message]) or 0
