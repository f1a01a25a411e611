"""Deploying (issue 13): settings that fail closed, /healthz that knows about static files, logs
without secrets, and the production smoke test: `make serve` as a deployer runs it.

The smoke test (marked `production`) starts `make serve` with DEBUG=0, a SECRET_KEY, ALLOWED_HOSTS
and a database of its own (a temporary SQLite file, or on PostgreSQL a database named after
DATABASE_URL's with `_smoke` added), then asks for every public page the way the TLS proxy passes
requests on (X-Forwarded-Proto: https).
"""

from __future__ import annotations

import http.client
import io
import logging
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tracker.redact import RedactingFilter, redact

ROOT = Path(__file__).resolve().parents[2]
HOST = "tracker.example.org"
STYLESHEET = re.compile(rb'href="(/static/css/site\.[0-9a-f]{12}\.css)"')


# --- Settings fail closed --------------------------------------------------------------------


def _env(**overrides) -> dict:
    """This environment without what the test run or a developer may have set for themselves."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "PYTEST", "SECURE_", "RATE_LIMIT", "EMAIL_", "PAGE_CACHE"))
        and k not in ("SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "STATIC_ROOT", "PORT", "WEB_CONCURRENCY")
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def _manage(*args: str, env: dict, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


@pytest.mark.parametrize("key", [None, "", "insecure-development-key-do-not-use-in-production"])
def test_without_a_secret_key_debug_off_refuses_to_start_and_says_why(key):
    result = _manage("check", env=_env(DEBUG="0", SECRET_KEY=key))
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in result.stderr
    assert "Set SECRET_KEY to a long random value" in result.stderr


def test_the_development_key_serves_development_only():
    assert _manage("check", env=_env(DEBUG="1")).returncode == 0


def test_make_serve_refuses_without_a_secret_key(tmp_path):
    result = subprocess.run(  # noqa: S603
        ["make", "--no-print-directory", "serve"],  # noqa: S607
        cwd=ROOT,
        env=_env(DEBUG="0", ALLOWED_HOSTS=HOST, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert not (tmp_path / "db.sqlite3").exists()  # stopped before migrating anything


# --- /healthz and static files ---------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_is_503_when_deployed_without_collectstatic(client, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path  # empty: collectstatic never ran
    settings.STORAGES = settings.STORAGES | {
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "static": "not collected"}


@pytest.mark.django_db
def test_healthz_is_200_with_the_development_storage(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


# --- Secrets never reach a log line ----------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            '"GET /staff/calendar/Zx9-abc_DEF123.ics HTTP/1.1" 200',
            '"GET /staff/calendar/[redacted].ics HTTP/1.1" 200',
        ),
        ("Not Found: /staff/calendar/Zx9abc.ics", "Not Found: /staff/calendar/[redacted].ics"),
        ("/follow/confirm/MTI:1vV2bX:abc-def/", "/follow/confirm/[redacted]/"),
        ("/follow/unsubscribe/MTI:1vV2bX:abc/ x", "/follow/unsubscribe/[redacted]/ x"),
        ("/staff/calendar/feed.ics?token=s3cret&page=2", "/staff/calendar/[redacted].ics?token=[redacted]&page=2"),
        ("/incidents/?city=quetta&page=2", "/incidents/?city=quetta&page=2"),
        ("/staff/calendar/ and /staff/calendar/token/", "/staff/calendar/ and /staff/calendar/token/"),
    ],
)
def test_redact(line, expected):
    assert redact(line) == expected


def test_a_malformed_log_call_is_redacted_too():
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "%s %s", ("/staff/calendar/Zx9.ics",), None)
    assert RedactingFilter().filter(record) is True
    assert record.getMessage() == "%s %s ('/staff/calendar/[redacted].ics',)"


def _console_handler() -> logging.Handler:
    """The handler settings.LOGGING puts on the root logger (the one that writes to the journal)."""
    (handler,) = [h for h in logging.getLogger().handlers if any(isinstance(f, RedactingFilter) for f in h.filters)]
    return handler


@pytest.mark.django_db
def test_django_logs_never_show_the_calendar_token(client, monitor):
    from monitoring.models import CalendarToken

    token = CalendarToken.objects.create(user=monitor)
    revoked_value = token.token
    token.revoke()
    handler = _console_handler()
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        assert client.get(f"/staff/calendar/{revoked_value}.ics").status_code == 404
        assert client.get(f"/staff/calendar/{revoked_value}.ics?token={revoked_value}").status_code == 404
    finally:
        handler.setStream(previous)
    written = stream.getvalue()
    assert written.count("Not Found: /staff/calendar/[redacted].ics") == 2
    assert revoked_value not in written


def test_runserver_request_lines_pass_the_same_filter():
    """`make run` logs each request on django.server: through the redacting handler too."""
    handler = _console_handler()
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        logging.getLogger("django.server").info('"%s" %s %s', "GET /staff/calendar/Zx9-secret.ics HTTP/1.1", 200, 99)
    finally:
        handler.setStream(previous)
    assert stream.getvalue() == '"GET /staff/calendar/[redacted].ics HTTP/1.1" 200 99\n'


def test_gunicorn_access_log_redacts_the_token(tmp_path):
    """deploy/gunicorn.conf.py's logger, fed one request the way gunicorn's workers do."""
    import datetime
    import runpy
    from types import SimpleNamespace

    from gunicorn.config import Config

    conf = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    cfg = Config()
    for name in ("access_log_format", "logger_class"):
        cfg.set(name, conf[name])
    cfg.set("accesslog", str(tmp_path / "access.log"))
    logger = cfg.logger_class(cfg)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/staff/calendar/Zx9-secret-token.ics?token=Zx9-secret-token",
        "PATH_INFO": "/staff/calendar/Zx9-secret-token.ics",
        "QUERY_STRING": "token=Zx9-secret-token",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": "https://tracker.example.org/staff/calendar/Zx9-secret-token.ics",
    }
    request = SimpleNamespace(headers=[("X-FORWARDED-FOR", "203.0.113.9")])
    response = SimpleNamespace(status="200 OK", sent=120, headers=[])
    logger.access(response, request, environ, datetime.timedelta(milliseconds=12))
    for handler in logger.access_log.handlers:
        handler.flush()
    line = (tmp_path / "access.log").read_text()
    assert "Zx9-secret-token" not in line
    assert '"GET /staff/calendar/[redacted].ics?token=[redacted] HTTP/1.1" 200 120' in line
    assert line.startswith("127.0.0.1 203.0.113.9 ")


# --- The production smoke test ---------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _smoke_database(tmp_path: Path):
    """(DATABASE_URL, clean-up): PostgreSQL if the run uses it (a database of its own), else SQLite."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{tmp_path / 'smoke.sqlite3'}", lambda: None
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/") + "_smoke"
    admin_url = urlunsplit(parts._replace(path="/postgres"))

    def run(sql: str) -> None:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(sql)

    run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    run(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}")), lambda: run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Site:
    """Requests to the server as the proxy sends them on (Host and, unless told, X-Forwarded-Proto)."""

    def __init__(self, port: int):
        self.port = port

    def get(self, path: str, *, https: bool = True) -> tuple[int, dict, bytes]:
        headers = {"Host": HOST, "X-Forwarded-For": "203.0.113.9"}
        if https:
            headers["X-Forwarded-Proto"] = "https"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()


def _wait_until_up(site: Site, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"make serve stopped ({server.returncode}):\n{log.read_text()}")
        try:
            if site.get("/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    pytest.fail(f"make serve did not answer /healthz with 200:\n{log.read_text()}")


@pytest.mark.production
def test_make_serve_serves_every_public_page_under_production_settings(tmp_path):
    database_url, drop_database = _smoke_database(tmp_path)
    port = _free_port()
    env = _env(
        DEBUG="0",
        SECRET_KEY="smoke-" + secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        DATABASE_URL=database_url,
        STATIC_ROOT=str(tmp_path / "static"),
        PAGE_CACHE_DIR=str(tmp_path / "pages"),
        PORT=str(port),
        WEB_CONCURRENCY="2",
        RATE_LIMIT_TRUST_X_FORWARDED_FOR="1",
        PYTHONUNBUFFERED="1",
    )
    log = tmp_path / "serve.log"
    server = None
    try:
        # Data first (the seeds, and fictional cases, courts and hearings), then the deployer's one command.
        for command in (
            ("migrate", "--noinput"),
            ("load_seeds",),
            ("generate_synthetic", "--incidents", "12", "--hearings-per-case", "2"),
        ):
            result = _manage(*command, env=env)
            assert result.returncode == 0, result.stdout + result.stderr
        token = _manage("shell", "-c", _MAKE_CALENDAR_TOKEN, env=env).stdout.strip().splitlines()[-1]
        with log.open("w") as output:
            server = subprocess.Popen(  # noqa: S603
                ["make", "--no-print-directory", "serve"],  # noqa: S607
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        site = Site(port)
        _wait_until_up(site, server, log)
        _check_public_pages(site, env)
        _check_https_redirect_and_errors(site)
        # The staff feed with its token, twice (good token, wrong token): neither reaches the log.
        assert site.get(f"/staff/calendar/{token}.ics")[0] == 200
        assert site.get(f"/staff/calendar/{token}x.ics")[0] == 404
        server_error = _manage("shell", "-c", _RENDER_500, env=env)
        assert server_error.stdout.strip().splitlines()[-1] == "500 True", server_error.stdout + server_error.stderr
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
        drop_database()
    written = log.read_text()
    # `check --deploy` is make serve's first step: nothing to report under production settings.
    assert "System check identified no issues (0 silenced)." in written, written
    assert "WARNINGS" not in written and "Traceback" not in written, written
    assert token not in written
    assert "/staff/calendar/[redacted].ics" in written
    assert " 203.0.113.9 " in written  # the access log names the client the proxy saw


_MAKE_CALENDAR_TOKEN = """
from django.contrib.auth.models import User
from monitoring.models import CalendarToken
user = User.objects.create_user("smoke-monitor", is_staff=True)
print(CalendarToken.objects.create(user=user).token)
"""

_RENDER_500 = """
from django.test import RequestFactory
from tracker.views import server_error
response = server_error(RequestFactory().get("/", HTTP_HOST="tracker.example.org"))
import re
print(response.status_code, bool(re.search(rb'/static/css/site\\.[0-9a-f]{12}\\.css', response.content)))
"""


def _check_public_pages(site: Site, env: dict) -> None:
    incident = _first_link(site, "/incidents/", rb'href="(/incidents/\d+/)"')
    case = _first_link(site, "/cases/", rb'href="(/cases/\d+/)"')
    court = _first_link(site, "/courts/", rb'href="(/courts/\d+/)"')
    organisation = _first_link(site, "/organisations/", rb'href="(/organisations/\d+/)"')
    html_pages = ["/", "/incidents/", incident, "/cases/", case, "/courts/", court, "/organisations/", organisation]
    html_pages += ["/statistics/", "/statistics/report/", "/statistics/map/", "/methodology/", "/corrections/"]
    html_pages += ["/data/"]
    stylesheets = set()
    for path in html_pages:
        status, headers, body = site.get(path)
        assert status == 200, (path, status, body[:500])
        assert headers["content-type"].startswith("text/html"), path
        assert headers["strict-transport-security"].startswith("max-age="), path
        (stylesheet,) = set(STYLESHEET.findall(body)) or {None}
        assert stylesheet, (path, body[:800])
        stylesheets.add(stylesheet)
    (stylesheet,) = stylesheets
    status, headers, body = site.get(stylesheet.decode())
    assert status == 200 and headers["content-type"].startswith("text/css") and b"{" in body
    assert "immutable" in headers["cache-control"] or "max-age=315360000" in headers["cache-control"]
    for path, kind in [
        ("/api/", "application/json"),
        ("/api/schema/", "application/vnd.oai.openapi"),
        ("/feeds/incidents/", "application/atom+xml"),
        ("/feeds/cases/", "application/atom+xml"),
        ("/feeds/corrections/", "application/atom+xml"),
        ("/hearings.ics", "text/calendar"),
        ("/healthz", "application/json"),
        ("/incidents/?format=csv", "text/csv"),
        ("/incidents/?format=xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("/incidents/?format=geojson", "application/geo+json"),
        (f"{case}feed/", "application/atom+xml"),
        (f"{court}feed/", "application/atom+xml"),
    ]:
        status, headers, _ = site.get(path)
        assert status == 200, (path, status)
        assert headers["content-type"].startswith(kind), (path, headers["content-type"])


def _first_link(site: Site, page: str, pattern: bytes) -> str:
    status, _, body = site.get(page)
    assert status == 200, (page, status)
    match = re.search(pattern, body)
    assert match, (page, body[:800])
    return match.group(1).decode()


def _check_https_redirect_and_errors(site: Site) -> None:
    status, headers, _ = site.get("/incidents/?page=1", https=False)
    assert status == 301
    assert headers["location"] == f"https://{HOST}/incidents/?page=1"
    status, headers, body = site.get("/no-such-page/")
    assert status == 404
    assert headers["content-type"].startswith("text/html")
    assert STYLESHEET.search(body), body[:800]
