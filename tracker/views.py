"""Site-wide views: health check and the error handlers."""

import sys

from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views import defaults

from .middleware import DATABASE_ERRORS, database_unavailable_response


def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        response = JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    else:
        response = JsonResponse({"status": "ok", "database": "ok"})
    add_never_cache_headers(response)
    return response


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """handler500: the generic 500 page, or the 503 page when the cause is a database that is down.

    Django calls this inside its `except` block, so the exception is still in sys.exc_info();
    that is how a database failure raised in a middleware (sessions, users) becomes a 503 too.
    """
    if isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        return database_unavailable_response()
    return defaults.server_error(request, template_name=template_name)
