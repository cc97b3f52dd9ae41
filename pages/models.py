"""The pages every French public platform has (mentions légales, terms, privacy, accessibility, contact), written
in Markdown by the team and kept in versions; the terms' acceptance by each account, version by version."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Page(models.Model):
    class Slug(models.TextChoices):
        LEGAL = "mentions-legales", _("Legal notice")
        TERMS = "conditions-utilisation", _("Terms of use")
        PRIVACY = "confidentialite", _("Privacy policy")
        ACCESSIBILITY = "accessibilite", _("Accessibility statement")
        CONTACT = "contact", _("Contact")

    slug = models.SlugField(_("page"), max_length=40, unique=True, choices=Slug.choices)
    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(_("text (Markdown)"), blank=True)
    # The sanitised HTML of `body`, rendered once when a version is published (pages.rendering).
    body_html = models.TextField(editable=False, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    # Terms only: the version every account must have accepted (a typo fix does not ask everyone again).
    acceptance_version = models.PositiveIntegerField(_("version to accept"), default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("page")
        verbose_name_plural = _("pages")

    def __str__(self):
        return self.title


class PageVersion(models.Model):
    page = models.ForeignKey(Page, verbose_name=_("page"), on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(_("text (Markdown)"), blank=True)
    summary = models.CharField(_("what changed"), max_length=300, blank=True)
    requires_acceptance = models.BooleanField(_("accounts must accept it again"), default=False)
    created_at = models.DateTimeField(_("published at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["page", "-number"]
        verbose_name = _("page version")
        verbose_name_plural = _("page versions")
        constraints = [models.UniqueConstraint(fields=["page", "number"], name="unique_page_version")]

    def __str__(self):
        return f"{self.title} v{self.number}"


class TermsAcceptance(models.Model):
    """An account accepted this version of the terms of use (at sign-up, or when asked after a change)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.CASCADE, related_name="terms_acceptances"
    )
    version = models.PositiveIntegerField(_("version"))
    accepted_at = models.DateTimeField(_("accepted at"), auto_now_add=True)

    class Meta:
        ordering = ["-accepted_at"]
        verbose_name = _("acceptance of the terms")
        verbose_name_plural = _("acceptances of the terms")
        constraints = [models.UniqueConstraint(fields=["user", "version"], name="unique_terms_acceptance")]

    def __str__(self):
        return f"{self.user} v{self.version}"
