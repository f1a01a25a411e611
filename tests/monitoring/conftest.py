"""Fixtures of the staff pages: a fixed today, and a staff user in no group."""

from __future__ import annotations

import pytest

from tests.conftest import TODAY, make_user


@pytest.fixture(autouse=True)
def fixed_today(time_machine):
    """Every staff page sees TODAY (Wednesday 25 November 2026)."""
    time_machine.move_to(TODAY)
    return TODAY


@pytest.fixture
def staff_no_role(django_user_model):
    """Staff, but in neither group: may read staff pages, may not change anything."""
    user = make_user(django_user_model, "intern")
    user.is_staff = True
    user.save()
    return user
