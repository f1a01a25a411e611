"""Site-wide views: health check and the error handlers."""

import sys

from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.templatetags.static import static
from django.utils.cache import add_never_cache_headers
from django.views import defaults

from .middleware import DATABASE_ERRORS, database_unavailable_response


def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers and the static files are there; 503 when either is not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        response = JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    else:
        if static_files_collected():
            response = JsonResponse({"status": "ok", "database": "ok"})
        else:
            response = JsonResponse({"status": "error", "database": "ok", "static": "not collected"}, status=503)
    add_never_cache_headers(response)
    return response


def static_files_collected() -> bool:
    """False when the stylesheet has no URL: deployed (manifest storage) but `collectstatic` never ran.

    Every page links the stylesheet through {% static %}, so such a site answers 500 everywhere;
    `make serve` collects them before it starts, and a load balancer polling /healthz sees 503.
    """
    try:
        static("css/site.css")
    except ValueError:  # "Missing staticfiles manifest entry"
        return False
    return True


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """handler500: the generic 500 page, or the 503 page when the cause is a database that is down.

    Django calls this inside its `except` block, so the exception is still in sys.exc_info();
    that is how a database failure raised in a middleware (sessions, users) becomes a 503 too.
    """
    if isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        return database_unavailable_response(request)
    return defaults.server_error(request, template_name=template_name)
