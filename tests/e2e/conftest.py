"""Browser tests: a real ASGI server (uvicorn, HTTP + WebSockets) on the test database, driven by Playwright
with Debian's chromium. Tests must use `transactional_db` + `reference_data`: the server is another process and
only sees committed data."""

import contextlib
import email
import email.policy
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

# Playwright's sync API runs an event loop in this thread; the ORM calls made by tests are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def mail_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("mail")


@pytest.fixture(scope="session")
def live_server_url(django_db_setup, django_db_blocker, mail_dir, tmp_path_factory):
    db = settings.DATABASES["default"]
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgis://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "TESTING": "true",
        "DEBUG": "true",
        "EMAIL_URL": f"filemail:///{mail_dir}",  # four slashes: an absolute path
        "MEDIA_ROOT": str(tmp_path_factory.mktemp("media")),
        "MAP_TILES_URL": "http://127.0.0.1:9/{z}/{x}/{y}.png",  # tiles fail: pages must still work
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("REDIS_URL", None)
    log = open(tmp_path_factory.mktemp("server") / "uvicorn.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "tests.e2e.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--ws",
            "websockets",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 180
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn exited; see {log.name}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.3)
    else:
        process.kill()
        raise RuntimeError("uvicorn did not start in 180 s")
    # warm up (first request loads URLconf, templates and translations) so that tests measure behaviour, not start-up
    import urllib.request

    for path in ("/", "/comptes/login/"):
        with contextlib.suppress(OSError):
            urllib.request.urlopen(url + path, timeout=60).read()  # noqa: S310 - our own loopback server
    yield url
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def new_page(browser):
    contexts = []

    def make(locale="fr-FR", **kwargs):
        context = browser.new_context(locale=locale, extra_http_headers={"Accept-Language": locale}, **kwargs)
        context.set_default_timeout(30000)
        context.set_default_navigation_timeout(45000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def sent_emails(mail_dir):
    """Call it to get the e-mails the server has sent during this test: [{"subject", "to", "body"}]. The mailbox is
    shared by the session's server, so what earlier tests sent is cleared first."""
    for path in mail_dir.glob("*.log"):
        path.unlink()

    def read():
        messages = []
        for path in sorted(mail_dir.glob("*.log")):
            for chunk in path.read_bytes().split(b"-" * 79):
                if not chunk.strip():
                    continue
                msg = email.message_from_bytes(chunk.strip(), policy=email.policy.default)
                body = msg.get_body(preferencelist=("plain",))
                messages.append(
                    {"subject": str(msg["Subject"]), "to": str(msg["To"]), "body": body.get_content() if body else ""}
                )
        return messages

    return read
