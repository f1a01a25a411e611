"""Urdu under /ur/ (DESIGN.md "Public interface"): the same pages, the same rules.

Every rule the middleware keeps by path (sign-in and second factor on staff pages, no-store, the
public page cache) holds for the /ur/ copy of the path too (tracker/paths.py).
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from tests.conftest import login, make_user
from tests.factories import IncidentFactory
from tracker.pagecache import cache_key
from tracker.paths import site_path

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/ur/staff/worklist/", "/staff/worklist/"),
        ("/ur/", "/"),
        ("/ur", "/"),
        ("/urdu-page/", "/urdu-page/"),
        ("/staff/", "/staff/"),
        ("/api/incidents/", "/api/incidents/"),
    ],
)
def test_site_path_removes_only_a_whole_language_prefix(path, expected):
    assert site_path(path) == expected


def test_english_is_unprefixed_and_urdu_is_under_ur():
    assert reverse("incidents:incident_list") == "/incidents/"
    with translation.override("ur"):
        assert reverse("incidents:incident_list") == "/ur/incidents/"
        assert reverse("admin:index") == "/ur/admin/"
        # The API is language-neutral: one address whatever the language.
        assert reverse("api:incident-list") == "/api/incidents/"


def test_urdu_page_is_served_in_urdu_and_english_page_in_english(client):
    IncidentFactory(title="Published attack")
    english = client.get("/incidents/", HTTP_ACCEPT_LANGUAGE="ur")
    urdu = client.get("/ur/incidents/")
    assert english.status_code == urdu.status_code == 200
    assert english.wsgi_request.LANGUAGE_CODE == "en-gb"  # the path decides, not the browser
    assert urdu.wsgi_request.LANGUAGE_CODE == "ur"


@pytest.mark.parametrize("path", ["/ur/staff/worklist/", "/ur/staff/hearings/record/"])
def test_anonymous_visitor_to_urdu_staff_page_is_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/account/login/" in response["Location"]
    assert "no-store" in response["Cache-Control"]


def test_urdu_admin_asks_for_the_second_factor_of_a_password_only_user(client, django_user_model):
    user = make_user(django_user_model, "editor-without-device", superuser=True)
    client.force_login(user)  # a password alone: no verified device
    response = client.get("/ur/admin/")
    assert response.status_code == 302
    assert "no-store" in response["Cache-Control"]


def test_signed_in_staff_get_urdu_staff_pages(client, monitor):
    login(client, monitor)
    response = client.get("/ur/staff/worklist/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("path", ["/ur/staff/worklist/", "/ur/admin/", "/ur/account/login/", "/ur/follow/"])
def test_urdu_staff_and_account_pages_are_never_stored_in_the_page_cache(client, settings, path):
    settings.PAGE_CACHE_SECONDS = 600
    client.get(path)
    assert cache.get(cache_key(RequestFactory().get(path))) is None


def test_urdu_and_english_copies_of_a_public_page_are_cached_apart(client, settings):
    settings.PAGE_CACHE_SECONDS = 600
    IncidentFactory(title="Published attack")
    assert client.get("/incidents/").headers["X-Page-Cache"] == "miss"
    urdu = client.get("/ur/incidents/")
    assert urdu.headers["X-Page-Cache"] == "miss"
    assert client.get("/ur/incidents/").headers["X-Page-Cache"] == "hit"
