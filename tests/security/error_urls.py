"""The project's URLs plus views that fail on purpose, for the error-page tests."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db.utils import InterfaceError, OperationalError
from django.urls import path

from tracker.urls import handler500  # noqa: F401
from tracker.urls import urlpatterns as project_urlpatterns

SECRET = "connection to server at 10.1.2.3 failed: password authentication for user tracker_rw"


def boom(request):
    raise RuntimeError(SECRET)


def database_gone(request):
    raise OperationalError(SECRET)


def connection_closed(request):
    raise InterfaceError(SECRET)


def forbidden(request):
    raise PermissionDenied(SECRET)


def bad(request):
    raise SuspiciousOperation(SECRET)


urlpatterns = [
    path("test-errors/boom/", boom),
    path("test-errors/database-gone/", database_gone),
    path("test-errors/connection-closed/", connection_closed),
    path("test-errors/forbidden/", forbidden),
    path("test-errors/bad/", bad),
    *project_urlpatterns,
]
