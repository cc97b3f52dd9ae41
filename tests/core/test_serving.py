"""How requests are served: the ASGI handler (serving/asgi.py), token authentication (serving/authentication.py).

Both replace a library's default for speed (bench/mapvotes_bench.py); these tests hold them to the same behaviour.
"""

import asyncio
import contextlib
import json
import threading

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from mapvotes.models import Vote
from serving import realtime
from serving.asgi import ASGIHandler
from tests.factories import UserFactory
from tests.mapvotes.factories import ProposalFactory

from . import asgi_urls


async def _get(app, path, headers=(), body_after=0.0, method="GET", leave_after_bodies=None, on_send=None):
    """One HTTP request through the ASGI application, as an ASGI server would send it (the body `body_after` seconds
    after the headers: a slow upload; the client leaves once it got `leave_after_bodies` body messages; `on_send` is
    called with each message the application sends)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path.partition("?")[0],
        "raw_path": path.partition("?")[0].encode(),
        "query_string": path.partition("?")[2].encode(),
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    messages, received, left = [], False, asyncio.Event()

    async def receive():
        nonlocal received
        if not received:
            received = True
            await asyncio.sleep(body_after)
            return {"type": "http.request", "body": b"", "more_body": False}
        await left.wait()  # the client stays connected until it leaves
        return {"type": "http.disconnect"}

    async def send(message):
        messages.append(message)
        if on_send is not None:
            on_send(message)
        bodies = sum(m["type"] == "http.response.body" for m in messages)
        if leave_after_bodies is not None and bodies >= leave_after_bodies:
            left.set()

    await app(scope, receive, send)
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return messages[0]["status"], dict(messages[0]["headers"]), body


async def _burst(app, path, n):
    return await asyncio.gather(*(_get(app, path) for _ in range(n)))


def test_asgi_runs_each_request_in_one_of_a_fixed_set_of_reused_threads(settings):
    settings.ROOT_URLCONF = "tests.core.asgi_urls"
    settings.MIDDLEWARE = ["tests.core.asgi_urls.RecordThreadMiddleware", *settings.MIDDLEWARE]
    asgi_urls.seen.clear()

    answers = asyncio.run(_burst(ASGIHandler(threads=3), "/where/", 12))

    assert [status for status, _headers, _body in answers] == [200] * 12
    assert realtime._server_loop is not None  # in-memory layer: background threads publish on the server's loop
    threads = {json.loads(body)["thread"] for _status, _headers, body in answers}
    assert len(threads) <= 3  # twelve requests at once, three threads: the others waited their turn
    assert all(view == middleware for view, middleware in asgi_urls.seen)  # the chain and the view: one thread
    # The whole middleware chain ran: the security headers of the real stack are there.
    headers = answers[0][1]
    assert b"content-security-policy" in {h.lower() for h in headers}
    assert headers.get(b"X-Frame-Options") == b"DENY"


def test_async_code_called_from_a_view_runs_on_the_servers_event_loop(settings):
    """Where the channel layer keeps its connections: not on a new event loop for every call."""
    settings.ROOT_URLCONF = "tests.core.asgi_urls"

    async def serve():
        answers = await _burst(ASGIHandler(threads=2), "/loop/", 3)
        return id(asyncio.get_running_loop()), answers

    server_loop, answers = asyncio.run(serve())

    assert {json.loads(body)["loop"] for _status, _headers, body in answers} == {server_loop}


def test_a_stream_is_produced_in_the_language_of_its_request(settings):
    settings.ROOT_URLCONF = "tests.core.asgi_urls"
    app = ASGIHandler(threads=1)

    async def both():
        english = await _get(app, "/stream-language/", headers=[(b"accept-language", b"en")])
        french = await _get(app, "/stream-language/", headers=[(b"accept-language", b"fr")])
        return english, french

    english, french = asyncio.run(both())

    assert english[2] == b"en\n" * 3
    assert french[2] == b"fr\n" * 3


def test_a_slow_upload_does_not_hold_a_thread(settings):
    settings.ROOT_URLCONF = "tests.core.asgi_urls"
    asgi_urls.seen.clear()
    app = ASGIHandler(threads=1)
    finished = []

    async def both():
        async def upload():
            await _get(app, "/where/", body_after=1.0, method="POST")
            finished.append("upload")

        async def quick():
            await asyncio.sleep(0.1)
            await _get(app, "/where/")
            finished.append("quick")

        await asyncio.gather(upload(), quick())

    asyncio.run(both())

    assert finished == ["quick", "upload"]  # one thread, and the quick request did not wait for the slow body


def test_each_request_starts_and_finishes_once_in_its_own_thread(settings):
    """request_started and request_finished (which give the database connection back) fire once per request, in the
    thread of its view, as under the WSGI handler."""
    from django.core.signals import request_finished, request_started

    settings.ROOT_URLCONF = "tests.core.asgi_urls"
    asgi_urls.seen.clear()
    signalled = []

    def started(**kwargs):
        signalled.append(("started", threading.current_thread().name))

    def finished(**kwargs):
        signalled.append(("finished", threading.current_thread().name))

    request_started.connect(started)
    request_finished.connect(finished)
    try:
        answers = asyncio.run(_burst(ASGIHandler(threads=2), "/where/", 4))
    finally:
        request_started.disconnect(started)
        request_finished.disconnect(finished)

    assert [status for status, _headers, _body in answers] == [200] * 4
    view_threads = sorted(json.loads(body)["thread"] for _status, _headers, body in answers)
    assert sorted(thread for what, thread in signalled if what == "started") == view_threads
    assert sorted(thread for what, thread in signalled if what == "finished") == view_threads


def test_a_streaming_response_is_sent_whole_then_closed(settings):
    settings.ROOT_URLCONF = "tests.core.asgi_urls"
    asgi_urls.events.clear()

    status, _headers, body = asyncio.run(_get(ASGIHandler(threads=1), "/stream/"))

    assert status == 200 and body == b"line 0\nline 1\nline 2\n"
    assert asgi_urls.events == [("chunk", 0), ("chunk", 1), ("chunk", 2), ("stream closed", None)]


def test_a_large_stream_goes_out_as_it_is_produced_not_after(settings):
    """An export of 100,000 proposals must not sit in memory whole before its first byte leaves."""
    settings.ROOT_URLCONF = "tests.core.asgi_urls"
    asgi_urls.events.clear()
    produced_at_each_send = []

    def on_send(message):
        if message["type"] == "http.response.body" and message.get("body"):
            produced_at_each_send.append(sum(what == "chunk" for what, _n in asgi_urls.events))

    _status, _headers, body = asyncio.run(_get(ASGIHandler(threads=1), "/stream/?n=20&size=40000", on_send=on_send))

    assert body.count(b"line ") == 20 and len(body) > 20 * 40000
    assert produced_at_each_send[0] < 20  # the first bytes left before the last chunk was made
    assert len(produced_at_each_send) >= 5 and produced_at_each_send == sorted(produced_at_each_send)
    assert asgi_urls.events[-1] == ("stream closed", None)


def test_a_stream_that_fails_is_still_closed_and_its_error_reaches_the_server(settings):
    from django.core.signals import request_finished

    settings.ROOT_URLCONF = "tests.core.asgi_urls"
    asgi_urls.events.clear()
    finished = []

    def on_finished(**kwargs):
        finished.append(True)

    request_finished.connect(on_finished)
    try:
        with pytest.raises(RuntimeError, match="the export failed"):
            asyncio.run(_get(ASGIHandler(threads=1), "/stream/?n=5&fail_at=1"))
    finally:
        request_finished.disconnect(on_finished)

    assert asgi_urls.events[-1] == ("stream closed", None)
    assert finished == [True]  # the database connection went back


def test_a_stream_whose_client_left_before_it_started_is_closed_in_its_thread(settings):
    from django.core.signals import request_finished

    settings.ROOT_URLCONF = "tests.core.asgi_urls"
    settings.MIDDLEWARE = ["tests.core.asgi_urls.SlowMiddleware", *settings.MIDDLEWARE]
    asgi_urls.events.clear()
    app = ASGIHandler(threads=1)
    finished = []

    def on_finished(**kwargs):
        finished.append(threading.current_thread().name)

    async def scenario():
        leaving = asyncio.ensure_future(_get(app, "/stream/"))
        await asyncio.sleep(0.1)  # the view runs (slowly)
        leaving.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await leaving

    request_finished.connect(on_finished)
    try:
        asyncio.run(scenario())
    finally:
        request_finished.disconnect(on_finished)

    assert ("chunk", 0) not in asgi_urls.events  # nothing was sent...
    assert len(finished) == 1 and finished[0].startswith("http-")  # ...and it was closed, in the request's thread


def test_a_client_that_leaves_stops_a_stream(settings):
    settings.ROOT_URLCONF = "tests.core.asgi_urls"
    asgi_urls.events.clear()

    asyncio.run(_get(ASGIHandler(threads=1), "/stream/?n=1000&size=40000", leave_after_bodies=2))

    made = sum(what == "chunk" for what, _n in asgi_urls.events)
    assert made < 100  # of 1,000: the export stopped soon after the client left
    assert asgi_urls.events[-1] == ("stream closed", None)


def test_a_client_that_leaves_does_not_hand_its_busy_thread_to_the_next_request(settings):
    """The client of a slow view goes away (its server cancels the request): the next request waits for that view to
    end instead of sharing its thread."""
    settings.ROOT_URLCONF = "tests.core.asgi_urls"
    asgi_urls.events.clear()
    app = ASGIHandler(threads=1)

    async def scenario():
        leaving = asyncio.ensure_future(_get(app, "/slow/"))
        await asyncio.sleep(0.1)  # the slow view runs
        leaving.cancel()
        status, _headers, _body = await _get(app, "/slow/")
        with contextlib.suppress(asyncio.CancelledError):
            await leaving
        return status

    assert asyncio.run(scenario()) == 200
    assert [what for what, _thread in asgi_urls.events] == ["view starts", "view ends", "view starts", "view ends"]
    assert len({thread for _what, thread in asgi_urls.events}) == 1


@pytest.mark.django_db(transaction=True)
def test_asgi_serves_pages_the_api_and_errors_as_django_does(settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    app = ASGIHandler(threads=2)

    async def requests():
        return await asyncio.gather(
            _get(app, "/healthz"), _get(app, "/nowhere/"), _get(app, "/api/v1/themes/", [(b"accept-language", b"en")])
        )

    (health, _h1, _b1), (missing, _h2, page), (themes, _h3, api) = asyncio.run(requests())

    assert health == 200
    assert missing == 404 and b"Erreur 404</h1>" in page  # our own page, in French
    assert themes == 200 and isinstance(json.loads(api), dict | list)


@pytest.fixture
def token_user(db):
    user = UserFactory(email="camille@example.org")
    return user, Token.objects.create(user=user)


def test_a_token_authenticates_its_account_and_nothing_else(token_user):
    user, token = token_user
    me = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}").get("/api/v1/me/")
    wrong = APIClient(HTTP_AUTHORIZATION="Token " + "0" * 40).get("/api/v1/me/")

    assert me.status_code == 200 and me.json()["email"] == "camille@example.org"
    assert wrong.status_code == 401
    assert wrong.json()["detail"] == "Mauvais jeton d'identification."
    assert wrong["WWW-Authenticate"] == "Token"


def test_a_deactivated_account_cannot_use_its_token(token_user):
    user, token = token_user
    user.is_active = False
    user.save(update_fields=["is_active"])

    response = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}").get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json()["detail"] == "Utilisateur inactif ou supprimé."


def test_a_vote_by_token_counts_once_and_an_unknown_proposal_is_404_whatever_the_body(token_user):
    user, token = token_user
    proposal = ProposalFactory()
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")

    first = client.put(f"/api/v1/map/proposals/{proposal.pk}/vote/", {"value": "for"}, format="json")
    again = client.put(f"/api/v1/map/proposals/{proposal.pk}/vote/", {"value": "for"}, format="json")
    unknown = client.put("/api/v1/map/proposals/424242/vote/", {"value": "peut-être"}, format="json")
    not_json = client.put("/api/v1/map/proposals/424242/vote/", "[", content_type="application/json")

    assert first.json() == again.json() == {"votes_for": 1, "votes_against": 0, "my_vote": "for"}
    assert Vote.objects.get().user == user
    assert unknown.status_code == 404 and not_json.status_code == 404


# --- Compression (serving.middleware.CompressionMiddleware) ------------------------------------------------------------


def _csrf_token(html: str) -> str:
    import re

    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


@pytest.mark.django_db
def test_pages_and_json_are_gzipped_when_asked_and_the_csrf_token_changes_each_time(client):
    import gzip

    from tests.conftest import client_for

    user = UserFactory()
    client.force_login(user)
    bodies, tokens = [], []
    for _ in range(2):
        response = client.get("/comptes/profil/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        assert response.status_code == 200
        assert response["Content-Encoding"] == "gzip" and "Accept-Encoding" in response["Vary"]
        html = gzip.decompress(response.content).decode()
        assert "<html" in html
        bodies.append(response.content)
        tokens.append(_csrf_token(html))
    assert tokens[0] != tokens[1]  # masked anew on each response: nothing constant for BREACH to guess
    api = client_for(user).get("/api/v1/themes/", HTTP_ACCEPT_ENCODING="gzip")
    assert api["Content-Encoding"] == "gzip"
    assert isinstance(json.loads(gzip.decompress(api.content)), list)
    plain = client.get("/comptes/profil/")
    assert not plain.has_header("Content-Encoding") and b"<html" in plain.content


@pytest.mark.django_db
def test_streamed_exports_are_gzipped_and_pdfs_are_not(client, tmp_path):
    import gzip

    ProposalFactory()
    response = client.get("/api/v1/map/export.csv", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(b"".join(response.streaming_content)).decode().lstrip("\ufeff").startswith("id")

    from django.http import HttpResponse
    from django.test import RequestFactory

    from serving.middleware import CompressionMiddleware

    pdf = HttpResponse(b"%PDF-1.4" + b"0" * 5000, content_type="application/pdf")
    request = RequestFactory().get("/x", HTTP_ACCEPT_ENCODING="gzip")
    assert not CompressionMiddleware(lambda r: pdf)(request).has_header("Content-Encoding")
    page = HttpResponse("<p>" + "Participe " * 500, content_type="text/html; charset=utf-8")
    assert CompressionMiddleware(lambda r: page)(request)["Content-Encoding"] == "gzip"
