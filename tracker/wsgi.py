"""WSGI entry point (gunicorn tracker.wsgi)."""

import gc
import os

from django.core.signals import request_finished
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
application = get_wsgi_application()

# Everything loaded so far (Django, the apps, their models and admin) lives as long as the worker:
# moved out of the garbage collector's reach, so that a full collection during a request scans
# the request's objects only. Measured on the bench data: a full collection in a list request took
# 80-90 ms before (the p95 of every list page), about 5 ms after.
gc.freeze()

# The worker's first requests load more that lives as long as it (compiled templates, translation
# catalogues, URL and query caches): frozen in turn after them, once. Measured on the cached
# statistics API (bench data): a full collection took 20-30 ms before, about 8 ms after.
FREEZE_AFTER_REQUESTS = 100
_requests_seen = 0


def _freeze_after_first_requests(**kwargs) -> None:
    global _requests_seen
    _requests_seen += 1
    if _requests_seen == FREEZE_AFTER_REQUESTS:
        gc.collect()  # the garbage of those requests goes first: frozen, it would stay for good
        gc.freeze()
        request_finished.disconnect(_freeze_after_first_requests)


request_finished.connect(_freeze_after_first_requests)
