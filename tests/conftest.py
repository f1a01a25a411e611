"""Shared fixtures: users per role, a client logged in as each, fixed dates."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group

from tracker.roles import EDITORS, MONITORS

# A fixed "today" for tests that need one: never date.today() in assertions.
TODAY = datetime.date(2026, 11, 25)


def make_user(django_user_model, username: str, *, group: str | None = None, superuser: bool = False):
    user = django_user_model.objects.create_user(
        username=username,
        password="correct-horse-battery-staple",  # noqa: S106
        is_staff=group is not None or superuser,
        is_superuser=superuser,
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def login(client, user):
    """Log `user` in on `client` the way every staff page expects (one place, so 2FA can hook in)."""
    client.force_login(user)
    return client


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
