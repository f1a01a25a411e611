"""Headers and production settings: CSP, no-store on staff pages, `check --deploy` clean."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import login
from tests.security.csp import csp_violations, policy

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def test_policy_allows_only_our_own_origin_and_no_inline_code(client):
    response = client.get("/healthz")
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    for directive, sources in directives.items():
        assert "'unsafe-inline'" not in sources, directive
        assert "'unsafe-eval'" not in sources, directive
        assert not any(
            s.startswith(("http:", "https:", "*")) or "." in s.strip("'") and "sha256" not in s for s in sources
        ), (
            directive,
            sources,
        )


def test_scanner_finds_what_the_policy_would_block(client):
    """The checker used below must itself catch inline code, event handlers and other origins."""
    from django.http import HttpResponse

    response = HttpResponse(
        '<script>alert(1)</script><p style="color:red" onclick="x()">x</p>'
        '<script src="https://cdn.example.org/x.js"></script><a href="javascript:void(0)">y</a>'
    )
    response["Content-Security-Policy"] = "default-src 'self'"
    problems = csp_violations(response)
    assert len(problems) == 5, problems


@pytest.mark.parametrize(
    "path",
    ["/account/login/", "/admin/", "/admin/incidents/incident/", "/admin/incidents/incident/add/", "/admin/auth/user/"],
)
def test_admin_and_login_pages_have_nothing_the_policy_blocks(client, superuser, path):
    if path != "/account/login/":
        login(client, superuser)
    response = client.get(path)
    assert response.status_code == 200
    assert csp_violations(response) == []


def test_two_factor_setup_page_has_nothing_the_policy_blocks(client, editor):
    login(client, editor, verified=False)
    response = client.get("/account/two_factor/setup/")
    assert response.status_code == 200
    assert csp_violations(response) == []


def test_two_factor_profile_page_has_nothing_the_policy_blocks(client, editor):
    login(client, editor)
    response = client.get("/account/two_factor/")
    assert response.status_code == 200
    assert csp_violations(response) == []


def test_api_docs_have_nothing_the_policy_blocks(client):
    response = client.get("/api/docs/")
    if response.status_code == 404:
        pytest.skip("no /api/docs/ in this build")
    assert response.status_code == 200
    assert csp_violations(response) == []


def test_public_home_page_has_nothing_the_policy_blocks(client):
    response = client.get("/")
    assert response.status_code == 200
    assert csp_violations(response) == []


@pytest.mark.parametrize("path", ["/admin/", "/account/two_factor/", "/staff/worklist/"])
def test_staff_pages_are_never_stored(client, editor, path):
    login(client, editor)
    response = client.get(path)
    assert "no-store" in response["Cache-Control"], path


def test_login_page_is_never_stored(client):
    assert "no-store" in client.get("/account/login/")["Cache-Control"]


def test_public_pages_seen_by_staff_are_never_stored(client, editor):
    login(client, editor)
    response = client.get("/")
    assert "no-store" in response["Cache-Control"]


def test_public_pages_seen_by_the_public_may_be_cached(client):
    response = client.get("/")
    assert "no-store" not in response.get("Cache-Control", "")


def test_device_is_shown_by_name_only_on_the_profile(client, editor):
    device = TOTPDevice.objects.create(user=editor, name="default", confirmed=True)
    login(client, editor)
    response = client.get("/account/two_factor/")
    assert device.key.encode() not in response.content


def _deploy_env(**overrides) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST", "SECURE_", "RATE_LIMIT"))}
    env.update(
        DEBUG="0",
        SECRET_KEY="a-real-production-key-7q9Zt2Lm4Xc8Vb1Nn5Rr3Ww6Yy0Kk9Hh2Jj4Gg7Ff1Dd8Ss5Aa3",
        ALLOWED_HOSTS="tracker.example.org",
        DATABASE_URL=os.environ.get("DATABASE_URL", "sqlite:////tmp/check-deploy.sqlite3"),
    )
    env.update(overrides)
    return env


def test_check_deploy_reports_nothing_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_deploy_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced).", result.stdout + result.stderr


def test_check_deploy_does_complain_about_a_weak_key():
    """The test above can fail: the same command with a short key reports security.W009.
    (With no key at all the settings refuse to load: tests/security/test_deploy.py.)"""
    env = _deploy_env(SECRET_KEY="short-key")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "security.W009" in result.stdout + result.stderr
