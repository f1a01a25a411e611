"""URLs for bench/bench_throughput.py: the tracker's, plus the two reference pages it compares them with."""

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from tracker.urls import handler500  # noqa: F401  (the tracker's error page here too)
from tracker.urls import urlpatterns as tracker_urlpatterns

PLAIN_LIST_SQL = """
    SELECT i.id, i.date, i.title, c.name
    FROM incidents_incident i LEFT JOIN incidents_city c ON c.id = i.city_id
    WHERE i.status = 'published'
    ORDER BY i.date DESC, i.id DESC
    LIMIT 50
"""
PLAIN_COUNT_SQL = "SELECT COUNT(*) FROM incidents_incident WHERE status = 'published'"
PLAIN_TEMPLATE = engines["django"].from_string(
    """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Incidents</title></head><body>
<h1>Incidents</h1><p>{{ count }} incidents</p>
<table><thead><tr><th>Date</th><th>Incident</th><th>City</th></tr></thead><tbody>
{% for id, date, title, city in rows %}<tr><td>{{ date|date:"j M Y" }}</td><td><a href="/incidents/{{ id }}/">{{ title }}</a></td><td>{{ city|default:"" }}</td></tr>
{% endfor %}</tbody></table></body></html>"""
)


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Hello, world")


def plain_list(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute(PLAIN_LIST_SQL)
        rows = cursor.fetchall()
        cursor.execute(PLAIN_COUNT_SQL)
        (count,) = cursor.fetchone()
    return HttpResponse(PLAIN_TEMPLATE.render({"rows": rows, "count": count}))


# The tracker's patterns themselves, not include()d: Django refuses i18n_patterns in an included URLconf.
urlpatterns = [
    path("bench/hello/", hello),
    path("bench/plain-list/", plain_list),
    *tracker_urlpatterns,
]
