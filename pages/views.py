from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from serving.throttling import throttle

from . import selectors, services
from .forms import AcceptTermsForm, ContactForm, PageForm
from .models import Page


def page_detail(request, slug):
    page = selectors.page(slug)
    return render(
        request,
        "pages/page.html",
        {"page": page, "can_edit": request.user.has_perm("pages.change_page", page)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def page_edit(request, slug):
    page = selectors.page(slug)
    if not request.user.has_perm("pages.change_page", page):
        raise PermissionDenied(_("Only the mission team can edit this page."))
    form = PageForm(request.POST or None, page=page, initial={"title": page.title, "body": page.body})
    if request.method == "POST" and form.is_valid():
        services.publish_page(page, actor=request.user, **form.cleaned_data)
        messages.success(request, _("The new version of the page is published."))
        return redirect(page_url(page))
    return render(request, "pages/edit.html", {"page": page, "form": form})


def page_history(request, slug):
    page = selectors.page(slug)
    return render(
        request, "pages/history.html", {"page": page, "page_url": page_url(page), "versions": selectors.versions(page)}
    )


@require_http_methods(["GET", "POST"])
@throttle("message")
def contact(request):
    page = selectors.page(Page.Slug.CONTACT)
    user = request.user
    initial = {"name": user.public_name, "email": user.email} if user.is_authenticated else {}
    form = ContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.send_contact_message(user=user, **form.cleaned_data)
        messages.success(request, _("Your message has been sent to the team. Thank you."))
        return redirect("pages:contact")
    return render(
        request,
        "pages/contact.html",
        {"page": page, "form": form, "can_edit": user.has_perm("pages.change_page", page)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def accept_terms(request):
    terms = selectors.page(Page.Slug.TERMS)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    form = AcceptTermsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.accept_terms(request.user, terms.version)
        messages.success(request, _("Thank you: you have accepted the terms of use."))
        return redirect(next_url or "home")
    return render(
        request,
        "pages/accept_terms.html",
        {
            "page": terms,
            "form": form,
            "next": next_url,
            "accepted_version": selectors.accepted_terms_version(request.user),
        },
    )


def page_url(page: Page) -> str:
    from django.urls import reverse

    return reverse("pages:contact") if page.slug == Page.Slug.CONTACT else reverse(f"pages:{page.slug}")
