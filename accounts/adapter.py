from urllib.parse import urlsplit, urlunsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from serving.clientip import client_ip

from . import login_guard
from .models import default_display_name


def on_site(url: str) -> str:
    """`url` on SITE_URL's scheme and host: e-mailed links never depend on the Host header of the request."""
    site, bits = urlsplit(settings.SITE_URL), urlsplit(url)
    return urlunsplit((site.scheme, site.netloc, site.path.rstrip("/") + bits.path, bits.query, bits.fragment))


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.display_name = form.cleaned_data.get("display_name", "").strip() or default_display_name()
        user.preferred_language = (getattr(request, "LANGUAGE_CODE", None) or "fr")[:2]
        if commit:
            user.save()
        return user

    def pre_authenticate(self, request, **credentials):
        """accounts.login_guard instead of allauth's limiter (which refused everyone when the cache was down)."""
        request.login_guard_admitted = True  # accounts.backends.LoginGuardBackend: counted once
        wait = login_guard.admit(request, login_guard.identifier_of(credentials))
        if wait is not None:
            request.login_guard_wait = wait  # accounts.middleware.LoginGuardMiddleware: 429 + Retry-After
            raise ValidationError(login_guard.refusal_message(wait), code="too_many_login_attempts")

    def get_client_ip(self, request):
        """The one decision of serving.clientip (allauth's own read X-Forwarded-For with other rules, and failed on it)."""
        return client_ip(request)

    def send_mail(self, template_prefix, email, context):
        # Every link allauth puts in an e-mail (confirmation, password reset, sign-up) is an `…_url` of the context.
        context = {
            key: on_site(value) if key.endswith("_url") and isinstance(value, str) and "://" in value else value
            for key, value in context.items()
        }
        super().send_mail(template_prefix, email, context)

    def post_login(self, request, user, *, signup, **kwargs):
        """At log-in, an account that has not accepted the current terms of use is asked to, then sent on."""
        response = super().post_login(request, user, signup=signup, **kwargs)
        from pages.selectors import must_accept_terms

        if not signup and isinstance(response, HttpResponseRedirect) and must_accept_terms(user):
            return HttpResponseRedirect(f"{reverse('pages:accept-terms')}?{urlencode({'next': response.url})}")
        return response
