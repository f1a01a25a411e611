"""The site's navigation tags.

`{% nav_item "app:name" "Label" %}`: a main-navigation link that marks the current section.
A link whose URL name does not exist (yet) renders nothing, or links to `fallback` (a URL name,
with an optional `#fragment`) when given, so the navigation never breaks a page while the apps
behind it are being built.

`{% language_versions as versions %}`: the page in every language of the site (English
unprefixed, Urdu under /ur/), for the header's language switch and the <head>'s hreflang links.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from django import template
from django.conf import settings
from django.urls import NoReverseMatch, reverse, translate_url
from django.utils import translation
from django.utils.html import format_html

from tracker.paths import site_path

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
    # The home page ("/", "/ur/") is a prefix of every page: it is current only when it is the page.
    current = path == url if url == reverse("dashboard:home") else path.startswith(url)
    if current and not fragment:
        return format_html('<li><a href="{}" aria-current="page">{}</a></li>', url, label)
    return format_html('<li><a href="{}{}">{}</a></li>', url, fragment, label)


@dataclass(frozen=True)
class LanguageVersion:
    """The current page in one language: its code ("ur"), its name in itself ("اردو"), its address
    from the root ("/ur/incidents/?page=2": relative, so no other origin appears in the page)."""

    code: str
    name: str
    url: str
    current: bool


@register.simple_tag(takes_context=True)
def language_versions(context) -> list[LanguageVersion]:
    """The current page (path and query string kept) in each of settings.LANGUAGES.

    Empty when the page was rendered without a request (the 503 page): there is no page to translate.
    """
    request = context.get("request")
    if request is None:
        return []
    full_path = without_empty_parameters(request.get_full_path())
    current = translation.get_language()
    return [
        LanguageVersion(code, name, page_in_language(full_path, code), code == current)
        for code, name in settings.LANGUAGES
    ]


def without_empty_parameters(full_path: str) -> str:
    """`full_path` without its empty query parameters ("?q=&page=2" → "?page=2"), as every link the
    server builds: an empty filter is no filter."""
    path, _, query = full_path.partition("?")
    kept = [(name, value) for name, value in parse_qsl(query, keep_blank_values=True) if value != ""]
    return f"{path}?{urlencode(kept)}" if kept else path


def page_in_language(full_path: str, code: str) -> str:
    """`full_path` ("/incidents/?page=2") as the same page in language `code` ("/ur/incidents/?page=2").

    Django's translate_url resolves the path and reverses it in the other language. A path that
    resolves to nothing (a 404 page) is given the other language's prefix directly, so the switch on
    an error page still leads to the same address in the other language.
    """
    translated = translate_url(full_path, code)
    if translated != full_path or code == translation.get_language():
        return translated
    path, question, query = full_path.partition("?")
    unprefixed = site_path(path)
    prefix = "" if code == settings.LANGUAGE_CODE else f"/{code}"
    return f"{prefix}{unprefixed}{question}{query}"
