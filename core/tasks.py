from django_tasks import task

from . import notifications
from .outbox import deliver


@task()
def send_email(data: dict) -> int:
    return deliver(data)


@task()
def send_weekly_digests() -> int:
    return notifications.send_weekly_digests()
