"""Shared fixtures: users per role, a client logged in as each, fixed dates."""

from __future__ import annotations

import datetime
import functools
import os

import pytest
from django.contrib.auth.models import Group
from django.utils import translation

from tracker.roles import EDITORS, MONITORS

# A fixed "today" for tests that need one: never date.today() in assertions.
TODAY = datetime.date(2026, 11, 25)


def ensure_roles() -> None:
    """The groups of tracker/roles.py with their permissions, as the migration makes them.

    A transactional test (``transaction=True`` without ``serialized_rollback``) ends with a flush that
    empties every table, the groups a migration made included (the permissions come back with
    post_migrate); tests that run after it on the same worker need the groups again."""
    from django.contrib.auth.models import Permission

    from tracker.roles import GROUP_PERMISSIONS

    for name, spec in GROUP_PERMISSIONS.items():
        group, created = Group.objects.get_or_create(name=name)
        if not created:
            continue
        codes = [
            (app, f"{action}_{model}")
            for app, models in spec["models"].items()
            for model, actions in models.items()
            for action in actions
        ]
        codes += list(spec["extra"])
        group.permissions.set([Permission.objects.get(content_type__app_label=a, codename=c) for a, c in codes])


def editors_group() -> Group:
    ensure_roles()
    return Group.objects.get(name=EDITORS)


def monitors_group() -> Group:
    ensure_roles()
    return Group.objects.get(name=MONITORS)


def make_user(django_user_model, username: str, *, group: str | None = None, superuser: bool = False):
    user = django_user_model.objects.create_user(
        username=username,
        password="correct-horse-battery-staple",  # noqa: S106
        is_staff=group is not None or superuser,
        is_superuser=superuser,
    )
    if group:
        ensure_roles()
        user.groups.add(Group.objects.get(name=group))
    return user


def login(client, user, *, verified: bool = True):
    """Log `user` in on `client` the way every staff page expects: signed in AND past the second factor.

    Staff must pass 2FA (issue 6). For a staff user this gives them a confirmed TOTP device (created
    once, named "default") and marks the session verified exactly as django_otp.login() does, by
    storing the device's persistent id under django_otp's session key. `verified=False` gives a
    session with the password step only (no device is created), to test the 2FA gate itself.
    """
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if verified and user.is_staff:
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="default", defaults={"confirmed": True})
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@functools.cache
def test_caches() -> dict:
    """The tests' cache: each test process its own, in memory; with REDIS_URL set (CI runs the suite
    once so), the Redis server, this process's keys under a prefix of their own (clear() removes only
    those). Never the database cache: its queries would count in every view's query count
    (tests/test_shared_cache.py tests it)."""
    from django.conf import settings

    if settings.REDIS_URL:
        return {"default": settings.CACHES["default"] | {"KEY_PREFIX": f"test-{os.getpid()}"}}
    return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}


def _caches_for_the_run() -> None:
    """The test cache and no page, statistics or filter form cache, for the whole run and not only inside each
    test: set when this file is imported, before any test module is collected (schemathesis loads
    the API schema through the app at collection), and what each test's settings return to after
    it. After a transactional test, the flush that empties the tables is a write to the public
    tables too, and must neither reach the configured cache nor wake the background refresh."""
    from django.conf import settings

    settings.CACHES = test_caches()
    settings.PAGE_CACHE_SECONDS = 0
    settings.STATISTICS_CACHE_SECONDS = 0
    settings.FILTER_FORM_CACHE_SECONDS = 0
    settings.TASKS = IMMEDIATE_TASKS


# Background tasks run at once, in the test, where they are queued (tests/jobs/test_worker.py runs a
# real worker on the database queue).
IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

_caches_for_the_run()


@pytest.fixture(autouse=True)
def _clear_cache(settings):
    """Rate-limit counters live in the cache: every test starts with none. The public page cache
    (tracker/pagecache.py), the statistics cache (dashboard/cache.py) and the filter form cache
    (incidents/listing.py) are off, so that what a test sees is what the view renders and query counts
    are the view's own; tests/security/test_page_cache.py, tests/test_shared_cache.py and
    tests/test_filter_form_cache.py turn them on."""
    from django.core.cache import caches

    settings.PAGE_CACHE_SECONDS = 0
    settings.STATISTICS_CACHE_SECONDS = 0
    settings.FILTER_FORM_CACHE_SECONDS = 0
    settings.CACHES = test_caches()
    settings.TASKS = IMMEDIATE_TASKS
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.fixture(scope="session")
def _media_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _media_root(settings, _media_dir):
    """Uploaded court documents go to a temporary folder of the test run, never the project's media/."""
    settings.MEDIA_ROOT = _media_dir


@pytest.fixture(autouse=True)
def _site_language():
    """Every test starts in the site's language. A request to an Urdu page (/ur/...) leaves Urdu active
    in the thread after the response (LocaleMiddleware never deactivates), which would turn the next
    test's reverse(), lazy labels and messages Urdu."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def monitor(django_user_model):
    return make_user(django_user_model, "monitor", group=MONITORS)


@pytest.fixture
def editor(django_user_model):
    return make_user(django_user_model, "editor", group=EDITORS)


@pytest.fixture
def superuser(django_user_model):
    return make_user(django_user_model, "root", superuser=True)


@pytest.fixture
def monitor_client(client, monitor):
    return login(client, monitor)


@pytest.fixture
def editor_client(client, editor):
    return login(client, editor)


@pytest.fixture
def superuser_client(client, superuser):
    return login(client, superuser)
