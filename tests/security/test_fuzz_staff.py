"""No 500 on any staff page (issue 14 item 5): every admin and /staff/ URL, with bad ids and hostile
parameters, as an editor and as a monitor (both past the second factor), GET and POST.

Three sweeps over every route the URL enumerator (tests/security/urls.py) finds under /admin/ and
/staff/, in the permission matrix's world (published, draft and retracted records with everything
hanging off them):

1. path parameters: each route with arguments, every argument replaced by each of BAD_IDS;
2. query parameters: each sample URL with HOSTILE_QUERIES, and each admin changelist with its own
   date_hierarchy lookups (`__year=9999`, `__month=13` ...) and list_filter parameters given bad
   values, `o=99`, `p=-1` and unknown lookups;
3. POST: each sample URL and each bad-id URL with hostile form data (the CSRF check is off, as in
   the test client, so the view itself answers).

Every answer must be below 500 and carry no traceback. `test_the_sweep_covers_every_staff_route`
keeps the sweep complete; the figures (how many requests) are printed with `-s`.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.contrib import admin
from django.test import Client

from tests.conftest import make_user
from tests.security.test_permission_matrix import _variants, admin_samples, build_world, login
from tests.security.urls import all_routes, sample_urls
from tracker.roles import EDITORS, MONITORS

BAD_IDS = ["abc", "-1", "0", "99999999999999999999", "é🙂", "\x00"]
HOSTILE = ["abc", "-1", "99999999999999999999", "2023-02-30", "9999-12-31", "\x00", "x" * 3000, "<script>", "é🙂"]
# Parameters the staff pages and the admin read, each given every hostile value.
STAFF_PARAMETERS = ["q", "case", "saved", "date", "kind", "run", "author", "page", "court", "city", "next", "token"]
ADMIN_PARAMETERS = ["o", "p", "q", "e", "all", "_popup", "_to_field", "_changelist_filters", "status__exact"]
DATE_LOOKUPS = [
    {"__year": "9999"},
    {"__year": "9999", "__month": "12"},
    {"__year": "9999", "__month": "12", "__day": "31"},
    {"__year": "0"},
    {"__year": "-1"},
    {"__year": "99999999999999999999"},
    {"__year": "2013", "__month": "13"},
    {"__year": "2013", "__month": "2", "__day": "30"},
    {"__year": "abc"},
    {"__month": "5"},
]
ORDERING = ["99", "-99", "1.2.abc", "0", "-"]
FILTER_SUFFIXES = ["__exact", "__gte", "__lt", "__isnull", "__in", "__id__exact", "__year"]
HOSTILE_POST = {
    "case": "abc",
    "date": "2023-02-30",
    "next": "https://evil.example/",
    "note": "\x00",
    "selected": ["incident:abc", "x\x00"],
    "confirm": "yes",
    "outcome": "\x00",
    "q": "x" * 3000,
    "title": "\x00",
    "_save": "Save",
    "action": "no_such_action",
    "_selected_action": ["abc", "99999999999999999999"],
    "select_across": "abc",
    "index": "abc",
}
# Known and not yet fixed (reported in issue 14): Django's AutocompleteSelect renders a bound
# non-numeric id ("case=abc" posted to the charge and hearing add forms, whose `case` is an
# autocomplete field) by filtering `id__in=["abc"]` while drawing the page: ValueError, 500. Listed
# here so the sweep stays green for everything else, and checked to still fail: a fix must remove them.
KNOWN_500: set[tuple[str, str]] = set()
# Never walked: signing out would end the session the sweep runs in.
SKIPPED = {"admin:logout"}
_PLACEHOLDER = re.compile(r"<(?:[^>:]+:)?\w+>|\(\?P<\w+>(?:[^()]|\([^()]*\))*\)|\((?:[^()?]|\([^()]*\))*\)")

pytestmark = pytest.mark.django_db


def _staff_routes():
    return [r for r in all_routes() if r.area in ("admin", "staff") and r.name not in SKIPPED]


def bad_path(pattern: str, value: str) -> str:
    """The route's pattern with every argument replaced by `value` (URL-quoted)."""
    path = _PLACEHOLDER.sub(quote(value, safe=""), pattern)
    return "/" + re.sub(r"[\^$]", "", path)


def admin_queries(model_admin) -> list[dict]:
    """Hostile parameters for one changelist: its date hierarchy, its filters, ordering, paging."""
    queries: list[dict] = [{"o": o} for o in ORDERING] + [{"p": p} for p in ["-1", "abc", "99999999999999999999"]]
    queries += [{"no_such_field__icontains": "x"}, {"id__regex": "("}, {"pk__in": "abc,def"}]
    if model_admin.date_hierarchy:
        queries += [
            {model_admin.date_hierarchy + key: value for key, value in lookup.items()} for lookup in DATE_LOOKUPS
        ]
    for entry in model_admin.list_filter:
        name = entry if isinstance(entry, str) else entry[0] if isinstance(entry, tuple) else None
        if name is None:  # a SimpleListFilter class: its own parameter
            queries.append({entry.parameter_name: "abc\x00"})
            continue
        for suffix in FILTER_SUFFIXES:
            queries += [{name + suffix: value} for value in ("abc", "99999999999999999999", "\x00")]
    return queries


class Sweep:
    """Sends the requests and keeps the figures: how many, and every one that answered ≥ 500."""

    def __init__(self, clients: dict[str, Client]):
        self.clients = clients
        self.count = 0
        self.statuses: dict[int, int] = {}
        self.failures: list[tuple] = []
        self.known: set[tuple] = set()

    def report(self) -> str:
        """The failures, one line per distinct (method, path, parameter names), for the assertion."""
        seen = {}
        for role, method, url, data, status in self.failures:
            names = sorted(data) if isinstance(data, dict) else data
            seen.setdefault((method, url.split("?")[0], str(names)), (role, status, data))
        return "\n".join(f"{key} {value}" for key, value in list(seen.items())[:60])

    def send(self, method: str, url: str, data=None) -> None:
        for role, client in self.clients.items():
            response = client.get(url, data) if method == "GET" else client.post(url, data or {})
            self.count += 1
            self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
            content = b"" if getattr(response, "streaming", False) else response.content
            if (method, url) in KNOWN_500:
                self.known.add((method, url, response.status_code >= 500))
            elif response.status_code >= 500 or b"Traceback" in content:
                self.failures.append((role, method, url, data if len(str(data)) < 200 else "...", response.status_code))


@pytest.fixture
def sweep(db, django_user_model, settings, time_machine):
    settings.RATE_LIMITS = {"api": (10**9, 60), "csv": (10**9, 60), "follow": (10**9, 60)}
    time_machine.move_to("2026-11-25 10:00 +0500")
    world = build_world(django_user_model)
    clients = {
        "editor": login(Client(raise_request_exception=False), make_user(django_user_model, "editor", group=EDITORS)),
        "monitor": login(
            Client(raise_request_exception=False), make_user(django_user_model, "monitor", group=MONITORS)
        ),
    }
    plan = sample_urls(admin_samples(world), _variants(world))
    urls = [u for u in plan.urls if u.route.area in ("admin", "staff") and u.route.name not in SKIPPED]
    return Sweep(clients), urls


def test_the_sweep_covers_every_staff_route(sweep):
    _, urls = sweep
    assert {u.route for u in urls} == set(_staff_routes())


def test_bad_ids_in_every_path_parameter(sweep):
    runner, _ = sweep
    routes = [r for r in _staff_routes() if r.kwargs or r.positional]
    for route in routes:
        for value in BAD_IDS:
            url = bad_path(route.pattern, value)
            runner.send("GET", url)
            runner.send("POST", url, HOSTILE_POST)
    print(f"\nbad ids: {len(routes)} routes, {runner.count} requests, statuses {sorted(runner.statuses.items())}")
    assert runner.failures == [], runner.report()


def test_hostile_query_parameters_on_every_staff_page(sweep):
    runner, urls = sweep
    editor = runner.clients["editor"]
    for sample in urls:
        if sample.route.area == "staff":
            if editor.get(sample.url).status_code == 405:
                continue  # POST only: the POST sweep sends it hostile data
            for name in STAFF_PARAMETERS:
                for value in HOSTILE:
                    runner.send("GET", sample.url, {name: value})
        elif (sample.route.name or "").endswith("_changelist"):
            model_admin = admin.site._registry[sample.route.callback.model_admin.model]
            for query in admin_queries(model_admin):
                runner.send("GET", sample.url, query)
            for name in ADMIN_PARAMETERS:
                for value in HOSTILE[:3]:
                    runner.send("GET", sample.url, {name: value})
        else:
            runner.send("GET", sample.url, {"_changelist_filters": "o=99&p=-1", "_popup": "\x00", "_to_field": "x"})
    print(f"\nqueries: {len(urls)} URLs, {runner.count} requests, statuses {sorted(runner.statuses.items())}")
    assert runner.failures == [], runner.report()


def test_hostile_posts_to_every_staff_page(sweep):
    """Delete views last: Django's admin takes any POST to them as the confirmation."""
    runner, urls = sweep
    for sample in sorted(urls, key=lambda u: (u.route.name or "").endswith("_delete")):
        runner.send("POST", sample.url, HOSTILE_POST)
    print(f"\nposts: {len(urls)} URLs, {runner.count} requests, statuses {sorted(runner.statuses.items())}")
    assert runner.failures == [], runner.report()
    assert runner.known == {(method, url, True) for method, url in KNOWN_500}, "a known 500 is fixed: remove it"
