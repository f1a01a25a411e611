"""gunicorn settings for `make serve` (README "Deploying"); every value can be changed from the environment.

- Listens on BIND_ADDRESS:PORT (default 127.0.0.1:8000: behind a reverse proxy on the same host).
- WEB_CONCURRENCY worker processes (default: 2 per CPU + 1, at most 8); each holds one database connection.
- A worker silent for 30 s is restarted (a request never hangs a worker for ever); workers are recycled
  after about a thousand requests, so slow growth in memory never builds up.
- The proxy's X-Forwarded-* headers are trusted only from FORWARDED_ALLOW_IPS (default: this host);
  Django itself reads X-Forwarded-Proto (settings.SECURE_PROXY_SSL_HEADER) to know a request came
  over HTTPS.
- Access and error logs go to standard output (the journal under systemd), through
  tracker.redact: the staff iCalendar token, the e-mail confirmation and unsubscribe tokens and
  secret-looking query parameters never reach a log line.
"""

import multiprocessing
import os
import sys
from pathlib import Path

# The project's root, so that the logger below can import tracker.redact whatever the working directory.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gunicorn.glogging import Logger  # noqa: E402

from tracker.redact import RedactingFilter  # noqa: E402


def _int_env(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = [f"{os.environ.get('BIND_ADDRESS', '127.0.0.1')}:{_int_env('PORT', 8000)}"]
workers = _int_env("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8))
worker_class = "sync"
timeout = _int_env("GUNICORN_TIMEOUT", 30)
graceful_timeout = 30
keepalive = 5
max_requests = 1000
max_requests_jitter = 100
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proc_name = "tracker"

accesslog = "-"
errorlog = "-"
# Apache's combined format with the client address the proxy saw (X-Forwarded-For) and the time taken;
# the request line and the referrer pass through RedactingFilter.
access_log_format = '%(h)s %({x-forwarded-for}i)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'


class RedactingLogger(Logger):
    """gunicorn's logger with tracker.redact's filter on the access and the error log."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            if not any(isinstance(existing, RedactingFilter) for existing in log.filters):
                log.addFilter(RedactingFilter())


logger_class = RedactingLogger
