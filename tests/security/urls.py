"""Every URL pattern of the project, with sample arguments, for tests that must walk them all.

    routes = all_routes()                           # every pattern, from django.urls.get_resolver()
    plan = sample_urls(objects=[incident, case, court], extra={"monitoring:publish": [...]})
    for url in plan.urls:                           # SampleURL(route, url): one per route (or per variant)
        response = client.get(url.url)
    assert plan.unresolved == []                    # a new route with no sample fails loudly

How a route's arguments are filled, first match wins:
1. `extra[route name]`: a kwargs dict, a list of kwargs dicts (one URL each), or a tuple of
   positional args (regex routes with unnamed groups);
2. admin routes `admin/<app>/<model>/<object_id or pk or id>/...`: the pk of the sample object of that model;
   simple_history's `.../<object_id>/history/<history_id>/`: that object and its latest history row;
3. `<pk>`/`<id>` after a literal segment (`incidents/<int:pk>/`, `api/^cases/(?P<pk>...)`): the
   sample object whose model name is that segment made singular (incidents → incident);
4. `extra[kwarg name]` (e.g. {"token": "..."}), then `DEFAULT_VALUES` (app_label, url).
A route none of these fills lands in `plan.unresolved`, with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern, RoutePattern

DEFAULT_VALUES: dict[str, Any] = {"app_label": "incidents", "url": "no-such-admin-page/"}

_PLACEHOLDER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>\w+)>|\(\?P<(?P<group>\w+)>")
_NAMED_GROUP = re.compile(r"\(\?P<(\w+)>(?:[^()]|\([^()]*\))*\)")


@dataclass(frozen=True)
class Route:
    """One URL pattern with its full path pattern, namespaced name and argument names."""

    pattern: str  # e.g. "incidents/<int:pk>/" or "api/^cases/(?P<pk>[^/.]+)/$"
    name: str | None  # e.g. "incidents:incident_detail"
    kwargs: tuple[str, ...]
    positional: int  # unnamed regex groups
    callback: Any = field(compare=False, repr=False)

    @property
    def area(self) -> str:
        """admin, api, staff, account, follow, feed or public: for choosing expectations per area."""
        head = self.pattern.lstrip("^").split("/", 1)[0]
        if head in ("admin", "api", "staff", "account", "follow"):
            return head
        if head == "feeds" or self.pattern.endswith(".ics"):
            return "feed"
        return "public"


@dataclass(frozen=True)
class SampleURL:
    route: Route
    url: str


@dataclass
class Plan:
    urls: list[SampleURL]
    unresolved: list[tuple[Route, str]]


def _pattern_kwargs(pattern) -> tuple[list[str], int]:
    if isinstance(pattern, RoutePattern):
        return list(pattern.converters), 0
    if isinstance(pattern, RegexPattern):
        regex = pattern.regex
        return list(regex.groupindex), regex.groups - len(regex.groupindex)
    return [], 0


def _walk(patterns, prefix: str, namespace: str | None, kwargs: list[str], positional: int) -> Iterable[Route]:
    for entry in patterns:
        names, unnamed = _pattern_kwargs(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part) or None
            yield from _walk(
                entry.url_patterns, prefix + str(entry.pattern), inner, kwargs + names, positional + unnamed
            )
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield Route(prefix + str(entry.pattern), name, tuple(kwargs + names), positional + unnamed, entry.callback)


def all_routes(urlconf: str | None = None) -> list[Route]:
    """Every URL pattern the project serves (admin, API, feeds, staff, account, public)."""
    return list(_walk(get_resolver(urlconf).url_patterns, "", None, [], 0))


def _singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("ses") and not word.endswith("cases"):
        return word[:-2]
    return word[:-1] if word.endswith("s") else word


def _segment_before(pattern: str, kwarg: str) -> str | None:
    """The literal path segment just before `<...:kwarg>` or `(?P<kwarg>`, e.g. "incidents"."""
    for match in _PLACEHOLDER.finditer(pattern):
        if kwarg in (match.group("name"), match.group("group")):
            before = re.sub(r"[\^$]", "", pattern[: match.start()])
            parts = [part for part in before.split("/") if part and "<" not in part and "(" not in part]
            return parts[-1] if parts else None
    return None


def _admin_model(pattern: str) -> str | None:
    match = re.match(r"admin/(\w+)/(\w+)/", pattern)
    return f"{match.group(1)}.{match.group(2)}" if match else None


def _fill(route: Route, objects: Mapping[str, Model], extra: Mapping[str, Any]) -> list[dict] | tuple | str:
    """kwargs dicts (or a positional tuple) for the route, or a reason it cannot be filled."""
    if route.name in extra:
        given = extra[route.name]
        return given if isinstance(given, (list, tuple)) else [given]
    admin_model = _admin_model(route.pattern)
    if route.positional:
        if admin_model and route.name and route.name.endswith("_simple_history"):
            if admin_model not in objects:
                return f"no sample object of {admin_model}"
            instance = objects[admin_model]
            latest = instance.history.order_by("-history_id").first()
            if latest is None:
                return f"{admin_model} sample has no history row"
            return (str(instance.pk), str(latest.history_id))
        return f"{route.positional} unnamed argument(s): give extra[{route.name!r}] = (args, ...)"
    kwargs: dict[str, Any] = {}
    for name in route.kwargs:
        if admin_model and (name == "object_id" or (name in ("pk", "id") and route.name not in extra)):
            if admin_model not in objects:
                return f"no sample object of {admin_model}"
            kwargs[name] = str(objects[admin_model].pk)
            continue
        segment = _segment_before(route.pattern, name) if name in ("pk", "id") else None
        if segment:
            singular = _singular(segment)
            match = next((obj for label, obj in objects.items() if label.split(".")[1] == singular), None)
            if match is not None:
                kwargs[name] = match.pk
                continue
        if name in extra:
            kwargs[name] = extra[name]
        elif name in DEFAULT_VALUES:
            kwargs[name] = DEFAULT_VALUES[name]
        else:
            return f"no sample for <{name}> (segment {segment!r}): give extra[{route.name or name!r}]"
    return [kwargs]


def _unnamed_url(route: Route, kwargs: dict) -> str:
    def substitute(match: re.Match) -> str:
        name = match.group("name") or match.group("group")
        return str(kwargs[name])

    path = _NAMED_GROUP.sub(lambda m: str(kwargs[m.group(1)]), route.pattern)
    path = _PLACEHOLDER.sub(substitute, path)
    return "/" + re.sub(r"[\^$]", "", path)


def sample_urls(
    objects: Iterable[Model] = (), extra: Mapping[str, Any] | None = None, *, urlconf: str | None = None
) -> Plan:
    """One concrete URL per route (several when `extra` gives variants), for the given sample objects.

    `objects`: model instances, one per model (later ones win), e.g. a published incident, its case,
    court, hearing... Every route whose arguments can be filled gets a URL; the rest are listed in
    `Plan.unresolved` with the reason, so a walking test can insist that it covers every route.
    """
    by_label = {obj._meta.label_lower: obj for obj in objects}
    extra = extra or {}
    plan = Plan(urls=[], unresolved=[])
    for route in all_routes(urlconf):
        filled = _fill(route, by_label, extra)
        if isinstance(filled, str):
            plan.unresolved.append((route, filled))
            continue
        variants = [filled] if isinstance(filled, tuple) else filled
        for variant in variants:
            try:
                if isinstance(variant, tuple):
                    if not route.name:
                        raise NoReverseMatch("positional arguments need a named route")
                    url = reverse(route.name, args=variant, urlconf=urlconf)
                elif route.name:
                    url = reverse(route.name, kwargs=variant, urlconf=urlconf)
                else:
                    url = _unnamed_url(route, variant)
            except (NoReverseMatch, KeyError) as error:
                plan.unresolved.append((route, f"cannot build a URL from {variant!r}: {error}"))
                continue
            plan.urls.append(SampleURL(route, url))
    return plan
