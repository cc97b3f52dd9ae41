"""Content negotiation of the API (REST_FRAMEWORK["DEFAULT_CONTENT_NEGOTIATION_CLASS"]); a module of its own because
DRF's APIView imports it while being defined."""

from rest_framework.negotiation import DefaultContentNegotiation


class ContentNegotiation(DefaultContentNegotiation):
    """DRF's, answering what it would without parsing the Accept header of the usual API client: none, */* or
    application/json gets the first renderer (JSON). Parsing and ranking media types cost 60 µs of CPU per request."""

    SIMPLE = frozenset({"*/*", "application/json"})

    def select_renderer(self, request, renderers, format_suffix=None):
        if (
            not format_suffix
            and self.settings.URL_FORMAT_OVERRIDE not in request.query_params
            and renderers
            and renderers[0].media_type == "application/json"
            and request.META.get("HTTP_ACCEPT", "*/*").strip() in self.SIMPLE
        ):
            return renderers[0], renderers[0].media_type
        return super().select_renderer(request, renderers, format_suffix)
