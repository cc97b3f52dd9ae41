"""Faults, on PRIVATE servers only (never the machine's shared Redis/PostgreSQL, which others use).

One private PostgreSQL cluster (initdb in a temp dir, migrated by a `manage.py migrate` subprocess) and one private
redis-server per module, and a uvicorn server on them with persistent, health-checked DB connections (as in
production, CONN_MAX_AGE=60).
- Redis stopped: pages, API, a logged-in write and /healthz still work; healthz says the channel layer is
  unavailable; the dropped live update is logged.
- PostgreSQL restarted while clients keep hitting the server: every answer is 200 or a clean 503 (JSON for /api/
  and /healthz, an HTML page otherwise, with Retry-After), never a 500; the server recovers by itself.
"""

import json
import os
import re
import subprocess
import sys
import threading
import time
import uuid

import pytest
import requests

from .servers import ROOT, Postgres, Redis, Uvicorn, server_env, wait_for

pytestmark = pytest.mark.skipif(not os.path.exists("/usr/lib/postgresql/15/bin/initdb"), reason="needs PostgreSQL 15")

PASSWORD = "Kq7#Zw9!Tb3$Hx5&"  # shares few characters with the test e-mails (the similarity check)


@pytest.fixture(scope="module")
def private_pg():
    pg = Postgres().init().start()
    try:
        pg.create_database()
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env={**server_env(pg.url, None), "DJANGO_SETTINGS_MODULE": "config.settings"},
            check=True,
            capture_output=True,
            timeout=900,
        )
        yield pg
    finally:
        pg.destroy()


@pytest.fixture(scope="module")
def private_redis():
    redis = Redis().start()
    yield redis
    redis.stop()


@pytest.fixture(scope="module")
def server(private_pg, private_redis):
    worker = Uvicorn(server_env(private_pg.url, private_redis.url, CONN_MAX_AGE=60)).start()
    yield worker
    worker.stop()


def register(server) -> str:
    """A real account through the public API; returns its token."""
    email = f"fault-{uuid.uuid4().hex[:8]}@example.org"
    body = {"email": email, "password": PASSWORD, "display_name": "Dominique"}
    created = requests.post(f"{server.url}/api/v1/auth/register/", json=body, timeout=30)
    assert created.status_code == 201, created.text
    token = requests.post(f"{server.url}/api/v1/auth/token/", json={"email": email, "password": PASSWORD}, timeout=30)
    assert token.status_code == 200, token.text
    return token.json()["token"]


def test_redis_stopped_pages_api_and_writes_still_work_and_it_is_logged(server, private_redis):
    token = register(server)
    auth = {"Authorization": f"Token {token}"}
    assert requests.get(f"{server.url}/healthz", timeout=30).json()["channel_layer"] == "ok"

    private_redis.stop()
    try:
        home = requests.get(f"{server.url}/", timeout=30)
        themes = requests.get(f"{server.url}/api/v1/themes/", timeout=30)
        me = requests.get(f"{server.url}/api/v1/me/", headers=auth, timeout=30)
        write = requests.post(f"{server.url}/ops-test/notify/", json={"title": "Sans Redis"}, headers=auth, timeout=30)
        listed = requests.get(f"{server.url}/api/v1/notifications/", headers=auth, timeout=30)
        health = requests.get(f"{server.url}/healthz", timeout=30)

        assert home.status_code == 200
        assert themes.status_code == 200 and len(themes.json()) >= 12
        assert me.status_code == 200
        assert write.status_code == 200, write.text  # stored although its live update could not be sent
        assert [n["title"] for n in listed.json()["results"]] == ["Sans Redis"]
        assert health.status_code == 200
        assert health.json() == {**health.json(), "database": "ok", "channel_layer": "unavailable"}
        wait_for(lambda: "live update to user-" in server.output(), 10, "the dropped live update in the log")
    finally:
        private_redis.start()  # same port: the server reconnects by itself
    wait_for(
        lambda: requests.get(f"{server.url}/healthz", timeout=30).json()["channel_layer"] == "ok",
        30,
        "channel layer back",
    )


def test_redis_stopped_a_vote_through_the_real_server_is_accepted_and_counted(server, private_redis, private_pg):
    """No live update without Redis, but the vote itself (HTTP API, token) is answered 200 and stored."""
    token = register(server)
    me = requests.get(f"{server.url}/api/v1/me/", headers={"Authorization": f"Token {token}"}, timeout=30)
    user_id = me.json()["id"]
    psql = ["psql", "-h", "127.0.0.1", "-p", str(private_pg.port), "-U", "postgres", "-d", "participe", "-At", "-c"]

    def sql(query):
        return subprocess.run([*psql, query], check=True, capture_output=True, text=True).stdout.strip()

    # The account must be verified to vote, and a proposal must exist: set both up directly in the private DB.
    sql(f"UPDATE accounts_user SET email_verified = true WHERE id = {user_id}")
    proposal_id = register_proposal(server, token)

    private_redis.stop()
    try:
        vote = requests.put(
            f"{server.url}/api/v1/map/proposals/{proposal_id}/vote/",
            json={"value": "for"},
            headers={"Authorization": f"Token {token}"},
            timeout=30,
        )
        detail = requests.get(f"{server.url}/api/v1/map/proposals/{proposal_id}/", timeout=30)
    finally:
        private_redis.start()

    assert vote.status_code == 200, vote.text
    assert vote.json() == {"votes_for": 1, "votes_against": 0, "my_vote": "for"}
    assert detail.status_code == 200 and detail.json()["properties"]["votes_for"] == 1
    stored = sql(f"SELECT count(*) FROM mapvotes_vote WHERE proposal_id = {proposal_id} AND user_id = {user_id}")
    assert stored == "1"
    assert sql(f"SELECT votes_for FROM mapvotes_proposal WHERE id = {proposal_id}") == "1"


def register_proposal(server, token) -> int:
    """A proposal through the public API (the account is verified); the private database gets the districts first."""
    subprocess.run(
        [sys.executable, "manage.py", "load_districts", "--approximate"],
        cwd=ROOT,
        env={**server_env(server.env["DATABASE_URL"], None), "DJANGO_SETTINGS_MODULE": "config.settings"},
        check=True,
        capture_output=True,
        timeout=300,
    )
    body = {
        "title": "Des arceaux vélo rue de Rivoli",
        "description": "Il manque des places pour attacher les vélos devant la mairie.",
        "theme": "mobilite",
        "geometry": {"type": "Point", "coordinates": [2.3522, 48.8566]},
    }
    created = requests.post(
        f"{server.url}/api/v1/map/proposals/", json=body, headers={"Authorization": f"Token {token}"}, timeout=30
    )
    assert created.status_code == 201, created.text
    return created.json()["properties"]["id"]


class Hammer(threading.Thread):
    """Keeps requesting a few URLs (anonymous and logged-in, pages and API) and records every answer."""

    def __init__(self, server, token):
        super().__init__(daemon=True)
        self.server, self.token = server, token
        self.results: list[tuple[str, int, str, str]] = []
        self.errors: list[str] = []
        self.halt = threading.Event()

    def run(self):
        urls = ["/api/v1/themes/", "/healthz", "/api/v1/me/", "/"]
        with requests.Session() as session:
            while not self.halt.is_set():
                for path in urls:
                    headers = {"Authorization": f"Token {self.token}"} if path == "/api/v1/me/" else {}
                    try:
                        r = session.get(f"{self.server.url}{path}", headers=headers, timeout=30)
                        self.results.append((path, r.status_code, r.headers.get("Content-Type", ""), r.text[:300]))
                    except requests.RequestException as exc:
                        self.errors.append(f"{path}: {exc!r}")
                time.sleep(0.05)


def test_postgresql_restart_gives_clean_503_then_recovers_without_restarting_the_server(server, private_pg):
    token = register(server)
    auth = {"Authorization": f"Token {token}"}
    hammer = Hammer(server, token)
    hammer.start()
    try:
        time.sleep(1)
        private_pg.stop("fast")  # terminates the server's open connections too
        try:
            api = requests.get(f"{server.url}/api/v1/themes/", timeout=30)
            me = requests.get(f"{server.url}/api/v1/me/", headers=auth, timeout=30)
            health = requests.get(f"{server.url}/healthz", timeout=30)
            time.sleep(1)
        finally:
            private_pg.start()

        assert api.status_code == 503 and api.headers["Content-Type"] == "application/json"
        assert "indisponible" in api.json()["detail"]
        assert api.headers["Retry-After"]
        assert me.status_code == 503 and me.headers["Content-Type"] == "application/json"
        assert health.status_code == 503 and health.json()["database"] == "unavailable"

        wait_for(lambda: requests.get(f"{server.url}/api/v1/themes/", timeout=30).status_code == 200, 30, "recovery")
        assert requests.get(f"{server.url}/api/v1/me/", headers=auth, timeout=30).status_code == 200
        assert requests.get(f"{server.url}/healthz", timeout=30).json()["database"] == "ok"
        time.sleep(1)
    finally:
        hammer.halt.set()
        hammer.join(60)

    statuses = {status for _, status, _, _ in hammer.results}
    assert not hammer.errors, hammer.errors[:5]
    assert statuses <= {200, 503}, [r for r in hammer.results if r[1] not in (200, 503)][:3]
    assert 503 in statuses and 200 in statuses
    for path, status, content_type, _body in hammer.results:
        if status == 503 and path != "/":
            assert content_type == "application/json", path
    assert server.proc.poll() is None  # the very same server process served before, during and after


def form_post(session, base_url, path, data):
    """A form of the site as a browser sends it (CSRF cookie and token), without following the redirect."""
    page = session.get(f"{base_url}{path}", timeout=30)
    assert page.status_code == 200, page.text[:500]
    return session.post(
        f"{base_url}{path}",
        data={**data, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        headers={"Referer": f"{base_url}{path}"},
        allow_redirects=False,
        timeout=30,
    )


def form_errors(response) -> str:
    """What a form page said went wrong (the messages of its error lists), for the message of a failed assertion."""
    found = re.findall(r'class="[^"]*(?:errorlist|alert|error)[^"]*"[^>]*>(.*?)</', response.text, re.S)
    said = (" ".join(re.sub(r"<[^>]+>", " ", m).split()) for m in found)
    return f"{response.status_code}: " + " | ".join(m for m in said if m)


def ws_url(server, path="/ws/map/"):
    return server.url.replace("http://", "ws://") + path


def test_redis_stopped_people_still_sign_up_log_in_and_reset_and_sockets_are_refused_cleanly(server, private_redis):
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    email = f"sans-redis-{uuid.uuid4().hex[:8]}@example.org"
    logged_before = len(server.output())
    private_redis.stop()
    try:
        with requests.Session() as browser:
            signup = form_post(
                browser,
                server.url,
                "/comptes/signup/",
                {"email": email, "password1": PASSWORD, "password2": PASSWORD, "accept_terms": "on"},
            )
        with requests.Session() as browser:
            login_page = form_post(browser, server.url, "/comptes/login/", {"login": email, "password": PASSWORD})
        with requests.Session() as browser:
            reset = form_post(browser, server.url, "/comptes/password/reset/", {"email": email})
        token = requests.post(
            f"{server.url}/api/v1/auth/token/", json={"email": email, "password": PASSWORD}, timeout=30
        )
        health = requests.get(f"{server.url}/healthz", timeout=30).json()
        with pytest.raises(InvalidStatus) as refused:
            connect(ws_url(server), origin=server.url, open_timeout=10).close()
    finally:
        private_redis.start()

    assert signup.status_code == 302, form_errors(signup)
    assert login_page.status_code == 302, form_errors(login_page)
    assert reset.status_code == 302, form_errors(reset)
    assert token.status_code == 200, token.text
    assert health["database"] == "ok" and health["status"] == "degraded"
    assert health["cache"] == "per-process" and health["channel_layer"] == "unavailable"
    assert refused.value.response.status_code == 403  # the handshake refused, not a 500
    logged = server.output()[logged_before:]
    assert "WebSocket /ws/map/ refused: channel layer unavailable" in logged
    assert "Traceback" not in logged  # one line per fault, no stack
    wait_for(lambda: requests.get(f"{server.url}/healthz", timeout=30).json()["status"] == "ok", 30, "Redis back")


def test_after_redis_returns_the_first_broadcast_arrives(server, private_redis, private_pg):
    from websockets.sync.client import connect

    token = register(server)
    me = requests.get(f"{server.url}/api/v1/me/", headers={"Authorization": f"Token {token}"}, timeout=30).json()
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-p", str(private_pg.port), "-U", "postgres", "-d", "participe", "-c",
         f"UPDATE accounts_user SET email_verified = true WHERE id = {me['id']}"],
        check=True, capture_output=True,
    )  # fmt: skip
    proposal_id = register_proposal(server, token)
    # A first broadcast with Redis up, so that the worker's publishing connection exists, then an outage.
    requests.put(
        f"{server.url}/api/v1/map/proposals/{proposal_id}/vote/",
        json={"value": "against"},
        headers={"Authorization": f"Token {token}"},
        timeout=30,
    )
    private_redis.stop()
    time.sleep(1)
    private_redis.start()  # and nothing else touches Redis before the next vote (no /healthz, which would prime it)

    with connect(ws_url(server), origin=server.url, open_timeout=10) as socket:
        vote = requests.put(
            f"{server.url}/api/v1/map/proposals/{proposal_id}/vote/",
            json={"value": "for"},
            headers={"Authorization": f"Token {token}"},
            timeout=30,
        )
        assert vote.status_code == 200, vote.text
        deadline = time.monotonic() + 10
        received = None
        while time.monotonic() < deadline and received is None:
            message = json.loads(socket.recv(timeout=max(0.1, deadline - time.monotonic())))
            if message.get("type") == "proposal.votes" and message["id"] == proposal_id:
                received = message
    assert received == {**received, "votes_for": 1, "votes_against": 0}


def test_serve_prod_refuses_to_start_when_redis_is_unreachable():
    """The choice documented in docs/operations.md: production needs Redis; a wrong REDIS_URL stops the start
    with a clear message instead of serving workers that do not share their limits or live updates."""
    result = subprocess.run(
        ["bash", "scripts/serve_prod.sh", "0"],
        cwd=ROOT,
        env={**os.environ, "REDIS_URL": "redis://127.0.0.1:9/0"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "Redis is not reachable at redis://127.0.0.1:9/0" in result.stderr
