"""E-mail goes through the task queue: the request never waits for SMTP, and a failed send can be retried."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend


def _serialise(message) -> dict:
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


class TaskEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        from .tasks import send_email

        count = 0
        for message in email_messages:
            if not message.recipients():
                continue
            send_email.enqueue(_serialise(message))
            count += 1
        return count
