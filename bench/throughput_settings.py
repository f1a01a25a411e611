"""The tracker's own settings, plus two reference pages for bench/bench_throughput.py (never deployed).

Served by the same gunicorn, middleware and database as the tracker's pages, so the comparison
measures the pages and nothing else: ``/bench/hello/`` (a Django hello-world) and
``/bench/plain-list/`` (the 50 newest published incidents with their city and the total count,
raw SQL and a template string). Neither is ever stored by the page cache (its excluded prefixes).
"""

from tracker.settings import *  # noqa: F403
from tracker.settings import PAGE_CACHE_EXCLUDED_PREFIXES

ROOT_URLCONF = "throughput_urls"
PAGE_CACHE_EXCLUDED_PREFIXES = [*PAGE_CACHE_EXCLUDED_PREFIXES, "/bench/"]
# The benchmark polls /healthz over plain HTTP between loads; every measured page is asked for
# with X-Forwarded-Proto: https, as a proxy sends it.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
