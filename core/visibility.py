"""Who sees what (DESIGN.md "Who sees what"), decided in one place.

Every model's QuerySet has two methods:

- `public()`: the rows the public may see (published records and what hangs off them);
- `visible_to(user)`: everything for staff (legal monitors, editors, superusers),
  `public()` for everybody else.

Every model also lists the fields the public may see in `PUBLIC_FIELDS`. Pages, the API,
feeds and CSV go through `visible_to()` / `public()` and `public_fields()`; no view filters
on `status` by itself. Hidden records answer 404 (`get_visible_or_404`), never 403.
"""

from __future__ import annotations

from django.db import models
from django.http import Http404


def is_staff_reader(user) -> bool:
    """Staff (monitors, editors, superusers) read drafts, retracted records and confidential fields."""
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_staff)


class VisibilityQuerySet(models.QuerySet):
    def public(self):  # pragma: no cover - every subclass defines it
        raise NotImplementedError(f"{self.model.__name__} must define public()")

    def visible_to(self, user):
        return self.all() if is_staff_reader(user) else self.public()


class AllPublicQuerySet(VisibilityQuerySet):
    """Reference lists and logs that hold nothing confidential."""

    def public(self):
        return self.all()


def public_fields(model) -> tuple[str, ...]:
    """The whitelist of fields the public may see for `model`."""
    return tuple(model.PUBLIC_FIELDS)


def get_visible_or_404(queryset, user, **lookup):
    """The one row matching `lookup` that `user` may see, else 404 (hidden looks like absent)."""
    try:
        return queryset.visible_to(user).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404(f"No {queryset.model._meta.verbose_name} matches the given query.") from None
