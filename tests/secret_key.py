"""A SECRET_KEY for the test run, set before Django reads its settings.

The settings refuse to start with DEBUG off and no SECRET_KEY (issue 13: no public fallback key),
and the tests run with DEBUG off. pytest loads this module as a plugin (pyproject's addopts:
``-p tests.secret_key``), which is before pytest-django imports the settings; a conftest.py would
be too late. The key is random for each run, so no key the tests use is in the repository, and
the subprocesses the tests start (gunicorn, manage.py) inherit it. A key already in the
environment is kept.
"""

import os
import secrets

os.environ.setdefault("SECRET_KEY", "tests-only-" + secrets.token_urlsafe(50))
