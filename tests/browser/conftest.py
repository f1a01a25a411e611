"""Browser tests: pytest-playwright driving Debian's Chromium (/usr/bin/chromium).

Without Chromium the tests skip with a clear reason; with REQUIRE_BROWSER=1 (CI) a missing
browser is a failure instead. Staff log in by copying the session cookie of a test client
logged in with `tests.conftest.login`, so the browser gets exactly the session (2FA included)
that staff tests use.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import ensure_roles, login

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))

# Playwright's sync API runs an event loop in this thread; Django's ORM must still be usable.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    if os.environ.get("REQUIRE_BROWSER") == "1":
        return  # the browser fixture fails loudly below
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM}: install Debian's chromium to run browser tests")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        pytest.fail(f"REQUIRE_BROWSER=1 but Chromium is missing at {CHROMIUM}")
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def staff_page(page, live_server, client):
    """Return a function that logs `user` into the browser page (via a test client's session cookie)."""

    def log_in(user):
        login(client, user)
        cookie = client.cookies[next(iter(k for k in client.cookies if "session" in k))]
        page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        return page

    return log_in


@pytest.fixture
def roles(transactional_db):
    """A transactional test's flush empties the groups a migration made: make them again, same permissions."""
    ensure_roles()
