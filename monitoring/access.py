"""Who may open the staff pages, and what "today" is (one function, so tests can fix it)."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from core.visibility import is_staff_reader


def staff_required(*perms: str):
    """Anonymous → the login page; signed in but not staff, or lacking `perms` → 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not is_staff_reader(request.user) or not request.user.has_perms(perms):
                raise PermissionDenied("Staff only.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
