"""What a fresh install still needs before data entry can start (the admin index's "first set up" note).

``{% load setup_notes %}{% courts_missing as missing %}``: True while there is no court, since every
case names its trial court. Courts are reference data: editors (and superusers) add them; monitors
see the list read-only (tracker/roles.py).
"""

from __future__ import annotations

from django import template

from cases.models import Court

register = template.Library()


@register.simple_tag
def courts_missing() -> bool:
    """Whether no court has been added yet (one small query, on the admin index only)."""
    return not Court.objects.exists()
