import logging

from django.conf import settings
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.messages.storage import default_storage
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import engines
from django.template.response import SimpleTemplateResponse
from django.utils.functional import SimpleLazyObject, empty
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    """PostgreSQL down or restarting: answer 503 (JSON for the API), and recover by itself afterwards."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 503 and not response.has_header("Retry-After"):
            response["Retry-After"] = "5"  # e.g. the API's own 503 (core.rest.ServiceUnavailable)
        return response

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("Database unavailable for %s", request.path, exc_info=True)
        from django.db import connections

        for conn in connections.all():
            conn.close_if_unusable_or_obsolete()
        message = _("The service is temporarily unavailable. Please try again in a moment.")
        if request.path.startswith("/api/") or request.path == "/healthz":
            response = JsonResponse({"detail": message}, status=503)
        else:
            response = SimpleTemplateResponse("503.html", {"message": message}, status=503).render()
        response["Retry-After"] = "5"
        return response


class LazyMessageMiddleware(MessageMiddleware):
    """Django's, with the message storage built on first use: most requests (every API call, every page without a
    message) never touch it, and building it — a cookie signer and a session reader per request — was a tenth of
    the middleware's CPU on a vote (bench/mapvotes_bench.py)."""

    def process_request(self, request):
        request._messages = SimpleLazyObject(lambda: default_storage(request))

    def process_response(self, request, response):
        messages = getattr(request, "_messages", None)
        if isinstance(messages, SimpleLazyObject) and messages._wrapped is empty:
            return response  # never used: nothing to store
        return super().process_response(request, response)


class ContentSecurityPolicyMiddleware:
    """A strict CSP: no inline script anywhere (our JS lives in static ES modules)."""

    def __init__(self, get_response):
        self.get_response = get_response
        tiles = settings.MAP_TILES_URL.split("/{")[0]
        origin = "/".join(tiles.split("/")[:3]) if tiles.startswith("http") else ""
        self.policy = "; ".join(
            [
                "default-src 'self'",
                "script-src 'self'",
                "style-src 'self' 'unsafe-inline'",
                f"img-src 'self' data: blob: {origin}".strip(),
                "connect-src 'self' ws: wss:",
                "font-src 'self' data:",
                "object-src 'none'",
                "frame-ancestors 'none'",
                "base-uri 'self'",
                "form-action 'self'",
            ]
        )

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response and not request.path.startswith("/admin/"):
            response["Content-Security-Policy"] = self.policy
        return response


_LOCKOUT_PAGE = """{% extends "base.html" %}{% load i18n %}
{% block title %}{% translate "Log in" %}{% endblock %}
{% block content %}<h1>{% translate "Log in" %}</h1>
<p role="alert">{{ message }}</p>
<p><a href="{% url 'account_reset_password' %}">{% translate "Forgot your password?" %}</a></p>{% endblock %}"""


def axes_lockout_response(request, original_response=None, credentials=None):
    """django-axes lock-out (too many failed log-ins): 429 with a clear, translated sentence (JSON for the API)."""
    from axes.helpers import get_cool_off, get_lockout_message

    message = str(get_lockout_message())
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=429)
    else:
        page = engines["django"].from_string(_LOCKOUT_PAGE)
        response = HttpResponse(page.render({"message": message}, request), status=429)
    cool_off = get_cool_off(request)
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
