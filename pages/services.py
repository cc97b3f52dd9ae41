"""Writes: publish a new version of a page, record an account's acceptance of the terms, send a contact message."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils.translation import gettext as _

from core.moderation import record

from .models import Page, PageVersion, TermsAcceptance
from .rendering import render_markdown


@transaction.atomic
def publish_page(
    page: Page, *, title: str, body: str, actor, summary: str = "", requires_acceptance: bool = False
) -> PageVersion:
    """A new version of `page` (kept in its history); for the terms, `requires_acceptance` asks every account to
    accept this version at its next log-in. Audited."""
    page = Page.objects.select_for_update().get(pk=page.pk)
    page.version += 1
    page.title, page.body, page.body_html = title, body, render_markdown(body)
    requires_acceptance = requires_acceptance and page.slug == Page.Slug.TERMS
    if requires_acceptance:
        page.acceptance_version = page.version
    page.save()
    version = PageVersion.objects.create(
        page=page,
        number=page.version,
        title=title,
        body=body,
        summary=summary,
        requires_acceptance=requires_acceptance,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    record(actor, "pages.page_published", page, version=page.version, requires_acceptance=requires_acceptance)
    return version


def accept_terms(user, version: int | None = None) -> TermsAcceptance | None:
    """Record that `user` accepted the terms (the current version unless given); accepting twice keeps one row."""
    if version is None:
        version = Page.objects.filter(slug=Page.Slug.TERMS).values_list("version", flat=True).first()
    if version is None:
        return None
    acceptance, _created = TermsAcceptance.objects.get_or_create(user=user, version=version)
    return acceptance


def contact_recipients() -> list[str]:
    """CONTACT_EMAIL when set (the team's shared mailbox), else every active member of the mission team."""
    configured = getattr(settings, "CONTACT_EMAIL", "")
    if configured:
        return [configured]
    User = get_user_model()
    return list(User.objects.filter(is_team=True, is_active=True).order_by("pk").values_list("email", flat=True)) or [
        settings.SERVER_EMAIL
    ]


def send_contact_message(*, name: str, email: str, subject: str, message: str, user=None) -> int:
    """E-mail the message to the team through the task queue (core.mail); nothing is stored on the platform
    besides the queued e-mail. Replying answers the sender."""
    # Whole sentences to translate: "From" alone is "Du" in other apps' catalogues, and French wants "De :".
    lines = [_("From: %(name)s <%(email)s>") % {"name": name, "email": email}]
    if user is not None and user.is_authenticated:
        lines.append(_("Account: %(email)s (#%(id)s)") % {"email": user.email, "id": user.pk})
    body = "\n".join(lines) + f"\n\n{message}"
    mail = EmailMessage(
        subject=f"[Participe — {_('Contact')}] {subject}",
        body=body,
        to=contact_recipients(),
        reply_to=[email],
    )
    return mail.send()
