from django_tasks import task

from .mail import deliver


@task()
def send_email(data: dict) -> int:
    return deliver(data)
