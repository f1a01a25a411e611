"""`{% nav_item "app:name" "Label" %}`: a main-navigation link that marks the current section.

A link whose URL name does not exist (yet) renders nothing, or links to `fallback` (a URL name,
with an optional `#fragment`) when given, so the navigation never breaks a page while the apps
behind it are being built.
"""

from __future__ import annotations

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_item(context, url_name: str, label: str, fallback: str = "") -> str:
    fragment = ""
    try:
        url = reverse(url_name)
    except NoReverseMatch:
        if not fallback:
            return ""
        name, _, fragment = fallback.partition("#")
        try:
            url = reverse(name)
        except NoReverseMatch:
            return ""
        fragment = f"#{fragment}" if fragment else ""
    request = context.get("request")
    path = request.path if request is not None else ""
    current = path == url if url == "/" else path.startswith(url)
    if current and not fragment:
        return format_html('<li><a href="{}" aria-current="page">{}</a></li>', url, label)
    return format_html('<li><a href="{}{}">{}</a></li>', url, fragment, label)
