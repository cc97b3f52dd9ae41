import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from core import gdpr
from pages import selectors as pages_selectors

from . import services
from .forms import DeleteAccountForm, ProfileForm


@login_required
def profile(request):
    """ "Mon compte": profile (name, language), e-mail and password (allauth's pages), my data, deletion."""
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile has been saved."))
        return redirect("accounts:profile")
    memberships = request.user.memberships.select_related("organization")
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "memberships": memberships,
            "terms_version": pages_selectors.accepted_terms_version(request.user),
            "must_accept_terms": pages_selectors.must_accept_terms(request.user),
        },
    )


@login_required
@require_safe
def download_data(request):
    """All of the account's data as a JSON file (the same as GET /api/v1/me/export/)."""
    data = json.dumps(gdpr.export(request.user), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(data, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="participe-mes-donnees.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        services.delete_account(user)
        logout(request)
        messages.success(request, _("Your account has been deleted. Your public contributions stay, unattributed."))
        return redirect("home")
    return render(request, "accounts/delete_account.html", {"form": form})
