"""Private servers for the ops tests: uvicorn workers, redis-server and a PostgreSQL cluster as subprocesses.

Never touches the machine's shared Redis or PostgreSQL: everything started here runs on free ports, in temporary
directories, and is stopped by the caller.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

from tests.polling import eventually

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, interval: float = 0.2):
    return eventually(predicate, timeout, interval, f"{what} ready", ignoring=(Exception,))


def stop(proc: subprocess.Popen, timeout: float = 10):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Redis:
    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: socket.create_connection(("127.0.0.1", self.port), 0.5).close() or True, 10, "redis")
        return self

    def stop(self):
        if self.proc:
            stop(self.proc)
            self.proc = None


class Postgres:
    """A throw-away PostgreSQL 15 cluster (initdb in a temp dir, run as the `postgres` system user)."""

    def __init__(self):
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="participe-pg-"))
        self.data = self.dir / "data"
        self.url = f"postgis://postgres@127.0.0.1:{self.port}/participe"

    def _run(self, *args, check=True):
        cmd = [str(a) for a in args]
        if os.geteuid() == 0:  # initdb/pg_ctl refuse to run as root
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=check, capture_output=True, text=True)

    def init(self):
        shutil.chown(self.dir, "postgres") if os.geteuid() == 0 else None
        self._run(PG_BIN / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nshared_buffers = 32MB\n")
        return self

    def start(self):
        self._run(
            PG_BIN / "pg_ctl", "-D", self.data, "-w", "-t", "30", "-l", self.dir / "log",
            "-o", f"-p {self.port} -k /tmp -c listen_addresses=127.0.0.1", "start",
        )  # fmt: skip
        return self

    def stop(self, mode="fast"):
        self._run(PG_BIN / "pg_ctl", "-D", self.data, "-w", "-m", mode, "stop", check=False)

    def create_database(self):
        psql = ["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-v", "ON_ERROR_STOP=1"]
        subprocess.run([*psql, "-c", "CREATE DATABASE participe"], check=True, capture_output=True)
        sql = "CREATE EXTENSION IF NOT EXISTS postgis; CREATE EXTENSION IF NOT EXISTS pg_trgm; CREATE EXTENSION IF NOT EXISTS unaccent;"
        subprocess.run([*psql, "-d", "participe", "-c", sql], check=True, capture_output=True)

    def destroy(self):
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


def server_env(database_url: str, redis_url: str | None, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "PYTEST_CURRENT_TEST", "PYTEST_VERSION"}}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="tests.ops.settings",
        DEBUG="true",
        TESTING="false",
        TASKS_BACKEND="django_tasks.backends.dummy.DummyBackend",
        EMAIL_URL="consolemail://",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update({k: str(v) for k, v in extra.items()})
    return env


class Uvicorn:
    def __init__(self, env: dict, log_path: Path | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = env
        self.log_path = log_path or Path(tempfile.mkstemp(prefix="participe-uvicorn-", suffix=".log")[1])
        self.proc = None

    def spawn(self):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1", "--port",
             str(self.port), "--ws", "websockets-sansio", "--lifespan", "off", "--log-level", "warning", "--no-proxy-headers"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        return self

    def wait_ready(self, timeout: float = 90):
        wait_for(self._listening, timeout, f"uvicorn on {self.port}")
        return self

    def start(self, timeout: float = 90):
        return self.spawn().wait_ready(timeout)

    def _listening(self):
        if self.proc.poll() is not None:
            raise RuntimeError(f"uvicorn exited: {self.output()}")
        requests.get(self.url + "/healthz", timeout=5)
        return True

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self):
        if self.proc:
            stop(self.proc)
            self.log.close()
            self.proc = None


def login(session: requests.Session, base_url: str, email: str, password: str):
    """Log in through the real allauth form (CSRF cookie + token), as a browser would."""
    page = session.get(f"{base_url}/comptes/login/", timeout=30)
    page.raise_for_status()
    token = session.cookies["csrftoken"]
    response = session.post(
        f"{base_url}/comptes/login/",
        data={"login": email, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base_url}/comptes/login/"},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[:2000]
    assert "sessionid" in session.cookies
