import logging
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.messages.storage import default_storage
from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import render
from django.template.response import SimpleTemplateResponse
from django.utils.functional import SimpleLazyObject, empty
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

JUNK_INPUT = gettext_lazy("The request contains a character that is not allowed (a NUL character or an invalid one).")

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    """PostgreSQL down or restarting: answer 503 (JSON for the API), and recover by itself afterwards."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 503 and not response.has_header("Retry-After"):
            response["Retry-After"] = "5"  # e.g. the API's own 503 (serving.rest.ServiceUnavailable)
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


class JunkInputMiddleware:
    """A NUL character or bytes that are not UTF-8 in the path, the query string or a form field: 400 (JSON for the
    API, the 400 page otherwise), before any view, form or query sees them. PostgreSQL refuses NUL in text (a 500 in
    every list, filter and search), and no page or form of ours produces either. One rule for every page and endpoint
    (JSON bodies: serving.parsers)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        where = self._junk(request)
        if where is None:
            return self.get_response(request)
        logger.info("Refused %s %s: invalid characters in the %s", request.method, request.path, where)
        message = str(JUNK_INPUT)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=400)
        return render(request, "400.html", {"message": message}, status=400)

    @staticmethod
    def _junk(request):
        if "\x00" in request.path:
            return "path"
        if not _clean_urlencoded(request.META.get("QUERY_STRING", "")):
            return "query string"
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return None
        if request.content_type == "application/x-www-form-urlencoded":
            return None if _clean_urlencoded(request.body) else "form"
        if request.content_type == "multipart/form-data":
            # Django has decoded the fields (undecodable bytes become U+FFFD); a NUL survives decoding.
            fields = request.POST.lists()
            return "form" if any("\x00" in key or any("\x00" in v for v in values) for key, values in fields) else None
        return None


def _clean_urlencoded(raw: str | bytes) -> bool:
    """True when every key and value of an application/x-www-form-urlencoded string decodes as UTF-8 without NUL."""
    if not raw:
        return True
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogateescape")
    if b"%" not in raw and b"\x00" not in raw and raw.isascii():
        return True  # the usual case, decided without decoding
    data = unquote_to_bytes(raw.replace(b"+", b" "))
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


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


class CompressionMiddleware(GZipMiddleware):
    """gzip for text answers (pages, JSON, GeoJSON, CSV, calendars, feeds); not for PDFs and pictures, which are
    compressed already. Static files are served (pre-compressed) by WhiteNoise, above this middleware.

    BREACH: Django masks the CSRF token anew on each response and GZipMiddleware pads the gzip header with up to
    100 random bytes (Heal The Breach); the session cookie is SameSite=Lax, so a cross-site page cannot make the
    browser send authenticated requests whose compressed sizes it could measure."""

    TEXT_TYPES = ("text/", "application/json", "application/geo+json", "application/javascript", "application/xml")
    TEXT_SUFFIXES = ("+json", "+xml")

    def process_response(self, request, response):
        content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
        if not (content_type.startswith(self.TEXT_TYPES) or content_type.endswith(self.TEXT_SUFFIXES)):
            return response
        return super().process_response(request, response)
