"""The public page cache (tracker/pagecache.py): who gets cached pages, what is stored, what retires it."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import caches
from django.db import transaction

from cases.management.commands.load_holidays import load_holidays
from core.models import Status
from incidents.models import Incident
from tests.conftest import login
from tests.factories import IncidentFactory
from tracker.pagecache import current_token, data_changed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600


# Records are made as if committed: their own change of token runs now, not at a commit the test never reaches.
@pytest.fixture
def published(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return IncidentFactory(title="Published attack")


@pytest.fixture
def draft(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return IncidentFactory(title="Draft attack kept back", status=Status.DRAFT)


def cache_state(response) -> str | None:
    return response.headers.get("X-Page-Cache")


def test_second_anonymous_request_is_served_from_the_cache_with_one_query(client, published, django_assert_num_queries):
    first = client.get("/incidents/")
    assert first.status_code == 200 and cache_state(first) == "miss"
    with django_assert_num_queries(1):  # the data version token, nothing else
        second = client.get("/incidents/")
    assert second.status_code == 200 and cache_state(second) == "hit"
    assert second.content == first.content
    assert b"Published attack" in second.content


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
    token = current_token()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        draft.status = Status.PUBLISHED
        draft.save()
    assert len(callbacks) == 1  # one new token per transaction, however many rows it saves
    assert current_token() != token
    fresh = client.get("/incidents/")
    assert cache_state(fresh) == "miss"
    assert b"Draft attack kept back" in fresh.content


def test_a_many_to_many_change_retires_the_pages(published, django_capture_on_commit_callbacks):
    from tests.factories import CommunityFactory

    with django_capture_on_commit_callbacks(execute=True):
        community = CommunityFactory()
    token = current_token()
    with django_capture_on_commit_callbacks(execute=True):
        published.communities.add(community)
    assert current_token() != token


def test_a_rolled_back_change_keeps_the_token_and_the_next_change_still_counts(
    published, django_capture_on_commit_callbacks
):
    token = current_token()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                published.killed = 99
                published.save()
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
    assert callbacks == [] and current_token() == token
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        published.killed = 3
        published.save()
    assert len(callbacks) == 1 and current_token() != token


def test_bulk_writes_retire_the_pages(django_capture_on_commit_callbacks):
    token = current_token()
    with django_capture_on_commit_callbacks(execute=True):
        assert load_holidays(2013, 2013) > 0  # bulk_create: no signal, an explicit data_changed()
    assert current_token() != token


def test_each_change_sets_a_new_random_token(django_capture_on_commit_callbacks):
    tokens = set()
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            data_changed()
        tokens.add(current_token())
    assert len(tokens) == 3 and all(len(t) == 32 for t in tokens)


def test_a_new_day_is_a_new_key(client, published, monkeypatch):
    assert cache_state(client.get("/statistics/")) == "miss"
    assert cache_state(client.get("/statistics/")) == "hit"
    monkeypatch.setattr("tracker.pagecache.timezone.localdate", lambda: datetime.date(2031, 1, 1))
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
    assert not any(key.startswith(":1:page:") for key in caches["pages"]._cache), url


def test_a_hidden_record_is_never_served_from_the_cache(client, draft):
    assert client.get(f"/incidents/{draft.pk}/").status_code == 404
    assert client.get(f"/incidents/{draft.pk}/").status_code == 404
    assert Incident.objects.public().count() == 0


def test_the_cache_is_off_with_zero_seconds(client, published, settings):
    settings.PAGE_CACHE_SECONDS = 0
    client.get("/incidents/")
    assert cache_state(client.get("/incidents/")) is None


def test_no_token_no_cache(client, published):
    from tracker.models import DataVersion

    DataVersion.objects.all().delete()  # a flushed database: two such could share keys
    client.get("/incidents/")
    assert cache_state(client.get("/incidents/")) is None


def test_every_database_starts_with_its_own_random_token():
    assert len(current_token()) == 32  # made by the migration, not ""
