"""Template helpers for the staff pages."""

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.simple_tag
def admin_change_url(obj) -> str:
    """The admin change page of `obj` (its own page when the admin does not register the model)."""
    meta = obj._meta
    try:
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else ""
