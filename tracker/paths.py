"""Paths without their language prefix, for the middleware's path rules.

English pages are unprefixed and the same pages in Urdu live under ``/ur/`` (DESIGN.md "Public
interface"), so a rule about ``/staff/`` or ``/admin/`` must hold for ``/ur/staff/`` and
``/ur/admin/`` too. Every prefix check in the middleware reads the path through ``site_path``.
"""

from __future__ import annotations

from django.conf import settings


def language_prefixes() -> tuple[str, ...]:
    """The URL prefixes of the languages other than the default ("/ur")."""
    return tuple(f"/{code}" for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE)


def site_path(path: str) -> str:
    """``path`` with a leading language prefix removed: "/ur/staff/" → "/staff/", "/ur" → "/"."""
    for prefix in language_prefixes():
        if path == prefix:
            return "/"
        if path.startswith(prefix + "/"):
            return path[len(prefix) :]
    return path
