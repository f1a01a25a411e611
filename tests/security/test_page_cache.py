"""The public page cache (tracker/pagecache.py): who gets cached pages, what is stored, what retires it.

Every test commits as far as the caches can tell (tests/committing.py): on PostgreSQL the change is
counted by a trigger deferred to COMMIT.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import RequestFactory

from cases.management.commands.load_holidays import load_holidays
from core.models import Status
from incidents.models import Incident
from tests.committing import committed
from tests.conftest import login, make_user
from tests.factories import IncidentFactory
from tracker.dataversion import VERSION_KEY, database_version
from tracker.pagecache import cache_key, current_version, data_changed, etag
from tracker.roles import EDITORS, MONITORS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600


# Records are made as if committed: their own change of token runs now, not at a commit the test never reaches.
@pytest.fixture
def published(django_capture_on_commit_callbacks):
    with committed(django_capture_on_commit_callbacks):
        return IncidentFactory(title="Published attack")


@pytest.fixture
def draft(django_capture_on_commit_callbacks):
    with committed(django_capture_on_commit_callbacks):
        return IncidentFactory(title="Draft attack kept back", status=Status.DRAFT)


def stored_entry(url: str):
    """What the cache holds for an anonymous GET of `url` today (of whatever version)."""
    return cache.get(cache_key(RequestFactory().get(url)))


def cache_state(response) -> str | None:
    return response.headers.get("X-Page-Cache")


def test_second_anonymous_request_is_served_from_the_cache_with_one_query(
    client, published, django_assert_num_queries, settings
):
    settings.DATA_VERSION_CACHE_SECONDS = 0  # the version read from the database on every request
    first = client.get("/incidents/")
    assert first.status_code == 200 and cache_state(first) == "miss"
    with django_assert_num_queries(1):  # the data version, nothing else
        second = client.get("/incidents/")
    assert second.status_code == 200 and cache_state(second) == "hit"
    assert second.content == first.content
    assert b"Published attack" in second.content


def test_with_the_version_in_the_shared_cache_a_hit_makes_no_query(
    client, published, django_assert_num_queries, settings
):
    settings.DATA_VERSION_CACHE_SECONDS = 60
    assert cache_state(client.get("/incidents/")) == "miss"
    assert cache.get(VERSION_KEY) == database_version()  # put there by the first reader
    with django_assert_num_queries(0):
        second = client.get("/incidents/")
    assert cache_state(second) == "hit" and b"Published attack" in second.content


def test_a_page_is_stored_as_bytes_and_headers_not_a_response_object(client, published):
    first = client.get("/incidents/")
    version, rendered_at, content, headers = stored_entry("/incidents/")
    assert version == current_version() and type(rendered_at) is float
    assert type(content) is bytes and content == first.content
    assert all(type(name) is str and type(value) is str for name, value in headers)
    assert ("Content-Type", "text/html; charset=utf-8") in headers
    hit = client.get("/incidents/")
    assert hit["Content-Type"] == "text/html; charset=utf-8" and hit.content == first.content


def test_query_string_and_accept_header_are_part_of_the_key(client, published):
    assert cache_state(client.get("/incidents/")) == "miss"
    assert cache_state(client.get("/incidents/?sort=-killed")) == "miss"
    assert cache_state(client.get("/api/incidents/", HTTP_ACCEPT="application/json")) == "miss"
    assert cache_state(client.get("/api/incidents/", HTTP_ACCEPT="*/*")) == "miss"
    assert cache_state(client.get("/api/incidents/", HTTP_ACCEPT="application/json")) == "hit"


def test_host_and_scheme_are_part_of_the_key(client, published, settings):
    settings.ALLOWED_HOSTS = ["a.example", "b.example"]
    assert cache_state(client.get("/incidents/", HTTP_HOST="a.example")) == "miss"
    assert cache_state(client.get("/incidents/", HTTP_HOST="b.example")) == "miss"  # feeds write absolute links
    assert cache_state(client.get("/incidents/", HTTP_HOST="a.example", secure=True)) == "miss"
    assert cache_state(client.get("/incidents/", HTTP_HOST="a.example")) == "hit"


def test_a_change_committed_retires_every_cached_page(client, published, draft, django_capture_on_commit_callbacks):
    client.get("/incidents/")
    assert b"Draft attack kept back" not in client.get("/incidents/").content
    version = current_version()
    with committed(django_capture_on_commit_callbacks) as callbacks:
        draft.status = Status.PUBLISHED
        draft.save()
    assert len(callbacks) == 1  # one publication per transaction, however many rows it saves
    assert current_version() != version
    fresh = client.get("/incidents/")
    assert cache_state(fresh) == "miss"
    assert b"Draft attack kept back" in fresh.content


def test_a_many_to_many_change_retires_the_pages(published, django_capture_on_commit_callbacks):
    from tests.factories import CommunityFactory

    with committed(django_capture_on_commit_callbacks):
        community = CommunityFactory()
    version = current_version()
    with committed(django_capture_on_commit_callbacks):
        published.communities.add(community)
    assert current_version() != version


def test_a_rolled_back_change_keeps_the_token_and_the_next_change_still_counts(
    published, django_capture_on_commit_callbacks
):
    version = current_version()
    with committed(django_capture_on_commit_callbacks) as callbacks:
        try:
            with transaction.atomic():
                published.killed = 99
                published.save()
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
    assert callbacks == [] and current_version() == version
    with committed(django_capture_on_commit_callbacks) as callbacks:
        published.killed = 3
        published.save()
    assert len(callbacks) == 1 and current_version() != version


def test_bulk_writes_retire_the_pages(django_capture_on_commit_callbacks):
    version = current_version()
    with committed(django_capture_on_commit_callbacks):
        assert load_holidays(2013, 2013) > 0  # bulk_create: counted by the database's triggers
    assert current_version() != version


def test_data_changed_gives_the_database_a_new_random_token_each_time(django_capture_on_commit_callbacks):
    tokens = set()
    for _ in range(3):
        with committed(django_capture_on_commit_callbacks):
            data_changed()
        tokens.add(current_version().split("-")[0])
    assert len(tokens) == 3 and all(len(t) == 32 for t in tokens)


def test_a_new_day_is_a_new_key(client, published, monkeypatch):
    assert cache_state(client.get("/statistics/")) == "miss"
    assert cache_state(client.get("/statistics/")) == "hit"
    monkeypatch.setattr("tracker.pagecache.today", lambda: datetime.date(2031, 1, 1))
    assert cache_state(client.get("/statistics/")) == "miss"


def test_signed_in_staff_never_get_or_leave_a_cached_page(client, editor, published, draft):
    login(client, editor)
    staff_page = client.get("/incidents/")
    assert staff_page.status_code == 200 and cache_state(staff_page) is None
    assert cache_state(client.get("/incidents/")) is None  # not served from the cache either
    client.logout()
    client.cookies.clear()
    assert cache_state(client.get("/incidents/")) == "miss"  # the staff page was never stored


def test_any_cookie_bypasses_the_cache(client, published):
    client.get("/incidents/")
    client.cookies["csrftoken"] = "x" * 32
    assert cache_state(client.get("/incidents/")) is None


@pytest.mark.parametrize(
    "url",
    [
        "/incidents/?format=csv",  # streamed
        "/incidents/999999/",  # 404
        "/incidents/?date_from=not-a-date",  # 400
        "/follow/",  # forms with a CSRF token
        "/healthz",
        "/staff/",  # redirect to the login
    ],
)
def test_what_is_never_stored(client, published, url):
    client.get(url)
    second = client.get(url)
    assert cache_state(second) is None, url
    assert stored_entry(url) is None, url


def test_a_hidden_record_is_never_served_from_the_cache(client, draft):
    assert client.get(f"/incidents/{draft.pk}/").status_code == 404
    assert client.get(f"/incidents/{draft.pk}/").status_code == 404
    assert Incident.objects.public().count() == 0


def test_the_cache_is_off_with_zero_seconds(client, published, settings):
    settings.PAGE_CACHE_SECONDS = 0
    client.get("/incidents/")
    assert cache_state(client.get("/incidents/")) is None


def test_a_flushed_database_gets_a_new_random_token(client, published, settings):
    from tracker.models import DataVersion

    settings.DATA_VERSION_CACHE_SECONDS = 0  # the database's own version, not a copy in the cache

    token, _ = current_version().split("-")
    DataVersion.objects.all().delete()  # flushed: the next reader makes a new row, never a shared name
    assert cache_state(client.get("/incidents/")) == "miss"
    new_token, counter = current_version().split("-")
    assert len(new_token) == 32 and new_token != token and counter == "0"
    assert cache_state(client.get("/incidents/")) == "hit"


def test_every_database_starts_with_its_own_random_token():
    token, counter = current_version().split("-")
    assert len(token) == 32 and counter.isdigit()  # made by the migration


# --- Early, conditional, and never for signed-in readers (issue 18) --------------------------------


def test_a_hit_is_answered_before_sessions_and_authentication(client, published, settings):
    settings.DATA_VERSION_CACHE_SECONDS = 60
    miss = client.get("/incidents/")
    assert cache_state(miss) == "miss" and hasattr(miss.wsgi_request, "session")
    hit = client.get("/incidents/")
    assert cache_state(hit) == "hit"
    assert not hasattr(hit.wsgi_request, "session") and not hasattr(hit.wsgi_request, "user")


def test_a_stored_page_carries_validators_and_may_be_kept_by_a_proxy(client, published):
    miss = client.get("/incidents/")
    hit = client.get("/incidents/")
    for response in (miss, hit):
        assert response["Cache-Control"] == "public, no-cache"
        assert "Cookie" in [v.strip() for v in response["Vary"].split(",")]
        assert response["ETag"] == etag(current_version())
        assert response["Last-Modified"] == miss["Last-Modified"]
    assert client.get("/cases/")["ETag"] == miss["ETag"]  # one validator for every page of one version


def test_security_headers_and_the_fictional_data_banner_stay_right_on_a_hit(client, django_capture_on_commit_callbacks):
    with committed(django_capture_on_commit_callbacks):
        synthetic = IncidentFactory(title="Made-up attack", is_synthetic=True)
    miss = client.get("/incidents/", secure=True)
    hit = client.get("/incidents/", secure=True)
    assert cache_state(hit) == "hit"
    for name in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy"):
        assert hit.get(name) == miss.get(name), name
    assert hit["X-Frame-Options"] == "DENY" and "default-src 'self'" in hit["Content-Security-Policy"]
    assert b"Fictional data." in hit.content
    with committed(django_capture_on_commit_callbacks):
        synthetic.delete()
    fresh = client.get("/incidents/", secure=True)
    assert cache_state(fresh) == "miss" and b"Fictional data." not in fresh.content


def test_if_none_match_with_the_current_etag_answers_304_without_a_query(
    client, published, settings, django_assert_num_queries
):
    settings.DATA_VERSION_CACHE_SECONDS = 60
    first = client.get("/incidents/")
    with django_assert_num_queries(0):
        again = client.get("/incidents/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == first["ETag"] and again["Cache-Control"] == "public, no-cache"
    assert client.get("/incidents/", HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


def test_if_modified_since_the_rendering_answers_304(client, published):
    first = client.get("/incidents/")
    assert client.get("/incidents/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assert client.get("/incidents/", HTTP_IF_MODIFIED_SINCE="Mon, 01 Jan 2001 00:00:00 GMT").status_code == 200


def test_a_rendered_page_also_answers_304_to_a_current_validator(client, published):
    tag = etag(current_version())  # e.g. a proxy's copy of another page of this version
    response = client.get("/cases/", HTTP_IF_NONE_MATCH=tag)
    assert response.status_code == 304 and cache_state(response) == "miss"


def test_after_a_change_the_old_etag_gets_the_new_page(client, published, draft, django_capture_on_commit_callbacks):
    old = client.get("/incidents/")
    with committed(django_capture_on_commit_callbacks):
        draft.status = Status.PUBLISHED
        draft.save()
    fresh = client.get("/incidents/", HTTP_IF_NONE_MATCH=old["ETag"], HTTP_IF_MODIFIED_SINCE=old["Last-Modified"])
    assert fresh.status_code == 200 and fresh["ETag"] != old["ETag"]
    assert b"Draft attack kept back" in fresh.content
    assert stored_entry("/incidents/")[0] == current_version()  # replaced in place, under the same key


def test_a_validator_never_turns_an_error_into_304(client, published, draft):
    tag = etag(current_version())
    assert client.get(f"/incidents/{draft.pk}/", HTTP_IF_NONE_MATCH=tag).status_code == 404
    assert client.get("/incidents/?date_from=not-a-date", HTTP_IF_NONE_MATCH=tag).status_code == 400


def test_signed_in_readers_get_no_validators_and_no_proxy_caching(client, editor, published):
    login(client, editor)
    response = client.get("/incidents/", HTTP_IF_NONE_MATCH=etag(current_version()))
    assert response.status_code == 200 and "ETag" not in response
    assert "no-store" in response["Cache-Control"] and "public" not in response["Cache-Control"]


@pytest.mark.parametrize("role", ["monitor", "editor", "superuser", "password only"])
def test_no_role_gets_or_leaves_a_cached_page(client, django_user_model, role, published, draft, settings):
    settings.DATA_VERSION_CACHE_SECONDS = 60
    assert cache_state(client.get(f"/incidents/{published.pk}/")) == "miss"  # stored for the public
    user = make_user(
        django_user_model,
        role.replace(" ", "-"),
        group={"monitor": MONITORS, "editor": EDITORS}.get(role),
        superuser=role == "superuser",
    )
    login(client, user, verified=role != "password only")
    for url in (f"/incidents/{published.pk}/", "/incidents/", f"/incidents/{draft.pk}/"):
        response = client.get(url)
        assert cache_state(response) is None, (role, url)
    assert stored_entry("/incidents/") is None and stored_entry(f"/incidents/{draft.pk}/") is None
    client.logout()
    client.cookies.clear()
    public = client.get("/incidents/")
    assert cache_state(public) == "miss" and b"Draft attack kept back" not in public.content
    assert client.get(f"/incidents/{draft.pk}/").status_code == 404
