"""Every staff page against every role: who gets the page, who is sent to sign in, who is refused."""

from __future__ import annotations

import pytest
from django.test import Client

from core.models import Status
from tests import factories as f
from tests.conftest import login, make_user

pytestmark = pytest.mark.django_db

PAGES = ["/staff/worklist/", "/staff/hearings/record/", "/staff/review/", "/staff/calendar/"]
# role -> expected status of GET on each page (302 = sent to sign in or to set up 2FA).
EXPECTED = {
    "anonymous": [302, 302, 302, 302],
    "public_user": [302, 302, 302, 302],
    "staff_no_role": [200, 403, 200, 200],
    "monitor": [200, 200, 200, 200],
    "editor": [200, 200, 200, 200],
    "superuser": [200, 200, 200, 200],
}


def _client(role, request, django_user_model):
    client = Client()
    if role == "anonymous":
        return client
    if role == "public_user":
        return login(client, make_user(django_user_model, "reader"))
    return login(client, request.getfixturevalue(role))


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_on_each_staff_page(role, request, django_user_model):
    client = _client(role, request, django_user_model)
    got = [client.get(page).status_code for page in PAGES]
    assert got == EXPECTED[role]


@pytest.mark.parametrize(
    ("role", "publish", "retract"),
    [
        ("anonymous", 302, 302),
        ("public_user", 302, 302),
        ("staff_no_role", 403, 403),
        ("monitor", 403, 403),
        ("editor", 302, 200),
        ("superuser", 302, 200),
    ],
)
def test_each_role_publishing_by_direct_post(role, publish, retract, request, django_user_model):
    client = _client(role, request, django_user_model)
    draft = f.CaseFactory(status=Status.DRAFT)
    published = f.CaseFactory()
    assert client.post(f"/staff/review/case/{draft.pk}/publish/").status_code == publish
    assert client.get(f"/staff/review/case/{published.pk}/retract/").status_code == retract
    draft.refresh_from_db()
    assert draft.status == (Status.PUBLISHED if publish == 302 and role in ("editor", "superuser") else Status.DRAFT)
