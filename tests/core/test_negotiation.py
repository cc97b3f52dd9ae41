"""The API's content negotiation (serving/negotiation.py) takes a shortcut for the usual clients: it must answer every
Accept header exactly as DRF's own does."""

import pytest
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from serving.negotiation import ContentNegotiation

ACCEPTS = [None, "", "*/*", "application/json", " application/json ", "text/html", "application/json; indent=4",
           "*/*;q=0.8", "APPLICATION/JSON", "image/png", "text/html,application/json;q=0.9"]  # fmt: skip


def _choice(negotiation, accept, query):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    request = Request(APIRequestFactory().get("/api/v1/themes/" + query, **headers))
    try:
        renderer, media_type = negotiation.select_renderer(request, [JSONRenderer(), BrowsableAPIRenderer()])
    except NotAcceptable:
        return "406"
    return type(renderer).__name__, media_type


@pytest.mark.parametrize("query", ["", "?format=api", "?format=json"])
@pytest.mark.parametrize("accept", ACCEPTS)
def test_the_renderer_and_media_type_are_drfs(accept, query):
    assert _choice(ContentNegotiation(), accept, query) == _choice(DefaultContentNegotiation(), accept, query)


def test_the_api_answers_json_to_a_client_that_asks_for_nothing_in_particular(client, db):
    assert client.get("/api/v1/themes/").headers["Content-Type"] == "application/json"
    assert client.get("/api/v1/themes/", HTTP_ACCEPT="text/html").headers["Content-Type"].startswith("text/html")
