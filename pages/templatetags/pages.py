"""The footer's links to the trust pages and the banner asking an account to accept new terms of use."""

from django import template
from django.db import DatabaseError
from django.urls import reverse

from .. import selectors
from ..models import Page

register = template.Library()


@register.inclusion_tag("pages/includes/footer_links.html")
def trust_links():
    # Labels come from the code (translated), not the database: the footer never queries.
    links = [
        (Page.Slug(slug).label, reverse("pages:contact" if slug == Page.Slug.CONTACT else f"pages:{slug}"))
        for slug in selectors.FOOTER_ORDER
    ]
    return {"links": links}


@register.inclusion_tag("pages/includes/terms_banner.html", takes_context=True)
def terms_banner(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    try:
        show = (
            user is not None
            and getattr(request, "resolver_match", None) is not None
            and request.resolver_match.view_name != "pages:accept-terms"
            and selectors.must_accept_terms(user)
        )
    except DatabaseError:  # an error page rendered while the database is down must still render
        show = False
    return {"show": show, "next": request.get_full_path() if show else ""}
