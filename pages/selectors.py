"""Reads: a page for display, and whether an account still has to accept the current terms."""

from django.db.models import Exists, Max, OuterRef
from django.shortcuts import get_object_or_404

from .models import Page, TermsAcceptance

FOOTER_ORDER = [
    Page.Slug.LEGAL,
    Page.Slug.TERMS,
    Page.Slug.PRIVACY,
    Page.Slug.ACCESSIBILITY,
    Page.Slug.CONTACT,
]


def page(slug: str) -> Page:
    return get_object_or_404(Page, slug=slug)


def versions(page: Page):
    return page.versions.select_related("created_by")


def required_terms_version() -> int | None:
    """The version of the terms every account must have accepted (None: no terms published)."""
    return Page.objects.filter(slug=Page.Slug.TERMS).values_list("acceptance_version", flat=True).first()


def current_terms_version() -> int | None:
    return Page.objects.filter(slug=Page.Slug.TERMS).values_list("version", flat=True).first()


def accepted_terms_version(user) -> int | None:
    """The latest version of the terms this account accepted (None: never)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return TermsAcceptance.objects.filter(user=user).aggregate(v=Max("version"))["v"]


def must_accept_terms(user) -> bool:
    """Whether this account still has to accept the required version of the terms; one query (every page's banner
    asks it)."""
    if not getattr(user, "is_authenticated", False):
        return False
    accepted = (
        Page.objects.filter(slug=Page.Slug.TERMS)
        .annotate(ok=Exists(TermsAcceptance.objects.filter(user=user, version__gte=OuterRef("acceptance_version"))))
        .values_list("ok", flat=True)
        .first()
    )
    return accepted is False  # None: no terms published
