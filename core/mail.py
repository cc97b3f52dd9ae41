"""E-mail goes through the task queue: the request never waits for SMTP, and a failed send can be retried.

settings.EMAIL_BACKEND; the message format and its delivery are in core.outbox, the task in core.tasks."""

from django.core.mail.backends.base import BaseEmailBackend

from .outbox import serialise
from .tasks import send_email


class TaskEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        count = 0
        for message in email_messages:
            if not message.recipients():
                continue
            send_email.enqueue(serialise(message))
            count += 1
        return count
